"""Two communes (Thạch Khoán and Võ Miếu) with the staff who work on official documents, a
leader cleared for nothing, a reception officer (no document role), demo signing certificates,
and helpers that drive an outgoing document to any status."""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.utils import timezone

from tests import factories
from xaso.accounts.models import ApiToken
from xaso.accounts.services import _hash
from xaso.core.models import AuditEntry
from xaso.documents import services
from xaso.documents.models import (
    DocumentComment,
    DocumentRegister,
    DocumentVersion,
    HandlingOpinion,
    IncomingDocument,
    OutgoingDocument,
    Recipient,
)
from xaso.org.models import Agency, Staff

HTML = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><style>
@page { size: A4; margin: 20mm 20mm 20mm 30mm }
body { font-family: "Times New Roman", serif; font-size: 13pt }
</style></head><body>
<p style="text-align:center"><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br>
Độc lập - Tự do - Hạnh phúc</p>
<h1 style="text-align:center">QUYẾT ĐỊNH</h1>
<p>Về việc thành lập Tổ công tác chuyển đổi số xã Thạch Khoán</p>
</body></html>"""


@lru_cache(maxsize=1)
def draft_pdf() -> bytes:
    import weasyprint

    return bytes(weasyprint.HTML(string=HTML).write_pdf())


def draft_docx(
    *,
    number: tuple[str, ...] = ("Số: ", "........", "/QĐ-UBND"),
    date_line: tuple[str, ...] = ("Thạch Khoán, ngày ", "....", " tháng ", "....", " năm ", "...."),
    motto: bool = True,
) -> bytes:
    """A DOCX draft with the Decree 30 header as drafters lay it out: a two-column table, the
    agency and "Số:" on the left, the motto and the date line on the right; each string of
    ``number`` and ``date_line`` is a run of its own (Word splits text into runs anywhere)."""
    import docx
    from docx.shared import Pt

    d = docx.Document()
    left, right = d.add_table(rows=1, cols=2).rows[0].cells
    left.paragraphs[0].add_run("ỦY BAN NHÂN DÂN").bold = True
    left.add_paragraph().add_run("XÃ THẠCH KHOÁN").bold = True
    if number:
        p = left.add_paragraph()
        for i, text in enumerate(number):
            run = p.add_run(text)
            run.font.size = Pt(13) if i == 0 else Pt(11)
    if motto:
        right.paragraphs[0].add_run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM").bold = True
        right.add_paragraph().add_run("Độc lập - Tự do - Hạnh phúc").bold = True
    if date_line:
        p = right.add_paragraph()
        for text in date_line:
            p.add_run(text).italic = True
    d.add_paragraph("QUYẾT ĐỊNH")
    d.add_paragraph("Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;")
    d.add_paragraph("Kính gửi: UBND xã Võ Miếu")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


@dataclass
class World:
    a: Agency
    b: Agency
    specialist: Staff
    specialist2: Staff
    leader: Staff
    clerk: Staff
    reception: Staff
    admin: Staff
    specialist_b: Staff
    leader_b: Staff
    clerk_b: Staff


def build_world(*, certificates: bool = True) -> World:
    from xaso.signing.services import certificate_issue_demo

    a = factories.agency(code="H25.38.21", name="UBND xã Thạch Khoán")
    b = factories.agency(code="H25.38.22", name="UBND xã Võ Miếu")
    a.unit.name = "Xã Thạch Khoán"
    a.unit.save()
    if certificates:
        certificate_issue_demo(agency=a)
    w = World(
        a=a,
        b=b,
        specialist=factories.staff(
            agency_obj=a, roles=("specialist",), username="chuyenvien", full_name="Hà Văn Tú"
        ),
        specialist2=factories.staff(
            agency_obj=a, roles=("specialist",), username="chuyenvien2", full_name="Lò Thị Mai"
        ),
        leader=factories.staff(
            agency_obj=a, roles=("leader",), username="chutich", full_name="Đinh Công Sơn"
        ),
        clerk=factories.staff(
            agency_obj=a, roles=("clerk",), username="vanthu", full_name="Nguyễn Thị Hằng"
        ),
        reception=factories.staff(agency_obj=a, roles=("reception",), username="motcua"),
        admin=factories.staff(agency_obj=a, roles=("admin",), username="quantri"),
        specialist_b=factories.staff(agency_obj=b, roles=("specialist",), username="cv_vomieu"),
        leader_b=factories.staff(agency_obj=b, roles=("leader",), username="ct_vomieu"),
        clerk_b=factories.staff(agency_obj=b, roles=("clerk",), username="vt_vomieu"),
    )
    w.leader.title = "Chủ tịch"
    w.leader.save()
    return w


def draft(w: World, **kw: Any) -> OutgoingDocument:
    args: dict[str, Any] = {
        "actor": w.specialist,
        "doc_type": "QĐ",
        "subject": "Về việc thành lập Tổ công tác chuyển đổi số",
        "file_data": draft_pdf(),
        "file_name": "du-thao.pdf",
        "place": "Thạch Khoán",
    }
    args.update(kw)
    return services.outgoing_create(**args)


#: The actions, in order, that bring a draft to each status.
PATH = {
    "draft": [],
    "submitted": ["submit"],
    "reviewed": ["submit", "review"],
    "approved": ["submit", "approve"],
    "numbered": ["submit", "approve", "number"],
    "signed": ["submit", "approve", "number", "sign"],
    "issued": ["submit", "approve", "number", "sign", "issue"],
}


def actor_for(w: World, action: str) -> Staff:
    return {
        "submit": w.specialist,
        "review": w.leader,
        "approve": w.leader,
        "return": w.leader,
        "number": w.clerk,
        "sign": w.leader,
        "issue": w.clerk,
    }[action]


def outgoing_in(w: World, status: str, **kw: Any) -> OutgoingDocument:
    document = draft(w, **kw)
    for action in PATH[status]:
        document = services.outgoing_act(
            actor=actor_for(w, action), document=document, action=action
        )
    return document


def state(document: OutgoingDocument | IncomingDocument) -> tuple[Any, ...]:
    """Everything a refused action must leave unchanged."""
    model = type(document)
    row = model.objects.filter(pk=document.pk).values().get()
    row.pop("updated_at", None)
    return (
        row,
        DocumentVersion.objects.count(),
        DocumentComment.objects.count(),
        HandlingOpinion.objects.count(),
        Recipient.objects.count(),
        list(DocumentRegister.objects.values_list("direction", "year", "last_number")),
        AuditEntry.objects.count(),
    )


def bearer(staff: Staff) -> dict[str, str]:
    token = secrets.token_urlsafe(16)
    ttl = timedelta(hours=settings.XASO_API_TOKEN_TTL_HOURS)
    ApiToken.objects.create(key_hash=_hash(token), staff=staff, expires_at=timezone.now() + ttl)
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
