"""The served web app itself: every module loads, nothing breaks the CSP, the helpline is there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.conftest import REPO, Visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FRONTEND = REPO / "frontend"
IMPORT = re.compile(r"""(?:^|\n)\s*import\s+(?:[^"';]+?\s+from\s+)?["'](\.{1,2}/[^"']+)["']""")


def module_graph(entry: Path) -> set[str]:
    """Every module reachable by static imports from the entry point, as URL paths."""
    seen: set[Path] = set()
    todo = [entry]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for relative in IMPORT.findall(path.read_text()):
            todo.append((path.parent / relative).resolve())
    return {"/" + str(path.relative_to(FRONTEND)) for path in seen}


def test_index_loads_every_module_without_console_errors(visit: Visit) -> None:
    responses: dict[str, int] = {}
    visit.page.on(
        "response",
        lambda response: responses.__setitem__(response.url.removeprefix(visit.base_url), response.status),
    )
    page = visit.goto("/")
    page.wait_for_selector("h1:has-text('Log in')")

    expected = module_graph(FRONTEND / "js" / "app.js") | {"/css/app.css", "/"}
    assert len(expected) >= 8
    assert {path: responses.get(path) for path in sorted(expected)} == dict.fromkeys(sorted(expected), 200)
    assert visit.console_errors == []
    assert page.locator("footer a[href='tel:+18009444773']").inner_text() == "1-800-944-4773"
    assert page.locator("html").get_attribute("lang") == "en"
    visit.check("login")


def test_language_switch_translates_and_is_remembered(visit: Visit) -> None:
    page = visit.goto("/#/login")
    page.wait_for_selector("h1:has-text('Log in')")
    page.get_by_role("button", name="Cambiar a español").click()
    page.wait_for_selector("h1:has-text('Entrar')")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator("footer .helpline strong").inner_text() == "¿Necesitas hablar con alguien ahora?"
    page.reload()
    page.wait_for_selector("h1:has-text('Entrar')")
    assert page.locator("html").get_attribute("lang") == "es"
    visit.check("login-es")


def test_unknown_route_offers_a_way_back(phone: Visit) -> None:
    page = phone.goto("/#/no/such/page")
    page.wait_for_selector("h1:has-text('Page not found')")
    assert page.get_by_role("link", name="Go to the start").get_attribute("href") == "#/"
    phone.check("not-found")


def test_broken_invite_link_says_so_without_a_pointless_retry(phone: Visit) -> None:
    page = phone.goto("/#/join/not-a-real-token")
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert (
        alert.inner_text()
        == "This invite link doesn't work any more. Ask the person who sent it for a new one."
    )
    assert page.get_by_role("button", name="Try again").count() == 0
    assert page.get_by_role("link", name="Go to the start").count() == 1
    phone.check("join-broken")


def test_keyboard_user_gets_the_skip_link_first_and_focus_moves_to_each_new_page(visit: Visit) -> None:
    page = visit.goto("/#/login")
    page.wait_for_selector("h1:has-text('Log in')")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("() => [document.activeElement.id, location.hash]") == ["main", "#/login"]
    page.get_by_role("link", name="Create an account").click()
    page.wait_for_selector("h1:has-text('Create an account')")
    assert page.evaluate(
        "() => document.activeElement.tagName + ':' + document.activeElement.textContent"
    ) == ("H1:Create an account")
    visit.check("signup")


def test_forgotten_password_page_confirms_without_saying_whether_the_account_exists(phone: Visit) -> None:
    page = phone.goto("/#/login")
    page.wait_for_selector("h1:has-text('Log in')")
    phone.check("login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.wait_for_selector("h1:has-text('Reset your password')")
    phone.check("forgot")
    page.get_by_label("E-mail").fill("nobody@example.org")
    page.get_by_role("button", name="Send me a link").click()
    page.wait_for_selector("text=If that address has an account, a link is on its way.")
    phone.check("forgot-sent")
