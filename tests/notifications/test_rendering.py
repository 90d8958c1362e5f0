"""Every e-mail goes out as text and HTML: the shared layout around the text, in the reader's language."""

from __future__ import annotations

from datetime import timedelta
from html import unescape
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Role
from accounts.services import person_password_reset_request
from notifications import services
from notifications.channels import unsubscribe_url
from notifications.models import Channel, Notification
from notifications.rendering import render_notification, text_to_html
from scheduling.services import signup_claim
from tests.factories import PersonFactory, RosterFactory, RosterMembershipFactory, ShiftFactory

pytestmark = pytest.mark.django_db

HELP_EN = "Need support yourself? Postpartum Support International: 1-800-944-4773 (call or text, English and Spanish)."
HELP_ES = "¿Necesitas apoyo? Postpartum Support International: 1-800-944-4773 (llamada o texto, en inglés y español)."


class _Parts(HTMLParser):
    """The text of the layout's message and help blocks, the links, and the <html lang>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: dict[str, list[str]] = {"message": [], "help": []}
        self.links: list[str] = []
        self.lang = ""
        self._stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "html":
            self.lang = found.get("lang") or ""
        if tag == "a":
            self.links.append(found.get("href") or "")
        if tag in ("br", "p"):
            self.handle_data("\n")  # a line break or a new paragraph separates words
        if tag == "br":
            return
        self._stack.append(found.get("id") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag != "br" and self._stack:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        for part in self.text:
            if part in self._stack:
                self.text[part].append(data)


def parts(html: str) -> _Parts:
    parser = _Parts()
    parser.feed(html)
    return parser


def words(text: str) -> str:
    return " ".join(unescape(text).split())


def message_text(html: str) -> str:
    return words("".join(parts(html).text["message"]))


def help_text(html: str) -> str:
    return words("".join(parts(html).text["help"]))


def html_of(message) -> str:
    assert [mime for _, mime in message.alternatives] == ["text/html"]
    return message.alternatives[0][0]


def test_text_to_html_escapes_keeps_paragraphs_and_makes_links_clickable():
    html = text_to_html("Tom & <Ann>\nline two\n\nSee https://village.example.org/#/commitments/7.")

    assert html == (
        "<p>Tom &amp; &lt;Ann&gt;<br>line two</p>\n\n"
        '<p>See <a href="https://village.example.org/#/commitments/7">'
        "https://village.example.org/#/commitments/7</a>.</p>"
    )


def test_text_to_html_handles_windows_newlines_several_links_and_queries():
    html = text_to_html("One (https://a.example/x?y=1&z=2), two:\r\nhttps://b.example/#/r/3\r\n\r\n\r\nEnd")

    assert html == (
        '<p>One (<a href="https://a.example/x?y=1&amp;z=2">https://a.example/x?y=1&amp;z=2</a>), two:<br>'
        '<a href="https://b.example/#/r/3">https://b.example/#/r/3</a></p>\n\n<p>End</p>'
    )


def test_render_email_html_wraps_the_text_with_help_line_and_unsubscribe(person):
    row = Notification(
        recipient=person,
        kind="greeting",
        channel=Channel.EMAIL,
        template="",
        context={"subject": "Hello", "body": "Hi <Ana> & co,\n\nyour shift: https://village.example.org/#/x"},
    )
    url = unsubscribe_url(person_id=person.pk, kind="greeting")

    rendered = render_notification(row, extra={"unsubscribe_url": url})

    assert rendered.html is not None
    found = parts(rendered.html)
    assert found.lang == "en"
    assert message_text(rendered.html) == words(rendered.text)
    assert help_text(rendered.html) == (
        f"{HELP_EN} You get this e-mail because of your Village notifications. Stop e-mails like this one."
    )
    assert found.links == ["https://village.example.org/#/x", "tel:+18009444773", "sms:+18009444773", url]
    assert "<title>Hello</title>" in rendered.html


def test_render_email_html_without_a_recipient_has_no_unsubscribe_link():
    row = Notification(
        to_email="new@example.org", language="es", kind="invitation", channel=Channel.EMAIL,
        context={"subject": "Invitación", "body": "Hola"},
    )  # fmt: skip

    rendered = render_notification(row)

    assert rendered.html is not None
    assert help_text(rendered.html) == HELP_ES
    assert parts(rendered.html).links == ["tel:+18009444773", "sms:+18009444773"]


def test_render_in_app_and_sms_have_no_html(person):
    for channel in (Channel.IN_APP, Channel.SMS):
        row = Notification(
            recipient=person, kind="greeting", channel=channel, context={"subject": "a", "body": "b"}
        )
        assert render_notification(row).html is None


def test_render_templates_own_body_html_replaces_only_the_message(person):
    row = Notification(
        recipient=person, kind="greeting", channel=Channel.EMAIL, template="tests/greeting",
        context={"name": "Ana", "when": "9:00"},
    )  # fmt: skip

    html = render_notification(row).html

    assert html is not None
    assert "<p>Hi Ana &amp; friends</p>" in html
    assert message_text(html) == "Hi Ana & friends"
    assert help_text(html) == HELP_EN


def test_render_spanish_reader_gets_spanish_layout_not_the_english_body_html():
    reader = PersonFactory(language="es")
    row = Notification(
        recipient=reader, kind="greeting", channel=Channel.EMAIL, template="tests/greeting",
        context={"name": "Ana", "when": "9:00"},
    )  # fmt: skip

    rendered = render_notification(row)

    assert rendered.html is not None
    assert parts(rendered.html).lang == "es"
    assert message_text(rendered.html) == "Hola Ana, tu turno empieza a las 9:00."
    assert help_text(rendered.html) == HELP_ES


def test_signup_confirmation_through_the_outbox_is_text_and_html_in_spanish(
    django_capture_on_commit_callbacks,
):
    roster = RosterFactory(name="Línea de ayuda")
    volunteer = PersonFactory(language="es", name="Ana")
    RosterMembershipFactory(roster=roster, person=volunteer, role=Role.VOLUNTEER)
    starts = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    shift = ShiftFactory(roster=roster, title="Tarde", starts_at=starts, ends_at=starts + timedelta(hours=2))

    with django_capture_on_commit_callbacks(execute=True):
        signup = signup_claim(shift=shift, person=volunteer).signup

    [message] = [m for m in mail.outbox if m.to == [volunteer.email]]
    html = html_of(message)
    assert message.body.startswith("Hola Ana:")
    assert parts(html).lang == "es"
    assert message_text(html) == words(message.body)
    assert help_text(html).startswith(HELP_ES)
    commitment = f"https://village.example.org/#/commitments/{signup.pk}"
    unsubscribe = unsubscribe_url(person_id=volunteer.pk, kind="signup_confirmed")
    assert parts(html).links == [commitment, "tel:+18009444773", "sms:+18009444773", unsubscribe]
    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"


def test_password_reset_through_the_outbox_is_text_and_html_in_spanish(django_capture_on_commit_callbacks):
    reader = PersonFactory(language="es")

    with django_capture_on_commit_callbacks(execute=True):
        person_password_reset_request(email=reader.email)

    [message] = mail.outbox
    html = html_of(message)
    assert Notification.objects.get().kind == "password_reset"
    assert parts(html).lang == "es"
    assert message_text(html) == words(message.body)
    assert help_text(html) == HELP_ES
    assert [link for link in parts(html).links if "/#/reset/" in link] != []


def test_account_email_send_through_the_outbox_is_text_and_html(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.account_email_send(
            to="new@example.org",
            kind="invitation",
            subject="You are invited",
            body="Join us:\nhttps://village.example.org/#/invite/abc",
            key="invite:1",
        )

    [message] = mail.outbox
    html = html_of(message)
    assert message_text(html) == "Join us: https://village.example.org/#/invite/abc"
    assert parts(html).links[0] == "https://village.example.org/#/invite/abc"
