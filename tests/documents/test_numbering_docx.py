"""Numbering an uploaded DOCX draft writes "Số: 05/QĐ-UBND" and the date into the drafter's own
blanks of the Decree 30/2020/NĐ-CP header (Appendix I §II.3), whatever runs Word split them into;
the numbered DOCX is a new version (the uploaded one stays) and is what the leader signs, so the
signed PDF shows the number. A DOCX with no "Số:" label, or already numbered, is refused in
Vietnamese and no number is taken (numbering is gapless)."""

from __future__ import annotations

import io
import subprocess
import zipfile
from datetime import date

import docx
import pytest
from django.test import Client
from django.utils import timezone

from tests.documents.world import World, bearer, draft, draft_docx, state
from xaso.core.models import AuditEntry
from xaso.documents import services
from xaso.documents.drafting.types import date_words
from xaso.documents.errors import DocxNotStampable
from xaso.documents.models import DocumentRegister, OutgoingDocument
from xaso.documents.services import docx_stamping
from xaso.documents.services.files import DOCX
from xaso.signing.verify import verify_pdf

ON = date(2026, 1, 5)


def paragraphs(data: bytes) -> list[docx.text.paragraph.Paragraph]:
    d = docx.Document(io.BytesIO(data))
    cells = [c for t in d.tables for row in t.rows for c in row.cells]
    return [p for c in cells for p in c.paragraphs] + list(d.paragraphs)


def texts(data: bytes) -> list[str]:
    return [p.text for p in paragraphs(data)]


def written(data: bytes, *, number: str = "05", on: date = ON) -> bytes:
    prepared = docx_stamping.prepare(data)
    return docx_stamping.stamp(
        prepared, number=number, notation="QĐ-UBND", place="Thạch Khoán", on=on
    ).docx


# --- Writing into the DOCX (no database) -------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        ("Số: ", "........", "/QĐ-UBND"),
        ("S", "ố", ": ..", "......", "/QĐ-UBND"),  # split inside the label and the blanks
        ("Số:", "\t\t", "/QĐ-UBND"),
        ("Số: ____", "___/QĐ-UBND"),
        ("Số:\u00a0", "…………", "/QĐ-UBND"),
        ("Số:/QĐ-UBND",),
    ],
)
def test_the_number_replaces_the_blanks_between_label_and_notation(number):
    out = written(draft_docx(number=number))
    assert "Số: 05/QĐ-UBND" in texts(out)
    assert "ngày" not in " ".join(texts(out)[:3])  # the date did not go into the number line


def test_a_bare_label_gets_the_whole_number_and_notation():
    for number in (("Số:",), ("Số: ", "............"), ("SỐ:", " _____ ")):
        out = written(draft_docx(number=number))
        assert f"{number[0].strip()} 05/QĐ-UBND" in texts(out), number


def test_the_number_takes_the_labels_run_formatting():
    # The label's run is 13 pt, the blanks' and the notation's 11 pt: the number is set like the
    # label, the run that held only blanks goes, the notation's run is untouched.
    out = written(draft_docx(number=("Số: ", "......", "/QĐ-UBND")))
    line = next(p for p in paragraphs(out) if p.text.startswith("Số:"))
    assert [(r.text, r.font.size.pt) for r in line.runs] == [
        ("Số: 05", 13.0),
        ("/QĐ-UBND", 11.0),
    ]
    out = written(draft_docx(number=("Số: .", "...", "..../QĐ-UBND")))
    line = next(p for p in paragraphs(out) if p.text.startswith("Số:"))
    assert [(r.text, r.font.size.pt) for r in line.runs] == [
        ("Số: 05", 13.0),
        ("/QĐ-UBND", 11.0),
    ]


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2026, 1, 5), "ngày 05 tháng 01 năm 2026"),
        (date(2026, 2, 28), "ngày 28 tháng 02 năm 2026"),
        (date(2026, 3, 9), "ngày 09 tháng 3 năm 2026"),
        (date(2026, 11, 20), "ngày 20 tháng 11 năm 2026"),
    ],
)
def test_the_date_line_is_filled_by_the_decree_30_rule(on, expected):
    assert date_words(on) == expected
    out = written(draft_docx(), on=on)
    assert f"Thạch Khoán, {expected}" in texts(out)


@pytest.mark.parametrize(
    "date_line",
    [
        ("Thạch Khoán, ngày ", "....", " tháng ", "....", " năm ", "...."),
        ("Thạch Khoán, ng", "ày … th", "áng … n", "ăm 20…"),
        ("Thạch Khoán, ngày    tháng    năm    ",),
        ("Thạch Khoán, ngày ", "__", " tháng ", "__", " năm ", "2026"),  # the year typed
    ],
)
def test_the_date_blanks_are_filled_across_runs(date_line):
    out = written(draft_docx(date_line=date_line))
    assert "Thạch Khoán, ngày 05 tháng 01 năm 2026" in texts(out)
    line = next(p for p in paragraphs(out) if p.text.startswith("Thạch Khoán"))
    assert all(r.italic for r in line.runs)  # the runs keep their formatting


def test_a_dated_line_is_kept_and_a_missing_one_goes_under_the_motto():
    dated = draft_docx(date_line=("Thạch Khoán, ngày 20 tháng 11 năm 2026",))
    prepared = docx_stamping.prepare(dated)
    assert prepared.date_at == "present"
    out = written(dated)
    assert "Thạch Khoán, ngày 20 tháng 11 năm 2026" in texts(out)
    assert "ngày 05 tháng 01" not in " ".join(texts(out))

    undated = draft_docx(date_line=())
    assert docx_stamping.prepare(undated).date_at == "header"
    out = written(undated)
    cell = texts(out)
    motto = cell.index("Độc lập - Tự do - Hạnh phúc")
    assert cell[motto + 1] == "Thạch Khoán, ngày 05 tháng 01 năm 2026"
    added = paragraphs(out)[motto + 1].runs[0]
    assert added.italic and not added.bold


def test_number_and_date_on_one_line():
    # A header typed on one line with tabs, not as a table.
    d = docx.Document()
    p = d.add_paragraph()
    for text in ("Số: ...", "....../QĐ-UBND\t\tThạch Khoán, ng", "ày .... tháng ", ".... năm ...."):
        p.add_run(text)
    d.add_paragraph("Độc lập - Tự do - Hạnh phúc")
    out = io.BytesIO()
    d.save(out)
    assert texts(written(out.getvalue()))[0] == (
        "Số: 05/QĐ-UBND\t\tThạch Khoán, ngày 05 tháng 01 năm 2026"
    )


def test_a_cited_date_in_the_body_is_not_taken_for_the_date_line():
    out = written(draft_docx(date_line=()))
    assert "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;" in texts(out)


def _damaged() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<not-word")
    return out.getvalue()


REFUSALS = {
    "no_label": (lambda: draft_docx(number=()), "không có nhãn “Số:”"),
    "already_numbered": (
        lambda: draft_docx(number=("Số: ", "12/QĐ-UBND")),
        "sau nhãn “Số:” đã có “12/QĐ-UBND”",
    ),
    "no_date_place": (
        lambda: draft_docx(date_line=(), motto=False),
        "không có dòng “…, ngày … tháng … năm …”",
    ),
    "damaged": (_damaged, "tệp DOCX bị hỏng"),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_a_docx_that_cannot_be_written_on_is_refused(case):
    make, reason = REFUSALS[case]
    with pytest.raises(DocxNotStampable) as refused:
        docx_stamping.prepare(make())
    assert refused.value.code == "docx_not_stampable"
    assert reason in refused.value.message


# --- Numbering in the workflow ----------------------------------------------------------------

pytestmark_db = pytest.mark.django_db


def approved(w: World, data: bytes) -> OutgoingDocument:
    d = draft(w, file_data=data, file_name="du-thao.docx")
    d = services.outgoing_submit(actor=w.specialist, document=d)
    return services.outgoing_approve(actor=w.leader, document=d)


def latest(d: OutgoingDocument) -> bytes:
    with d.versions.order_by("-version").first().file.open("rb") as f:
        return f.read()


@pytestmark_db
def test_numbering_writes_into_a_new_docx_version(world: World):
    original = draft_docx(number=("S", "ố:", " ....", "..../QĐ-UBND"))
    d = services.outgoing_number(actor=world.clerk, document=approved(world, original))
    assert d.number_notation == "01/QĐ-UBND"
    versions = list(d.versions.order_by("version"))
    assert [(v.version, v.original_name, v.content_type) for v in versions] == [
        (1, "du-thao.docx", DOCX),
        (2, "01-QĐ-UBND.docx", DOCX),
    ]
    with versions[0].file.open("rb") as f:
        assert f.read() == original  # the uploaded version is kept as it was
    today = timezone.localdate()
    out = texts(latest(d))
    assert "Số: 01/QĐ-UBND" in out
    assert f"Thạch Khoán, {date_words(today)}" in out
    entry = AuditEntry.objects.filter(action="document.number").latest("id")
    assert entry.changes["printed"] == {"number": "label", "date": "label"}
    assert entry.changes["version"] == 2


@pytestmark_db
@pytest.mark.parametrize("case", ["no_label", "already_numbered"])
def test_a_refused_docx_takes_no_number(world: World, case):
    make, reason = REFUSALS[case]
    d = approved(world, make())
    before = state(d)
    with pytest.raises(DocxNotStampable) as refused:
        services.outgoing_number(actor=world.clerk, document=d)
    message = refused.value.message
    assert message.startswith("Không ghi được số và ngày vào tệp DOCX dự thảo: ")
    assert reason in message and message.endswith("Chưa cấp số.")
    assert state(d) == before
    assert list(DocumentRegister.objects.values_list("last_number", flat=True)) == []
    # The number it did not take goes to the next document: no gap.
    nxt = services.outgoing_number(actor=world.clerk, document=approved(world, draft_docx()))
    assert nxt.number == 1


@pytestmark_db
def test_the_refusal_over_the_api_and_on_the_page(world: World, client: Client):
    d = approved(world, draft_docx(number=()))
    before = state(d)
    r = client.post(
        f"/api/v1/documents/{d.public_id}/actions/number",
        "{}",
        content_type="application/json",
        **bearer(world.clerk),
    )
    assert r.status_code == 409
    assert r.json()["code"] == "docx_not_stampable"
    assert "không có nhãn “Số:”" in r.json()["message"]
    client.force_login(world.clerk)
    page = client.post(f"/documents/outgoing/{d.public_id}/actions/number/", {})
    assert page.status_code == 409
    assert "Không ghi được số và ngày vào tệp DOCX dự thảo" in page.content.decode()
    assert state(d) == before


@pytestmark_db
def test_the_signed_pdf_shows_the_number_and_date(world: World, libreoffice):
    d = approved(world, draft_docx())
    for action, who in (("number", world.clerk), ("sign", world.leader)):
        d = services.outgoing_act(actor=who, document=d, action=action)
    with d.signed_file.open("rb") as f:
        signed = f.read()
    result = verify_pdf(signed)
    assert (result.code, result.problems) == ("valid", [])
    text = subprocess.run(
        ["/usr/bin/pdftotext", "-f", "1", "-l", "1", "-layout", "-", "-"],
        input=signed,
        capture_output=True,
        check=True,
    ).stdout.decode()
    flat = " ".join(text.split())
    assert "Số: 01/QĐ-UBND" in flat
    assert f"Thạch Khoán, {date_words(timezone.localdate())}" in flat
    assert "...." not in flat
