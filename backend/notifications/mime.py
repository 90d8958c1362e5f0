"""E-mail messages built straight into the bytes SMTP sends, the same bytes Django's mail writes.

Building each message through ``email.generator`` was most of a delivery worker's CPU (see the
notifications bench). ``Email`` keeps Django's message object, which the test and file backends
keep, and writes the common case (text parts, calendar files, plain addresses and headers)
directly; anything unusual takes the email package's way. The tests compare both byte for byte.
"""

from __future__ import annotations

import functools
import re
import secrets
from email import charset as email_charset
from email import encoders
from email import utils as email_utils
from email.header import Header
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import Compat32
from email.utils import formatdate
from typing import Any, cast

from django.conf import settings
from django.core.mail import BadHeaderError, EmailMultiAlternatives
from django.core.mail.message import MIMEMixin, sanitize_address

# One word, as the email package's folding sees it: printable ASCII without a space, "," or ";".
_WORD = re.compile(r"[!-+\--:<-~]+")


class _FastFolding(Compat32):
    """Compat32 (what Django's mail uses) that writes the common ASCII headers without folding them.

    Folding every header through ``email.header.Header`` was a tenth of a worker's CPU per
    message. A value that fits on one line is returned as it is; a single word too long for the
    line (a List-Unsubscribe URL) the email package moves whole onto a continuation line, and so
    does this (the same text, checked against it for every length). Anything else (several
    words too long for a line, non-ASCII) is folded as before. Newlines never reach this
    (``_header`` refuses them); if one did, it would not be written as it is.
    """

    def _as_is(self, name: str, value: Any) -> str | None:
        if not isinstance(value, str) or not value.isascii() or "\n" in value or "\r" in value:
            return None
        if len(name) + 2 + len(value) <= 78:
            return f"{name}: {value}{self.linesep}"
        if _WORD.fullmatch(value):
            return f"{name}: {self.linesep} {value}{self.linesep}"
        return None

    def fold(self, name: str, value: Any) -> str:
        return self._as_is(name, value) or super().fold(name, value)

    def fold_binary(self, name: str, value: Any) -> bytes:
        line = self._as_is(name, value)
        return line.encode("ascii") if line is not None else super().fold_binary(name, value)


_POLICY = _FastFolding()
# As Django sends text: UTF-8 as 8bit, quoted-printable only when a line is too long for SMTP.
_UTF8 = email_charset.Charset("utf-8")
_UTF8.body_encoding = None  # type: ignore[assignment]
_UTF8_QP = email_charset.Charset("utf-8")
_UTF8_QP.body_encoding = email_charset.QP
_LINE_LIMIT = 998


# Django's serialising (no "From " mangling in bodies, CRLF for SMTP) on the standard classes.
class _Text(MIMEMixin, MIMEText):  # type: ignore[misc]
    pass


class _Multipart(MIMEMixin, MIMEMultipart):  # type: ignore[misc]
    pass


class _Base(MIMEMixin, MIMEBase):  # type: ignore[misc]
    pass


def _header(name: str, value: str) -> str | Header:
    # Subjects and names come from people: a newline would start a header of their choosing.
    if "\n" in value or "\r" in value:
        raise BadHeaderError(f"Header values can't contain newlines (got {value!r} for header {name!r})")
    return value if value.isascii() else Header(value, "utf-8", header_name=name)


@functools.lru_cache(maxsize=256)
def _sanitized(address: str) -> str:
    return sanitize_address(address, "utf-8")


_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+")


def email_address(address: str) -> str:
    """``address`` as Django's mail would write it; the common plain ASCII address needs no work."""
    if _PLAIN_ADDRESS.fullmatch(address):
        return address
    return _sanitized(address)


def _has_long_line(text: str) -> bool:
    """Whether a line is longer than SMTP allows (998 bytes): then it goes quoted-printable."""
    lines = text.splitlines()
    # UTF-8 takes at most four bytes a character: shorter lines need no encoding to tell (every
    # line of nearly every message; encoding each line was a tenth of building the bytes).
    if max(map(len, lines), default=0) <= _LINE_LIMIT // 4:
        return False
    return any(len(line.encode("utf-8", "surrogateescape")) > _LINE_LIMIT for line in lines)


def _text_part(text: str, subtype: str) -> _Text:
    return _Text(text, subtype, _UTF8_QP if _has_long_line(text) else _UTF8, policy=_POLICY)  # type: ignore[arg-type]


def _boundary(payloads: list[str]) -> str:
    # Set here because the standard library otherwise compiles a fresh regular expression per
    # message to check its random boundary against the body; a substring test does the same.
    # 112 random bits: short enough that "Content-Type: multipart/alternative; boundary=…" fits
    # on one line (78 characters) and is written as it is, not folded by the email package's
    # slow path, which was a fifth of building a message's bytes.
    while True:
        boundary = f"=_{secrets.token_hex(14)}"
        if not any(boundary in payload for payload in payloads):
            return boundary


def _attachment_part(attachment: dict[str, Any]) -> Message:
    content, content_type = attachment["content"], attachment["content_type"]
    maintype, _, subtype = content_type.partition("/")
    part: Message
    if maintype == "text" and isinstance(content, str):
        part = _text_part(content, subtype)
    else:
        part = _Base(maintype, subtype, policy=_POLICY)
        part.set_payload(content.encode() if isinstance(content, str) else content)
        encoders.encode_base64(part)
    filename = attachment["filename"]
    part.add_header(
        "Content-Disposition",
        "attachment",
        filename=filename if filename.isascii() else ("utf-8", "", filename),
    )
    return part


_WIRE = _POLICY.clone(linesep="\r\n")
_NEWLINES = re.compile(r"\r\n|\r|\n")
_Entity = tuple[list[tuple[str, Any]], str]


def _text_entity(text: str, content_type: str) -> _Entity | None:
    """A text part as the standard library writes it (8bit or 7bit); None when it would need more."""
    if _has_long_line(text):
        return None  # quoted-printable: left to the email package
    encoding = "7bit" if text.isascii() else "8bit"
    headers = [*_text_headers(content_type), ("Content-Transfer-Encoding", encoding)]
    return headers, _crlf(text)


def _crlf(text: str) -> str:
    """Every line end as CRLF, as the generator writes them for SMTP."""
    if text.count("\r\n") == text.count("\r") == text.count("\n"):
        return text  # CRLF already (a calendar file), or one line
    if "\r" not in text:
        return text.replace("\n", "\r\n")
    return "\r\n".join(_NEWLINES.split(text))


@functools.lru_cache(maxsize=64)
def _text_headers(content_type: str) -> tuple[tuple[str, str], ...]:
    # Taken from the email package once per content type, quirks included (it re-quotes and
    # moves the Content-Type of a type with parameters, "text/calendar; method=PUBLISH").
    part = _text_part("", content_type.partition("/")[2])
    return tuple((name, str(value)) for name, value in part.items() if name != "Content-Transfer-Encoding")


def _multipart_entity(subtype: str, boundary: str, parts: list[_Entity]) -> _Entity:
    headers = [("Content-Type", f'multipart/{subtype}; boundary="{boundary}"'), ("MIME-Version", "1.0")]
    inner = f"\r\n--{boundary}\r\n".join(_serialised(part) for part in parts)
    return headers, f"--{boundary}\r\n{inner}\r\n--{boundary}--\r\n"


def _serialised(entity: _Entity) -> str:
    headers, body = entity
    return "".join(_WIRE.fold(name, value) for name, value in headers) + "\r\n" + body


class Email(EmailMultiAlternatives):
    """Django's message object (what test and file backends keep), built into MIME directly.

    Django's ``message()`` re-sanitises every address and folds every header through the slow
    path for each message; here the only user-written header, the subject, is checked for
    newlines and encoded, and plain addresses are written as they are.
    """

    def _top_headers(self) -> list[tuple[str, Any]]:
        headers: list[tuple[str, Any]] = [
            ("Subject", _header("Subject", str(self.subject))),
            ("From", _header("From", email_address(self.from_email))),
            ("To", _header("To", ", ".join(email_address(to) for to in self.to))),
            ("Date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME)),
        ]
        for name, value in self.extra_headers.items():
            if name.lower() not in {"subject", "from", "to", "date"}:
                headers.append((name, _header(name, value)))
        return headers

    def wire(self) -> bytes:
        """The message as SMTP sends it: the bytes ``message()`` would give, written directly.

        The email package's generator walks every part through its policy machinery; for the
        text parts, calendar files and headers we send that was half of building a message.
        Anything else (a long line needing quoted-printable, a binary file, a non-ASCII file
        name) takes the email package's way.
        """
        top = self._top_headers()  # first: a refused header raises before any work
        body = str(self.body)
        entity = _text_entity(body, "text/plain")
        payloads = [body]
        entities: list[_Entity | None] = [entity]
        for content, mimetype in self.alternatives:
            entities.append(_text_entity(str(content), mimetype))
            payloads.append(str(content))
        attached: list[_Entity | None] = []
        for filename, content, mimetype in self.attachments:
            text = isinstance(content, str) and str(mimetype).startswith("text/") and filename.isascii()
            part = _text_entity(content, mimetype) if text else None
            if part is not None:
                part[0].append(
                    ("Content-Disposition", f'attachment; filename="{email_utils.quote(filename)}"')
                )
            attached.append(part)
            payloads.append(str(content))
        if None in entities or None in attached:
            return cast(bytes, self.message().as_bytes(linesep="\r\n"))
        parts = cast(list[_Entity], entities)
        msg = parts[0] if len(parts) == 1 else _multipart_entity("alternative", _boundary(payloads), parts)
        if attached:
            msg = _multipart_entity("mixed", _boundary(payloads), [msg, *cast(list[_Entity], attached)])
        headers, text = msg
        return _serialised(([*headers, *top], text)).encode("utf-8", "surrogateescape")

    def message(self) -> Any:
        body = str(self.body)
        text = _text_part(body, "plain")
        payloads = [body]
        msg: Any = text
        if self.alternatives:
            parts: list[Message] = [text]
            for content, mimetype in self.alternatives:
                parts.append(_text_part(str(content), mimetype.partition("/")[2]))
                payloads.append(str(content))
            msg = _Multipart("alternative", boundary=_boundary(payloads), _subparts=parts, policy=_POLICY)
        if self.attachments:
            attached = [
                _attachment_part({"filename": a[0], "content": a[1], "content_type": a[2]})
                for a in self.attachments
            ]
            payloads += [str(a[1]) for a in self.attachments]
            msg = _Multipart(
                "mixed", boundary=_boundary(payloads), _subparts=[msg, *attached], policy=_POLICY
            )
        for name, value in self._top_headers():
            msg[name] = value
        return msg
