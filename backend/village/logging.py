from __future__ import annotations

import logging
import re

# A URL that carries a credential must never end up in a log file in full: a calendar feed
# (anyone holding it reads the person's commitments), an invitation link (anyone holding it may
# join the circle or organisation) and a one-click unsubscribe link.
_SECRETS_IN_PATHS = [
    (re.compile(r"(/calendars/)[A-Za-z0-9_\-]+(\.ics)"), r"\1<token>\2"),
    # invitations/<id>/revoke/ carries a database id, not a secret: left readable.
    (re.compile(r"(/invitations/)(?!\d+/revoke/)[^/\s\"?]+"), r"\1<token>"),
    (re.compile(r"(/unsubscribe/)[^/\s\"?]+"), r"\1<token>"),
]
_MARKERS = ("/calendars/", "/invitations/", "/unsubscribe/")


class HideFeedTokens(logging.Filter):
    """Masks the secret in feed, invitation and unsubscribe URLs in any log message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(marker in message for marker in _MARKERS):
            for pattern, replacement in _SECRETS_IN_PATHS:
                message = pattern.sub(replacement, message)
            record.msg = message
            record.args = ()
        return True
