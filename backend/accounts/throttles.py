"""Rate limits for guessable things: passwords, reset e-mails, invitation tokens."""

from __future__ import annotations

import hashlib
from typing import Any

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView


class _ScopedThrottle(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        # Read at request time, not import time, so the rate follows settings (and tests).
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope or "")
        return rate if isinstance(rate, str) else None


class EmailAndIPThrottle(_ScopedThrottle):
    """Keyed on client IP plus the e-mail tried: one person guessing can't lock out a whole
    office behind one address, and one address can't be hammered from many tries on one IP."""

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        data: Any = request.data
        email = data.get("email", "") if isinstance(data, dict) else ""
        email = email.strip().lower() if isinstance(email, str) else ""
        digest = hashlib.sha256(email.encode()).hexdigest()[:32]
        return self.cache_format % {"scope": self.scope, "ident": f"{self.get_ident(request)}:{digest}"}


class LoginThrottle(EmailAndIPThrottle):
    scope = "login"


class PasswordResetThrottle(EmailAndIPThrottle):
    scope = "password_reset"


class InvitationThrottle(_ScopedThrottle):
    scope = "invitation"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
