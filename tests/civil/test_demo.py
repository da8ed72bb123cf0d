"""The civil status demo: a few hundred entries per demo commune through the services, names
with every tone, Đ/đ and minority names without a middle name, past years' books closed, and a
second run changing nothing."""

from __future__ import annotations

import time
import unicodedata

import pytest

from xaso.civil.demo import civil_demo_load
from xaso.civil.models import CivilBook, CivilParty, CivilRecord
from xaso.core.audit import audit_verify
from xaso.core.text import fold
from xaso.org.demo import demo_load

pytestmark = pytest.mark.django_db

TONES = {"\u0300", "\u0309", "\u0303", "\u0301", "\u0323"}  # huyền, hỏi, ngã, sắc, nặng


def test_demo_registers_realistic_entries_once(settings):
    settings.XASO_DEMO_CIVIL_PER_AGENCY = 0  # the places and staff only: civil entries below
    demo_load(password="Demo-Phu-Tho-2026")
    started = time.perf_counter()
    counts = civil_demo_load(per_agency=120)
    elapsed = time.perf_counter() - started
    assert sorted(counts) == ["H25.37.01", "H25.38.21", "H25.54"]
    for code, by_kind in counts.items():
        assert sum(by_kind.values()) == 120, code
        assert by_kind["birth"] > by_kind["death"] > 0
        assert CivilRecord.objects.filter(agency__code=code).count() == 120
    # Communes merged on 1/7/2025 registered until then; Xã Thanh Sơn from then on.
    old = CivilRecord.objects.filter(agency__code="H25.38.21")
    assert max(old.values_list("registered_on", flat=True)).isoformat() < "2025-07-01"
    new = CivilRecord.objects.filter(agency__code="H25.54")
    assert min(new.values_list("registered_on", flat=True)).isoformat() >= "2025-07-01"
    # Past years' books are closed on 31 December with their totals.
    closed = CivilBook.objects.filter(agency__code="H25.38.21", year=2024)
    assert closed.exists()
    assert all(b.closed_on.isoformat() == "2024-12-31" for b in closed)
    assert all(b.total_entries == b.last_number for b in closed)
    # Entry numbers of each book run from 1 without a gap.
    for book in CivilBook.objects.all():
        numbers = sorted(book.records.values_list("entry_number", flat=True))
        assert numbers == list(range(1, book.last_number + 1))
    names = set(CivilParty.objects.values_list("full_name", flat=True))

    marks = {c for n in names for c in unicodedata.normalize("NFD", n)}
    assert marks >= TONES
    assert any(n.startswith("Đ") for n in names)  # Đặng, Đỗ, Đinh
    assert any("Đ" in n.split(" ", 1)[1] for n in names if " " in n)  # Văn Đức, Thị Đào
    no_middle = CivilParty.objects.filter(role="child", middle_name="").exclude(family_name="")
    assert no_middle.exists()
    assert all(fold(n) == fold(n).strip() for n in names)
    assert set(CivilRecord.objects.values_list("event", flat=True)) == {
        "birth",
        "death",
        "marriage",
        "marital_status",
        "parentage",
        "guardianship",
        "change",
        "foreign_record",
        "extract_copy",
    }
    assert CivilRecord.objects.filter(variant="re_registration").exists()
    assert CivilParty.objects.filter(added_by__isnull=False, role="father").exists()
    assert CivilRecord.objects.filter(event="birth", late=True).exists()
    assert CivilRecord.objects.filter(content__father_basis="marriage_on_record").exists()
    assert audit_verify().ok
    before = CivilRecord.objects.count()
    assert civil_demo_load(per_agency=120) == {}
    assert CivilRecord.objects.count() == before
    print(f"civil demo: {before} entries in {elapsed:.1f} s")
