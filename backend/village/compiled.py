"""Reads whose SQL is compiled once per process, then run with each request's own values.

The reads behind every request (the API token, a page of a list) have one shape and change only
in their values, yet the ORM builds and compiles the queryset anew each time: for a page of
shifts that cost about as long as PostgreSQL took to answer it. Here the queryset is built once
with a sentinel for each value, compiled, and the positions of the sentinels in the parameters
say where a request's values go. The rows come back as dicts (a ``.values()`` queryset), through
the same converters the ORM applies (booleans and datetimes on SQLite), without a model instance
per row; or, for a model queryset, as the instances Django's ``ModelIterable`` would make, with
their ``select_related`` objects and annotations. That leans on compiler attributes (``select``,
``klass_info``, ``annotation_col_map``) which Django 5.2 LTS keeps stable; the tests compare every
kind of result with the queryset's own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import Count, Model, QuerySet, Window
from django.db.models.query import ModelIterable, get_related_populators  # type: ignore[attr-defined]

# The column a counted query adds: COUNT(*) OVER (), the rows matched before LIMIT/OFFSET.
TOTAL = "_total"


Converters = tuple[tuple[int, Any, tuple[Any, ...]], ...]  # (column index, its expression, converters)


def _convert(row: Any, converters: Converters) -> list[Any]:
    converted = list(row)
    for index, expression, functions in converters:
        value = converted[index]
        for function in functions:
            value = function(value, expression, connection)
        converted[index] = value
    return converted


@dataclass(frozen=True)
class _ModelReader:
    """What ``ModelIterable`` works out from the compiler before its loop, kept for every call."""

    model: type[Model]
    fields: tuple[int, int]  # the model's own columns: row[start:end]
    init_list: list[str]
    populators: list[Any]  # one per select_related object
    annotations: dict[str, int]
    converters: Converters

    def instance(self, row: Any) -> Any:
        converted = _convert(row, self.converters)
        start, end = self.fields
        obj = self.model.from_db(connection.alias, self.init_list, converted[start:end])
        for populator in self.populators:
            populator.populate(converted, obj)
        for name, at in self.annotations.items():
            setattr(obj, name, converted[at])
        return obj


def _model_reader(compiler: Any) -> _ModelReader:
    klass_info = compiler.klass_info
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    columns = [column for column, _sql, _alias in compiler.select[: compiler.col_count]]
    return _ModelReader(
        model=klass_info["model"],
        fields=(start, end),
        init_list=[column.target.attname for column in columns[start:end]],
        populators=get_related_populators(klass_info, compiler.select, connection.alias),
        annotations=dict(compiler.annotation_col_map or {}),
        converters=tuple(
            (index, column, tuple(functions))
            for index, (functions, column) in compiler.get_converters(columns).items()
        ),
    )


@dataclass(frozen=True)
class _Compiled:
    sql: str
    paged_sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, str], ...]
    names: tuple[str, ...]
    converters: Converters
    model: _ModelReader | None  # None for a .values() queryset


def _sentinel(kind: type, index: int, name: str) -> Any:
    # Values no real row, clock or request will ever carry.
    if kind is int:
        return 7_919_191_919_000 + index
    if kind is datetime:
        return datetime(1901, 2, 3, 4, 5, index, tzinfo=UTC)
    if kind is str:
        return f"compiled-query-sentinel:{name}"
    raise TypeError(f"no sentinel for {kind!r}")


def _adapt(value: Any) -> Any:
    # What the backend does to a datetime lookup value while compiling (a string on SQLite).
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


class CompiledQuery:
    """``build(**values)`` returns a queryset; ``rows(**values)`` runs a ``.values()`` one's SQL,
    ``instances(**values)`` and ``first(**values)`` a model queryset's.

    ``kinds`` names each value and its type (int, str or datetime): every one must reach the
    SQL as a parameter of a field lookup, or compiling refuses (the cached SQL would ignore it).
    With ``counted``, ``page()`` also says how many rows match in all (``COUNT(*) OVER ()``, the
    ``TOTAL`` column, read from the first row). The queryset must not be sliced: ``rows()`` and
    ``page()`` take ``limit``/``offset`` as parameters, so one compiled statement serves every page.
    """

    def __init__(self, build: Callable[..., QuerySet[Any]], *, counted: bool = False, **kinds: type) -> None:
        self._build = build
        self._counted = counted
        self._sentinels = {name: _sentinel(kind, i, name) for i, (name, kind) in enumerate(kinds.items())}
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def _compile(self) -> _Compiled:
        found = self._compiled.get(connection.vendor)
        if found is not None:
            return found
        queryset = self._build(**self._sentinels)
        if self._counted:
            queryset = queryset.annotate(**{TOTAL: Window(Count("*"))})
        query = queryset.query
        if query.is_sliced:
            raise ValueError("a compiled query is paged by rows(limit=, offset=), not sliced")
        compiler = query.get_compiler(using=connection.alias)
        sql, params = compiler.as_sql()
        # The compiler describes the model's columns for values() too; the iterable says which it is.
        model = _model_reader(compiler) if queryset._iterable_class is ModelIterable else None
        # Named as QuerySet.values() names them.
        names = tuple(query.selected or (*query.extra_select, *query.values_select, *query.annotation_select))
        # Rows are read by these names: anything but a .values() queryset selects other columns.
        if model is None and len(names) != len(compiler.select):
            raise ValueError("a compiled query must be a model or a .values() queryset")
        if model is not None and self._counted:
            raise ValueError("a counted query must be a .values() queryset")
        adapted = {name: _adapt(value) for name, value in self._sentinels.items()}
        slots = tuple(
            (index, name)
            for index, param in enumerate(params)
            for name, value in adapted.items()
            if type(param) is type(value) and param == value
        )
        missing = set(adapted) - {name for _, name in slots}
        if missing:
            raise RuntimeError(f"compiled SQL lost its parameters: {sorted(missing)}")
        expressions = [column for column, _sql, _alias in compiler.select]
        if self._counted:
            # The total is read once from the first row (``page``), not converted in every row.
            if names[-1] != TOTAL:
                raise RuntimeError("a counted query's total must be its last column")
            names, expressions = names[:-1], expressions[:-1]
        compiled = _Compiled(
            sql=sql,
            paged_sql=f"{sql} LIMIT %s OFFSET %s",
            params=tuple(params),
            slots=slots,
            names=names,
            converters=tuple(
                (index, expression, tuple(functions))
                for index, (functions, expression) in compiler.get_converters(expressions).items()
            ),
            model=model,
        )
        with self._lock:
            self._compiled[connection.vendor] = compiled
        return compiled

    def _fetch(
        self, compiled: _Compiled, limit: int | None, offset: int, values: dict[str, Any]
    ) -> list[Any]:
        params = list(compiled.params)
        for index, name in compiled.slots:
            params[index] = _adapt(values[name])
        sql = compiled.sql
        if limit is not None:
            sql = compiled.paged_sql
            params += [limit, offset]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def _dicts(self, compiled: _Compiled, fetched: list[Any]) -> list[dict[str, Any]]:
        if compiled.model is not None:
            raise ValueError("this compiled query selects model instances: use instances() or first()")
        names = compiled.names
        if not compiled.converters:
            return [dict(zip(names, row, strict=False)) for row in fetched]
        return [dict(zip(names, _convert(row, compiled.converters), strict=False)) for row in fetched]

    def instances(self, *, limit: int | None = None, offset: int = 0, **values: Any) -> list[Any]:
        """A model queryset's instances, as iterating it would give them."""
        compiled = self._compile()
        if compiled.model is None:
            raise ValueError("this compiled query selects values: use rows()")
        return [compiled.model.instance(row) for row in self._fetch(compiled, limit, offset, values)]

    def first(self, **values: Any) -> Any | None:
        """The first instance (the queryset's own ordering), or None."""
        found = self.instances(limit=1, **values)
        return found[0] if found else None

    def rows(self, *, limit: int | None = None, offset: int = 0, **values: Any) -> list[dict[str, Any]]:
        """The rows as dicts named as ``.values()`` names them; ``limit``/``offset`` page them."""
        compiled = self._compile()
        return self._dicts(compiled, self._fetch(compiled, limit, offset, values))

    def page(self, *, limit: int, offset: int, **values: Any) -> tuple[list[dict[str, Any]], int]:
        """One page of a counted query and how many rows there are in all, in one statement
        (a second only when the offset is past the end, where no row carries the total)."""
        if not self._counted:
            raise ValueError("page() needs a counted query")
        compiled = self._compile()
        fetched = self._fetch(compiled, limit, offset, values)
        if fetched:
            total = fetched[0][-1]
        elif offset == 0:
            total = 0
        else:
            first = self._fetch(compiled, 1, 0, values)
            total = first[0][-1] if first else 0
        # zip() stops at the names: the total, the last column, is not part of a row.
        return self._dicts(compiled, fetched), int(total)
