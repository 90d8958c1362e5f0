"""Render a notification in its reader's language from the templates of the app that owns it.

``template="scheduling/signup_confirmed"`` is looked up as
``notifications/scheduling/signup_confirmed/{subject.txt,body.txt,body.html,sms.txt}`` in every
app's ``templates/`` directory (so it lives in ``backend/scheduling/templates/``), with the Spanish
text in ``…/signup_confirmed/es/``. A missing translation falls back to English; ``body.html``
and ``sms.txt`` are optional.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.template import Context, Engine, TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation

from notifications.models import Notification


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


def _render_text(names: list[str], context: dict[str, Any]) -> str | None:
    engine = _text_engine()
    for name in names:
        try:
            template = engine.get_template(name)
        except TemplateDoesNotExist:
            continue
        return template.render(Context(context))
    return None


def _render_html(names: list[str], context: dict[str, Any]) -> str | None:
    for name in names:
        try:
            return render_to_string(name, context)
        except TemplateDoesNotExist:
            continue
    return None


def render_notification(notification: Notification, *, extra: dict[str, Any] | None = None) -> Rendered:
    """Subject, text, optional HTML and SMS text; raises TemplateDoesNotExist without a subject/body."""
    language = notification_language(notification)
    context: dict[str, Any] = {
        "site_url": settings.SITE_URL,
        "recipient_name": notification.recipient.name if notification.recipient is not None else "",
        **(extra or {}),
        **(notification.context or {}),
    }
    with translation.override(language):
        if not notification.template:
            subject = str(context.get("subject", ""))
            text = str(context.get("body", ""))
            html = None
        else:
            subject_text = _render_text(_candidates(notification.template, language, "subject.txt"), context)
            text_or_none = _render_text(_candidates(notification.template, language, "body.txt"), context)
            if subject_text is None or text_or_none is None:
                raise TemplateDoesNotExist(f"notifications/{notification.template}/subject.txt|body.txt")
            subject, text = subject_text, text_or_none
            html = _render_html(_candidates(notification.template, language, "body.html"), context)
        sms = None
        if notification.template:
            sms = _render_text(_candidates(notification.template, language, "sms.txt"), context)
    # A subject is one line: a newline from a name must not become a header.
    subject = " ".join(subject.split())[:300]
    return Rendered(subject=subject, text=text, html=html, sms=(sms or subject).strip(), language=language)
