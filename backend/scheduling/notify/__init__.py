"""Who is told what when the schedule changes: one function per event.

Services call these inside their transaction, so a notification is decided together with the
change it reports: the notifications outbox writes its rows in the same transaction and delivers
after commit (a rolled-back change tells nobody).

Keys make retries safe and later changes news: each names the event, the object and the
sequence (or change time) of the change, and the recipient. Reminders are keyed
``reminder:signup:<id>:<minutes>:<shift sequence>`` so a moved shift cancels and re-creates them
(with ``:2``, ``:3``… appended when the holder's new preferences need one at a time whose key a
cancelled reminder already used). A reminder expires when its shift starts: one that could only
go out later (after downtime) is cancelled unsent.

Messages carry the shift's title, roster name and time (in the roster's zone, in the reader's
language) and a link into the app; never a household's details or address. The confirmation
e-mail carries the commitment as a calendar file from whoever registered
``register_commitment_attachment`` (calendars: scheduling may not import it).
"""

from __future__ import annotations

from scheduling.notify.common import (
    GAP_ALERT,
    KINDS,
    REMINDER,
    SHIFT_CANCELLED,
    SHIFT_CHANGED,
    SIGNUP_CANCEL_REQUESTED,
    SIGNUP_CANCELLED,
    SIGNUP_CONFIRMED,
    SWAP_OFFER_MAX_MEMBERS,
    SWAP_OFFERED,
    SWAP_TAKEN,
    WAITLIST_OFFER_EXPIRED,
    WAITLIST_OFFERED,
    WEEKLY_DIGEST,
    CommitmentAttachment,
    commitment_attachments,
    local_time,
    register_commitment_attachment,
    roster_coordinators,
    roster_people,
)
from scheduling.notify.events import (
    shift_cancelled,
    shift_changed,
    signup_cancel_requested,
    signup_cancelled,
    signup_confirmed,
    swap_offer_candidates,
    swap_offered,
    swap_taken,
    waitlist_offer_expired,
    waitlist_offered,
)
from scheduling.notify.reminders import (
    reminder_prefix,
    reminders_cancel,
    reminders_reschedule,
    reminders_schedule,
)

__all__ = [
    "GAP_ALERT",
    "KINDS",
    "REMINDER",
    "SHIFT_CANCELLED",
    "SHIFT_CHANGED",
    "SIGNUP_CANCELLED",
    "SIGNUP_CANCEL_REQUESTED",
    "SIGNUP_CONFIRMED",
    "SWAP_OFFERED",
    "SWAP_OFFER_MAX_MEMBERS",
    "SWAP_TAKEN",
    "WAITLIST_OFFERED",
    "WAITLIST_OFFER_EXPIRED",
    "WEEKLY_DIGEST",
    "CommitmentAttachment",
    "commitment_attachments",
    "local_time",
    "register_commitment_attachment",
    "reminder_prefix",
    "reminders_cancel",
    "reminders_reschedule",
    "reminders_schedule",
    "roster_coordinators",
    "roster_people",
    "shift_cancelled",
    "shift_changed",
    "signup_cancel_requested",
    "signup_cancelled",
    "signup_confirmed",
    "swap_offer_candidates",
    "swap_offered",
    "swap_taken",
    "waitlist_offer_expired",
    "waitlist_offered",
]
