from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from functools import cache
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db import connections, router
from django.db.models import Model


@cache
def _staff_sql(alias: str) -> tuple[str, list[tuple[type[Model], list[str]]]]:
    """The statement that loads an official, written once per process.

    Every signed-in request loads its official with agency, unit, unit level and roles. Through the
    ORM that was two querysets compiled afresh each time (≈1 ms, a third of a small page); the SQL
    never changes, so it is built here from the models' own metadata and kept. One row per role
    (a LEFT JOIN), so it is one round trip to PostgreSQL."""
    from xaso.org.models import AdministrativeUnit, Agency, Staff, StaffRole, UnitLevel

    qn = connections[alias].ops.quote_name
    columns: list[str] = []
    layout: list[tuple[type[Model], list[str]]] = []
    tables: list[tuple[type[Model], str]] = [
        (Staff, "s"),
        (Agency, "a"),
        (AdministrativeUnit, "u"),
        (UnitLevel, "l"),
        (StaffRole, "r"),
    ]
    for model, t in tables:
        fields = [f for f in model._meta.concrete_fields if f.column]
        columns += [f"{t}.{qn(str(f.column))}" for f in fields]
        layout.append((model, [f.attname for f in fields]))
    # Identifiers only from the models' metadata; the id is a parameter.
    sql = (
        f"SELECT {', '.join(columns)} FROM {qn(Staff._meta.db_table)} s"  # noqa: S608
        f" JOIN {qn(Agency._meta.db_table)} a ON a.{qn('id')} = s.{qn('agency_id')}"
        f" JOIN {qn(AdministrativeUnit._meta.db_table)} u ON u.{qn('id')} = a.{qn('unit_id')}"
        f" JOIN {qn(UnitLevel._meta.db_table)} l ON l.{qn('id')} = u.{qn('level_id')}"
        f" LEFT JOIN {qn(StaffRole._meta.db_table)} r ON r.{qn('staff_id')} = s.{qn('id')}"
        f" WHERE s.{qn('id')} = %s ORDER BY r.{qn('role')}, r.{qn('id')}"
    )
    return sql, layout


def load_staff(user_id: Any) -> Any:
    """The official ``user_id`` with ``agency.unit.level`` and ``roles`` already loaded (the same
    objects ``select_related`` + ``prefetch_related`` would give), or None."""
    from xaso.org.models import Staff

    try:
        pk = int(user_id)
    except (TypeError, ValueError):
        return None
    using = router.db_for_read(Staff)
    conn = connections[using]
    sql, layout = _staff_sql(using)
    with conn.cursor() as cur:
        cur.execute(sql, [pk])
        rows = cur.fetchall()
    if not rows:
        return None
    objs = []
    start = 0
    for model, attnames in layout[:4]:
        values = rows[0][start : start + len(attnames)]
        start += len(attnames)
        objs.append(model.from_db(using, attnames, _convert(conn, model, values)))
    staff, agency, unit, level = objs
    unit.level = level  # type: ignore[attr-defined]
    agency.unit = unit  # type: ignore[attr-defined]
    staff.agency = agency  # type: ignore[attr-defined]
    role_model, role_attnames = layout[4]
    roles = []
    for row in rows:
        if row[start] is None:  # no role at all: the LEFT JOIN's one empty row
            continue
        role = role_model.from_db(using, role_attnames, _convert(conn, role_model, row[start:]))
        role.staff = staff  # type: ignore[attr-defined]
        roles.append(role)
    qs = staff.roles.all()  # type: ignore[attr-defined]
    qs._result_cache = roles
    qs._prefetch_done = True
    staff._prefetched_objects_cache = {"roles": qs}  # type: ignore[attr-defined]
    return staff


def _convert(conn: Any, model: type[Model], values: Any) -> list[Any]:
    """Database values to Python ones, as the ORM's compiler would (dates and UUIDs on SQLite)."""
    converters = _converters(conn.alias, model)
    out = list(values)
    for i, funcs in converters:
        for func in funcs:
            out[i] = func(out[i], None, conn)
    return out


@cache
def _converters(alias: str, model: type[Model]) -> list[tuple[int, list[Any]]]:
    conn = connections[alias]
    result = []
    for i, field in enumerate(model._meta.concrete_fields):
        col = field.get_col(model._meta.db_table)
        funcs = conn.ops.get_db_converters(col) + field.get_db_converters(conn)
        if funcs:
            result.append((i, funcs))
    return result


class _Loaded:
    """This process's last loaded officials, under the "org" data version they were read at
    (core.pagecache): any write to staff, roles, agencies or units renews that version once it
    commits, so a password change or a locked account counts from the next request.

    Each request gets its own shallow copy of the official (its own attributes); the agency,
    unit and roles it points to are shared between requests of the worker and, like everything
    read from the cache, are only read: a change goes through a service, which saves it (and so
    renews the version). Unpickling a private copy each time cost 40 µs, a few % of a page."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._items: OrderedDict[tuple[int, str], Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[int, str]) -> Any:
        with self._lock:
            user = self._items.get(key)
            if user is None:
                return None
            self._items.move_to_end(key)
        return copy.copy(user)

    def put(self, key: tuple[int, str], user: Any) -> None:
        kept = copy.copy(user)
        with self._lock:
            self._items[key] = kept
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_loaded = _Loaded()


def staff_current(user_id: Any) -> Any:
    """The official ``user_id`` as now committed, with agency, unit and roles, or None: from this
    process's copy when kept pages are on (``XASO_PAGE_CACHE``) and nothing in "org" changed
    since it was read (on PostgreSQL the query's planning alone cost more than a kept page)."""
    from django.conf import settings

    from xaso.core.pagecache import scope_versions

    if not settings.XASO_PAGE_CACHE:
        return load_staff(user_id)
    try:
        key = (int(user_id), scope_versions(("org",))[0])
    except (TypeError, ValueError):
        return None
    user = _loaded.get(key)
    if user is None:
        user = load_staff(user_id)
        if user is not None:
            _loaded.put(key, user)
    return user


class StaffBackend(ModelBackend):
    """Django's backend, loading the signed-in official with their agency, its unit and their roles
    in one go: every page and permission check reads them."""

    def get_user(self, user_id: Any) -> Any:
        user = staff_current(user_id)
        if user is None:
            return None
        return user if self.user_can_authenticate(user) else None
