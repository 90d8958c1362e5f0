"""Where a person finds a roster of a given kind, told to the engine by the app that owns it.

A list across rosters (a coordinator's gaps) links each row to its page. The engine does not know
what a circle is; practical registers, in its ``AppConfig.ready()``, how to find the circle
behind a circle roster, so the engine stays below it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

# Takes roster ids, answers {roster id: id of the thing people know it as (a circle's id)}.
PageLookup = Callable[[list[int]], dict[int, int]]

_lookups: dict[str, PageLookup] = {}


def register_roster_page(kind: str, lookup: PageLookup) -> None:
    """Say how to find the page of rosters of ``kind``: one call for many rosters (one query)."""
    _lookups[kind] = lookup


def roster_pages(rosters: Iterable[tuple[int, str]]) -> dict[int, int]:
    """{roster id: page id} for the (roster id, kind) pairs whose kind has a lookup."""
    by_kind: dict[str, list[int]] = {}
    for roster_id, kind in rosters:
        if kind in _lookups:
            by_kind.setdefault(kind, []).append(roster_id)
    pages: dict[int, int] = {}
    for kind, ids in by_kind.items():
        pages.update(_lookups[kind](sorted(set(ids))))
    return pages
