"""Drafts composed in the Decree 30 layout: the draft prints the blank number, numbering prints
the number and date into a new version, signing puts the visible signature in the layout's
signature box; an uploaded version replaces the layout."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.documents.world import World, actor_for, draft_pdf, state
from xaso.core.errors import DomainError, PermissionDenied
from xaso.documents import services
from xaso.documents.drafting.types import place_date_line
from xaso.documents.models import OutgoingDocument

pytestmark = pytest.mark.django_db


def pdf_text(pdf: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        Path(f.name).write_bytes(pdf)
        out = subprocess.run(["pdftotext", "-layout", f.name, "-"], capture_output=True, check=True)
    return out.stdout.decode()


def compose(w: World, **kw) -> OutgoingDocument:
    args = {
        "actor": w.specialist,
        "doc_type": "QĐ",
        "subject": "Về việc thành lập Tổ công tác chuyển đổi số",
        "body": "\n".join(
            [
                "Căn cứ Luật Tổ chức chính quyền địa phương;",
                "Điều 1. Thành lập Tổ công tác.",
                "Điều 2. Quyết định có hiệu lực từ ngày ký.",
            ]
        ),
        "signer_position": "Chủ tịch",
        "signer_name": "Đinh Công Sơn",
        "signer_authority": "TM. ỦY BAN NHÂN DÂN",
        "recipients": ["Như Điều 2", "Lưu: VT"],
        "place": "Thạch Khoán",
    }
    args.update(kw)
    return services.outgoing_compose(**args)


def latest_pdf(doc: OutgoingDocument) -> bytes:
    with doc.versions.order_by("-version").first().file.open("rb") as f:
        return f.read()


def test_composed_draft_numbered_then_signed_in_its_box(world: World):
    from xaso.signing.verify import verify_pdf

    doc = compose(world)
    assert doc.content["recipients"] == ["Như Điều 2", "Lưu: VT"]
    assert doc.recipients_text == "Như Điều 2; Lưu: VT"
    text = pdf_text(latest_pdf(doc))
    assert "QUYẾT ĐỊNH" in text and "/QĐ-UBND" in text and "01/QĐ-UBND" not in text
    for action in ("submit", "approve", "number"):
        doc = services.outgoing_act(actor=actor_for(world, action), document=doc, action=action)
    assert list(doc.versions.values_list("version", flat=True)) == [1, 2]
    numbered = doc.versions.get(version=2)
    assert numbered.original_name == "01-QĐ-UBND.pdf"
    assert numbered.uploaded_by == world.clerk
    text = pdf_text(latest_pdf(doc))
    assert "Số: 01/QĐ-UBND" in text
    assert place_date_line("Thạch Khoán", doc.promulgation_date) in text
    page, x1, y1, x2, y2 = doc.content["stamp"]
    assert page == 0 and x2 > x1 and y2 > y1
    doc = services.outgoing_sign(actor=world.leader, document=doc)
    with doc.signed_file.open("rb") as f:
        report = verify_pdf(f.read())
    assert report.signatures[0].intact and report.signatures[0].covers_whole_file


def test_uploaded_version_replaces_the_layout(world: World):
    doc = compose(world)
    services.outgoing_add_version(
        actor=world.specialist, document=doc, file_data=draft_pdf(), file_name="tay.pdf"
    )
    doc.refresh_from_db()
    assert doc.content is None
    for action in ("submit", "approve", "number"):
        doc = services.outgoing_act(actor=actor_for(world, action), document=doc, action=action)
    # Not rendered again from the layout: the uploaded PDF written on (test_numbering_stamp).
    assert [v.original_name for v in doc.versions.order_by("version")] == [
        "du-thao.pdf",
        "tay.pdf",
        "01-QĐ-UBND.pdf",
    ]
    assert doc.content is None
    assert doc.number_notation == "01/QĐ-UBND"


def test_letter_needs_its_drafting_unit(world: World):
    with pytest.raises(DomainError) as exc:
        compose(world, doc_type="CV", addressees=["UBND xã Võ Miếu"])
    assert "unit_abbr" in exc.value.fields
    assert OutgoingDocument.objects.count() == 0
    doc = compose(world, doc_type="CV", drafting_unit="VP", addressees=["UBND xã Võ Miếu"])
    for action in ("submit", "approve", "number"):
        doc = services.outgoing_act(actor=actor_for(world, action), document=doc, action=action)
    assert "Số: 01/UBND-VP" in pdf_text(latest_pdf(doc))


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"body": " "}, "body"),
        ({"signer_name": ""}, "signer_name"),
        ({"doc_type": "X"}, "doc_type"),
    ],
)
def test_incomplete_draft_refused(world: World, kw, field):
    with pytest.raises(DomainError) as exc:
        compose(world, **kw)
    assert field in exc.value.fields
    assert OutgoingDocument.objects.count() == 0


def test_only_drafters_compose(world: World):
    with pytest.raises(PermissionDenied):
        compose(world, actor=world.clerk)
    assert OutgoingDocument.objects.count() == 0


def test_numbering_refusal_leaves_no_rendered_version(world: World):
    doc = compose(world)
    for action in ("submit", "approve"):
        doc = services.outgoing_act(actor=actor_for(world, action), document=doc, action=action)
    before = state(doc)
    with pytest.raises(PermissionDenied):
        services.outgoing_number(actor=world.specialist, document=doc)
    assert state(doc) == before
