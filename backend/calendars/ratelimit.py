"""The per-token feed limit: a misbehaving client re-polling in a loop costs a count, not a render.

Fixed windows (THROTTLE_FEED, e.g. 60 a minute), keyed by the token's hash (never the token:
cache keys show up in monitoring). Two tiers, because feed polls are most of all traffic and a
well-behaved calendar polls a feed a few times an hour: each process first counts a token's
requests in its own memory, and only once a token passes ``LOCAL_SHARE`` of its allowance in a
window does the process add its count to the shared counter in Redis (the cache) and decide by
that from then on. An ordinary poll thus costs no round trip beyond its SQL; a token polled in a
loop is refused once the shared count passes the limit, at most ``LOCAL_SHARE`` of the limit
late per web process.
"""

from __future__ import annotations

import threading
import time
import weakref
from typing import Any

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

from calendars.selectors import hash_token

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# The share of the limit a process may count alone before it asks the shared counter.
LOCAL_SHARE = 0.25


def _feed_rate() -> tuple[int, int]:
    """THROTTLE_FEED, e.g. "60/min": requests allowed per window of seconds."""
    rate: str = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["feed"]  # type: ignore[index]
    count, _, period = rate.partition("/")
    return int(count), _PERIODS[period[0]]


class _LocalWindow:
    """This process's counts for the current window only (older windows are dropped whole)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._window = -1
        self._counts: dict[str, int] = {}

    def hit(self, key: str, window: int) -> int:
        with self._lock:
            if window != self._window:
                self._window, self._counts = window, {}
            self._counts[key] = used = self._counts.get(key, 0) + 1
            return used


_local = _LocalWindow()


def feed_rate_limited(token: str) -> int | None:
    """Seconds to wait when this token has used up its window, else None."""
    allowed, window = _feed_rate()
    now = int(time.time())
    window_id = now // window
    key = f"calendars:feed-rate:{hash_token(token)[:32]}"
    local_allowance = int(allowed * LOCAL_SHARE)
    here = _local.hit(key, window_id)
    if here <= local_allowance:
        return None
    # First time past the local share: hand the shared counter everything counted here so far.
    amount = here if here == local_allowance + 1 else 1
    used = _window_hit(f"{key}:{window_id}", timeout=window + 1, amount=amount)
    if used > allowed:
        return window - now % window
    return None


# One command instead of a pipeline: the count and the window's expiry in one atomic step, and
# no pipeline object to build on every call. The expiry is set only when the window's key is
# created, never pushed back by later requests.
_WINDOW_HIT_LUA = """
local used = redis.call('INCRBY', KEYS[1], ARGV[2])
if used == tonumber(ARGV[2]) then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return used
"""
# One script (and its Redis client) per cache client: Django's builds a new client on every
# ``get_client()``, which costs more than the round trip itself.
_window_scripts: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


def _window_script(cache_client: Any, key: str) -> Any:
    script = _window_scripts.get(cache_client)
    if script is None:
        script = cache_client.get_client(key, write=True).register_script(_WINDOW_HIT_LUA)
        _window_scripts[cache_client] = script
    return script


def _window_hit(key: str, *, timeout: int, amount: int = 1) -> int:
    """Add ``amount`` requests to the shared count of a fixed window; the count so far."""
    backend = caches["default"]  # the backend itself: the ``cache`` proxy is no RedisCache
    if isinstance(backend, RedisCache):
        full_key = backend.make_and_validate_key(key)
        # Django's RedisCacheClient (``_cache``, not in django-stubs) holds the pool and options.
        script = _window_script(backend._cache, full_key)  # type: ignore[attr-defined]
        return int(script(keys=[full_key], args=[timeout, amount]))
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key, amount)
    except ValueError:  # evicted between add and incr: count these as the first
        cache.set(key, amount, timeout=timeout)
        return amount
