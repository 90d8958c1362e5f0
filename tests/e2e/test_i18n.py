"""The two dictionaries stay in step with each other and with the code (no browser needed)."""

from __future__ import annotations

import re

from practical.audit import ACTIONS
from scheduling import coordinator_actions
from tests.e2e.conftest import REPO

JS = REPO / "frontend" / "js"
KEY = re.compile(r'^\s*"([a-z0-9_.]+)":', re.MULTILINE)
USED = re.compile(r'\bt\("([a-z0-9_.]+)"')
PLURAL = re.compile(r"\.(one|other)$")


def keys(language: str) -> set[str]:
    return set(KEY.findall((JS / "i18n" / f"{language}.js").read_text()))


def test_i18n_spanish_has_every_english_key() -> None:
    # Spanish may add translations of server error codes (English shows the server's message).
    missing = sorted(keys("en") - keys("es"))
    extra = sorted(k for k in keys("es") - keys("en") if not k.startswith("error."))
    assert (missing, extra) == ([], [])


def test_i18n_every_key_the_code_uses_exists() -> None:
    known = {PLURAL.sub("", k) for k in keys("en")}
    used = {key for path in JS.rglob("*.js") for key in USED.findall(path.read_text())}
    assert len(used) > 300
    assert sorted(used - known) == []


def test_i18n_plural_keys_come_in_pairs() -> None:
    for language in ("en", "es"):
        have = keys(language)
        singular = {k.removesuffix(".one") for k in have if k.endswith(".one")}
        assert len(singular) >= 8
        assert sorted(s for s in singular if f"{s}.other" not in have) == [], language


def test_i18n_every_audit_action_has_a_sentence() -> None:
    # The family reads their circle's log as sentences; an action with no case of its own
    # would fall back to its bare name ("Ana: signup_no_show").
    source = (JS / "views" / "privacy.js").read_text()
    # ACTIONS holds every name the log can carry, the engine's coordinator actions included.
    actions = set(ACTIONS)
    assert {
        coordinator_actions.SIGNUP_ASSIGNED,
        coordinator_actions.SIGNUP_UNASSIGNED,
        coordinator_actions.CANCEL_REQUEST_DECLINED,
        coordinator_actions.SIGNUP_COMPLETED,
        coordinator_actions.SIGNUP_NO_SHOW,
    } <= actions
    assert len(actions) == 22
    assert sorted(a for a in actions if f'case "{a}":' not in source) == []
