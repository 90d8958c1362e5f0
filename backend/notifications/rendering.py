"""Render a notification in its reader's language from the templates of the app that owns it.

``template="scheduling/signup_confirmed"`` is looked up as
``notifications/scheduling/signup_confirmed/{subject.txt,body.txt,body.html,sms.txt}`` in every
app's ``templates/`` directory (so it lives in ``backend/scheduling/templates/``), with the Spanish
text in ``…/signup_confirmed/es/``. A missing translation falls back to English; ``body.html``
and ``sms.txt`` are optional.

Every e-mail also gets an HTML part: the shared layout ``notifications/_layout/email.html`` around
the text body (escaped, blank lines as paragraphs, links clickable), with the help line and, for
mail to a person, the one-click unsubscribe link of its kind. A template's own ``body.html`` (in
the same language directory as the ``body.txt`` used) replaces only the message inside the
layout, so no message can lose the help line or the unsubscribe link.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.template import Context, Engine, TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from notifications.models import Channel, Notification

LAYOUT = "notifications/_layout/email.html"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str | None
    sms: str
    language: str


@functools.cache
def _engine_for(dirs: tuple[str, ...]) -> Engine:
    return Engine(dirs=list(dirs), app_dirs=True, autoescape=False)


def _text_engine() -> Engine:
    # Plain-text mail must not be HTML-escaped ("Tom &amp; Ann"); the HTML part keeps escaping.
    configured = cast(list[object], settings.TEMPLATES[0].get("DIRS", []))
    dirs = tuple(str(d) for d in configured)
    return _engine_for(dirs)


def notification_language(notification: Notification) -> str:
    language = notification.language or (
        notification.recipient.language if notification.recipient is not None else ""
    )
    codes = {code for code, _ in settings.LANGUAGES}
    return language if language in codes else settings.LANGUAGE_CODE


def _candidates(template: str, language: str, part: str) -> list[str]:
    base = f"notifications/{template}"
    names = [f"{base}/{language}/{part}"] if language != "en" else []
    return [*names, f"{base}/{part}"]


def _render_text_from(names: list[str], context: dict[str, Any]) -> tuple[str, str] | None:
    """The first of ``names`` that exists, rendered, with its name."""
    engine = _text_engine()
    for name in names:
        try:
            template = engine.get_template(name)
        except TemplateDoesNotExist:
            continue
        return name, template.render(Context(context))
    return None


def _render_text(names: list[str], context: dict[str, Any]) -> str | None:
    found = _render_text_from(names, context)
    return found[1] if found is not None else None


# Our messages link only to web pages; a URL ends before a space or a quote, and trailing
# punctuation ("…/commitments/7.") belongs to the sentence.
_URL = re.compile(r"https?://[^\s<>\"']+")
_TRAILING = ".,;:!?)"
_PARAGRAPHS = re.compile(r"\n\s*\n")


def _linked(line: str) -> str:
    out: list[str] = []
    last = 0
    for match in _URL.finditer(line):
        url = match.group(0).rstrip(_TRAILING)
        end = match.start() + len(url)
        out += [escape(line[last : match.start()]), f'<a href="{escape(url)}">{escape(url)}</a>']
        last = end
    out.append(escape(line[last:]))
    return "".join(out)


def text_to_html(text: str) -> SafeString:
    """Plain text as HTML: escaped, blank lines as paragraphs, line breaks kept, links clickable.

    Written out rather than Django's ``urlize``/``linebreaks``: those took most of the time of
    rendering a message, and every e-mail gets this.
    """
    normalised = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    paragraphs = [p for p in _PARAGRAPHS.split(normalised) if p.strip()]
    return mark_safe(  # noqa: S308 - every piece is escaped above
        "\n\n".join("<p>" + "<br>".join(_linked(line) for line in p.split("\n")) + "</p>" for p in paragraphs)
    )


def _render_html(
    *, body_name: str | None, text: str, subject: str, language: str, context: dict[str, Any]
) -> str:
    body: SafeString | None = None
    if body_name is not None:
        # Only the HTML written beside the text used: an English body.html under a Spanish text
        # would make the two parts of one e-mail disagree.
        try:
            body = mark_safe(render_to_string(body_name.removesuffix("body.txt") + "body.html", context))  # noqa: S308
        except TemplateDoesNotExist:
            body = None
    return render_to_string(
        LAYOUT,
        {
            "subject": subject,
            "language": language,
            "body_html": body if body is not None else text_to_html(text),
            "unsubscribe_url": context.get("unsubscribe_url", ""),
            "site_url": context.get("site_url", ""),
        },
    )


def render_notification(notification: Notification, *, extra: dict[str, Any] | None = None) -> Rendered:
    """Subject, text, HTML (e-mail only, else None) and SMS text in the reader's language.

    Raises TemplateDoesNotExist when the template has no subject or body.
    """
    language = notification_language(notification)
    context: dict[str, Any] = {
        "site_url": settings.SITE_URL,
        "recipient_name": notification.recipient.name if notification.recipient is not None else "",
        **(extra or {}),
        **(notification.context or {}),
    }
    with translation.override(language):
        body_name: str | None = None
        if not notification.template:
            subject = str(context.get("subject", ""))
            text = str(context.get("body", ""))
        else:
            subject_text = _render_text(_candidates(notification.template, language, "subject.txt"), context)
            body = _render_text_from(_candidates(notification.template, language, "body.txt"), context)
            if subject_text is None or body is None:
                raise TemplateDoesNotExist(f"notifications/{notification.template}/subject.txt|body.txt")
            subject, (body_name, text) = subject_text, body
        # A subject is one line: a newline from a name must not become a header.
        subject = " ".join(subject.split())[:300]
        html = None
        # The inbox and texts show the text; rendering HTML for them would be wasted work.
        if notification.channel not in (Channel.IN_APP, Channel.SMS):
            html = _render_html(
                body_name=body_name, text=text, subject=subject, language=language, context=context
            )
        sms = None
        if notification.template:
            sms = _render_text(_candidates(notification.template, language, "sms.txt"), context)
    return Rendered(subject=subject, text=text, html=html, sms=(sms or subject).strip(), language=language)
