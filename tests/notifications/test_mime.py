"""The e-mail bytes written directly: the same header folding, line ends and encodings as the email package."""

from __future__ import annotations

import random
import re
import string
from email.policy import Compat32

import pytest

from notifications import mime


@pytest.mark.parametrize("name", ["List-Unsubscribe", "To", "Content-Type", "X-" + "Long-Name-" * 8])
def test_email_header_folding_writes_what_the_email_package_would(name):
    # Every length around the line's end, for one word (written as it is or moved whole to the
    # next line without the email package) and for words it has to fold.
    compat32 = Compat32(linesep="\r\n")
    rng = random.Random(name)
    word = string.ascii_letters + string.digits + "!\"#$%&'()*+-./:<=>?@[\\]^_`{|}~"
    for length in range(1, 200):
        values = [
            "".join(rng.choice(word) for _ in range(length)),
            "".join(rng.choice(word + " ,;") for _ in range(length)),
        ]
        for value in values:
            assert mime._WIRE.fold(name, value) == compat32.fold(name, value), (name, value)
            assert mime._WIRE.fold_binary(name, value) == compat32.fold_binary(name, value), (name, value)


@pytest.mark.parametrize(
    "text", ["one line", "a\nb\n", "a\r\nb\r\n", "a\rb", "a\r\nb\nc\rd", "\r\n\n\r", "", "ends\r"]
)
def test_email_text_lines_end_in_crlf_whatever_they_ended_in(text):
    assert mime._crlf(text) == "\r\n".join(re.split(r"\r\n|\r|\n", text))


@pytest.mark.parametrize(("length", "long"), [(249, False), (250, False), (998, False), (999, True)])
def test_email_text_line_too_long_for_smtp_is_told_by_its_bytes(length, long):
    assert mime._has_long_line("short\n" + "é" * (length // 2) + "a" * (length % 2) + "\nshort") is long
