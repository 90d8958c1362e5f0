"""A pytest plugin: under CI=true any skipped (or xfailed) test fails the run.

A skip turns a red test into nothing at all; on CI that must be seen, not summarised away.
tests/conftest.py loads it for the suite; tests/village/test_ci_guard.py loads it into a tiny
suite of its own to prove it.
"""

from __future__ import annotations

import os

import pytest


def _on_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


class _SkipGuard:
    def __init__(self) -> None:
        self.skipped: list[str] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        # An xfailed test is reported as skipped too (with ``wasxfail``), so this catches both.
        if report.skipped:
            self.skipped.append(report.nodeid)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        # A module-level skip removes every test in it without one being reported as run.
        if report.skipped:
            self.skipped.append(report.nodeid)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if not _on_ci() or not self.skipped:
            return
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(
                f"CI=true: {len(self.skipped)} test(s) skipped or xfailed, which fails the run: "
                + ", ".join(self.skipped),
                red=True,
            )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(_SkipGuard(), "village-ci-skip-guard")
