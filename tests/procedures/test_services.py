"""Confirming missing values and publishing a province's internal procedure."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import staff
from xaso.core.errors import InvalidInput, PermissionDenied
from xaso.core.models import AuditEntry
from xaso.procedures.models import Procedure
from xaso.procedures.services import procedure_update, version_publish

pytestmark = pytest.mark.django_db


def test_confirm_time_limit_clears_flag_and_reshapes_template(catalogue):
    admin = staff(roles=("admin",))
    p = Procedure.objects.get(code="1.001022")
    procedure_update(actor=admin, procedure=p, time_limit_kind="working_days", time_limit_value=3)
    p.refresh_from_db()
    assert (p.time_limit_kind, p.time_limit_value, p.time_limit_cutoff_hour) == (
        "working_days",
        3,
        None,
    )
    assert p.needs_confirmation == ["fees", "online_level", "conditions"]
    current = p.versions.get(is_current=True)
    assert (current.number, current.is_template) == (2, True)
    assert [s.hours for s in current.steps.all()] == [4, 12, 8, 0]
    entry = AuditEntry.objects.get(action="procedure.update")
    assert entry.changes == {
        "time_limit_kind": ["unconfirmed", "working_days"],
        "time_limit_value": [None, 3],
    }


def test_update_refused_for_non_admin_changes_nothing(catalogue):
    officer = staff(roles=("reception", "leader"))
    p = Procedure.objects.get(code="1.001022")
    with pytest.raises(PermissionDenied) as caught:
        procedure_update(actor=officer, procedure=p, fee_amount_vnd=5000)
    assert caught.value.message == "Chỉ quản trị cơ quan được sửa danh mục thủ tục hành chính."
    p.refresh_from_db()
    assert p.fee_amount_vnd is None
    assert not AuditEntry.objects.filter(action="procedure.update").exists()


def test_update_rejects_bad_values(catalogue):
    admin = staff(roles=("admin",))
    p = Procedure.objects.get(code="1.001193")
    with pytest.raises(InvalidInput) as caught:
        procedure_update(actor=admin, procedure=p, time_limit_cutoff_hour=24, fee_amount_vnd=-1)
    assert caught.value.fields == {
        "time_limit_cutoff_hour": ["Giờ chốt phải là số nguyên từ 0 đến 23."],
        "fee_amount_vnd": ["Lệ phí phải là số đồng nguyên không âm."],
    }
    with pytest.raises(InvalidInput) as caught:
        procedure_update(actor=admin, procedure=p, name="Khác")
    assert caught.value.message == "Không sửa được trường: name."


def test_publish_internal_procedure(catalogue):
    admin = staff(roles=("admin",))
    p = Procedure.objects.get(code="1.004837")  # 3 working days = 24 h
    steps = [
        ("Tiếp nhận hồ sơ", "reception", 2, True),
        ("Thẩm định", "specialist", 14, True),
        ("Ký duyệt", "leader", 4, True),
        ("Vào số, đóng dấu", "clerk", 4, True),
        ("Trả kết quả", "reception", None, False),
    ]
    version = version_publish(
        actor=admin,
        procedure=p,
        valid_from=date(2026, 1, 1),
        basis="Quyết định 1/QĐ-UBND",
        steps=steps,
    )
    assert (version.number, version.is_current, version.is_template) == (2, True, False)
    assert [(s.order, s.role, s.hours) for s in version.steps.all()] == [
        (1, "reception", 2),
        (2, "specialist", 14),
        (3, "leader", 4),
        (4, "clerk", 4),
        (5, "reception", None),
    ]
    assert list(p.versions.filter(is_current=True)) == [version]
    with pytest.raises(InvalidInput) as caught:
        version_publish(
            actor=admin, procedure=p, valid_from=date(2026, 2, 1), basis="QĐ 2", steps=steps[:3]
        )
    assert caught.value.message == (
        "Tổng số giờ các bước (20 giờ) phải bằng thời hạn giải quyết (24 giờ làm việc)."
    )
    assert p.versions.count() == 2
