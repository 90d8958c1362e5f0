"""The feed limiter's fixed window counts the same on every cache backend it runs on."""

from __future__ import annotations

import os
import uuid

import pytest
from django.core.cache import caches

from calendars.views import _window_hit

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
