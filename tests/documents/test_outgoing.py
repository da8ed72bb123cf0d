"""Outgoing documents: drafting with versions and comments, the transition table (every allowed
action and every refused one), numbering, signing and issuing; refusals change nothing."""

from __future__ import annotations

import hashlib

import pytest

from tests import factories
from tests.documents.world import (
    PATH,
    World,
    actor_for,
    draft,
    draft_docx,
    draft_pdf,
    outgoing_in,
    state,
)
from xaso.core.errors import PermissionDenied
from xaso.core.models import AuditEntry
from xaso.documents import services
from xaso.documents.errors import (
    AgencyAbbreviationMissing,
    CommentRequired,
    DocumentFieldInvalid,
    DocumentNotFound,
    FileEmpty,
    FileTypeUnsupported,
    PdfRequired,
    TransitionNotAllowed,
)
from xaso.documents.models import DocumentRegister, OutgoingDocument
from xaso.documents.services.numbering import notation_for
from xaso.documents.services.outgoing import ACTIONS, TRANSITIONS
from xaso.org.models import AgencyKind

pytestmark = pytest.mark.django_db


def test_create_keeps_the_draft_as_version_one(world: World):
    doc = draft(world, urgency="urgent", drafting_unit="vp", copies=3)
    assert (doc.status, doc.doc_type, doc.urgency, doc.drafting_unit, doc.copies) == (
        "draft",
        "QĐ",
        "urgent",
        "VP",
        3,
    )
    version = doc.versions.get()
    assert version.version == 1
    assert version.content_type == "application/pdf"
    assert version.sha256 == hashlib.sha256(draft_pdf()).hexdigest()
    with version.file.open("rb") as f:
        assert f.read() == draft_pdf()
    entry = AuditEntry.objects.get(action="document.outgoing_create")
    assert entry.object_id == str(doc.public_id)
    assert entry.changes["version"]["sha256"] == version.sha256


def test_docx_draft_accepted_by_content(world: World):
    doc = draft(world, file_data=draft_docx(), file_name="du-thao.docx")
    assert doc.versions.get().content_type.endswith("wordprocessingml.document")


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"", FileEmpty),
        (b"GIF89a....", FileTypeUnsupported),
        (b"PK\x03\x04broken", FileTypeUnsupported),
    ],
)
def test_bad_files_refused_with_nothing_written(world: World, data, error):
    before = (OutgoingDocument.objects.count(), AuditEntry.objects.count())
    with pytest.raises(error):
        draft(world, file_data=data)
    assert (OutgoingDocument.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("doc_type", "XX"),
        ("urgency", "whenever"),
        ("confidentiality", "semi"),
        ("subject", "   "),
        ("subject", "x" * 501),
        ("drafting_unit", "V P"),
        ("copies", 0),
        ("cleared", ["khong_co"]),
    ],
)
def test_invalid_fields_refused(world: World, field, value):
    with pytest.raises(DocumentFieldInvalid) as exc:
        draft(world, **{field: value})
    assert field in exc.value.fields
    assert OutgoingDocument.objects.count() == 0


@pytest.mark.parametrize("who", ["clerk", "reception", "admin"])
def test_only_specialist_or_leader_drafts(world: World, who):
    with pytest.raises(PermissionDenied):
        draft(world, actor=getattr(world, who))
    assert OutgoingDocument.objects.count() == 0


def test_happy_path_to_issued(world: World):
    doc = outgoing_in(world, "issued")
    assert doc.status == "issued"
    assert (doc.number, doc.notation, doc.number_notation) == (1, "QĐ-UBND", "01/QĐ-UBND")
    assert doc.register.year == doc.promulgation_date.year
    assert doc.signer == world.leader
    assert (doc.signer_name, doc.signer_position) == ("Đinh Công Sơn", "Chủ tịch")
    with doc.signed_file.open("rb") as f:
        signed = f.read()
    assert signed.startswith(draft_pdf())  # one incremental update over the draft
    assert hashlib.sha256(signed).hexdigest() == doc.signed_sha256
    assert doc.issued_at is not None
    actions = list(
        AuditEntry.objects.filter(object_id=str(doc.public_id))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "document.outgoing_create",
        "document.submit",
        "document.approve",
        "document.number",
        "document.sign",
        "document.issue",
    ]


def test_signed_pdf_verifies(world: World):
    from xaso.signing.verify import verify_pdf

    doc = outgoing_in(world, "signed")
    with doc.signed_file.open("rb") as f:
        report = verify_pdf(f.read())
    sig = report.signatures[0]
    assert sig.intact and sig.covers_whole_file
    assert "Thạch Khoán" in sig.signer


def test_review_then_approve(world: World):
    doc = outgoing_in(world, "reviewed")
    assert doc.status == "reviewed"
    doc = services.outgoing_approve(actor=world.leader, document=doc)
    assert doc.status == "approved"


@pytest.mark.parametrize("status", ["submitted", "reviewed"])
def test_return_needs_a_comment_and_keeps_it(world: World, status):
    doc = outgoing_in(world, status)
    before = state(doc)
    with pytest.raises(CommentRequired):
        services.outgoing_return(actor=world.leader, document=doc, comment="  ")
    assert state(doc) == before
    doc = services.outgoing_return(actor=world.leader, document=doc, comment="Sửa căn cứ pháp lý")
    assert doc.status == "draft"
    comment = doc.comments.get()
    assert (comment.action, comment.text, comment.author) == (
        "return",
        "Sửa căn cứ pháp lý",
        world.leader,
    )
    version = services.outgoing_add_version(
        actor=world.specialist, document=doc, file_data=draft_pdf(), file_name="v2.pdf"
    )
    assert list(doc.versions.values_list("version", flat=True)) == [1, 2]
    assert version.version == 2


ALL_STATUSES = list(PATH)


@pytest.mark.parametrize("status", ALL_STATUSES)
@pytest.mark.parametrize("action", ACTIONS)
def test_transition_table(world: World, status, action):
    """Every (status, action): allowed ones go to the table's status; others are refused with
    nothing changed. The actor holds the role the action needs."""
    doc = outgoing_in(world, status)
    actor = actor_for(world, action)
    rule = TRANSITIONS.get((status, action))
    if rule is None:
        before = state(doc)
        with pytest.raises(TransitionNotAllowed):
            services.outgoing_act(actor=actor, document=doc, action=action, comment="Ý kiến")
        assert state(doc) == before
    else:
        after = services.outgoing_act(actor=actor, document=doc, action=action, comment="Ý kiến")
        assert after.status == rule.to


@pytest.mark.parametrize("action", ACTIONS)
def test_wrong_roles_refused(world: World, action):
    """Each allowed action tried by every role that may not take it: 403, nothing changed."""
    source = next(s for (s, a) in TRANSITIONS if a == action)
    doc = outgoing_in(world, source)
    rule = TRANSITIONS[(source, action)]
    for who in ("specialist", "leader", "clerk"):
        if who in rule.roles:
            continue
        before = state(doc)
        with pytest.raises(PermissionDenied):
            services.outgoing_act(
                actor=getattr(world, who), document=doc, action=action, comment="x"
            )
        assert state(doc) == before


@pytest.mark.parametrize("who", ["reception", "admin", "specialist_b", "leader_b", "clerk_b"])
def test_outsiders_see_nothing(world: World, who):
    doc = draft(world)
    before = state(doc)
    with pytest.raises(DocumentNotFound):
        services.outgoing_submit(actor=getattr(world, who), document=doc)
    assert state(doc) == before


def test_unknown_action_refused(world: World):
    doc = draft(world)
    with pytest.raises(TransitionNotAllowed):
        services.outgoing_act(actor=world.specialist, document=doc, action="burn")


def test_versions_only_while_draft(world: World):
    doc = outgoing_in(world, "submitted")
    before = state(doc)
    with pytest.raises(TransitionNotAllowed):
        services.outgoing_add_version(
            actor=world.specialist, document=doc, file_data=draft_pdf(), file_name="x.pdf"
        )
    assert state(doc) == before


def test_comments(world: World):
    doc = outgoing_in(world, "submitted")
    services.outgoing_comment(actor=world.clerk, document=doc, text="Kiểm tra thể thức")
    assert list(doc.comments.values_list("text", flat=True)) == ["Kiểm tra thể thức"]
    issued = outgoing_in(world, "issued")
    with pytest.raises(TransitionNotAllowed):
        services.outgoing_comment(actor=world.clerk, document=issued, text="Muộn")


def test_numbers_run_from_01_per_year_and_register(world: World):
    numbers = [outgoing_in(world, "numbered").number_notation for _ in range(3)]
    assert numbers == ["01/QĐ-UBND", "02/QĐ-UBND", "03/QĐ-UBND"]
    letter = outgoing_in(world, "numbered", doc_type="CV", drafting_unit="VP")
    assert letter.number_notation == "04/UBND-VP"
    ten = None
    for _ in range(6):
        ten = outgoing_in(world, "numbered", doc_type="TB")
    assert ten is not None and ten.number_notation == "10/TB-UBND"
    register = DocumentRegister.objects.get(direction="outgoing")
    assert register.last_number == 10
    # Another agency has its own register from 01.
    other = factories.staff(agency_obj=world.b, roles=("specialist", "leader", "clerk"))
    doc = draft(world, actor=other)
    for action in ("submit", "approve", "number"):
        doc = services.outgoing_act(actor=other, document=doc, action=action)
    assert doc.number_notation == "01/QĐ-UBND"


def test_notations():
    a = factories.agency()
    assert notation_for(agency=a, doc_type="QĐ") == "QĐ-UBND"
    assert notation_for(agency=a, doc_type="CV") == "UBND"
    assert notation_for(agency=a, doc_type="CV", drafting_unit="vp") == "UBND-VP"
    a.short_name = "HĐND"
    assert notation_for(agency=a, doc_type="NQ") == "NQ-HĐND"
    a.short_name, a.kind = "Văn phòng", AgencyKind.OTHER
    with pytest.raises(AgencyAbbreviationMissing):
        notation_for(agency=a, doc_type="QĐ")


def test_numbering_refused_without_abbreviation_changes_nothing(world: World):
    doc = outgoing_in(world, "approved")
    world.a.kind, world.a.short_name = AgencyKind.OTHER, ""
    world.a.save()
    before = state(doc)
    with pytest.raises(AgencyAbbreviationMissing):
        services.outgoing_number(actor=world.clerk, document=doc)
    assert state(doc) == before


def test_sign_a_docx_draft_converts_it(world: World):
    doc = outgoing_in(world, "numbered", file_data=draft_docx(), file_name="du-thao.docx")
    try:
        signed = services.outgoing_sign(actor=world.leader, document=doc)
    except PdfRequired:
        pytest.fail("DOCX drafts are converted by drafting.convert")
    with signed.signed_file.open("rb") as f:
        assert f.read(5) == b"%PDF-"


def test_signing_without_certificate_changes_nothing(world: World):
    from xaso.signing.errors import CertificateMissing
    from xaso.signing.models import SigningCertificate

    doc = outgoing_in(world, "numbered")
    SigningCertificate.objects.filter(agency=world.a).update(is_active=False)
    before = state(doc)
    with pytest.raises(CertificateMissing):
        services.outgoing_sign(actor=world.leader, document=doc)
    assert state(doc) == before


def test_confidential_documents_hidden_from_those_not_cleared(world: World):
    from xaso.documents.selectors import outgoing_get_for, outgoing_list_for

    doc = draft(world, confidentiality="secret", cleared=["chutich", "vanthu"])
    assert set(doc.cleared.values_list("username", flat=True)) == {"chutich", "vanthu"}
    for who in ("specialist", "leader", "clerk"):
        assert outgoing_get_for(actor=getattr(world, who), public_id=str(doc.public_id)) == doc
    assert list(outgoing_list_for(actor=world.specialist2)) == []
    from django.http import Http404

    with pytest.raises(Http404):
        outgoing_get_for(actor=world.specialist2, public_id=str(doc.public_id))
    with pytest.raises(DocumentNotFound):
        services.outgoing_comment(actor=world.specialist2, document=doc, text="?")
    # An ordinary document is seen by everyone who works on documents, once.
    plain = draft(world)
    assert list(outgoing_list_for(actor=world.specialist2)) == [plain]
    assert list(outgoing_list_for(actor=world.leader)) == [plain, doc]
    assert list(outgoing_list_for(actor=world.reception)) == []


def test_leader_with_personal_certificate_signs_twice(world: World):
    """The leader's own signature (signature image) then the agency's (seal image), both valid
    (Decree 30/2020 Appendix I)."""
    from tests.signing.conftest import seal_png, signature_png
    from xaso.signing import services as signing
    from xaso.signing.verify import verify_pdf

    signing.certificate_issue_demo_personal(staff=world.leader)
    doc = outgoing_in(world, "numbered")
    before = state(doc)
    from xaso.signing.errors import ImageMissing

    with pytest.raises(ImageMissing):
        services.outgoing_sign(actor=world.leader, document=doc)
    assert state(doc) == before
    signing.stamp_image_upload(actor=None, agency=world.a, staff=world.leader, data=signature_png())
    signing.stamp_image_upload(actor=None, agency=world.a, data=seal_png())
    doc = services.outgoing_sign(actor=world.leader, document=doc)
    with doc.signed_file.open("rb") as f:
        report = verify_pdf(f.read())
    assert len(report.signatures) == 2
    assert all(s.intact for s in report.signatures)
    assert report.signatures[-1].covers_whole_file
    assert "Đinh Công Sơn" in report.signatures[0].signer
    assert not report.modified_after_signing
