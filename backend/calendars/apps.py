from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from scheduling.models import Signup


class CalendarsConfig(AppConfig):
    name = "calendars"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from scheduling.notify import register_commitment_attachment

        # A confirmation e-mail carries the commitment as a file with the feed's UID, so
        # importing it and subscribing never shows it twice (scheduling can't import us).
        register_commitment_attachment(signup_attachment)


def signup_attachment(signup: Signup) -> dict[str, str] | None:
    """``signup_ics`` for an e-mail, but never with the family's address: a mail is forwarded
    and kept on servers, and the address is the family's to show, in the app, when their rule
    says (so the mail is no address read either). Same UID and details as the feed's event."""
    from calendars.events import _SIGNUP_RELATED, _AddressRule, _signup_event, reminder_lead_times_for
    from calendars.ical import build_calendar
    from scheduling.models import Signup as SignupModel

    class _NoAddress(_AddressRule):
        def __call__(self, circle: object) -> bool:
            return False

    loaded = SignupModel.objects.select_related(*_SIGNUP_RELATED).get(pk=signup.pk)
    rule = _NoAddress(loaded.person, loaded.created_at)
    event = _signup_event(loaded, address_rule=rule, alarms=reminder_lead_times_for(person=loaded.person))
    content = build_calendar(name=event.summary, events=[event], method="PUBLISH").to_ical()
    return {
        "filename": f"village-{signup.pk}.ics",
        # Django adds charset="utf-8" itself; naming it here would repeat the parameter.
        "content_type": "text/calendar; method=PUBLISH",
        "content": content.decode("utf-8"),
    }
