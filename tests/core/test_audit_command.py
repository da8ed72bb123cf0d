"""``xaso audit verify`` and ``xaso audit tail``: output and exit status."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.core.test_audit_chain import build_chain, sql, triggers_off
from xaso.core.audit import GENESIS, audit_record
from xaso.core.models import AuditEntry


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("audit", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def fail(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("audit", *args, stdout=out, stderr=err)
    return exc.value.code, out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_verify_ok_prints_count_and_head_hash():
    h = build_chain(5)
    assert run("verify") == (f"OK: 5 mục, chuỗi toàn vẹn\nĐầu chuỗi: #5 {h[5]}\n", "")


@pytest.mark.django_db
def test_verify_empty_trail():
    assert run("verify") == (f"OK: 0 mục, chuỗi toàn vẹn\nĐầu chuỗi: #0 {GENESIS}\n", "")


@pytest.mark.django_db
def test_verify_names_an_edited_entry_and_exits_1():
    h = build_chain(5)
    with triggers_off():
        sql("UPDATE core_auditentry SET actor_username = 'khac' WHERE seq = 4")
    assert fail("verify", "--chunk-size", "2") == (
        1,
        "",
        "LỖI: chuỗi bị phá vỡ tại mục #4 (sửa): nội dung mục #4 đã bị sửa sau khi ghi\n"
        f"3 mục đầu còn toàn vẹn; mục cuối còn tin được: #3 {h[3]}\n",
    )


@pytest.mark.django_db
def test_verify_names_a_deleted_entry():
    h = build_chain(5)
    with triggers_off():
        sql("DELETE FROM core_auditentry WHERE seq = 2")
    assert fail("verify") == (
        1,
        "",
        "LỖI: chuỗi bị phá vỡ tại mục #2 (xóa): mục #2 đã bị xóa\n"
        f"1 mục đầu còn toàn vẹn; mục cuối còn tin được: #1 {h[1]}\n",
    )


@pytest.mark.django_db
def test_verify_names_reordered_entries():
    h = build_chain(5)
    with triggers_off():
        sql("UPDATE core_auditentry SET seq = 100 WHERE seq = 1")
        sql("UPDATE core_auditentry SET seq = 1 WHERE seq = 3")
        sql("UPDATE core_auditentry SET seq = 3 WHERE seq = 100")
    assert fail("verify") == (
        1,
        "",
        "LỖI: chuỗi bị phá vỡ tại mục #1 (đảo thứ tự): mục đang mang số #1 vốn là mục #3\n"
        f"0 mục đầu còn toàn vẹn; mục cuối còn tin được: #0 {GENESIS}\n",
    )
    assert h[1] != h[3]


@pytest.mark.django_db
def test_verify_with_anchor():
    h = build_chain(3)
    assert run("verify", "--anchor", f"2:{h[2]}", "--anchor", f"#3:{h[3].upper()}")[0] == (
        f"OK: 3 mục, chuỗi toàn vẹn\nĐầu chuỗi: #3 {h[3]}\n"
    )
    assert fail("verify", "--anchor", f"2:{h[3]}") == (
        1,
        "",
        "LỖI: chuỗi bị phá vỡ tại mục #2 (sửa): mục #2 không khớp mã băm đã ghi lại\n"
        f"1 mục đầu còn toàn vẹn; mục cuối còn tin được: #1 {h[1]}\n",
    )


@pytest.mark.django_db
def test_verify_refuses_a_malformed_anchor():
    with pytest.raises(CommandError, match="SỐ:MÃ_BĂM"):
        call_command("audit", "verify", "--anchor", "2:abc")


def test_a_subcommand_is_required():
    with pytest.raises(CommandError, match="subcommand"):
        call_command("audit")


@pytest.mark.django_db
def test_tail_prints_the_last_entries_oldest_first():
    build_chain(4)
    audit_record(actor=None, action="unit.load_current", object_type="administrative_unit")
    entries = {e.seq: e for e in AuditEntry.objects.all()}

    def when(seq: int) -> str:
        return timezone.localtime(entries[seq].at).strftime("%d/%m/%Y %H:%M:%S")

    out, err = run("tail", "-n", "2")
    assert err == ""
    assert out == (
        f"#4  {when(4)}  quantri  {entries[4].agency_code}  staff.update  org.staff:4  "
        "Cán bộ số 4  -  cli\n"
        f"#5  {when(5)}  -  -  unit.load_current  administrative_unit  -  -  cli\n"
    )
    assert run("tail")[0].count("\n") == 5
