from django.apps import AppConfig


class PracticalConfig(AppConfig):
    name = "practical"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.invitations import register_invitation_target
        from notifications.kinds import register_notification_kind
        from practical.invitations import circle_accept, circle_can_invite, circle_describe
        from practical.notify import CIRCLE_DELETED, CIRCLE_PAUSED, VOLUNTEER_THANKED

        register_invitation_target(
            "circle", can_invite=circle_can_invite, accept=circle_accept, describe=circle_describe
        )
        register_notification_kind(
            CIRCLE_PAUSED,
            label="When a family I help pauses their circle",
            label_es="Cuando una familia a la que ayudo pausa su círculo",
        )
        register_notification_kind(
            CIRCLE_DELETED,
            label="When a family I help deletes their circle",
            label_es="Cuando una familia a la que ayudo elimina su círculo",
        )
        register_notification_kind(
            VOLUNTEER_THANKED,
            label="When a family thanks me",
            label_es="Cuando una familia me da las gracias",
        )
        # Help requests' claim rules (childcare trust gate, paused/closed circles) for the engine.
        from practical.help.rules import register as register_help_rules

        register_help_rules()
        # Coordinators' changes to volunteers' places, made through the engine, for the family's log.
        from practical.audit import engine_action_record
        from scheduling.coordinator_actions import register_coordinator_action_hook

        register_coordinator_action_hook(engine_action_record)
        # A coordinator's gaps across rosters link a circle's gap to the circle.
        from practical.models import Circle
        from scheduling.links import register_roster_page

        register_roster_page(
            "circle",
            lambda ids: dict(Circle.objects.filter(roster_id__in=ids).values_list("roster_id", "pk")),
        )
        # Deleted circles' tombstones leave once calendars have seen the cancellations.
        from datetime import timedelta

        from notifications.scheduler import register_periodic_job
        from practical.export import circle_tombstones_purge

        register_periodic_job(
            "practical.circle_tombstones_purge", circle_tombstones_purge, timedelta(hours=6)
        )
