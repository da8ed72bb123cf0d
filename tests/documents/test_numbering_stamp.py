"""Numbering an uploaded PDF draft prints "Số: 05/QĐ-UBND" and the date on page 1 (Decree
30/2020/NĐ-CP Appendix I §II.3): into the page's own blanks ("Số:      /QĐ-UBND", "ngày …
tháng … năm …") when it has them, else at the Decree 30 place under the agency's name. The
numbered file is a new version (the uploaded one stays), and it signs and verifies. A PDF that
cannot be written on is refused in Vietnamese and no number is taken (numbering is gapless)."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from tests.documents.world import World, bearer, draft, outgoing_in, state
from xaso.core.models import AuditEntry
from xaso.documents import services
from xaso.documents.drafting.render import DraftContent, render_document_pdf
from xaso.documents.errors import PdfNotStampable
from xaso.documents.models import DocumentRegister, OutgoingDocument
from xaso.signing.verify import verify_pdf

pytestmark = pytest.mark.django_db
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)<')


def words(pdf: bytes) -> list[tuple[str, float, float, float, float]]:
    """Page 1's words with their boxes (x0, y0, x1, y1), as poppler reads them."""
    out = subprocess.run(
        ["/usr/bin/pdftotext", "-f", "1", "-l", "1", "-bbox", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [(t, float(a), float(b), float(c), float(d)) for a, b, c, d, t in WORD.findall(out)]


def first_page_text(pdf: bytes) -> str:
    out = subprocess.run(
        ["/usr/bin/pdftotext", "-f", "1", "-l", "1", "-layout", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return " ".join(out.split())


def blank_form(*, number: int | None = None) -> bytes:
    """A draft laid out in the Decree 30 form, number left blank ("Số:      /QĐ-UBND"), as a
    drafter would upload it from a word processor."""
    return render_document_pdf(
        DraftContent(
            agency_name="Ủy ban nhân dân xã Thạch Khoán",
            agency_abbr="UBND",
            type_code="QĐ",
            place="Thạch Khoán",
            title="Về việc thành lập Tổ công tác chuyển đổi số",
            body="Điều 1. Thành lập Tổ công tác chuyển đổi số xã.",
            signer_position="Chủ tịch",
            signer_name="Đinh Công Sơn",
            signer_authority="TM. ỦY BAN NHÂN DÂN",
            recipients=("Như Điều 3",),
            number=number,
        )
    )


def approved(w: World, pdf: bytes | None = None) -> OutgoingDocument:
    d = draft(w, **({"file_data": pdf} if pdf is not None else {}))
    d = services.outgoing_submit(actor=w.specialist, document=d)
    return services.outgoing_approve(actor=w.leader, document=d)


def latest_pdf(d: OutgoingDocument) -> bytes:
    with d.versions.order_by("-version").first().file.open("rb") as f:
        return f.read()


def month_text(on: date) -> str:
    return f"{on.month:02d}" if on.month < 3 else str(on.month)


def test_the_number_goes_into_the_blank_after_the_label(world: World):
    original = blank_form()
    d = services.outgoing_number(actor=world.clerk, document=approved(world, original))
    assert d.number_notation == "01/QĐ-UBND"
    versions = list(d.versions.order_by("version"))
    assert [(v.version, v.original_name) for v in versions] == [
        (1, "du-thao.pdf"),
        (2, "01-QĐ-UBND.pdf"),
    ]
    with versions[0].file.open("rb") as f:
        assert f.read() == original  # the uploaded version is kept as it was
    pdf = latest_pdf(d)
    assert pdf.startswith(original)  # an incremental update: the original bytes untouched
    found = {w[0]: w for w in words(pdf)}
    label, blank_end = found["Số:"], found["/QĐ-UBND"]
    number = next(w for w in words(pdf) if w[0] == "01" and w[1] < blank_end[1])
    assert label[3] < number[1] and number[3] < blank_end[1]  # between "Số:" and "/QĐ-UBND"
    assert abs(number[2] - label[2]) < 1 and abs(number[4] - label[4]) < 1  # on its line
    today = timezone.localdate()
    day = next(w for w in words(pdf) if w[0] == f"{today.day:02d}" and w[1] > found["ngày"][3])
    assert found["ngày"][3] < day[1] and day[3] < found["tháng"][1]
    assert f"ngày {today.day:02d} tháng {month_text(today)} năm {today.year}" in (
        first_page_text(pdf)
    )
    entry = AuditEntry.objects.filter(action="document.number").latest("id")
    assert entry.changes["printed"] == {"number": "label", "date": "label"}
    assert entry.changes["version"] == 2


def test_without_a_label_the_number_goes_under_the_agency_name(world: World):
    d = services.outgoing_number(actor=world.clerk, document=approved(world))
    pdf = latest_pdf(d)
    text = first_page_text(pdf)
    today = timezone.localdate()
    assert "Số: 01/QĐ-UBND" in text
    assert f"Thạch Khoán, ngày {today.day:02d} tháng {month_text(today)} năm {today.year}" in text
    boxes = words(pdf)
    label = next(w for w in boxes if w[0] == "Số:")
    others = [w for w in boxes if w[0] not in ("Số:", "01/QĐ-UBND")]
    # Nothing printed over the page's own words.
    for w in [label, next(w for w in boxes if w[0] == "01/QĐ-UBND")]:
        assert not any(o[1] < w[3] and o[3] > w[1] and o[2] < w[4] and o[4] > w[2] for o in others)
    assert label[2] < 842 * 0.35  # in the header
    entry = AuditEntry.objects.filter(action="document.number").latest("id")
    assert entry.changes["printed"] == {"number": "header", "date": "header"}


def test_the_numbered_pdf_signs_and_verifies(world: World):
    d = approved(world, blank_form())
    for action, who in (("number", world.clerk), ("sign", world.leader)):
        d = services.outgoing_act(actor=who, document=d, action=action)
    with d.signed_file.open("rb") as f:
        signed = f.read()
    result = verify_pdf(signed)
    assert (result.code, result.problems) == ("valid", [])
    assert "01" in [w[0] for w in words(signed)]


def _encrypted() -> bytes:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.writer import copy_into_new_writer

    w = copy_into_new_writer(PdfFileReader(io.BytesIO(blank_form())))
    w.encrypt("chu-so-huu", "")
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def _signed(world: World) -> bytes:
    with outgoing_in(world, "signed").signed_file.open("rb") as f:
        return f.read()


CASES = {
    "encrypted": (_encrypted, "tệp PDF được mã hóa"),
    "damaged": (lambda: b"%PDF-1.7\n1 0 obj <</Type /Catalog>>\ntrailer\n%%EOF", "bị hỏng"),
    "already_numbered": (lambda: blank_form(number=12), "sau nhãn “Số:” ở trang 1 đã có “12/"),
}


@pytest.mark.parametrize("case", [*CASES, "signed"])
def test_a_pdf_that_cannot_be_written_on_takes_no_number(world: World, case):
    if case == "signed":
        pdf = _signed(world)
        reason = "tệp PDF đã có chữ ký số"
        before_numbers = 1
    else:
        make, reason = CASES[case]
        pdf = make()
        before_numbers = 0
    d = approved(world, pdf)
    before = state(d)
    with pytest.raises(PdfNotStampable) as refused:
        services.outgoing_number(actor=world.clerk, document=d)
    assert refused.value.code == "pdf_not_stampable"
    assert refused.value.message.startswith("Không ghi được số và ngày vào tệp PDF dự thảo: ")
    assert reason in refused.value.message and refused.value.message.endswith("Chưa cấp số.")
    assert state(d) == before
    assert list(DocumentRegister.objects.values_list("last_number", flat=True)) in (
        [],
        [before_numbers],
    )
    # The number it did not take goes to the next document: no gap.
    nxt = services.outgoing_number(actor=world.clerk, document=approved(world))
    assert nxt.number == before_numbers + 1


def test_the_refusal_over_the_api_and_on_the_page(world: World, client: Client):
    d = approved(world, _encrypted())
    before = state(d)
    r = client.post(
        f"/api/v1/documents/{d.public_id}/actions/number",
        "{}",
        content_type="application/json",
        **bearer(world.clerk),
    )
    assert r.status_code == 409
    assert r.json()["code"] == "pdf_not_stampable"
    assert "mã hóa" in r.json()["message"]
    client.force_login(world.clerk)
    page = client.post(f"/documents/outgoing/{d.public_id}/actions/number/", {})
    assert page.status_code == 409
    assert "Không ghi được số và ngày vào tệp PDF dự thảo" in page.content.decode()
    assert state(d) == before


def _html_pdf(header: str) -> bytes:
    import weasyprint

    return bytes(
        weasyprint.HTML(
            string=(
                '<html lang="vi"><head><meta charset="utf-8"><style>@page{size:A4;'
                'margin:20mm 15mm 20mm 30mm} body{font-family:"Liberation Serif";font-size:13pt}'
                "</style></head><body>"
                f"{header}<p>Điều 1. Nội dung quyết định.</p></body></html>"
            )
        ).write_pdf()
    )


def test_dotted_blanks_are_filled(world: World):
    pdf = _html_pdf(
        "<p>ỦY BAN NHÂN DÂN XÃ THẠCH KHOÁN</p><p>Số: ................/QĐ-UBND</p>"
        "<p>Thạch Khoán, ngày ........ tháng ........ năm ........</p>"
    )
    d = services.outgoing_number(actor=world.clerk, document=approved(world, pdf))
    out = latest_pdf(d)
    boxes = words(out)
    label = next(w for w in boxes if w[0] == "Số:")
    number = next(w for w in boxes if w[0] == "01" and abs(w[2] - label[2]) < 1)
    assert label[3] < number[1]
    today = timezone.localdate()
    ngay = next(w for w in boxes if w[0] == "ngày")
    thang = next(w for w in boxes if w[0] == "tháng")
    nam = next(w for w in boxes if w[0] == "năm")
    day = next(w for w in boxes if w[0] == f"{today.day:02d}" and abs(w[2] - ngay[2]) < 1)
    month = next(w for w in boxes if w[0] == month_text(today) and abs(w[2] - ngay[2]) < 1)
    year = next(w for w in boxes if w[0] == str(today.year))
    assert ngay[3] < day[1] and day[3] < thang[1]
    assert thang[3] < month[1] and month[3] < nam[1]
    assert nam[3] < year[1] and abs(year[2] - nam[2]) < 1
    entry = AuditEntry.objects.filter(action="document.number").latest("id")
    assert entry.changes["printed"] == {"number": "label", "date": "label"}


def test_a_bare_label_gets_the_whole_number_and_a_dated_page_keeps_its_date(world: World):
    pdf = _html_pdf(
        "<p>ỦY BAN NHÂN DÂN XÃ THẠCH KHOÁN</p><p>Số:</p>"
        "<p>Thạch Khoán, ngày 20 tháng 11 năm 2026</p>"
    )
    d = services.outgoing_number(actor=world.clerk, document=approved(world, pdf))
    out = latest_pdf(d)
    assert "Số: 01/QĐ-UBND" in first_page_text(out)
    assert first_page_text(out).count("ngày") == 1
    entry = AuditEntry.objects.filter(action="document.number").latest("id")
    assert entry.changes["printed"] == {"number": "label", "date": "present"}
