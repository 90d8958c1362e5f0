"""Every /api/v1/ route and method, read from the URL configuration, with its path filled in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from tests.village.world import World

METHODS = ("get", "post", "put", "patch", "delete")
_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def api_operations() -> list[str]:
    """'METHOD route' for every method a view under /api/v1/ answers, e.g. 'GET circles/<int:circle_id>/'."""
    operations = []
    for route, pattern in _walk(get_resolver().url_patterns):
        if not route.startswith("api/v1/"):
            continue
        view = getattr(pattern.callback, "view_class", None) or getattr(pattern.callback, "cls", None)
        assert view is not None, f"{route} is not a class-based API view"
        operations += [f"{m.upper()} {route.removeprefix('api/v1/')}" for m in METHODS if hasattr(view, m)]
    return operations


# Routes whose id must point at a different object than the default for that parameter name.
_OVERRIDES = {
    "signups/<int:signup_id>/thanks/": lambda w: {"signup_id": w.circle_signup.pk},
    "signups/<int:signup_id>/accept-swap/": lambda w: {"signup_id": w.swap.signup_id},
    "unsubscribe/<str:token>/": lambda w: {"token": w.unsubscribe},
}


def fill(route: str, world: World) -> str:
    ids = {**world.ids, **_OVERRIDES.get(route, lambda w: {})(world)}
    return "/api/v1/" + _PARAM.sub(lambda m: str(ids[m.group("name")]), route)
