"""Querysets compiled once per process, for the reads nearly every request makes.

Building a queryset with subquery annotations through the ORM costs more than running it: the
claim's shift read took 2.5 ms to compile and 1 ms to run on these machines (2 shared cores), and
under contention a claim is little else. The shape of such a query never changes, only its values.

``PreparedQuery`` builds its queryset once with sentinel values, keeps the compiled SQL and where
each sentinel landed among the parameters, and from then on runs that SQL with the caller's values
and turns the rows into model instances as Django's own ``ModelIterable`` does: the model's
columns, the ``select_related`` objects, the annotations, each through the backend's converters.
It leans on compiler attributes (``select``, ``klass_info``, ``annotation_col_map``) that Django
5.2 LTS keeps stable; ``tests/village/test_prepared.py`` compares every result with the queryset's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.db import connection
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class _ModelReader(Generic[M]):
    """What ``ModelIterable`` works out from the compiler before its loop, kept for every call."""

    model: type[M]
    fields: tuple[int, int]  # the model's own columns: row[start:end]
    init_list: list[str]
    populators: list[Any]  # one per select_related object
    annotations: dict[str, int]
    converters: tuple[tuple[int, Any, tuple[Any, ...]], ...]  # (column index, column, converters)

    def instance(self, fetched: tuple[Any, ...]) -> M:
        row = list(fetched)
        for index, column, converters in self.converters:
            for converter in converters:
                row[index] = converter(row[index], column, connection)
        start, end = self.fields
        obj = self.model.from_db(connection.alias, self.init_list, row[start:end])
        for populator in self.populators:
            populator.populate(row, obj)
        for name, at in self.annotations.items():
            setattr(obj, name, row[at])
        return obj


@dataclass(frozen=True)
class _Compiled(Generic[M]):
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, str], ...]  # (parameter index, name of the value that goes there)
    model: _ModelReader[M] | None


def _adapt(value: Any) -> Any:
    # What the backend makes of a lookup value while compiling (a datetime is a string on SQLite).
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


class PreparedQuery(Generic[M]):
    """``build(**sentinels)`` returns the queryset; ``all(**values)`` or ``rows(**values)`` runs it
    with other values.

    Each sentinel must be a value no constant in the query takes (a negative id, say): where it
    appears in the compiled parameters is where the caller's value goes.
    """

    def __init__(self, build: Callable[..., QuerySet[M]], **sentinels: Any) -> None:
        self._build = build
        self._sentinels = sentinels
        self._compiled: dict[str, _Compiled[M]] = {}

    def _compile(self) -> _Compiled[M]:
        found = self._compiled.get(connection.alias)
        if found is not None:
            return found
        queryset = self._build(**self._sentinels)
        compiler = queryset.query.get_compiler(using=connection.alias)
        sql, params = compiler.as_sql()
        adapted = {name: _adapt(value) for name, value in self._sentinels.items()}
        slots = tuple(
            (index, name)
            for index, param in enumerate(params)
            for name, value in adapted.items()
            if param == value
        )
        # A sentinel that landed nowhere would make every caller's value silently ignored.
        missing = set(adapted) - {name for _, name in slots}
        if missing:
            raise RuntimeError(f"{queryset.model.__name__} prepared query lost its values: {sorted(missing)}")
        compiled = _Compiled(sql=sql, params=tuple(params), slots=slots, model=_model_reader(compiler))
        self._compiled[connection.alias] = compiled
        return compiled

    def rows(self, **values: Any) -> list[tuple[Any, ...]]:
        """The rows as the database driver gives them (no converters): for aggregates."""
        compiled = self._compile()
        params = list(compiled.params)
        for index, name in compiled.slots:
            params[index] = _adapt(values[name])
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            return list(cursor.fetchall())

    def all(self, **values: Any) -> list[M]:
        """Model instances, as iterating the queryset would give them."""
        reader = self._compile().model
        if reader is None:
            raise TypeError("This prepared query selects values, not model instances: use rows()")
        return [reader.instance(row) for row in self.rows(**values)]

    def first(self, **values: Any) -> M | None:
        found = self.all(**values)
        return found[0] if found else None


def _model_reader(compiler: Any) -> _ModelReader[Any] | None:
    klass_info = compiler.klass_info
    if klass_info is None:
        return None  # values() or an aggregate: rows are read as they come
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    columns = [column for column, _sql, _alias in compiler.select[: compiler.col_count]]
    return _ModelReader(
        model=klass_info["model"],
        fields=(start, end),
        init_list=[column.target.attname for column in columns[start:end]],
        populators=get_related_populators(klass_info, compiler.select, connection.alias),
        annotations=dict(compiler.annotation_col_map or {}),
        converters=tuple(
            (index, column, tuple(converters))
            for index, (converters, column) in compiler.get_converters(columns).items()
        ),
    )
