"""accounts' own account-mail sender (used without the notifications outbox) sends text and HTML."""

from __future__ import annotations

import pytest
from django.core import mail

from accounts.mail import account_email_send

pytestmark = pytest.mark.django_db


def test_default_sender_sends_text_and_html(django_capture_on_commit_callbacks, default_account_sender):
    with django_capture_on_commit_callbacks(execute=True):
        account_email_send(
            to="bo@example.org",
            kind="invitation",
            subject="Tom & Ann invite you",
            body="Hola Bo,\n\nÚnete: https://village.example.org/#/invite/abc",
            key="k",
            language="es",
        )

    [message] = mail.outbox
    assert message.body == "Hola Bo,\n\nÚnete: https://village.example.org/#/invite/abc"
    assert message.alternatives == [
        (
            '<!DOCTYPE html>\n<html lang="es">\n<head><meta charset="utf-8">'
            "<title>Tom &amp; Ann invite you</title></head>\n<body>\n"
            '<p>Hola Bo,</p>\n\n<p>Únete: <a href="https://village.example.org/#/invite/abc">'
            "https://village.example.org/#/invite/abc</a></p>\n</body>\n</html>\n",
            "text/html",
        )
    ]
