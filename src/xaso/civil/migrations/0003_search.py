"""The civil status search indexes (``selectors``, "Search").

SQLite: an FTS5 table ``civil_search`` with one row per subject party (the child, the deceased,
a spouse, ...). Its rowid orders the rows as the search lists them (registration day, entry,
role), so the newest matches come first without a sort. Its text is made of tokens, each
prefixed by the agency (5 digits) and a kind letter:

- ``s``: every word suffix of the subject's folded name, words joined by "_" ("nguyen_thi_hang",
  "thi_hang", "hang"): a phrase typed anywhere in the name is the prefix of one of them;
- ``m`` / ``f``: the same for the entry's mother's / father's name;
- ``e`` event, ``b`` book, ``y`` year of birth, ``d`` date of birth (yyyymmdd).

Prefix indexes for 1 to 11 characters after the agency and kind make a typed phrase one lookup.
Triggers on ``civil_civilparty`` and ``civil_civilrecord`` keep the table in step with every
write, whoever makes it — the services, the seeder, a digitised book, an amendment that renames
a person or a parent — by re-indexing the entry concerned.

PostgreSQL: a table ``civil_search`` with the same rows (key, agency, entry) and the same tokens
as a tsvector under a GIN index, kept by triggers (see ``POSTGRES_FORWARD``).

Each half does nothing on the other database. Role numbers, the key formula and the token
format are frozen here (a migration must not change with the code); ``selectors`` writes the
same ones.
"""

# ruff: noqa: S608 - every statement here is built from the constants of this file, no input.
from __future__ import annotations

from django.db import migrations

# SUBJECT_ROLES in the order of their number in the key (0-7), and the parents: frozen.
ROLES = ("child", "deceased", "husband", "wife", "person", "parent", "guardian", "ward")
PARENTS = ("mother", "father")
#: julianday('1800-01-01'): day 0 of the key.
EPOCH = "2378496.5"
#: Word suffixes indexed per name (a name of more words is found from its first eight).
MAX_WORDS = 8
#: Agency (5 digits) + kind letter + 1 to 11 characters of a phrase.
PREFIXES = " ".join(str(n) for n in range(7, 18))
APOSTROPHES = "'" + "\u2019"


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def _base(record: str) -> str:
    """The key of an entry without its role number (role numbers fill the low 4 bits)."""
    return (
        f"((CAST(julianday({record}.registered_on) - {EPOCH} AS INTEGER) << 40)"
        f" | ({record}.id << 4))"
    )


ROLE_NUMBER = "CASE s.role " + " ".join(f"WHEN '{r}' THEN {i}" for i, r in enumerate(ROLES))
KEY = f"({_base('r')} | {ROLE_NUMBER} END)"
AGENCY = "printf('%05d', s.agency_id)"


def _words(name: str) -> str:
    """Apostrophes and hyphens split words, as FTS5 and ``selectors.search_words`` do."""
    for char in (*APOSTROPHES, "-"):
        quoted = char.replace("'", "''")
        name = f"replace({name}, '{quoted}', ' ')"
    return name


def _suffixes(name: str, kind: str) -> str:
    """The tokens AGENCY || kind || suffix for each word suffix of a folded name."""
    chain = f"SELECT {_words(name)} AS n0"
    for k in range(1, MAX_WORDS):
        prev = f"n{k - 1}"
        cols = ", ".join(f"n{i}" for i in range(k))
        chain = (
            f"SELECT {cols}, CASE WHEN instr({prev}, ' ') > 0 "
            f"THEN substr({prev}, instr({prev}, ' ') + 1) END AS n{k} FROM ({chain})"
        )
    parts = " || ".join(
        f"CASE WHEN n{k} IS NULL OR n{k} = '' THEN '' "
        f"ELSE ' ' || {AGENCY} || '{kind}' || replace(n{k}, ' ', '_') END"
        for k in range(MAX_WORDS)
    )
    return f"COALESCE((SELECT {parts} FROM ({chain})), '')"


def _parent(role: str) -> str:
    return (
        "(SELECT x.name_folded FROM civil_civilparty x "
        f"WHERE x.record_id = s.record_id AND x.role = '{role}')"
    )


TAGS = (
    f"' ' || {AGENCY} || 'e' || replace(r.event, '_', '') || ' ' || {AGENCY} || 'b' || r.book_id"
    f" || CASE WHEN s.birth_year IS NULL THEN '' ELSE ' ' || {AGENCY} || 'y' || s.birth_year END"
    f" || CASE WHEN s.date_of_birth IS NULL THEN ''"
    f" ELSE ' ' || {AGENCY} || 'd' || replace(s.date_of_birth, '-', '') END"
)
DOC = (
    f"{_suffixes('s.name_folded', 's')} || {_suffixes(_parent('mother'), 'm')}"
    f" || {_suffixes(_parent('father'), 'f')} || {TAGS}"
)


def _insert(where: str) -> str:
    """Insert the rows of the subject parties ``s`` chosen by ``where``."""
    return (
        f"INSERT INTO civil_search(rowid, doc) SELECT {KEY}, {DOC} "
        f"FROM civil_civilparty s JOIN civil_civilrecord r ON r.id = s.record_id WHERE {where}"
    )


def _forget(record: str) -> str:
    """Delete the rows of entry ``record`` (a civil_civilrecord row), one rowid at a time.

    Why not a range or an IN list: FTS5 answers those by scanning, and every read of an FTS5
    table flushes what the transaction wrote to it so far; a point lookup is cheap."""
    return " ".join(
        f"DELETE FROM civil_search WHERE rowid = {_base(record)} | {i};" for i in range(len(ROLES))
    )


def _refresh(record_id: str) -> str:
    """Write again the rows of the subjects of entry ``record_id`` (its parents changed)."""
    record = f"(SELECT * FROM civil_civilrecord WHERE id = {record_id})"
    deletes = " ".join(
        f"DELETE FROM civil_search WHERE rowid = (SELECT {_base('q')} | {i} FROM {record} q);"
        for i in range(len(ROLES))
    )
    return f"{deletes} {_insert(f's.record_id = {record_id} AND s.role IN {_in(ROLES)}')};"


def _has_subjects(record_id: str) -> str:
    return (
        f"EXISTS (SELECT 1 FROM civil_civilparty y WHERE y.record_id = {record_id} "
        f"AND y.role IN {_in(ROLES)})"
    )


WATCHED = _in(ROLES + PARENTS)
SQLITE_FORWARD = [
    # detail=none: only the rowids are stored per token (no positions: none are queried);
    # tokenchars "_": words joined by "_" make one token.
    f"""CREATE VIRTUAL TABLE civil_search USING fts5(
        doc,
        tokenize = "unicode61 remove_diacritics 2 tokenchars '_'",
        prefix = '{PREFIXES}',
        detail = none
    )""",
    f"""{_insert(f"s.role IN {_in(ROLES)}")} ORDER BY 1""",
    # A new subject: its row, written without reading the table (a bulk load of parents then
    # subjects, as the seeder writes, never reads it).
    f"""CREATE TRIGGER civil_search_subject_insert AFTER INSERT ON civil_civilparty
        WHEN new.role IN {_in(ROLES)}
        BEGIN {_insert("s.id = new.id")}; END""",
    # A parent named after the subject (the services write the child first; a recognition adds
    # a father later): the subjects' rows again.
    f"""CREATE TRIGGER civil_search_parent_insert AFTER INSERT ON civil_civilparty
        WHEN new.role IN {_in(PARENTS)} AND {_has_subjects("new.record_id")}
        BEGIN {_refresh("new.record_id")} END""",
    f"""CREATE TRIGGER civil_search_party_update
        AFTER UPDATE OF name_folded, birth_year, date_of_birth, role, record_id, agency_id
        ON civil_civilparty
        WHEN new.role IN {WATCHED} OR old.role IN {WATCHED}
        BEGIN {_refresh("old.record_id")} {_refresh("new.record_id")} END""",
    f"""CREATE TRIGGER civil_search_party_delete AFTER DELETE ON civil_civilparty
        WHEN old.role IN {WATCHED}
        BEGIN {_refresh("old.record_id")} END""",
    f"""CREATE TRIGGER civil_search_record_update
        AFTER UPDATE OF registered_on, event, book_id, agency_id ON civil_civilrecord
        BEGIN {_forget("old")} {_refresh("new.id")} END""",
    # A record deleted before its parties (a test database being emptied) takes its rows along.
    f"""CREATE TRIGGER civil_search_record_delete AFTER DELETE ON civil_civilrecord
        BEGIN {_forget("old")} END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS civil_search_record_delete",
    "DROP TRIGGER IF EXISTS civil_search_record_update",
    "DROP TRIGGER IF EXISTS civil_search_party_delete",
    "DROP TRIGGER IF EXISTS civil_search_party_update",
    "DROP TRIGGER IF EXISTS civil_search_parent_insert",
    "DROP TRIGGER IF EXISTS civil_search_subject_insert",
    "DROP TABLE IF EXISTS civil_search",
]


# PostgreSQL: the same rows and tokens in a table, the tokens as a tsvector under a GIN index
# (lexemes taken as they are with array_to_tsvector: no parser, no stemming), and a B-tree on
# (agency, entry key) to walk the newest entries. Kept by triggers like SQLite's; a TRUNCATE of the
# parties or entries empties it; a transaction that sets xaso.search_deferred to 'on' (the
# seeder's batches) leaves the rows to civil_search_index(), which it calls itself.
PG_AGENCY = "repeat('0', greatest(0, 5 - length(s.agency_id::text))) || s.agency_id::text"
PG_ROLE_NUMBER = (
    "CASE s.role " + " ".join(f"WHEN '{r}' THEN {i}" for i, r in enumerate(ROLES)) + " END"
)
PG_SEPARATORS = APOSTROPHES.replace("'", "''") + "-"
PG_EMPTY = "'{}'::text[]"


def _pg_parent(role: str) -> str:
    return (
        "(SELECT x.name_folded FROM civil_civilparty x "
        f"WHERE x.record_id = r.id AND x.role = '{role}')"
    )


PG_DOC = (
    f"civil_search_suffixes({PG_AGENCY}, 's', s.name_folded)"
    f" || civil_search_suffixes({PG_AGENCY}, 'm', {_pg_parent('mother')})"
    f" || civil_search_suffixes({PG_AGENCY}, 'f', {_pg_parent('father')})"
    f" || ARRAY[{PG_AGENCY} || 'e' || replace(r.event, '_', ''),"
    f" {PG_AGENCY} || 'b' || r.book_id::text]"
    f" || CASE WHEN s.birth_year IS NULL THEN {PG_EMPTY}"
    f" ELSE ARRAY[{PG_AGENCY} || 'y' || s.birth_year::text] END"
    f" || CASE WHEN s.date_of_birth IS NULL THEN {PG_EMPTY}"
    f" ELSE ARRAY[{PG_AGENCY} || 'd' || to_char(s.date_of_birth, 'YYYYMMDD')] END"
)
POSTGRES_FORWARD = [
    """CREATE TABLE civil_search (
        key bigint PRIMARY KEY,
        agency_id bigint NOT NULL,
        record_id bigint NOT NULL,
        doc tsvector NOT NULL
    )""",
    "CREATE INDEX civil_search_agency_entry ON civil_search (agency_id, (key >> 4))",
    "CREATE INDEX civil_search_record ON civil_search (record_id)",
    "CREATE INDEX civil_search_doc ON civil_search USING gin (doc)",
    f"""CREATE FUNCTION civil_search_suffixes(agency text, kind text, name text)
        RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT COALESCE(array_agg(agency || kind || array_to_string(w[i:], '_') ORDER BY i),
                        {PG_EMPTY})
        FROM (SELECT regexp_split_to_array(
                  btrim(translate(name, '{PG_SEPARATORS}', '   ')), ' +') AS w
              WHERE btrim(COALESCE(name, '')) <> '') AS split,
             generate_subscripts(split.w, 1) AS i
        WHERE i <= {MAX_WORDS}
    $$""",
    f"""CREATE FUNCTION civil_search_index(ids bigint[]) RETURNS void LANGUAGE sql AS $$
        DELETE FROM civil_search WHERE record_id = ANY(ids);
        INSERT INTO civil_search (key, agency_id, record_id, doc)
        SELECT ((r.registered_on - DATE '1800-01-01')::bigint << 40) | (r.id << 4)
                   | {PG_ROLE_NUMBER},
               s.agency_id, r.id, array_to_tsvector({PG_DOC})
        FROM civil_civilparty s JOIN civil_civilrecord r ON r.id = s.record_id
        WHERE s.record_id = ANY(ids) AND s.role IN {_in(ROLES)};
    $$""",
    f"""CREATE FUNCTION civil_search_party_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF current_setting('xaso.search_deferred', true) = 'on' THEN
                RETURN NULL;
            END IF;
            IF TG_OP = 'INSERT' THEN
                IF NEW.role IN {WATCHED} THEN
                    PERFORM civil_search_index(ARRAY[NEW.record_id]);
                END IF;
            ELSIF TG_OP = 'DELETE' THEN
                IF OLD.role IN {WATCHED} THEN
                    PERFORM civil_search_index(ARRAY[OLD.record_id]);
                END IF;
            ELSIF NEW.role IN {WATCHED} OR OLD.role IN {WATCHED} THEN
                PERFORM civil_search_index(ARRAY[OLD.record_id, NEW.record_id]);
            END IF;
            RETURN NULL;
        END
    $$""",
    """CREATE FUNCTION civil_search_record_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                DELETE FROM civil_search WHERE record_id = OLD.id;
            ELSIF current_setting('xaso.search_deferred', true) IS DISTINCT FROM 'on' THEN
                PERFORM civil_search_index(ARRAY[OLD.id, NEW.id]);
            END IF;
            RETURN NULL;
        END
    $$""",
    """CREATE FUNCTION civil_search_emptied() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            TRUNCATE civil_search;
            RETURN NULL;
        END
    $$""",
    """CREATE TRIGGER civil_search_party
        AFTER INSERT OR DELETE
        OR UPDATE OF name_folded, birth_year, date_of_birth, role, record_id, agency_id
        ON civil_civilparty FOR EACH ROW EXECUTE FUNCTION civil_search_party_changed()""",
    """CREATE TRIGGER civil_search_record
        AFTER DELETE OR UPDATE OF registered_on, event, book_id, agency_id
        ON civil_civilrecord FOR EACH ROW EXECUTE FUNCTION civil_search_record_changed()""",
    """CREATE TRIGGER civil_search_party_truncate AFTER TRUNCATE ON civil_civilparty
        FOR EACH STATEMENT EXECUTE FUNCTION civil_search_emptied()""",
    """CREATE TRIGGER civil_search_record_truncate AFTER TRUNCATE ON civil_civilrecord
        FOR EACH STATEMENT EXECUTE FUNCTION civil_search_emptied()""",
    "SELECT civil_search_index(ARRAY(SELECT id FROM civil_civilrecord ORDER BY id))",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS civil_search_record_truncate ON civil_civilrecord",
    "DROP TRIGGER IF EXISTS civil_search_party_truncate ON civil_civilparty",
    "DROP TRIGGER IF EXISTS civil_search_record ON civil_civilrecord",
    "DROP TRIGGER IF EXISTS civil_search_party ON civil_civilparty",
    "DROP FUNCTION IF EXISTS civil_search_emptied()",
    "DROP FUNCTION IF EXISTS civil_search_record_changed()",
    "DROP FUNCTION IF EXISTS civil_search_party_changed()",
    "DROP FUNCTION IF EXISTS civil_search_index(bigint[])",
    "DROP FUNCTION IF EXISTS civil_search_suffixes(text, text, text)",
    "DROP TABLE IF EXISTS civil_search",
]


def _run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("civil", "0002_issued_documents")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
    ]
