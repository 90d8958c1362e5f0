"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

The page keeps its real Content-Security-Policy: axe-core is injected as a same-origin script
served by a Playwright route, so a CSP violation in the app still shows up as a console error.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Response,
    expect,
    sync_playwright,
)

REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO / "test-artifacts"
AXE_PATH = "/__test__/axe.min.js"
API_REFUSAL = re.compile(r"^Failed to load resource: the server responded with a status of (4\d\d)\b")
TOO_SMALL_TARGETS = """() => [...document.querySelectorAll(
  'button, a.button, a.slot-dot, .check, .radio, .site-nav a, .site-footer a, .brand, select,' +
  'input:not([type=checkbox]):not([type=radio]):not([type=hidden]), textarea')]
  .filter((el) => el.offsetParent !== null)
  .map((el) => [el.tagName + '.' + el.className + ' ' + (el.textContent || el.name || '').trim().slice(0, 30),
                el.getBoundingClientRect().height])
  .filter(([, height]) => height < 43.5)"""
PHONE = {"width": 360, "height": 740}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"rep_{report.when}", report)


# Module scope, not session: while Playwright runs, this thread has a live asyncio loop, and
# tests of other apps collected after these must not run inside it.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Playwright's sync API keeps an asyncio loop running in this thread, which makes Django
    # refuse ORM calls from the test body (factories, services). The test is still plain sync
    # code and the live server runs in its own thread, so the guard does not apply here.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class Visit:
    """One browser tab with what the test needs to judge it: console errors, failed requests,
    an accessibility check, and the screenshots kept for a failure report."""

    def __init__(self, context: BrowserContext, base_url: str) -> None:
        self.context = context
        self.base_url = base_url
        self.page: Page = context.new_page()
        # Generous: CI runs the whole suite on two shared cores.
        self.page.set_default_timeout(20_000)
        self.console_errors: list[str] = []
        self.shots: list[tuple[str, bytes]] = []
        self.api_refusals: dict[int, int] = {}
        self.page.on("response", self._response)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.console_errors.append(str(error)))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def unexpected_errors(self) -> list[str]:
        """Console errors, less one "Failed to load resource" line per API 4xx answer.

        Chromium logs every 4xx answer to fetch() as a console error. An API refusal the app
        shows to the person (a household allergen, a full slot) is expected, not a bug.
        """
        budget = dict(self.api_refusals)
        unexpected = []
        for text in self.console_errors:
            found = API_REFUSAL.search(text)
            if found and budget.get(int(found.group(1)), 0) > 0:
                budget[int(found.group(1))] -= 1
                continue
            unexpected.append(text)
        return unexpected

    def _response(self, response: Response) -> None:
        if "/api/v1/" in response.url and 400 <= response.status < 500:
            self.api_refusals[response.status] = self.api_refusals.get(response.status, 0) + 1

    def goto(self, path: str) -> Page:
        self.page.goto(self.base_url + path)
        return self.page

    def check(self, name: str) -> None:
        """Runs axe-core on the page as it is now: no serious or critical violation allowed."""
        # A locator, not wait_for_function: that evaluates its predicate with eval(), which the
        # page's Content-Security-Policy (script-src 'self', no 'unsafe-eval') refuses.
        expect(self.page.locator('[aria-busy="true"]')).to_have_count(0)
        self.shots.append((name, self.page.screenshot(full_page=True)))
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.add_script_tag(url=self.base_url + AXE_PATH)
        result = self.page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".filter(v => ['serious', 'critical'].includes(v.impact))"
            ".map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))"
        )
        assert result == [], f"{name}: accessibility violations {result}"
        # Reflow (WCAG 1.4.10): nothing may need sideways scrolling, down to a 360 px phone.
        overflow = self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name}: page is {overflow}px wider than the screen"
        # Touch targets: every control a thumb aims at is at least 44 px tall (inline links in
        # running text are exempt, as in WCAG 2.5.8).
        small = self.page.evaluate(TOO_SMALL_TARGETS)
        assert small == [], f"{name}: touch targets under 44px {small}"
        assert self.unexpected_errors() == [], f"{name}: console errors {self.console_errors}"


def _open(
    browser: Browser, live_server: Any, request: pytest.FixtureRequest, **options: Any
) -> Iterator[Visit]:
    context = browser.new_context(locale="en-US", timezone_id="America/New_York", **options)
    # Same-origin URL for axe-core, answered by the harness: the app's CSP stays untouched.
    context.route(f"**{AXE_PATH}", lambda route: route.fulfill(path=str(AXE), content_type="text/javascript"))
    visit = Visit(context, live_server.url)
    yield visit
    call = getattr(request.node, "rep_call", None)
    # E2E_SCREENSHOTS=1 keeps them for a passing run too, to look at the pages by eye.
    if (call is not None and call.failed) or os.environ.get("E2E_SCREENSHOTS") == "1":
        ARTIFACTS.mkdir(exist_ok=True)
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
        for index, (name, png) in enumerate(visit.shots):
            (ARTIFACTS / f"{stem}-{index:02d}-{name}.png").write_bytes(png)
        for index, page in enumerate(context.pages):
            page.screenshot(path=str(ARTIFACTS / f"{stem}-final-{index}.png"), full_page=True)
    context.close()


@pytest.fixture
def visit(browser: Browser, live_server: Any, request: pytest.FixtureRequest) -> Iterator[Visit]:
    """A desktop-sized tab."""
    yield from _open(browser, live_server, request, viewport={"width": 1024, "height": 800})


@pytest.fixture
def phone(browser: Browser, live_server: Any, request: pytest.FixtureRequest) -> Iterator[Visit]:
    """A phone-sized tab (360 × 740, touch)."""
    yield from _open(browser, live_server, request, viewport=PHONE, has_touch=True, is_mobile=True)
