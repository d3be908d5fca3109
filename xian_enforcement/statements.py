"""Compiled statements remembered per process (performance.md target 2).

Building a queryset and compiling it to SQL is CPU work that does not depend on the data: for the
case list's page (joins, a correlated subquery, a literal list of department ids, a keyset
condition) it took 1.3 ms on a 2-core machine, longer than PostgreSQL took to answer the statement
(1.1 ms). A page that is asked the same question again — the first page of a unit's list, opened
by every legal officer of the unit, again after each save — need not build it again.

``rows(key, build)`` and ``scalar(key, build)`` run the statement ``build()`` describes, compiled
once for ``key``: the first call builds and compiles the queryset, later calls with an equal key
run the remembered SQL and parameters directly. The caller's key must name **everything** the
statement depends on (the user's scope, the filters, the cursor, the day when a filter compares
with today); the queryset is not looked at on a hit. The memo is per process, bounded (least
recently used out), and emptied when a setting changes (``override_settings`` in tests), because
settings such as ``RULES`` can enter a statement's parameters.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.core.signals import setting_changed
from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import ValuesIterable

MAX_STATEMENTS = 512


@dataclass(frozen=True)
class Statement:
    """A compiled ``.values()`` statement: SQL and parameters (``sql`` None: it selects nothing,
    as ``QuerySet.none()``), the dict keys of a row, the columns a row is cut to, and the
    backend's converters by column (SQLite returns dates as text)."""

    alias: str
    sql: str | None
    params: tuple
    names: tuple[str, ...]
    col_count: int
    converters: tuple


_lock = threading.Lock()
_memo: OrderedDict[Hashable, Statement] = OrderedDict()


def clear(**_kwargs) -> None:
    with _lock:
        _memo.clear()


setting_changed.connect(clear, dispatch_uid="xian_enforcement.statements.clear")


def size() -> int:
    return len(_memo)


def _compile(qs: QuerySet) -> Statement:
    if qs._iterable_class is not ValuesIterable:
        raise TypeError("statements.rows() reads .values() querysets")
    query = qs.query
    compiler = query.get_compiler(qs.db)
    names = tuple(query.selected or (*query.extra_select, *query.values_select, *query.annotation_select))
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return Statement(qs.db, None, (), names, len(names), ())
    fields = [s[0] for s in compiler.select[: compiler.col_count]]
    converters = tuple(compiler.get_converters(fields).items())
    return Statement(qs.db, sql, tuple(params), names, compiler.col_count, converters)


def _lookup(key: Hashable) -> Statement | None:
    with _lock:
        found = _memo.get(key)
        if found is not None:
            _memo.move_to_end(key)
        return found


def _remember(key: Hashable, statement: Statement) -> None:
    with _lock:
        _memo[key] = statement
        _memo.move_to_end(key)
        if len(_memo) > MAX_STATEMENTS:
            _memo.popitem(last=False)


def _fetchone(statement: Statement) -> tuple:
    with connections[statement.alias].cursor() as cursor:
        cursor.execute(statement.sql, statement.params)
        return tuple(cursor.fetchone())


def rows(key: Hashable, build: Callable[[], QuerySet]) -> list[dict]:
    """The rows of the ``.values()`` queryset ``build()`` returns, as dicts, as iterating it would
    give them; compiled once for ``key``."""
    key = ("rows", key)
    statement = _lookup(key)
    if statement is None:
        statement = _compile(build())
        _remember(key, statement)
    if statement.sql is None:
        return []
    connection = connections[statement.alias]
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, statement.params)
        fetched = cursor.fetchall()
    names, count = statement.names, statement.col_count
    if not statement.converters:
        return [dict(zip(names, row[:count], strict=True)) for row in fetched]
    out = []
    for row in fetched:
        row = list(row[:count])
        for pos, (converters, expression) in statement.converters:
            value = row[pos]
            for converter in converters:
                value = converter(value, expression, connection)
            row[pos] = value
        out.append(dict(zip(names, row, strict=True)))
    return out


def sql_row(key: Hashable, build: Callable[[], tuple[str, list]]) -> tuple:
    """The one row of the statement ``build()`` writes as (SQL, parameters) — typically from
    querysets' compiled parts, as ``reviews.selectors.count_all`` does — written once for
    ``key``."""
    key = ("sql_row", key)
    statement = _lookup(key)
    if statement is None:
        sql, params = build()
        statement = Statement("default", sql, tuple(params), (), 0, ())
        _remember(key, statement)
    return _fetchone(statement)


def count(key: Hashable, build: Callable[[], QuerySet]) -> int:
    """``build().count()``, the statement compiled once for ``key``: the first call counts through
    the ORM and records the statement it runs (Django builds a count's outer query only while
    counting), later calls run the recorded statement."""
    key = ("count", key)
    statement = _lookup(key)
    if statement is not None:
        return statement.params[0] if statement.sql is None else _fetchone(statement)[0]
    qs = build()
    captured: list[tuple[str, tuple]] = []

    def record(execute, sql, params, many, context):
        captured.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)

    with connections[qs.db].execute_wrapper(record):
        n = qs.count()
    if len(captured) > 1:  # not one plain statement: do not remember it
        return n
    if captured:
        sql, params = captured[0]
        _remember(key, Statement(qs.db, sql, params, ("count",), 1, ()))
    else:  # nothing to count (``none()``): Django answered without a statement
        _remember(key, Statement(qs.db, None, (n,), ("count",), 1, ()))
    return n
