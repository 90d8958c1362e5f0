"""One place decides who may claim a shift.

The engine checks what it knows (a role on the roster, required qualifications valid at the
shift's start); apps above it add their own rules through the registries here, filled in their
``AppConfig.ready()`` — practical: "childcare needs the family's approval"; rosters: weekly
limits and availability. A rule returns a refusal message (a sentence a person can act on) or
None. Warnings do not refuse; they are shown next to a successful claim.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q

from accounts.models import Person
from scheduling.models import PersonQualification, Shift
from scheduling.selectors import roster_role

ClaimRule = Callable[[Shift, Person], "str | None"]

_claim_rules: list[ClaimRule] = []
_claim_warnings: list[ClaimRule] = []


def register_claim_rule(rule: ClaimRule) -> None:
    """Add a rule that may refuse a claim. Registering the same function twice is a no-op."""
    if rule not in _claim_rules:
        _claim_rules.append(rule)


def register_claim_warning(rule: ClaimRule) -> None:
    """Add a rule whose message is shown as a warning next to a successful claim."""
    if rule not in _claim_warnings:
        _claim_warnings.append(rule)


def missing_qualifications(*, shift: Shift, person: Person) -> list[str]:
    """Names of the shift's required qualifications the person lacks or that expire by its start."""
    if getattr(shift, "_needs_qualifications", True) is False:
        return []  # ``shift_by_id(person=...)`` already saw that it requires none
    required = list(shift.required_qualifications.all())
    if not required:
        return []
    held = set(
        PersonQualification.objects.filter(person=person, qualification__in=required)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=shift.starts_at))
        .values_list("qualification_id", flat=True)
    )
    return [q.name for q in required if q.pk not in held]


def claim_refusal(*, shift: Shift, person: Person) -> str | None:
    """Why the person may not hold a place on the shift, or None when they may.

    Does not check capacity, time or duplicates (the claim itself does, atomically) — only
    whether this person is someone who may take this kind of place at all.
    """
    return refusal_for_role(shift=shift, person=person, role=roster_role(roster=shift.roster, person=person))


def refusal_for_role(*, shift: Shift, person: Person, role: str | None) -> str | None:
    """``claim_refusal`` for a caller that already looked up the person's role on the roster."""
    if role not in ("volunteer", "coordinator"):
        return f"{person} is not a member of {shift.roster.name}."
    missing = missing_qualifications(shift=shift, person=person)
    if missing:
        return f"This shift needs {', '.join(missing)}, which {person} does not hold (or it has expired)."
    for rule in _claim_rules:
        message = rule(shift, person)
        if message:
            return message
    return None


def claim_warnings(*, shift: Shift, person: Person) -> list[str]:
    """Messages from the registered warning rules (e.g. outside stated availability)."""
    return [message for rule in _claim_warnings if (message := rule(shift, person))]
