"""Every route answers its own paths: none shadows another, so their order only decides how soon
Django finds the busiest (village/urls.py puts the engine's lists first)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RoutePattern

_SAMPLES = {"int": "7", "str": "abc", "slug": "abc", "path": "a/b"}


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if not isinstance(pattern.pattern, RoutePattern):
            continue  # a regular expression (the calendar feeds) has no sample to make
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, route)
        else:
            yield route, pattern


def test_no_route_shadows_another():
    routes = list(_routes(get_resolver().url_patterns))

    for route, pattern in routes:
        sample = "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: _SAMPLES[m[1] or "str"], route)
        assert resolve(sample).func is pattern.callback, f"{sample} does not reach {route}"
    assert len(routes) > 80
