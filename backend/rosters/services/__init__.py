"""Writes of the rosters app. Import from here: ``from rosters.services import shifts_generate``."""

from __future__ import annotations

from rosters.services.autofill import (
    MAX_AUTOFILL_DAYS,
    autofill_accept,
    autofill_assignment_drop,
    autofill_propose,
)
from rosters.services.people import (
    availability_exception_create,
    availability_exception_delete,
    availability_exception_update,
    availability_replace,
    limits_set,
    qualification_create,
    qualification_grant,
    qualification_revoke,
)
from rosters.services.templates import (
    MAX_GENERATE_DAYS,
    GenerateResult,
    shifts_generate,
    template_create,
    template_delete,
    template_update,
)

__all__ = [
    "MAX_AUTOFILL_DAYS",
    "MAX_GENERATE_DAYS",
    "GenerateResult",
    "autofill_accept",
    "autofill_assignment_drop",
    "autofill_propose",
    "availability_exception_create",
    "availability_exception_delete",
    "availability_exception_update",
    "availability_replace",
    "limits_set",
    "qualification_create",
    "qualification_grant",
    "qualification_revoke",
    "shifts_generate",
    "template_create",
    "template_delete",
    "template_update",
]
