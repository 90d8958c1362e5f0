from django.apps import AppConfig


class PracticalConfig(AppConfig):
    name = "practical"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.invitations import register_invitation_target
        from practical.invitations import circle_accept, circle_can_invite, circle_describe

        register_invitation_target(
            "circle", can_invite=circle_can_invite, accept=circle_accept, describe=circle_describe
        )
        # Help requests' claim rules (childcare trust gate, paused/closed circles) for the engine.
        from practical.help.rules import register as register_help_rules

        register_help_rules()
