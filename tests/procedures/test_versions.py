"""Versions of the internal procedure: a draft (at most one, no number, never used by dossiers),
published into the next number and made current; dossiers keep the version they were received
with. Every refusal changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from tests.dossiers.world import build_world, receive, vn
from tests.factories import staff
from xaso.core.errors import InvalidInput, NotFound, PermissionDenied
from xaso.core.models import AuditEntry
from xaso.dossiers import services as dossier_services
from xaso.procedures.models import Procedure, ProcedureStep, ProcedureVersion
from xaso.procedures.services import (
    version_draft_discard,
    version_draft_publish,
    version_draft_save,
    version_publish,
)

pytestmark = pytest.mark.django_db

LIMIT_24H = "1.004837"  # 3 working days = 24 working hours
MARITAL = "1.004873"  # 3 working days, the procedure of the dossier tests
SAME_DAY = "1.001193"  # same day, 15:00 cut-off
STEPS = [
    ("Tiếp nhận hồ sơ", "reception", 2, True),
    ("Thẩm định", "specialist", 14, True),
    ("Ký duyệt", "leader", 4, True),
    ("Vào số, đóng dấu", "clerk", 4, True),
    ("Trả kết quả", "reception", None, False),
]


@pytest.fixture
def admin(catalogue):
    return staff(roles=("admin",))


def versions(code: str) -> list[tuple[int | None, str, bool, bool, str]]:
    return list(
        ProcedureVersion.objects.filter(procedure__code=code)
        .order_by(F("number").asc(nulls_first=True))
        .values_list("number", "status", "is_current", "is_template", "basis")
    )


def steps_of(version: ProcedureVersion) -> list[tuple[int, str, str, int | None, bool]]:
    return [(s.order, s.name, s.role, s.hours, s.counted) for s in version.steps.order_by("order")]


def state() -> tuple[object, ...]:
    return (
        list(
            ProcedureVersion.objects.order_by("pk").values_list(
                "procedure__code", "number", "status", "is_current", "basis"
            )
        ),
        list(ProcedureStep.objects.order_by("pk").values_list("version_id", "order", "hours")),
        AuditEntry.objects.count(),
    )


def test_draft_saved_replaced_and_published(admin):
    p = Procedure.objects.get(code=LIMIT_24H)
    draft = version_draft_save(
        actor=admin,
        procedure=p,
        valid_from=date(2026, 1, 1),
        basis=" QĐ  1/QĐ-UBND ",
        steps=STEPS[:2],
    )
    assert (draft.number, draft.status, draft.is_current, draft.basis) == (
        None,
        "draft",
        False,
        "QĐ 1/QĐ-UBND",
    )
    # Saved again: the same draft, its steps replaced.
    again = version_draft_save(
        actor=admin, procedure=p, valid_from=date(2026, 1, 1), basis="QĐ 1/QĐ-UBND", steps=STEPS
    )
    assert again.pk == draft.pk
    assert steps_of(again) == [(i, *s) for i, s in enumerate(STEPS, 1)]
    assert versions(LIMIT_24H) == [
        (None, "draft", False, False, "QĐ 1/QĐ-UBND"),
        (
            1,
            "published",
            True,
            True,
            "Quy trình mẫu chung (tỉnh thay bằng quy trình nội bộ đã ban hành)",
        ),
    ]
    published = version_draft_publish(actor=admin, procedure=p)
    assert published.pk == draft.pk
    assert (published.number, published.status, published.is_current) == (2, "published", True)
    assert published.published_by == admin
    assert timezone.now() - published.published_at < timedelta(minutes=1)
    assert [v[:3] for v in versions(LIMIT_24H)] == [(1, "published", False), (2, "published", True)]
    actions = list(
        AuditEntry.objects.filter(action__startswith="procedure.version")
        .order_by("seq")
        .values_list("action", "changes")
    )
    assert actions == [
        ("procedure.version_draft", {"draft": ["new", 2], "basis": [None, "QĐ 1/QĐ-UBND"]}),
        ("procedure.version_draft", {"draft": ["saved", 5], "basis": [None, "QĐ 1/QĐ-UBND"]}),
        (
            "procedure.version_publish",
            {"version": [None, 2], "basis": [None, "QĐ 1/QĐ-UBND"], "hours": [None, 24]},
        ),
    ]


@pytest.mark.parametrize(
    ("steps", "basis", "valid_from", "fields"),
    [
        (
            STEPS[:3],
            "QĐ 2",
            date(2026, 1, 1),
            {
                "steps": [
                    "Tổng số giờ các bước (20 giờ) phải bằng thời hạn giải quyết (24 giờ làm việc)."
                ]
            },
        ),
        (
            STEPS,
            "  ",
            date(2026, 1, 1),
            {"basis": ["Cần ghi quyết định ban hành quy trình nội bộ."]},
        ),
        (
            STEPS,
            "QĐ 2",
            "tomorrow",
            {
                "valid_from": [
                    "Ngày áp dụng {day} chưa đến: chỉ ban hành từ ngày đó, để hồ sơ tiếp nhận "
                    "trước ngày đó vẫn theo quy trình cũ."
                ]
            },
        ),
        (
            [STEPS[4], *STEPS[:4]],
            "QĐ 2",
            date(2026, 1, 1),
            {"steps": ["Các bước không tính vào thời hạn (trả kết quả) phải ở cuối quy trình."]},
        ),
        (
            [("Tiếp nhận", "reception", None, True), *STEPS[1:]],
            "QĐ 2",
            date(2026, 1, 1),
            {"steps": ["Bước 1: cần số giờ làm việc (thủ tục có thời hạn 24 giờ làm việc)."]},
        ),
        (
            [(s[0], s[1], s[2], False) for s in STEPS],
            "QĐ 2",
            date(2026, 1, 1),
            {"steps": ["Quy trình phải có ít nhất một bước tính vào thời hạn giải quyết."]},
        ),
    ],
    ids=["hours-short", "no-basis", "future", "return-first", "hours-missing", "none-counted"],
)
def test_a_draft_that_breaks_a_rule_is_not_published(admin, steps, basis, valid_from, fields):
    p = Procedure.objects.get(code=LIMIT_24H)
    if valid_from == "tomorrow":
        valid_from = timezone.localdate() + timedelta(days=1)
        fields = {"valid_from": [fields["valid_from"][0].format(day=f"{valid_from:%d/%m/%Y}")]}
    version_draft_save(actor=admin, procedure=p, valid_from=valid_from, basis=basis, steps=steps)
    before = state()
    with pytest.raises(InvalidInput) as caught:
        version_draft_publish(actor=admin, procedure=p)
    assert caught.value.fields == fields
    assert caught.value.message == [m for ms in fields.values() for m in ms][0]
    assert state() == before
    # version_publish (at once) refuses the same, and leaves no draft of its own.
    with pytest.raises(InvalidInput) as caught:
        version_publish(actor=admin, procedure=p, valid_from=valid_from, basis=basis, steps=steps)
    assert caught.value.fields == fields
    assert state() == before


def test_several_problems_are_listed_together(admin):
    p = Procedure.objects.get(code=LIMIT_24H)
    with pytest.raises(InvalidInput) as caught:
        version_publish(
            actor=admin, procedure=p, valid_from=date(2026, 1, 1), basis="", steps=STEPS[:1]
        )
    assert caught.value.message == "Quy trình nội bộ chưa ban hành được."
    assert caught.value.fields == {
        "basis": ["Cần ghi quyết định ban hành quy trình nội bộ."],
        "steps": ["Tổng số giờ các bước (2 giờ) phải bằng thời hạn giải quyết (24 giờ làm việc)."],
    }


def test_same_day_procedure_fits_in_one_working_day(admin):
    p = Procedure.objects.get(code=SAME_DAY)
    with pytest.raises(InvalidInput) as caught:
        version_publish(
            actor=admin,
            procedure=p,
            valid_from=date(2026, 1, 1),
            basis="QĐ 3",
            steps=[("Tiếp nhận", "reception", 2, True), ("Giải quyết", "specialist", 7, True)],
        )
    assert caught.value.message == (
        "Thủ tục giải quyết trong ngày: tổng số giờ các bước (9 giờ) vượt quá 8 giờ."
    )
    v = version_publish(
        actor=admin,
        procedure=p,
        valid_from=date(2026, 1, 1),
        basis="QĐ 3",
        steps=[("Tiếp nhận", "reception", 2, True), ("Giải quyết", "specialist", 4, True)],
    )
    assert (v.number, v.is_current) == (2, True)


@pytest.mark.parametrize(
    ("steps", "problems"),
    [
        ([], ["Quy trình nội bộ phải có ít nhất một bước."]),
        ([("  ", "reception", 1, True)], ["Bước 1: thiếu tên công việc."]),
        (
            [("Quản trị duyệt", "admin", 1, True)],
            ["Bước 1: vai trò “admin” không thực hiện được bước xử lý hồ sơ."],
        ),
        ([("Thẩm định", "specialist", -1, True)], ["Bước 1: số giờ phải là số nguyên không âm."]),
    ],
)
def test_an_unreadable_draft_is_not_saved(admin, steps, problems):
    p = Procedure.objects.get(code=LIMIT_24H)
    before = state()
    with pytest.raises(InvalidInput) as caught:
        version_draft_save(
            actor=admin, procedure=p, valid_from=date(2026, 1, 1), basis="QĐ", steps=steps
        )
    assert caught.value.fields == {"steps": problems}
    assert state() == before


def test_only_administrators(catalogue):
    p = Procedure.objects.get(code=LIMIT_24H)
    officer = staff(roles=("reception", "leader"))
    before = state()
    for call in (
        lambda: version_draft_save(
            actor=officer, procedure=p, valid_from=date(2026, 1, 1), basis="QĐ", steps=STEPS
        ),
        lambda: version_draft_publish(actor=officer, procedure=p),
        lambda: version_draft_discard(actor=officer, procedure=p),
        lambda: version_publish(
            actor=officer, procedure=p, valid_from=date(2026, 1, 1), basis="QĐ", steps=STEPS
        ),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert state() == before


def test_discard_and_nothing_to_publish(admin):
    p = Procedure.objects.get(code=LIMIT_24H)
    with pytest.raises(NotFound) as caught:
        version_draft_publish(actor=admin, procedure=p)
    assert caught.value.message == f"Thủ tục {LIMIT_24H} không có bản nháp quy trình."
    version_draft_save(
        actor=admin, procedure=p, valid_from=date(2026, 1, 1), basis="QĐ", steps=STEPS
    )
    version_draft_discard(actor=admin, procedure=p)
    assert versions(LIMIT_24H) == [
        (
            1,
            "published",
            True,
            True,
            "Quy trình mẫu chung (tỉnh thay bằng quy trình nội bộ đã ban hành)",
        )
    ]
    entry = AuditEntry.objects.filter(action="procedure.version_draft_discard").get()
    assert entry.changes == {"draft": [5, None]}
    with pytest.raises(NotFound):
        version_draft_discard(actor=admin, procedure=p)


def test_publishing_at_once_leaves_the_draft_for_later(admin):
    p = Procedure.objects.get(code=LIMIT_24H)
    version_draft_save(
        actor=admin, procedure=p, valid_from=date(2026, 2, 1), basis="QĐ nháp", steps=STEPS
    )
    direct = version_publish(
        actor=admin, procedure=p, valid_from=date(2026, 1, 1), basis="QĐ 1", steps=STEPS
    )
    assert direct.number == 2
    later = version_draft_publish(actor=admin, procedure=p)
    assert [v[:3] for v in versions(LIMIT_24H)] == [
        (1, "published", False),
        (2, "published", False),
        (3, "published", True),
    ]
    assert later.basis == "QĐ nháp"


def test_dossiers_keep_the_version_they_were_received_with(db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    w = build_world()
    admin = staff(roles=("admin",), agency_obj=w.a)
    p = Procedure.objects.get(code=MARITAL)
    old = receive(w)  # received with the template (version 1)
    new_steps = [
        ("Tiếp nhận", "reception", 2, True),
        ("Thẩm định hồ sơ", "specialist", 18, True),
        ("Lãnh đạo ký", "leader", 4, True),
        ("Trả kết quả", "reception", None, False),
    ]
    version_draft_save(
        actor=admin, procedure=p, valid_from=date(2026, 1, 1), basis="QĐ 9", steps=new_steps
    )
    received_during_draft = receive(w)
    v2 = version_draft_publish(actor=admin, procedure=p)
    newer = receive(w)
    assert [d.procedure_version.number for d in (old, received_during_draft, newer)] == [1, 1, 2]
    assert newer.procedure_version == v2 and newer.current_step.name == "Tiếp nhận"

    # The old dossier goes on through version 1's steps and budgets.
    at = vn(2026, 9, 10, 10, 30)
    d = dossier_services.dossier_assign(actor=w.all_a, dossier=old, assignee=w.specialist, at=at)
    assert (d.current_step.version.number, d.current_step.name, d.current_step.hours) == (
        1,
        "Thẩm định, xử lý và dự thảo kết quả",
        12,
    )
    d2 = dossier_services.dossier_assign(actor=w.all_a, dossier=newer, assignee=w.specialist, at=at)
    assert (d2.current_step.version.number, d2.current_step.name, d2.current_step.hours) == (
        2,
        "Thẩm định hồ sơ",
        18,
    )
