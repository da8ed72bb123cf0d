"""Writing a million rows: plain INSERTs on SQLite, COPY on PostgreSQL, with the ids given by the
seeder inside each batch's transaction and the sequences moved past them before the commit."""

from __future__ import annotations

import json
import operator
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max


def _sqlite_datetime(v: datetime | None) -> str | None:
    """As Django's SQLite backend stores an aware datetime: UTC, ISO format with a space."""
    return None if v is None else v.astimezone(UTC).replace(tzinfo=None).isoformat(" ")


class _Table:
    """Plain multi-row INSERTs of one model with the ids given by the caller: Django's
    ``bulk_create`` spends most of its time preparing values field by field, which a million rows
    cannot afford. Values are adapted here the way Django's backends store them (datetimes as
    UTC text and UUIDs as hex on SQLite, JSON as text)."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.pg = connection.vendor == "postgresql"
        qn = connection.ops.quote_name
        self.fields = list(model._meta.concrete_fields)
        marks = []
        self.adapt: list[Callable[[Any], Any] | None] = []
        for f in self.fields:
            kind = f.get_internal_type()
            marks.append("%s::jsonb" if self.pg and kind == "JSONField" else "%s")
            self.adapt.append(self._adapter(kind))
        columns = ", ".join(qn(str(f.column)) for f in self.fields)
        self.sql = (
            f"INSERT INTO {qn(model._meta.db_table)} "  # noqa: S608 - names from the model
            f"({columns}) VALUES ({', '.join(marks)})"
        )
        self.copy_sql = f"COPY {qn(model._meta.db_table)} ({columns}) FROM STDIN"
        # What a row leaves out: the field's default, else NULL or "" as the column allows;
        # stored already adapted.
        self.defaults: dict[str, Any] = {}
        for f, adapt in zip(self.fields, self.adapt, strict=True):
            if f.has_default():
                value = f.get_default()
                self.defaults[f.attname] = adapt(value) if adapt and value is not None else value
            else:
                self.defaults[f.attname] = None if f.null or not f.empty_strings_allowed else ""
        self.adapted = [
            (f.attname, a) for f, a in zip(self.fields, self.adapt, strict=True) if a is not None
        ]
        self.getter = operator.itemgetter(*[f.attname for f in self.fields])

    def _adapter(self, kind: str) -> Callable[[Any], Any] | None:
        if kind == "JSONField":
            return json.dumps
        if self.pg:
            return None
        if kind == "DateTimeField":
            return _sqlite_datetime
        if kind == "DateField":
            return lambda v: None if v is None else v.isoformat()
        if kind == "UUIDField":
            return lambda v: v.hex
        return None

    def next_id(self) -> int:
        return (self.model._default_manager.aggregate(m=Max("pk"))["m"] or 0) + 1

    def insert(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        defaults, adapted, getter = self.defaults, self.adapted, self.getter
        values = []
        for row in rows:
            merged = {**defaults, **row}
            for name, adapt in adapted:
                if name in row:
                    merged[name] = adapt(row[name])
            values.append(getter(merged))
        with connection.cursor() as cursor:
            if self.pg:
                # COPY: one stream for the batch instead of a statement per row.
                with cursor.cursor.copy(self.copy_sql) as copy:
                    for row in values:
                        copy.write_row(row)
            else:
                cursor.executemany(self.sql, values)

    def reset_sequence(self) -> None:
        statements = connection.ops.sequence_reset_sql(no_style(), [self.model])
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
