"""PostgreSQL search rows also hold each word of the subject's name with the subject's year of
birth (kind ``Y``: "00005Y2012vu" for Vũ born in 2012).

Why: "a given name and a year of birth" is a common search, and both halves are common on
their own: 54,000 rows hold a word starting with "vu" at a million entries, 20,000 a birth in
2012; the GIN index intersected them in 10 ms, and a walk through the newest entries does not
help (people born in 2012 were registered in 2012). Together they name a few hundred rows,
found in one lookup. SQLite's FTS5 intersects the two from its prefix indexes fast enough and
is left as it is. The rows already there are written again.

And the search's query itself, as the function ``civil_search_find`` (see there): run with JIT
compilation off. PostgreSQL compiles a plan whose estimated cost passes ``jit_above_cost``, and
the estimate of the branch that asks the GIN index for a common word passes it even when that
branch does not run: 20 ms of compiling for a query of 0.4 ms.
"""

# ruff: noqa: S608 - every statement here is built from the constants of this file, no input.
from __future__ import annotations

from django.db import migrations

ROLES = ("child", "deceased", "husband", "wife", "person", "parent", "guardian", "ward")
MAX_WORDS = 8
AGENCY = "repeat('0', greatest(0, 5 - length(s.agency_id::text))) || s.agency_id::text"
ROLE_NUMBER = "CASE s.role " + " ".join(f"WHEN '{r}' THEN {i}" for i, r in enumerate(ROLES))
SEPARATORS = "''\u2019-"
EMPTY = "'{}'::text[]"


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def _parent(role: str) -> str:
    return (
        "(SELECT x.name_folded FROM civil_civilparty x "
        f"WHERE x.record_id = r.id AND x.role = '{role}')"
    )


def _doc(*, words: bool) -> str:
    parts = [
        f"civil_search_suffixes({AGENCY}, '{kind}', {name})"
        for kind, name in (
            ("s", "s.name_folded"),
            ("m", _parent("mother")),
            ("f", _parent("father")),
        )
    ]
    if words:
        parts.append(
            f"CASE WHEN s.birth_year IS NULL THEN {EMPTY} ELSE civil_search_words("
            f"{AGENCY}, 'Y' || s.birth_year::text, s.name_folded) END"
        )
    return (
        " || ".join(parts) + f" || ARRAY[{AGENCY} || 'e' || replace(r.event, '_', ''),"
        f" {AGENCY} || 'b' || r.book_id::text]"
        f" || CASE WHEN s.birth_year IS NULL THEN {EMPTY}"
        f" ELSE ARRAY[{AGENCY} || 'y' || s.birth_year::text] END"
        f" || CASE WHEN s.date_of_birth IS NULL THEN {EMPTY}"
        f" ELSE ARRAY[{AGENCY} || 'd' || to_char(s.date_of_birth, 'YYYYMMDD')] END"
    )


def _index_function(*, words: bool) -> str:
    return f"""CREATE OR REPLACE FUNCTION civil_search_index(ids bigint[]) RETURNS void
        LANGUAGE sql AS $$
        DELETE FROM civil_search WHERE record_id = ANY(ids);
        INSERT INTO civil_search (key, agency_id, record_id, doc)
        SELECT ((r.registered_on - DATE '1800-01-01')::bigint << 40) | (r.id << 4)
                   | {ROLE_NUMBER} END,
               s.agency_id, r.id, array_to_tsvector({_doc(words=words)})
        FROM civil_civilparty s JOIN civil_civilrecord r ON r.id = s.record_id
        WHERE s.record_id = ANY(ids) AND s.role IN {_in(ROLES)};
    $$"""


REINDEX = "SELECT civil_search_index(ARRAY(SELECT id FROM civil_civilrecord ORDER BY id))"

# The ids of the ``wanted`` newest entries of ``agency`` before entry key ``bound`` whose rows
# match ``query``, three ways in one statement. The planner alone walks the newest rows well
# when the tokens are common, and keeps walking far too long when they are rare or belong to
# older entries (a year of birth does: its matches sit years back); so it looks first. The
# newest ``short`` rows are tested one by one: when they hold ``wanted`` entries, that is the
# answer (every newer row was looked at). When they hold at least ``enough``, matches are
# common enough to walk on, up to ``long`` rows. Otherwise (or when that was not enough) the
# GIN index names every matching row, and those are sorted ("+ 0" keeps the B-tree out).
# PostgreSQL evaluates each count once, and only when a branch's condition needs it. EXECUTE
# plans the statement with the values of this call.
FIND = """CREATE FUNCTION civil_search_find(
        agency bigint, query tsquery, bound bigint, wanted integer, short integer,
        long integer, enough integer
    ) RETURNS SETOF bigint LANGUAGE plpgsql STABLE SET jit = off ROWS 50 AS $fn$
    BEGIN
        RETURN QUERY EXECUTE $q$
        WITH short AS MATERIALIZED (
            SELECT DISTINCT ON (entry) record_id FROM (
                SELECT key >> 4 AS entry, record_id, doc FROM civil_search
                WHERE agency_id = $1 AND (key >> 4) < $3 ORDER BY key >> 4 DESC LIMIT $5
            ) newest WHERE doc @@ $2 ORDER BY entry DESC LIMIT $4),
        long AS MATERIALIZED (
            SELECT DISTINCT ON (entry) record_id FROM (
                SELECT key >> 4 AS entry, record_id, doc FROM civil_search
                WHERE agency_id = $1 AND (key >> 4) < $3 ORDER BY key >> 4 DESC LIMIT $6
            ) newest WHERE doc @@ $2 ORDER BY entry DESC LIMIT $4),
        older AS (
            SELECT DISTINCT ON ((key >> 4) + 0) record_id FROM civil_search
            WHERE agency_id = $1 AND doc @@ $2 AND (key >> 4) < $3
            ORDER BY (key >> 4) + 0 DESC LIMIT $4)
        SELECT record_id FROM short WHERE (SELECT count(*) FROM short) >= $4
        UNION ALL
        SELECT record_id FROM long WHERE (SELECT count(*) FROM short) < $4
            AND (SELECT count(*) FROM short) >= $7 AND (SELECT count(*) FROM long) >= $4
        UNION ALL
        SELECT record_id FROM older WHERE (SELECT count(*) FROM short) < $4
            AND ((SELECT count(*) FROM short) < $7 OR (SELECT count(*) FROM long) < $4)
        $q$ USING agency, query, bound, wanted, short, long, enough;
    END
    $fn$"""
POSTGRES_FORWARD = [
    f"""CREATE FUNCTION civil_search_words(agency text, kind text, name text)
        RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT COALESCE(array_agg(DISTINCT agency || kind || w.word), {EMPTY})
        FROM unnest((regexp_split_to_array(
                 btrim(translate(COALESCE(name, ''), '{SEPARATORS}', '   ')), ' +'))[1:{MAX_WORDS}]
             ) AS w(word)
        WHERE w.word <> ''
    $$""",
    _index_function(words=True),
    REINDEX,
    FIND,
]
POSTGRES_BACKWARD = [
    "DROP FUNCTION IF EXISTS civil_search_find(bigint, tsquery, bigint, integer, integer, "
    "integer, integer)",
    _index_function(words=False),
    REINDEX,
    "DROP FUNCTION IF EXISTS civil_search_words(text, text, text)",
]


def _run(statements: list[str]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("civil", "0004_digitising")]

    operations = [migrations.RunPython(_run(POSTGRES_FORWARD), _run(POSTGRES_BACKWARD))]
