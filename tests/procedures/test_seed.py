"""The shipped catalogue: counts, exact values of real procedures, what is marked unconfirmed."""

from __future__ import annotations

import json
from datetime import date

import pytest

from xaso.core.models import AuditEntry
from xaso.procedures.exchange import SEED_PATH, catalogue_load_seed
from xaso.procedures.models import (
    Procedure,
    ProcedureDocument,
    ProcedureFee,
    ProcedureStep,
    ProcedureVersion,
)
from xaso.procedures.steps import TEMPLATE_BASIS, split_hours, template_steps

pytestmark = pytest.mark.django_db


def test_seed_counts(catalogue):
    assert len(catalogue.created) == 60
    assert Procedure.objects.count() == 60
    by_field = {f: Procedure.objects.filter(field=f).count() for f in ("Hộ tịch", "Chứng thực")}
    assert by_field == {"Hộ tịch": 28, "Chứng thực": 12}
    assert ProcedureDocument.objects.count() == 304
    assert ProcedureFee.objects.count() == 156
    assert ProcedureVersion.objects.filter(is_current=True, is_template=True).count() == 60
    assert ProcedureStep.objects.count() == 240
    kinds = {
        k: Procedure.objects.filter(time_limit_kind=k).count()
        for k in ("working_days", "same_day_cutoff", "days", "unconfirmed", "working_hours")
    }
    assert kinds == {
        "working_days": 20,
        "same_day_cutoff": 8,
        "days": 7,
        "unconfirmed": 25,
        "working_hours": 0,
    }
    # vn-rules.md §3.2 civil status events the commune registers are all in the catalogue.
    for code in (
        "1.001193",
        "1.000656",
        "1.000894",
        "1.004873",
        "1.001022",
        "1.004837",
        "1.004859",
        "1.004884",
        "2.000635",
        "2.002516",
    ):
        assert Procedure.objects.filter(code=code).exists(), code


def test_birth_registration_exact(catalogue):
    p = Procedure.objects.get(code="1.001193")
    assert p.name == "Thủ tục đăng ký khai sinh"
    assert p.name_folded == "thu tuc dang ky khai sinh"
    assert p.field == "Hộ tịch"
    assert (p.time_limit_kind, p.time_limit_value, p.time_limit_cutoff_hour) == (
        "same_day_cutoff",
        0,
        15,
    )
    assert p.time_limit_hours == 8
    # Free on time; late registration at the provincial council's rate: the amount is not known.
    assert p.fee_amount_vnd is None
    assert p.fee_provincial_rate is True
    assert p.fee_exemptions == [
        "Miễn lệ phí đối với trường hợp khai sinh đúng hạn, người thuộc gia đình có công với cách "
        "mạng; người thuộc hộ nghèo; người khuyết tật. [nguồn phụ]"
    ]
    assert [(f.channel, f.as_written, f.amount) for f in p.fees.all()] == [
        ("Trực tuyến", "Miễn phí", 0),
        ("Dịch vụ bưu chính", "Miễn phí", 0),
        ("Trực tiếp", "Miễn phí", 0),
    ]
    assert p.online_level == "full"
    assert p.results == [{"name": "Giấy khai sinh", "code": "KQ.G15.000031"}]
    assert p.submission_channels == ["Trực tuyến", "Dịch vụ bưu chính", "Trực tiếp"]
    assert p.source_url == (
        "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/019d2bfd-3fe0-70ac-b9d6-5e9e20d6eef7"
    )
    docs = list(p.documents.all())
    assert len(docs) == 8
    assert (docs[3].kind, docs[3].original_or_copy, docs[3].count_original, docs[3].count_copy) == (
        "submit",
        "original",
        1,
        0,
    )
    assert docs[3].name.startswith("Giấy chứng sinh;")
    assert [d.kind for d in docs].count("present") == 2
    assert p.needs_confirmation == ["fees", "implementing_agency", "conditions"]
    version = p.versions.get(is_current=True)
    assert (version.number, version.is_template, version.basis) == (1, True, TEMPLATE_BASIS)
    assert [(s.order, s.role, s.hours, s.counted) for s in version.steps.all()] == [
        (1, "reception", 1, True),
        (2, "specialist", 5, True),
        (3, "leader", 2, True),
        (4, "reception", 0, False),
    ]


def test_certification_of_copies_exact(catalogue):
    p = Procedure.objects.get(code="2.000815")
    assert p.field == "Chứng thực"
    assert (p.time_limit_kind, p.time_limit_value, p.time_limit_cutoff_hour) == (
        "same_day_cutoff",
        0,
        15,
    )
    assert p.time_limit_extra["extension_for_complex_requests"] == {
        "kind": "working_days",
        "value": 2,
    }
    assert p.time_limit_extra["secondary"]["repository"] == "nguyentruongsonn/e-ward"
    assert p.fee_amount_vnd == 2000
    assert [(f.amount, f.currency, f.per) for f in p.fees.all()] == [
        (2000, "VND", "trang"),
        (10, "USD", "bản"),
    ]
    assert "fees" not in p.needs_confirmation
    assert "time_limit" not in p.needs_confirmation


def test_working_days_procedure_and_its_template_budget(catalogue):
    p = Procedure.objects.get(code="1.004837")  # đăng ký giám hộ
    assert (p.time_limit_kind, p.time_limit_value, p.time_limit_cutoff_hour) == (
        "working_days",
        3,
        None,
    )
    assert p.time_limit_hours == 24
    assert p.fee_amount_vnd == 0
    steps = list(p.versions.get(is_current=True).steps.all())
    assert [(s.role, s.hours) for s in steps] == [
        ("reception", 4),
        ("specialist", 12),
        ("leader", 8),
        ("reception", 0),
    ]
    assert sum(s.hours for s in steps if s.counted) == 24


def test_days_kept_apart_from_working_days(catalogue):
    p = Procedure.objects.get(code="1.011607")
    assert (p.time_limit_kind, p.time_limit_value) == ("days", 15)
    assert p.time_limit_hours is None
    steps = list(p.versions.get(is_current=True).steps.all())
    assert [s.hours for s in steps] == [None, None, None, None]


def test_nulls_in_source_are_marked_not_invented(catalogue):
    p = Procedure.objects.get(code="1.001022")  # nhận cha, mẹ, con: the source gives no limit unit
    assert (p.time_limit_kind, p.time_limit_value, p.time_limit_cutoff_hour) == (
        "unconfirmed",
        None,
        None,
    )
    assert p.time_limit_by_channel[0] == {
        "channel": "Trực tuyến",
        "as_written": "3",
        "normalized": None,
    }
    assert p.implementing_agency == "Ủy ban Nhân dân xã, phường, thị trấn."
    assert p.needs_confirmation == ["time_limit", "fees", "online_level", "conditions"]
    assert Procedure.objects.get(code="2.000942").needs_confirmation.count("results") == 1
    unconfirmed = Procedure.objects.filter(time_limit_kind="unconfirmed").count()
    flagged = sum(
        "time_limit" in x for x in Procedure.objects.values_list("needs_confirmation", flat=True)
    )
    assert unconfirmed == flagged == 25
    online_unknown = sum(
        "online_level" in x for x in Procedure.objects.values_list("needs_confirmation", flat=True)
    )
    assert online_unknown == 57


def test_loading_twice_changes_nothing(catalogue):
    before_audit = AuditEntry.objects.count()
    stamps = dict(Procedure.objects.values_list("code", "updated_at"))
    again = catalogue_load_seed()
    assert (len(again.created), len(again.updated), len(again.unchanged)) == (0, 0, 60)
    assert AuditEntry.objects.count() == before_audit
    assert dict(Procedure.objects.values_list("code", "updated_at")) == stamps
    assert ProcedureVersion.objects.count() == 60


def test_first_load_is_audited(db):
    catalogue_load_seed()
    entry = AuditEntry.objects.get(action="procedure.catalogue_import")
    assert entry.object_repr == "Nhập danh mục: 60 mới, 0 sửa"
    assert len(entry.changes["created"][1]) == 60


def test_seed_file_is_the_shared_reference():
    shipped = json.loads(SEED_PATH.read_text(encoding="utf-8"))
    assert len(shipped) == 60
    assert len({r["code"] for r in shipped}) == 60


@pytest.mark.parametrize(
    ("total", "split"),
    [
        (8, (1, 5, 2)),
        (16, (1, 13, 2)),
        (24, (4, 12, 8)),
        (168, (4, 156, 8)),
        (4, (1, 1, 2)),
        (2, (0, 2, 0)),
    ],
)
def test_template_budget_sums_to_limit(total, split):
    assert split_hours(total) == split
    assert sum(s.hours or 0 for s in template_steps(total) if s.counted) == total


def test_template_version_dated_today(catalogue):
    from django.utils import timezone

    assert set(ProcedureVersion.objects.values_list("valid_from", flat=True)) == {
        timezone.localdate()
    }
    assert isinstance(timezone.localdate(), date)
