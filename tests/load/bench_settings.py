"""Settings for the HTTP benchmark's gunicorn: the real settings, plus the bare comparison views."""

from __future__ import annotations

from village.settings import *  # noqa: F403  # the real app, unchanged; only the URLconf grows

# The real app's URLs, plus /bare/... views running the same SQL without the framework.
ROOT_URLCONF = "tests.load.bench_urls"
