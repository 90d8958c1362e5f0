"""The one door account e-mails (password reset, invitations) go out through.

accounts sits below notifications, so it cannot call the outbox itself. By default a message is
sent with Django's mail once the transaction commits (a rolled-back sign-up must not mail anyone).
notifications calls ``set_account_email_sender`` in its ``AppConfig.ready()`` to route these
messages through its outbox instead, so they are retried like every other notification (and
wrapped in its shared HTML layout, with the help line).

Either way a message goes out as text and HTML: the HTML is the text, escaped, with its
paragraphs and clickable links.
"""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape, linebreaks, urlize

from accounts.models import Language


class AccountEmailSender(Protocol):
    def __call__(
        self, *, to: str, kind: str, subject: str, body: str, key: str, language: str = "en"
    ) -> None: ...


def _send_after_commit(
    *, to: str, kind: str, subject: str, body: str, key: str, language: str = "en"
) -> None:
    html = plain_html(subject=subject, body=body, language=language)

    def send() -> None:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=False, html_message=html)

    # robust: a mail server that is down is logged, not raised after the commit. Otherwise a
    # password reset would answer 500 only for addresses that have an account.
    transaction.on_commit(send, robust=True)


_sender: AccountEmailSender = _send_after_commit


def plain_html(*, subject: str, body: str, language: str) -> str:
    """A minimal HTML part for ``body`` (used only without the notifications outbox)."""
    content = linebreaks(urlize(body.strip(), autoescape=True), autoescape=False)
    lang = language if language in Language.values else Language.ENGLISH
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head><meta charset="utf-8">'
        f"<title>{escape(subject)}</title></head>\n<body>\n{content}\n</body>\n</html>\n"
    )


def set_account_email_sender(fn: AccountEmailSender | None) -> None:
    """Route account e-mails through ``fn`` (None restores the default after-commit sender)."""
    global _sender
    _sender = fn if fn is not None else _send_after_commit


def account_email_sender() -> AccountEmailSender:
    """The sender in use (tests put it back after recording what was sent)."""
    return _sender


def account_email_send(
    *, to: str, kind: str, subject: str, body: str, key: str, language: str = "en"
) -> None:
    """Send one account e-mail.

    ``kind`` names the message ("password_reset", "invitation"); ``key`` is unique per message so
    an outbox can drop a duplicate; ``language`` is the one ``subject`` and ``body`` are written in.
    """
    _sender(to=to, kind=kind, subject=subject, body=body, key=key, language=language)


def render_account_email(kind: str, language: str, context: dict[str, object]) -> tuple[str, str]:
    """Subject and body for ``kind`` in ``language`` (English when we have no such translation)."""
    if language not in Language.values:
        language = Language.ENGLISH
    # Dates and numbers in the body follow the reader's language, not the request's.
    with translation.override(language):
        subject = render_to_string(f"accounts/email/{kind}_subject.{language}.txt", context)
        body = render_to_string(f"accounts/email/{kind}_body.{language}.txt", context)
    # A subject must be one line: a newline in it would let a name inject mail headers.
    return " ".join(subject.split()), body
