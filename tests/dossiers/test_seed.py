"""`xaso seed --dossiers N`: synthetic volume whose every row obeys the rules real intake and the
workflow obey — gapless codes with matching counters, statuses matching their events, due dates
from the working-day clock, valid personal IDs — deterministic for a seed, refused without the
demo."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from xaso.core.audit import audit_verify
from xaso.core.models import AuditEntry
from xaso.core.text import fold, validate_personal_id
from xaso.dossiers import services, timing
from xaso.dossiers.models import (
    Dossier,
    DossierChecklistItem,
    DossierCodeCounter,
    DossierEvent,
    Status,
)
from xaso.dossiers.seeding import SeedRefused, dossiers_seed
from xaso.dossiers.services.workflow import TRANSITIONS
from xaso.org.demo import demo_load
from xaso.org.models import Staff
from xaso.people.models import Person

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 9, 10, 16, 0, tzinfo=VN)  # a Thursday
RECEIVING = ["H25.37.01", "H25.38.21", "H25.54.01"]


@pytest.fixture
def demo(db: None, settings) -> None:
    # The demo's civil status registers add people of their own; these tests count the seed's.
    # (test_seeding_beside_the_civil_demo seeds next to them.)
    settings.XASO_DEMO_CIVIL_PER_AGENCY = 0
    demo_load(password="Demo-Phu-Tho-2026")


def seed(count: int = 200, **kw: object) -> object:
    kw.setdefault("days", 30)
    kw.setdefault("seed", 7)
    return dossiers_seed(count=count, now=NOW, batch_size=64, **kw)  # type: ignore[arg-type]


def check_codes_and_counters() -> dict[tuple[str, str], int]:
    """Every (agency, day) holds the codes 1..n with no gap, and its counter says n."""
    seqs: dict[tuple[str, str], list[int]] = defaultdict(list)
    for code, agency, received in Dossier.objects.values_list(
        "code", "receiving_agency__code", "received_at"
    ):
        day = timezone.localtime(received, VN).date()
        prefix = f"{agency}-{day:%y%m%d}-"
        assert code.startswith(prefix), code
        assert len(code) == len(prefix) + 4
        seqs[(agency, day.isoformat())].append(int(code[len(prefix) :]))
    for key, numbers in seqs.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), key
    counters = {
        (agency, day.isoformat()): last
        for agency, day, last in DossierCodeCounter.objects.values_list(
            "agency__code", "day", "last"
        )
    }
    assert counters == {k: len(v) for k, v in seqs.items()}
    return counters


def snapshot() -> list[tuple[object, ...]]:
    return list(
        Dossier.objects.order_by("code").values_list(
            "code",
            "status",
            "channel",
            "procedure__code",
            "received_at",
            "due_at",
            "applicant__family_name",
            "applicant__middle_name",
            "applicant__given_name",
            "applicant__personal_id",
        )
    )


def test_seed_counts_codes_and_counters(demo: None) -> None:
    audit_before = AuditEntry.objects.count()
    result = seed()
    assert (result.count, result.agencies) == (200, ["H25.38.21", "H25.37.01", "H25.54.01"])  # type: ignore[attr-defined]
    assert (str(result.first_day), str(result.last_day)) == ("2026-08-12", "2026-09-10")  # type: ignore[attr-defined]
    assert Dossier.objects.count() == 200
    assert Dossier.objects.values("code").distinct().count() == 200
    assert set(Dossier.objects.values_list("receiving_agency__code", flat=True)) == set(RECEIVING)
    counters = check_codes_and_counters()
    assert sum(counters.values()) == 200
    assert Person.objects.count() == result.people  # type: ignore[attr-defined]
    assert DossierEvent.objects.count() == result.events  # type: ignore[attr-defined]
    # Every dossier ticks every document of its procedure.
    for d in Dossier.objects.prefetch_related("checklist", "procedure__documents"):
        assert [c.order for c in d.checklist.all()] == [
            doc.order for doc in d.procedure.documents.all()
        ]
    assert DossierChecklistItem.objects.filter(originals=0, copies=0).count() == 0
    # One audit entry for the run, and the chain still verifies.
    entries = list(AuditEntry.objects.filter(seq__gt=audit_before).order_by("seq"))
    assert [(e.action, e.changes["count"], e.changes["synthetic"]) for e in entries] == [
        ("dossier.seed", 200, True)
    ]
    assert audit_verify().ok


def test_seed_statuses_match_their_events(demo: None) -> None:
    seed()
    statuses = Counter(Dossier.objects.values_list("status", flat=True))
    # Most returned, some pending in every state, a few refused or withdrawn.
    assert statuses == {
        Status.RETURNED: 174,
        Status.IN_PROCESSING: 14,
        Status.RESULT_READY: 4,
        Status.WITHDRAWN: 3,
        Status.REFUSED: 2,
        Status.AWAITING_SUPPLEMENT: 2,
        Status.APPROVED: 1,
    }
    events = defaultdict(list)
    for e in DossierEvent.objects.order_by("at", "pk"):
        events[e.dossier_id].append(e)
    allowed = {(s, a): r.to for (s, a), r in TRANSITIONS.items()}
    for d in Dossier.objects.select_related("current_step"):
        chain = events[d.pk]
        assert chain[0].action == "receive" and chain[0].from_status == ""
        assert chain[0].at == d.received_at
        assert chain[0].data["synthetic"] is True
        for before, after in zip(chain, chain[1:], strict=False):
            assert after.from_status == before.to_status
            assert after.at >= before.at
        for e in chain[1:]:
            to = allowed[(e.from_status, e.action)]
            assert e.to_status == (to if to is not None else e.from_status), (d.code, e.action)
        assert all(e.at <= NOW for e in chain)
        assert chain[-1].to_status == d.status
        assert d.initial_due_at == d.statutory_due_at or d.supplement_paused_seconds > 0
        assert d.due_at >= d.statutory_due_at
        if d.status == Status.RETURNED:
            assert d.received_at <= d.result_ready_at <= d.returned_at <= NOW
            assert d.finished_at == d.result_ready_at
            assert (d.assignee_id, d.step_due_at) == (None, None)
        elif d.status == Status.RESULT_READY:
            assert d.result_ready_at is not None and d.returned_at is None
        elif d.status == Status.REFUSED:
            assert d.refusal_reason and d.finished_at is not None and d.returned_at is None
        elif d.status == Status.WITHDRAWN:
            assert d.withdrawal_reason and d.finished_at is not None
        elif d.status == Status.AWAITING_SUPPLEMENT:
            assert d.supplement_requested_at is not None and d.supplement_received_at is None
            assert d.supplement_missing and d.supplement_count == 1
        else:
            assert d.finished_at is None and d.returned_at is None
        if d.status in (Status.RECEIVED, Status.IN_PROCESSING):
            assert d.assignee_id is not None and d.current_step is not None
        if d.supplement_received_at is not None:
            assert d.supplement_paused_seconds > 0 and d.supplement_missing == []
        if d.apologized_at is not None:
            assert d.apologized_at < d.statutory_due_at < d.due_at


def test_seed_due_dates_come_from_the_working_day_clock(demo: None) -> None:
    seed()
    for d in Dossier.objects.select_related("procedure", "receiving_agency"):
        due = timing.appointment(
            procedure=d.procedure, received_at=d.received_at, agency=d.receiving_agency
        )
        assert (d.counted_from, d.initial_due_at) == (due.counted_from, due.due_at), d.code


def test_seed_applicants_have_valid_personal_ids(demo: None) -> None:
    seed()
    people = list(Person.objects.all())
    assert len(people) >= 100
    for p in people:
        info = validate_personal_id(
            p.personal_id, date_of_birth=p.date_of_birth, sex=p.sex, today=NOW.date()
        )
        assert info.sex == p.sex
        assert p.name_folded == fold(p.full_name)
        assert p.family_name and p.given_name and len(p.phone) == 10
    pairs = Person.objects.values_list("agency_id", "personal_id")
    assert len(set(pairs)) == len(people)
    # Some applicants come back with another dossier.
    assert Dossier.objects.values("applicant").distinct().count() < 200


def test_a_real_intake_after_seeding_takes_the_next_code(demo: None) -> None:
    seed()
    counter = DossierCodeCounter.objects.get(agency__code="H25.54.01", day=NOW.date())
    assert counter.last > 0
    dossier = services.dossier_receive(
        actor=Staff.objects.get(username="ttpvhcc.tiepnhan1"),
        procedure_code="1.004873",
        channel="counter",
        applicant={
            "full_name": "Nguyễn Văn Bình",
            "personal_id": "025090012345",
            "date_of_birth": "1990-05-17",
        },
        received_at=NOW - timedelta(minutes=30),
    )
    assert dossier.code == f"H25.54.01-260910-{counter.last + 1:04d}"
    check_codes_and_counters()


def test_seeding_again_continues_every_sequence(demo: None) -> None:
    seed(120)
    seed(80, seed=8)
    assert Dossier.objects.count() == 200
    check_codes_and_counters()
    pairs = Person.objects.values_list("agency_id", "personal_id")
    assert len(set(pairs)) == Person.objects.count()
    assert AuditEntry.objects.filter(action="dossier.seed").count() == 2


class Undo(Exception):
    pass


def test_same_seed_same_data(demo: None) -> None:
    with pytest.raises(Undo), transaction.atomic():
        seed()
        first = snapshot()
        raise Undo
    assert Dossier.objects.count() == Person.objects.count() == 0
    assert DossierCodeCounter.objects.count() == 0
    seed()
    assert len(first) == 200
    assert snapshot() == first


def test_another_seed_other_people(demo: None) -> None:
    with pytest.raises(Undo), transaction.atomic():
        seed()
        first = snapshot()
        raise Undo
    seed(seed=8)
    second = snapshot()
    assert [r[6:] for r in first] != [r[6:] for r in second]


def test_seed_one_agency(demo: None) -> None:
    seed(50, agency_code="H25.37.01")
    assert set(Dossier.objects.values_list("receiving_agency__code", flat=True)) == {"H25.37.01"}
    assert Dossier.objects.count() == 50
    with pytest.raises(SeedRefused) as exc:
        seed(5, agency_code="H25.54")
    assert exc.value.message == (
        "Cơ quan H25.54 không phải cơ quan tiếp nhận hồ sơ của dữ liệu minh họa "
        "(cần có cán bộ tiếp nhận, chuyên viên và lãnh đạo)."
    )


REFUSAL = (
    "Chưa có dữ liệu minh họa (cơ quan, cán bộ, danh mục thủ tục). Hãy chạy "
    "“xaso demo --password <mật khẩu>” trước khi tạo hồ sơ mẫu."
)


def test_seed_refused_without_the_demo() -> None:
    with pytest.raises(SeedRefused) as exc:
        seed(10)
    assert (exc.value.code, exc.value.message) == ("seed_refused", REFUSAL)
    with pytest.raises(CommandError) as cmd:
        call_command("seed", dossiers=10, stdout=StringIO())
    assert str(cmd.value) == REFUSAL
    assert Dossier.objects.count() == AuditEntry.objects.count() == 0


def test_seed_command_prints_progress(demo: None) -> None:
    out = StringIO()
    call_command("seed", dossiers=30, days=5, seed=3, batch=10, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "Tạo 30 hồ sơ mẫu (dữ liệu giả lập) trong 5 ngày gần đây, hạt giống 3 ..."
    assert [line.split()[0] for line in lines[1:4]] == ["10", "20", "30"]
    assert lines[-1].startswith("Đã tạo 30 hồ sơ, ")
    assert Dossier.objects.count() == 30


def test_seeding_beside_the_civil_demo(db: None, settings) -> None:
    """The demo's civil registers hold people of the same communes: the seed adds its own."""
    settings.XASO_DEMO_CIVIL_PER_AGENCY = 5
    demo_load(password="Demo-Phu-Tho-2026")
    before = Person.objects.count()
    assert before > 0
    result = seed(60)
    assert Dossier.objects.count() == 60
    assert Person.objects.count() == before + result.people  # type: ignore[attr-defined]
    assert sum(check_codes_and_counters().values()) == 60
