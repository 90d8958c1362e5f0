from django.apps import AppConfig


class RostersConfig(AppConfig):
    name = "rosters"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The engine sits below rosters and cannot import it; it asks these through its registry.
        from rosters import claims
        from scheduling.eligibility import register_claim_rule, register_claim_warning

        register_claim_rule(claims.limits_rule)
        register_claim_rule(claims.requirement_rule)
        register_claim_warning(claims.availability_warning)
