"""Delivery channels. A channel delivers one rendered notification or says why it could not.

``TemporaryDeliveryError`` (mail server down, timeout): the outbox retries with backoff.
``PermanentDeliveryError`` (address refused, no phone number): the row is marked failed.
"""

from __future__ import annotations

import functools
import hashlib
import re
import smtplib
import threading
import time
from typing import Any, Protocol

from django.conf import settings
from django.core import signing
from django.core.mail import BadHeaderError, get_connection

from notifications.mime import Email, email_address
from notifications.models import Channel as ChannelName
from notifications.models import Notification
from notifications.rendering import Rendered

UNSUBSCRIBE_SALT = "notifications.unsubscribe"


class DeliveryError(Exception):
    pass


class TemporaryDeliveryError(DeliveryError):
    """Try again later: nothing says the message is undeliverable."""


class PermanentDeliveryError(DeliveryError):
    """Retrying cannot help (refused address, no number to text)."""


class ChannelUnavailableError(TemporaryDeliveryError):
    """The server itself is unreachable or went away: every message after this one would fail too.

    A batch stops here and schedules the retry of its remaining messages instead of waiting for
    each one's connection timeout in turn.
    """


class Channel(Protocol):
    def deliver(self, notification: Notification, rendered: Rendered) -> None: ...


def message_id(notification: Notification) -> str:
    """The same Message-ID for every attempt, so a receiver can drop the rare duplicate."""
    digest = hashlib.sha256(f"{notification.key}\x00{notification.channel}".encode()).hexdigest()[:40]
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "village.invalid"
    return f"<{digest}@{domain}>"


def unsubscribe_token(*, person_id: int, kind: str) -> str:
    # Untimed on purpose: an unsubscribe link in a months-old e-mail must still work, and the same
    # message re-sent after a crash must carry the same headers.
    return _signed_unsubscribe(settings.SECRET_KEY, person_id, kind)


@functools.lru_cache(maxsize=4096)
def _signed_unsubscribe(secret: str, person_id: int, kind: str) -> str:
    # The same for every message of a person and kind (each e-mail needs it twice: the header and
    # the layout's link); keyed by the secret so a rotated key signs anew.
    signer = signing.Signer(key=secret, salt=UNSUBSCRIBE_SALT)
    return signer.sign_object({"p": person_id, "k": kind}, compress=True)


def unsubscribe_url(*, person_id: int, kind: str) -> str:
    return f"{settings.SITE_URL}/api/v1/unsubscribe/{unsubscribe_token(person_id=person_id, kind=kind)}/"


def _is_permanent(code: int) -> bool:
    return 500 <= code < 600


_ADDRESS = re.compile(r"[^\s<>()\[\]:;,'\"]+@[^\s<>()\[\]:;,'\"]+")


def redact_addresses(text: str) -> str:
    """``text`` with every e-mail address replaced (servers quote the address they refuse)."""
    return _ADDRESS.sub("<address>", text)


def _answer(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return f"{code} {text}"


class EmailChannel:
    """E-mail: text with an HTML alternative, attachments, RFC 8058 one-click unsubscribe."""

    def deliver(self, notification: Notification, rendered: Rendered) -> None:
        to = notification.recipient.email if notification.recipient is not None else notification.to_email
        if not to:
            raise PermanentDeliveryError("The recipient has no e-mail address.")
        headers = {"Message-ID": message_id(notification)}
        if notification.recipient_id is not None:
            url = unsubscribe_url(person_id=notification.recipient_id, kind=notification.kind)
            headers["List-Unsubscribe"] = f"<{url}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message = Email(
            subject=rendered.subject,
            body=rendered.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[to],
            headers=headers,
        )
        if rendered.html:
            message.attach_alternative(rendered.html, "text/html")
        for attachment in notification.attachments or []:
            message.attach(attachment["filename"], attachment["content"], attachment["content_type"])
        try:
            self._send(message)
        except BadHeaderError as exc:
            raise PermanentDeliveryError(f"The message has a header that is not allowed: {exc}") from exc
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            # The reason is shown to coordinators (failed notifications): the server's answer
            # without the address, which is not theirs to see.
            answer = redact_addresses("; ".join(_answer(c, m) for c, m in exc.recipients.values()))
            if codes and all(_is_permanent(code) for code in codes):
                raise PermanentDeliveryError(f"The mail server refused the address: {answer}") from exc
            raise TemporaryDeliveryError(f"The mail server deferred the address: {answer}") from exc
        except smtplib.SMTPResponseException as exc:
            if isinstance(exc, smtplib.SMTPConnectError) or exc.smtp_code == 421:
                raise ChannelUnavailableError(f"The mail server is not taking mail: {exc}") from exc
            if _is_permanent(exc.smtp_code):
                raise PermanentDeliveryError(f"The mail server refused the message: {exc}") from exc
            raise TemporaryDeliveryError(f"The mail server deferred the message: {exc}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise ChannelUnavailableError(f"Could not reach the mail server: {exc!r}") from exc

    def _send(self, message: Email) -> None:
        if settings.EMAIL_BACKEND != "django.core.mail.backends.smtp.EmailBackend":
            message.connection = get_connection(fail_silently=False)
            message.send(fail_silently=False)
            return
        # Built before any connection is touched: a header refused here never costs a reconnect.
        raw = message.wire()
        envelope_from, envelope_to = (
            email_address(message.from_email),
            [email_address(to) for to in message.to],
        )
        # One SMTP connection per worker thread, reused: connecting and greeting cost more than
        # sending a reminder. A connection the server dropped while idle fails at MAIL FROM,
        # before anything was accepted, so one retry on a fresh connection cannot duplicate.
        connection: Any
        connection, last_used = getattr(_local, "smtp", (None, 0.0))
        fresh = connection is None or time.monotonic() - last_used > SMTP_IDLE_SECONDS
        if fresh and connection is not None:
            _close_quietly(connection)
        if fresh:
            connection = _open_smtp()
        try:
            # The bytes Django's SMTP backend would send, without its per-message lock and
            # address sanitising (done above, once).
            connection.connection.sendmail(envelope_from, envelope_to, raw)
        except smtplib.SMTPServerDisconnected:
            _close_quietly(connection)
            _local.smtp = (None, 0.0)
            if fresh:
                raise
            connection = _open_smtp()
            connection.connection.sendmail(envelope_from, envelope_to, raw)
        except Exception:
            _close_quietly(connection)
            _local.smtp = (None, 0.0)
            raise
        _local.smtp = (connection, time.monotonic())


_local = threading.local()
# Servers drop idle clients (Postfix after 300 s); reconnect well before.
SMTP_IDLE_SECONDS = 30.0


def _open_smtp() -> Any:
    connection = get_connection(fail_silently=False, timeout=settings.NOTIFICATION_SMTP_TIMEOUT)
    # Opened here, so send_messages() leaves it open for the next message of this thread.
    connection.open()
    return connection


def _close_quietly(connection: object) -> None:
    try:
        connection.close()  # type: ignore[attr-defined]
    except Exception:  # closing a broken connection may fail in many ways; it is gone either way
        return


class InAppChannel:
    """The row is the inbox item: once it is marked sent it is visible, nothing else to do."""

    def deliver(self, notification: Notification, rendered: Rendered) -> None:
        return None


class SmsGateway(Protocol):
    """A third-party SMS gateway. ``key`` lets a gateway that supports it drop a duplicate."""

    def send(self, *, to: str, body: str, key: str) -> None: ...


class NoSmsGateway:
    def send(self, *, to: str, body: str, key: str) -> None:
        raise PermanentDeliveryError("No SMS gateway is configured.")


class SmsChannel:
    def __init__(self, gateway: SmsGateway) -> None:
        self.gateway = gateway

    def deliver(self, notification: Notification, rendered: Rendered) -> None:
        number = ""
        if notification.recipient is not None:
            preference = getattr(notification.recipient, "notification_preference", None)
            number = preference.sms_number if preference is not None else ""
        if not number:
            raise PermanentDeliveryError("The recipient has no number for text messages.")
        self.gateway.send(to=number, body=rendered.sms[:480], key=message_id(notification))


_channels: dict[str, Channel] = {
    ChannelName.EMAIL: EmailChannel(),
    ChannelName.IN_APP: InAppChannel(),
    ChannelName.SMS: SmsChannel(NoSmsGateway()),
}


def get_channel(name: str) -> Channel:
    return _channels[name]


def set_sms_gateway(gateway: SmsGateway) -> None:
    """Plug in the SMS provider (deployment code, or a fake in tests)."""
    _channels[ChannelName.SMS] = SmsChannel(gateway)
