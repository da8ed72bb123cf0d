"""The audit chain: appends, the canonical form, and every kind of tampering named by
``audit_verify``; the database triggers and the ORM guards; concurrent appends."""

from __future__ import annotations

import importlib
import threading
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from tests.factories import agency, staff
from xaso.core import audit
from xaso.core.audit import GENESIS, VerifyResult, audit_record, audit_verify, diff, entry_hash
from xaso.core.context import RequestMeta, reset_request_meta, set_request_meta
from xaso.core.models import AuditEntry, AuditHead

TRIGGERS = importlib.import_module("xaso.core.migrations.0003_audit_append_only_triggers")


@contextmanager
def triggers_off():
    """Let a test play the attacker who edits the table behind the application's back.

    PostgreSQL: ``DISABLE TRIGGER USER`` inside the test transaction (rolled back with it).
    SQLite has no way to disable a trigger, so drop it and create it again afterwards."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE core_auditentry DISABLE TRIGGER USER")
            cur.execute("ALTER TABLE core_audithead DISABLE TRIGGER USER")
        else:
            for sql in TRIGGERS.SQLITE_DROP:
                cur.execute(sql)
    try:
        yield
    finally:
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                cur.execute("ALTER TABLE core_auditentry ENABLE TRIGGER USER")
                cur.execute("ALTER TABLE core_audithead ENABLE TRIGGER USER")
            else:
                for sql in TRIGGERS.SQLITE_CREATE:
                    cur.execute(sql)


def sql(statement: str, params: list[Any] | None = None) -> int:
    with connection.cursor() as cur:
        cur.execute(statement, params)
        return cur.rowcount


def hashes() -> dict[int, str]:
    return dict(AuditEntry.objects.order_by("seq").values_list("seq", "hash"))


def build_chain(n: int = 6) -> dict[int, str]:
    actor = staff(roles=("admin",), username="quantri")
    for i in range(1, n + 1):
        audit_record(
            actor=actor,
            action="staff.update",
            object_type="org.staff",
            object_id=str(i),
            object_repr=f"Cán bộ số {i}",
            changes={"title": ["Công chức", f"Chức vụ {i}"]},
        )
    return hashes()


def shift_up_from(seq: int) -> None:
    """Renumber entries seq.. one up, from the top down so ``seq`` stays unique."""
    for s in sorted(hashes(), reverse=True):
        if s >= seq:
            sql("UPDATE core_auditentry SET seq = %s WHERE seq = %s", [s + 1, s])


def forge(seq: int, prev_hash: str, **fields: Any) -> str:
    """Insert a row computed exactly as audit_record would (the algorithm is public)."""
    row = {
        "seq": seq,
        "at": datetime(2026, 11, 28, 3, 4, 5, 678901, tzinfo=UTC),
        "actor_id": None,
        "actor_username": "ke_gia_mao",
        "agency_code": "H99.01",
        "action": "staff.delete",
        "object_type": "org.staff",
        "object_id": "99",
        "object_repr": "Giả mạo",
        "client_address": "10.0.0.66",
        "channel": "web",
        "changes": {},
        "prev_hash": prev_hash,
        **fields,
    }
    digest = entry_hash(row)
    sql(
        "INSERT INTO core_auditentry (seq, at, actor_id, actor_username, agency_code, action,"
        " object_type, object_id, object_repr, client_address, channel, changes, prev_hash, hash)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        [
            row["seq"],
            row["at"] if connection.vendor == "postgresql" else "2026-11-28 03:04:05.678901",
            row["actor_id"],
            row["actor_username"],
            row["agency_code"],
            row["action"],
            row["object_type"],
            row["object_id"],
            row["object_repr"],
            row["client_address"],
            row["channel"],
            "{}",
            row["prev_hash"],
            digest,
        ],
    )
    return digest


# --- appending and the canonical form ------------------------------------------------------


@pytest.mark.django_db
def test_chain_stays_intact_over_many_appends_by_several_actors():
    home = agency(code="H25.38.21", name="UBND xã Thạch Khoán")
    actors = [
        staff(agency_obj=home, roles=("admin",), username="hang", full_name="Nguyễn Thị Hằng"),
        staff(agency_obj=home, roles=("reception",), username="duc", full_name="Trần Văn Đức"),
        staff(roles=("leader",), username="lanh_dao"),
    ]
    nested = {
        "địa_chỉ": {"xã": "Thạch Khoán", "thôn": ["Đồng Bục", "Gò Chè"], "số": 7},
        "z_last": None,
        "a_first": True,
        "ghi chú": "Họ tên: Nguyễn Thị Hằng — “đã xác minh” 🇻🇳",
        "nfd": "Nguye\u0302\u0303n",
        "money": Decimal("1250000.50"),
        "sinh": date(1990, 2, 28),
        "lúc": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        "big": 1e16,
        "ratio": 0.1,
        "one": 1.0,
        "ints": (1, 2, 3),
        "tags": frozenset({"b", "a"}),
    }
    token = set_request_meta(RequestMeta(client_address="192.168.1.20", channel="web"))
    try:
        for i in range(60):
            audit_record(
                actor=actors[i % 3],
                action=f"test.action_{i % 4}",
                object_type="thử.nghiệm",
                object_id=f"HS-{i:03d}",
                object_repr=f"Hồ sơ của bà Nguyễn Thị Hằng số {i}",
                changes={**nested, "i": i} if i % 2 else diff({"a": 1}, {"a": i, "b": "Đ"}),
            )
    finally:
        reset_request_meta(token)
    last = AuditEntry.objects.get(seq=60)
    assert audit_verify() == VerifyResult(True, 60, head_seq=60, head_hash=last.hash)
    assert AuditHead.objects.get().seq == 60
    assert AuditHead.objects.get().hash == last.hash
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == list(
        range(1, 61)
    )
    first = AuditEntry.objects.get(seq=1)
    assert first.prev_hash == GENESIS
    assert (first.actor_username, first.agency_code, first.client_address, first.channel) == (
        "hang",
        "H25.38.21",
        "192.168.1.20",
        "web",
    )
    assert first.changes == {"a": [1, 0], "b": [None, "Đ"]}
    stored = AuditEntry.objects.get(seq=2).changes
    assert stored == {
        "địa_chỉ": {"xã": "Thạch Khoán", "thôn": ["Đồng Bục", "Gò Chè"], "số": 7},
        "z_last": None,
        "a_first": True,
        "ghi chú": "Họ tên: Nguyễn Thị Hằng — “đã xác minh” 🇻🇳",
        "nfd": "Nguye\u0302\u0303n",
        "money": "1250000.50",
        "sinh": "1990-02-28",
        "lúc": "2026-01-02T03:04:05+00:00",
        "big": 10000000000000000,
        "ratio": 0.1,
        "one": 1,
        "ints": [1, 2, 3],
        "tags": ["a", "b"],
        "i": 1,
    }
    # Each entry, read back from the database, hashes to what was stored when it was written.
    for row in AuditEntry.objects.values(*audit.HASHED_FIELDS, "hash"):
        assert entry_hash(row) == row["hash"]


def test_canonical_form_is_fixed():
    """The canonical bytes are the contract with anyone who re-checks the chain by other means:
    sorted keys, compact UTF-8 JSON, ``at`` in UTC with microseconds, integral floats as ints."""
    from zoneinfo import ZoneInfo

    entry = AuditEntry(
        seq=7,
        at=datetime(2026, 3, 1, 8, 0, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
        actor_id=3,
        actor_username="hang",
        agency_code="H25.38.21",
        action="staff.update",
        object_type="org.staff",
        object_id="5",
        object_repr="Nguyễn Thị Hằng",
        client_address="10.1.2.3",
        channel="web",
        changes={"b": [1.0, 2.5], "a": {"y": None, "x": "Đ"}},
        prev_hash="a" * 64,
    )
    assert audit._canonical(entry).decode() == (
        '{"action":"staff.update","actor_id":3,"actor_username":"hang",'
        '"agency_code":"H25.38.21","at":"2026-03-01T01:00:00.000000Z",'
        '"changes":{"a":{"x":"Đ","y":null},"b":[1,2.5]},"channel":"web",'
        '"client_address":"10.1.2.3","object_id":"5","object_repr":"Nguyễn Thị Hằng",'
        '"object_type":"org.staff","prev_hash":"' + "a" * 64 + '","seq":7}'
    )
    as_row = {f: getattr(entry, f) for f in audit.HASHED_FIELDS}
    as_row["at"] = datetime(2026, 3, 1, 1, 0, 0, tzinfo=UTC)
    as_row["changes"] = {"a": {"x": "Đ", "y": None}, "b": [1, 2.5]}
    assert entry_hash(as_row) == entry_hash(entry)


@pytest.mark.django_db
def test_text_that_postgresql_cannot_store_is_cleaned_and_cut_before_hashing():
    entry = audit_record(
        actor=None,
        action="test.dirty",
        object_type="x" * 80,
        object_id="nul\x00here",
        object_repr="r" * 300,
        changes={"k\x00": "lone \ud800 surrogate", "n": float("nan")},
    )
    stored = AuditEntry.objects.get(seq=entry.seq)
    assert stored.object_type == "x" * 64
    assert stored.object_id == "nul\ufffdhere"
    assert stored.object_repr == "r" * 255
    assert stored.changes == {"k\ufffd": "lone \ufffd surrogate", "n": "nan"}
    assert stored.channel == "cli"
    assert audit_verify().ok is True


@pytest.mark.django_db
def test_record_takes_type_id_and_repr_from_the_object():
    clerk = staff(roles=("clerk",), username="van_thu", full_name="Lê Văn Thư")
    entry = audit_record(actor=clerk, action="staff.update", obj=clerk, changes={})
    assert (entry.object_type, entry.object_id, entry.object_repr) == (
        "org.staff",
        str(clerk.public_id),
        "Lê Văn Thư",
    )
    assert (entry.actor_id, entry.actor_username, entry.agency_code) == (
        clerk.pk,
        "van_thu",
        clerk.agency.code,
    )


@pytest.mark.django_db
def test_an_append_rolls_back_with_the_transaction_that_made_it():
    build_chain(2)
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=None, action="test.rolled_back")
        raise RuntimeError("the service failed")
    assert AuditHead.objects.get().seq == 2
    assert audit_record(actor=None, action="test.after").seq == 3
    assert audit_verify().ok is True


# --- tampering ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_edited_field_is_named():
    h = build_chain(6)
    with triggers_off():
        assert sql("UPDATE core_auditentry SET object_repr = 'Đã sửa' WHERE seq = 3") == 1
    assert audit_verify() == VerifyResult(
        False, 2, 3, "nội dung mục #3 đã bị sửa sau khi ghi", audit.EDITED, 2, h[2]
    )


@pytest.mark.django_db
def test_edited_changes_json_is_named():
    h = build_chain(6)
    with triggers_off():
        sql("""UPDATE core_auditentry SET changes = '{"title": ["A", "B"]}' WHERE seq = 5""")
    assert audit_verify() == VerifyResult(
        False, 4, 5, "nội dung mục #5 đã bị sửa sau khi ghi", audit.EDITED, 4, h[4]
    )


@pytest.mark.django_db
def test_edit_with_its_hash_recomputed_is_caught_by_the_next_entry():
    h = build_chain(6)
    row = AuditEntry.objects.filter(seq=3).values(*audit.HASHED_FIELDS).get()
    row["object_repr"] = "Đã sửa"
    with triggers_off():
        sql(
            "UPDATE core_auditentry SET object_repr = %s, hash = %s WHERE seq = 3",
            ["Đã sửa", entry_hash(row)],
        )
    assert audit_verify() == VerifyResult(
        False,
        2,
        3,
        "mục #3 đã bị sửa hoặc thay thế: mục #4 không còn nối tiếp nó",
        audit.EDITED,
        2,
        h[2],
    )


@pytest.mark.django_db
def test_edited_last_entry_with_recomputed_hash_disagrees_with_the_head():
    h = build_chain(4)
    row = AuditEntry.objects.filter(seq=4).values(*audit.HASHED_FIELDS).get()
    row["action"] = "staff.view"
    with triggers_off():
        sql(
            "UPDATE core_auditentry SET action = %s, hash = %s WHERE seq = 4",
            ["staff.view", entry_hash(row)],
        )
    assert audit_verify() == VerifyResult(
        False, 3, 4, "mục #4 không khớp mã băm lưu ở đầu chuỗi", audit.EDITED, 3, h[3]
    )


@pytest.mark.django_db
def test_deleted_middle_entry_is_named():
    h = build_chain(6)
    with triggers_off():
        assert sql("DELETE FROM core_auditentry WHERE seq = 3") == 1
    assert audit_verify() == VerifyResult(False, 2, 3, "mục #3 đã bị xóa", audit.DELETED, 2, h[2])


@pytest.mark.django_db
def test_several_deleted_entries_are_named():
    h = build_chain(6)
    with triggers_off():
        assert sql("DELETE FROM core_auditentry WHERE seq IN (2, 3, 4)") == 3
    assert audit_verify() == VerifyResult(
        False, 1, 2, "các mục #2 đến #4 đã bị xóa", audit.DELETED, 1, h[1]
    )


@pytest.mark.django_db
def test_deleted_last_entries_disagree_with_the_head():
    h = build_chain(6)
    with triggers_off():
        assert sql("DELETE FROM core_auditentry WHERE seq >= 5") == 2
    assert audit_verify() == VerifyResult(
        False,
        4,
        5,
        "các mục sau mục #4 đã bị xóa (đầu chuỗi là mục #6)",
        audit.DELETED,
        4,
        h[4],
    )


@pytest.mark.django_db
def test_everything_deleted_but_the_head_is_noticed():
    build_chain(3)
    with triggers_off():
        sql("DELETE FROM core_auditentry")
    assert audit_verify() == VerifyResult(
        False,
        0,
        1,
        "các mục sau mục #0 đã bị xóa (đầu chuỗi là mục #3)",
        audit.DELETED,
        0,
        GENESIS,
    )


@pytest.mark.django_db
def test_swapped_entries_are_named_as_reordered():
    h = build_chain(6)
    with triggers_off():
        sql("UPDATE core_auditentry SET seq = 1000 WHERE seq = 2")
        sql("UPDATE core_auditentry SET seq = 2 WHERE seq = 5")
        sql("UPDATE core_auditentry SET seq = 5 WHERE seq = 1000")
    assert audit_verify() == VerifyResult(
        False, 1, 2, "mục đang mang số #2 vốn là mục #5", audit.REORDERED, 1, h[1]
    )


@pytest.mark.django_db
def test_swapped_neighbours_are_named_as_reordered():
    h = build_chain(6)
    with triggers_off():
        sql("UPDATE core_auditentry SET seq = 1000 WHERE seq = 3")
        sql("UPDATE core_auditentry SET seq = 3 WHERE seq = 4")
        sql("UPDATE core_auditentry SET seq = 4 WHERE seq = 1000")
    assert audit_verify() == VerifyResult(
        False, 2, 3, "mục đang mang số #3 vốn là mục #4", audit.REORDERED, 2, h[2]
    )


@pytest.mark.django_db
def test_forged_entry_inserted_in_the_middle_is_named():
    h = build_chain(6)
    with triggers_off():
        shift_up_from(4)
        forge(4, prev_hash=h[3])
    assert audit_verify() == VerifyResult(
        False,
        3,
        4,
        "mục #4 được chèn vào giữa hai mục liền nhau của chuỗi",
        audit.INSERTED,
        3,
        h[3],
    )


@pytest.mark.django_db
def test_clumsy_forged_entry_in_the_middle_is_named_as_inserted():
    h = build_chain(6)
    with triggers_off():
        shift_up_from(4)
        forge(4, prev_hash="f" * 64)
    assert audit_verify() == VerifyResult(
        False,
        3,
        4,
        "mục #4 được chèn vào giữa hai mục liền nhau của chuỗi",
        audit.INSERTED,
        3,
        h[3],
    )


@pytest.mark.django_db
def test_forged_entry_appended_behind_the_head_is_named():
    h = build_chain(6)
    forge(7, prev_hash=h[6])  # a plain INSERT: no trigger refuses it, the chain notices it
    assert audit_verify() == VerifyResult(
        False,
        6,
        7,
        "mục #7 nằm sau đầu chuỗi (mục #6): được chèn ngoài hệ thống",
        audit.INSERTED,
        6,
        h[6],
    )


@pytest.mark.django_db
def test_written_down_hash_catches_a_rewritten_chain():
    h = build_chain(4)
    assert audit_verify(anchors={2: h[2], 4: h[4]}).ok is True
    assert audit_verify(anchors={3: "0" * 63 + "1"}) == VerifyResult(
        False, 2, 3, "mục #3 không khớp mã băm đã ghi lại", audit.EDITED, 2, h[2]
    )
    assert audit_verify(anchors={9: h[4]}) == VerifyResult(
        False, 4, 9, "mục #9 đã được ghi lại nhưng không còn trong chuỗi", audit.DELETED, 4, h[4]
    )


@pytest.mark.django_db
def test_missing_head_row_is_noticed():
    build_chain(2)
    with triggers_off():
        sql("DELETE FROM core_audithead")
    assert audit_verify() == VerifyResult(
        False, 0, 1, "đầu chuỗi (bảng AuditHead) đã bị xóa", audit.HEAD_MISSING, 0, GENESIS
    )


@pytest.mark.django_db
def test_empty_trail_verifies():
    assert audit_verify() == VerifyResult(True, 0, head_seq=0, head_hash=GENESIS)


@pytest.mark.django_db
def test_verify_reads_in_bounded_chunks(django_assert_num_queries):
    h = build_chain(10)
    # One read of the head, then pages of 3, 3, 3 and 1 entries.
    with django_assert_num_queries(5):
        result = audit_verify(chunk_size=3)
    assert result == VerifyResult(True, 10, head_seq=10, head_hash=h[10])
    # A break found across a page boundary names the same entry.
    with triggers_off():
        sql("DELETE FROM core_auditentry WHERE seq = 7")
    assert audit_verify(chunk_size=3) == VerifyResult(
        False, 6, 7, "mục #7 đã bị xóa", audit.DELETED, 6, h[6]
    )


# --- the database and the ORM refuse changes -----------------------------------------------


@pytest.mark.django_db
def test_triggers_are_installed():
    if connection.vendor == "postgresql":
        query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY tgname"
        expected = ["core_audithead_forward_only", "core_auditentry_no_update_delete"]
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
        expected = ["core_audithead_forward_only", "core_auditentry_no_update"]
    with connection.cursor() as cur:
        cur.execute(query)
        names = [r[0] for r in cur.fetchall()]
    assert sorted(n for n in names if n.startswith("core_audit")) == sorted(expected)


@pytest.mark.django_db
def test_database_refuses_update():
    h = build_chain(2)
    with pytest.raises(IntegrityError, match="append-only: UPDATE"), transaction.atomic():
        sql("UPDATE core_auditentry SET object_repr = 'x' WHERE seq = 1")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        sql("UPDATE core_auditentry SET seq = seq + 10")
    assert hashes() == h
    assert audit_verify().ok is True


@pytest.mark.django_db
def test_database_refuses_delete_on_postgresql_only():
    h = build_chain(3)
    if connection.vendor == "postgresql":
        with pytest.raises(IntegrityError, match="append-only: DELETE"), transaction.atomic():
            sql("DELETE FROM core_auditentry WHERE seq = 2")
        assert hashes() == h
        assert audit_verify().ok is True
    else:
        # SQLite: Django's flush deletes rows, so deletion is left to verification to catch.
        assert sql("DELETE FROM core_auditentry WHERE seq = 2") == 1
        assert audit_verify().kind == audit.DELETED


@pytest.mark.django_db
def test_database_keeps_the_head_moving_forward_only():
    h = build_chain(3)
    with pytest.raises(IntegrityError, match="forward"), transaction.atomic():
        sql("UPDATE core_audithead SET seq = 1, hash = %s", [h[1]])
    with pytest.raises(IntegrityError, match="forward"), transaction.atomic():
        sql("UPDATE core_audithead SET hash = %s", ["e" * 64])
    if connection.vendor == "postgresql":
        with pytest.raises(IntegrityError, match="forward"), transaction.atomic():
            sql("DELETE FROM core_audithead")
    assert (AuditHead.objects.get().seq, AuditHead.objects.get().hash) == (3, h[3])


@pytest.mark.django_db
def test_orm_refuses_changes():
    build_chain(2)
    entry = AuditEntry.objects.get(seq=1)
    entry.object_repr = "x"
    with pytest.raises(TypeError, match="append-only"):
        entry.save()
    with pytest.raises(TypeError, match="append-only"):
        entry.delete()
    with pytest.raises(TypeError, match="append-only"):
        AuditEntry.objects.filter(seq=1).update(object_repr="x")
    with pytest.raises(TypeError, match="append-only"):
        AuditEntry.objects.all().delete()
    with pytest.raises(TypeError, match="append-only"):
        AuditEntry.objects.bulk_update([entry], ["object_repr"])
    with pytest.raises(TypeError, match="one at a time"):
        AuditEntry.objects.bulk_create([AuditEntry(seq=3)])
    assert AuditEntry.objects.get(seq=1).object_repr == "Cán bộ số 1"
    assert audit_verify().ok is True


# --- concurrency ----------------------------------------------------------------------------


@pytest.fixture
def four_actors(transactional_db):
    return [staff(roles=("reception",), username=f"nguoi{i}") for i in range(4)]


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_make_one_gapless_valid_chain(four_actors, file_database):
    actors = four_actors
    per_thread = 10
    barrier = threading.Barrier(len(actors))
    errors: list[BaseException] = []

    def work(actor: Any) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                with transaction.atomic():
                    audit_record(actor=actor, action="test.concurrent", object_id=str(i))
        except BaseException as exc:  # reported below, in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(a,)) for a in actors]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    total = per_thread * len(actors)
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == list(
        range(1, total + 1)
    )
    by_actor = {
        a.username: AuditEntry.objects.filter(actor_username=a.username).count() for a in actors
    }
    assert by_actor == {a.username: per_thread for a in actors}
    last = AuditEntry.objects.get(seq=total)
    assert audit_verify() == VerifyResult(True, total, head_seq=total, head_hash=last.hash)
    assert AuditHead.objects.get().seq == total


@pytest.fixture
def chain_of_five(transactional_db):
    return build_chain(5)


@pytest.mark.django_db(transaction=True)
def test_verify_while_others_append_sees_a_valid_prefix(chain_of_five, file_database):
    stop = threading.Event()
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            while not stop.is_set():
                with transaction.atomic():
                    audit_record(actor=None, action="test.background")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        results = [audit_verify(chunk_size=2) for _ in range(5)]
    finally:
        stop.set()
        thread.join()
    assert errors == []
    assert [r.ok for r in results] == [True] * 5
    assert all(r.checked >= 5 for r in results)
    final = audit_verify()
    assert final.ok is True
    assert final.checked == AuditHead.objects.get().seq
