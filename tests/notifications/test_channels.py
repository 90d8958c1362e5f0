"""The e-mail channel builds its MIME with the standard library: what goes out is what Django's own
message would say (same headers, parts, encodings and content), header injection stays impossible."""

from __future__ import annotations

import email
import email.message
import re
from email.header import decode_header, make_header

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from notifications import mime
from notifications.channels import EmailChannel, PermanentDeliveryError
from notifications.models import Channel
from notifications.rendering import Rendered, render_notification
from tests.factories import PersonFactory
from tests.notifications.factories import NotificationFactory
from tests.notifications.reliability import SmtpServer

pytestmark = pytest.mark.django_db

ICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Cena para la familia Muñoz\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
ATTACHMENT = {"filename": "village-7.ics", "content_type": "text/calendar; method=PUBLISH", "content": ICS}


def unfold(value: str) -> str:
    return re.sub(r"\r?\n(?=[ \t])", "", value)


def shape(message: email.message.Message) -> list[tuple[object, ...]]:
    """Every part's headers (but the date and the random boundary) and decoded content, in order."""
    out: list[tuple[object, ...]] = []
    for part in message.walk():
        # Unfolded: where a long header is folded may differ, never what it says.
        headers = [(k, unfold(v)) for k, v in part.items() if k not in ("Date", "Content-Type")]
        params = [p for p in part.get_params() or [] if p[0] != "boundary"]
        content = None if part.is_multipart() else part.get_payload(decode=True)
        out.append((part.get_content_type(), params, headers, content))
    return out


def djangos_own(sent: EmailMultiAlternatives) -> email.message.Message:
    """What Django's EmailMultiAlternatives would have built from the same fields."""
    twin = EmailMultiAlternatives(
        subject=sent.subject,
        body=sent.body,
        from_email=sent.from_email,
        to=sent.to,
        headers=sent.extra_headers,
        alternatives=sent.alternatives,
        attachments=sent.attachments,
    )
    return email.message_from_bytes(twin.message().as_bytes(linesep="\r\n"))


def row_for(person, **kwargs):
    return NotificationFactory(recipient=person, channel=Channel.EMAIL, status="sending", **kwargs)


@pytest.mark.parametrize(
    ("name", "context", "attachments"),
    [
        ("plain ASCII", {"name": "Ana", "when": "9:00"}, []),
        ("Spanish, with a calendar file", {"name": "José Muñoz", "when": "mañana 9:00"}, [ATTACHMENT]),
        # A line longer than SMTP allows: Django switches that part to quoted-printable.
        ("a very long line", {"name": "Ana " * 300, "when": "9:00"}, [ATTACHMENT]),
    ],
)
def test_email_channel_builds_what_djangos_message_would(name, context, attachments):
    person = PersonFactory(name="Zoë", language="es")
    row = row_for(person, context=context, attachments=attachments)

    EmailChannel().deliver(row, render_notification(row, extra={"unsubscribe_url": "https://x.example/u/1/"}))

    (sent,) = mail.outbox
    ours = email.message_from_bytes(sent.message().as_bytes(linesep="\r\n"))
    assert shape(ours) == shape(djangos_own(sent))
    assert ours["Date"] is not None
    assert str(make_header(decode_header(unfold(ours["Subject"])))) == sent.subject


def test_email_channel_puts_a_plain_recipient_as_it_is_and_an_international_one_as_django_does():
    person = PersonFactory(email="ana@exámple.org")
    row = row_for(person)

    EmailChannel().deliver(row, render_notification(row))

    (sent,) = mail.outbox
    ours = email.message_from_bytes(sent.message().as_bytes(linesep="\r\n"))
    assert (ours["To"], ours["From"]) == ("ana@xn--exmple-qta.org", "Village <village@localhost>")
    assert shape(ours) == shape(djangos_own(sent))


@pytest.mark.parametrize("subject", ["Hello\r\nBcc: everyone@example.org", "Hola\nBcc: todos@example.org"])
def test_email_channel_refuses_a_subject_with_a_newline_and_sends_nothing(subject):
    row = row_for(PersonFactory())
    rendered = Rendered(subject=subject, text="Hi", html="<p>Hi</p>", sms="Hi", language="en")

    with pytest.raises(PermanentDeliveryError, match="header that is not allowed"):
        EmailChannel().deliver(row, rendered)

    assert mail.outbox == []


def test_email_channel_over_smtp_sends_the_same_message(settings):
    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    person = PersonFactory(name="José", language="es")
    row = row_for(person, context={"name": "José", "when": "9:00"}, attachments=[ATTACHMENT])
    rendered = render_notification(row, extra={"unsubscribe_url": "https://x.example/u/1/"})
    built: list[EmailMultiAlternatives] = []
    channel = EmailChannel()
    send = channel._send

    def keep(message):
        built.append(message)
        send(message)

    channel._send = keep  # type: ignore[method-assign]
    try:
        channel.deliver(row, rendered)
    finally:
        server.stop()

    (received,) = server.handler.messages
    assert shape(received) == shape(djangos_own(built[0]))
    assert [p.get_content_type() for p in received.walk()] == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "text/html",
        "text/calendar",
    ]


@pytest.mark.parametrize(
    ("context", "attachments"),
    [
        ({"name": "Ana", "when": "9:00"}, []),
        ({"name": "José Muñoz", "when": "mañana 9:00"}, [ATTACHMENT]),
        ({"name": "Ana " * 300, "when": "9:00"}, [ATTACHMENT]),  # quoted-printable: the email package's way
        ({"name": "Ana", "when": "9:00"}, [{**ATTACHMENT, "filename": "cena-Muñoz.ics"}]),
    ],
)
def test_email_wire_bytes_are_the_email_packages_byte_for_byte(context, attachments, monkeypatch):
    row = row_for(PersonFactory(name="Zoë", language="es"), context=context, attachments=attachments)
    EmailChannel().deliver(row, render_notification(row, extra={"unsubscribe_url": "https://x.example/u/1/"}))
    (sent,) = mail.outbox

    def built(make):
        # The same boundaries and date on both sides, so the bytes can be compared whole.
        boundaries = iter(["=_first", "=_second"])
        monkeypatch.setattr(mime, "_boundary", lambda payloads: next(boundaries))
        monkeypatch.setattr(mime, "formatdate", lambda localtime: "Tue, 01 Dec 2026 18:00:00 -0000")
        return make()

    assert built(sent.wire) == built(lambda: sent.message().as_bytes(linesep="\r\n"))


def test_email_multipart_headers_fit_on_one_line():
    row = row_for(PersonFactory(), context={"name": "Ana", "when": "9:00"}, attachments=[ATTACHMENT])
    EmailChannel().deliver(row, render_notification(row, extra={"unsubscribe_url": "https://x.example/u/1/"}))
    (sent,) = mail.outbox

    lines = sent.wire().decode().split("\r\n")
    multipart = [line for line in lines if line.startswith("Content-Type: multipart/")]
    assert [re.sub(r'"=_[0-9a-f]{28}"', '"=_…"', line) for line in multipart] == [
        'Content-Type: multipart/mixed; boundary="=_…"',
        'Content-Type: multipart/alternative; boundary="=_…"',
    ]
    assert max(len(line) for line in multipart) <= 78
