"""The feed limiter: counts in-process first, then in the shared window, on every cache backend."""

from __future__ import annotations

import os
import uuid

import pytest
from django.core.cache import caches
from django.utils.crypto import get_random_string

from calendars import ratelimit
from calendars.ratelimit import _window_hit, feed_rate_limited

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "window"}}


def _redis() -> dict:
    url = os.environ["VILLAGE_TEST_REDIS_URL"]  # set by `make test-postgres`; missing = a failure
    return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}


@pytest.mark.parametrize(
    "backend", ["locmem", pytest.param("redis", marks=pytest.mark.services)], ids=["locmem", "redis"]
)
def test_window_hit_counts_each_request_and_the_window_expires(settings, backend):
    settings.CACHES = LOCMEM if backend == "locmem" else _redis()
    key = f"test-window:{uuid.uuid4().hex}"

    counts = [_window_hit(key, timeout=30) for _ in range(3)]

    assert counts == [1, 2, 3]
    assert _window_hit(f"{key}:other", timeout=30) == 1
    cache = caches["default"]
    if backend == "redis":
        full_key = cache.make_and_validate_key(key)
        ttl = cache._cache.get_client(full_key).ttl(full_key)
        # The window's expiry is set once, by its first request, not pushed back by later ones.
        assert 0 < ttl <= 30
    assert cache.get(key) == 3


def _limit(settings, rate: str) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "feed": rate},
    }


@pytest.fixture
def one_long_window(monkeypatch):
    """A fixed clock: the whole test falls in one window."""
    monkeypatch.setattr(ratelimit.time, "time", lambda: 1_800_000_000.0)
    monkeypatch.setattr(ratelimit, "_local", ratelimit._LocalWindow())


@pytest.mark.parametrize(
    "backend", ["locmem", pytest.param("redis", marks=pytest.mark.services)], ids=["locmem", "redis"]
)
def test_feed_rate_limited_counts_in_process_then_hands_over_to_the_shared_window(
    settings, backend, one_long_window, monkeypatch
):
    settings.CACHES = LOCMEM if backend == "locmem" else _redis()
    _limit(settings, "8/min")  # a local share of 2
    token = get_random_string(43)
    shared = f"calendars:feed-rate:{ratelimit.hash_token(token)[:32]}:{1_800_000_000 // 60}"

    first_two = [feed_rate_limited(token) for _ in range(2)]
    assert caches["default"].get(shared) is None  # an ordinary poll costs no shared round trip
    third = feed_rate_limited(token)
    assert caches["default"].get(shared) == 3  # the two counted here are handed over with it
    rest = [feed_rate_limited(token) for _ in range(2)]

    # A second web process counts its own share first, then joins the shared window (at 5).
    monkeypatch.setattr(ratelimit, "_local", ratelimit._LocalWindow())
    other = [feed_rate_limited(token) for _ in range(4)]

    assert [*first_two, third, *rest] == [None] * 5
    assert other[:3] == [None, None, None]
    assert other[3] is not None and 1 <= other[3] <= 60
    assert caches["default"].get(shared) == 9


def test_feed_rate_limited_small_limits_always_ask_the_shared_window(settings, one_long_window):
    settings.CACHES = LOCMEM
    _limit(settings, "3/min")  # a local share of 0: every request counts in the shared window
    token = get_random_string(43)

    answers = [feed_rate_limited(token) for _ in range(4)]

    assert answers[:3] == [None, None, None]
    assert answers[3] is not None
