from __future__ import annotations

import logging
import re

# A calendar feed URL is a credential: it must never end up in a log file.
_FEED_TOKEN = re.compile(r"(/calendars/)[A-Za-z0-9_\-]+(\.ics)")


class HideFeedTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/calendars/" in message:
            record.msg = _FEED_TOKEN.sub(r"\1<token>\2", message)
            record.args = ()
        return True
