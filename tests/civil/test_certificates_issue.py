"""Issuing: every document recorded and counted with its verification id and the SHA-256 of the
file handed out, the original once, copies as often as asked (and no more than an extract-copy
request paid for), the agency's PAdES signature checked by pyHanko and by poppler's pdfsig, the
signer chosen by the rules, refusals leaving nothing behind, concurrent first issues."""

from __future__ import annotations

import hashlib
import threading
from datetime import date

import pytest
from django.db import connection

from tests.civil.test_certificates_support import (
    correct_child_name,
    lines,
    pdfsig,
    qr_codes,
    register_birth,
    register_death,
    signing_fixture,  # noqa: F401  (the ``signing`` fixture)
    text,
)
from tests.civil.test_certificates_urls import URLS
from tests.civil.world import CivilWorld, build_world, leader_titled
from xaso.civil import services
from xaso.civil.certificates import selectors
from xaso.civil.certificates.errors import (
    CertificateKindUnavailable,
    CopiesExhausted,
    IssuedDocumentNotFound,
    OriginalAlreadyIssued,
)
from xaso.civil.certificates.models import IssuedDocument
from xaso.civil.certificates.services import certificate_issue
from xaso.civil.errors import RecordNotFound, SignerInvalid
from xaso.core.audit import audit_verify
from xaso.core.models import AuditEntry
from xaso.signing.errors import CertificateMissing
from xaso.signing.models import SigningCertificate
from xaso.signing.verify import verify_pdf

pytestmark = [pytest.mark.django_db, pytest.mark.urls(URLS)]


def _state() -> tuple[int, int]:
    return IssuedDocument.objects.count(), AuditEntry.objects.count()


def test_first_issue_is_the_original_then_copies_are_counted(signing: CivilWorld):
    w = signing
    record = register_birth(w, signer=w.leader)
    first = certificate_issue(actor=w.officer, record=record)
    second = certificate_issue(actor=w.officer, record=record)
    third = certificate_issue(actor=w.officer, record=record, kind="extract")
    docs = list(IssuedDocument.objects.filter(record=record).order_by("number"))
    assert [(d.kind, d.number, d.medium) for d in docs] == [
        ("original", 1, "electronic"),
        ("copy", 2, "electronic"),
        ("extract", 3, "electronic"),
    ]
    assert [d.title for d in docs] == ["GIẤY KHAI SINH", "GIẤY KHAI SINH", "TRÍCH LỤC KHAI SINH"]
    assert [first.document, second.document, third.document] == docs
    for done in (first, second, third):
        assert done.document.sha256 == hashlib.sha256(done.pdf).hexdigest()
        assert done.document.size == len(done.pdf)
        assert (done.document.signer, done.document.signer_name) == (w.leader, "Đinh Công Sơn")
        assert done.document.signer_title == "CHỦ TỊCH"
        assert done.document.issued_by == w.officer
    assert len({d.code for d in docs}) == 3
    assert "(Bản sao)" in lines(second.pdf) and "(Bản sao)" not in lines(first.pdf)
    assert first.document.facts == {
        "title": "GIẤY KHAI SINH",
        "kind": "original",
        "event": "birth",
        "variant": "",
        "agency": "UBND xã Đông",
        "book": "Sổ đăng ký khai sinh 01/2026",
        "entry_number": 1,
        "registered_on": "2026-03-10",
        "issued_on": first.document.facts["issued_on"],
        "valid_until": None,
        "people": [
            {
                "role": "child",
                "full_name": "TRẦN THỊ HẰNG",
                "date_of_birth": "2026-03-01",
                "birth_year": 2026,
            }
        ],
        "amendments": 0,
    }


def test_each_issue_is_audited(signing):
    w = signing
    record = register_birth(w, signer=w.leader)
    done = certificate_issue(actor=w.officer, record=record, medium="paper")
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry is not None
    assert (entry.action, entry.actor_username, entry.object_id) == (
        "civil.certificate_issue",
        "hotich",
        str(record.public_id),
    )
    assert entry.changes == {
        "code": done.document.code,
        "kind": "original",
        "number": 1,
        "medium": "paper",
        "title": "GIẤY KHAI SINH",
        "request": None,
        "signer": "chutich",
        "sha256": done.document.sha256,
    }
    assert audit_verify().ok


def test_electronic_document_validates_in_pyhanko_and_pdfsig(signing, tmp_path):
    w = signing
    done = certificate_issue(actor=w.leader, record=register_birth(w))
    result = verify_pdf(done.pdf)
    assert (result.code, result.modified_after_signing, result.problems) == ("valid", False, [])
    [sig] = result.signatures
    assert (sig.signer, sig.organisation, sig.issuer) == (
        "UBND xã Đông",
        "UBND xã Đông",
        "Xã Số Demo CA",
    )
    assert (sig.intact, sig.valid, sig.trusted, sig.covers_whole_file) == (True, True, True, True)
    assert sig.reason == (
        f"Bản chính: Giấy khai sinh, mã xác minh {done.document.code[:4]}-"
        f"{done.document.code[4:8]}-{done.document.code[8:12]}-{done.document.code[12:]}"
    )
    assert sig.location == "Đông"
    out = pdfsig(done.pdf, tmp_path)
    assert "Signer Certificate Common Name: UBND xã Đông" in out
    assert "Signature Type: ETSI.CAdES.detached" in out
    assert "Total document signed" in out
    assert "Signature Validation: Signature is Valid." in out


def test_the_stamp_sits_in_the_signer_block_and_reads_in_vietnamese(signing):
    w = signing
    done = certificate_issue(actor=w.leader, record=register_birth(w))
    body = lines(done.pdf)
    i = body.index("CHỦ TỊCH")
    assert body[i + 1 : i + 3] == [
        "Ký bởi: UBND xã Đông",
        "Người ký: Đinh Công Sơn – Chủ tịch UBND xã",
    ]
    assert body[i + 3].startswith("Ký ngày: ")
    assert body[-1] == "Đinh Công Sơn"


def test_the_qr_code_opens_the_verification_page_of_this_document(signing):
    w = signing
    done = certificate_issue(actor=w.leader, record=register_birth(w))
    code = done.document.code
    assert qr_codes(done.pdf) == [f"https://xaso.example.vn/civil/certificates/verify/{code}/"]
    printed = f"{code[:4]}-{code[4:8]}-{code[8:12]}-{code[12:]}"
    assert f"Mã xác minh: {printed}" in lines(done.pdf)


def test_paper_document_is_recorded_but_not_signed(signing):
    w = signing
    done = certificate_issue(actor=w.leader, record=register_birth(w), medium="paper")
    assert done.document.medium == "paper"
    assert verify_pdf(done.pdf).code == "not_signed"
    assert "Ký bởi" not in text(done.pdf)


def test_a_copy_after_a_correction_shows_it_and_the_old_copy_is_flagged(signing):
    w = signing
    record = register_birth(w, signer=w.leader)
    before = certificate_issue(actor=w.officer, record=record)
    correct_child_name(w, record, date(2026, 5, 12))
    after = certificate_issue(actor=w.officer, record=record)
    assert "Họ, chữ đệm, tên: TRẦN THỊ HẰNG" in lines(before.pdf)
    assert "Họ, chữ đệm, tên: TRẦN THỊ HẰNG NGA" in lines(after.pdf)
    assert "Ghi chú:" in lines(after.pdf)
    assert selectors.issued_public_facts(before.document).amended_since is True
    assert selectors.issued_public_facts(after.document).amended_since is False
    assert after.document.facts["people"][0]["full_name"] == "TRẦN THỊ HẰNG NGA"


def test_the_original_is_issued_once(signing):
    w = signing
    record = register_birth(w, signer=w.leader)
    certificate_issue(actor=w.officer, record=record, kind="original")
    before = _state()
    with pytest.raises(OriginalAlreadyIssued) as err:
        certificate_issue(actor=w.officer, record=record, kind="original")
    assert err.value.message == (
        "Bản chính của việc hộ tịch này đã được cấp; chỉ cấp bản sao hoặc trích lục."
    )
    assert _state() == before


def test_a_marital_status_confirmation_is_not_copied(signing):
    w = signing
    record = services.civil_register_marital_status(
        actor=w.officer,
        signer=w.leader,
        person={
            "full_name": "Hà Thị Ngọc",
            "sex": "female",
            "date_of_birth": date(2000, 2, 29),
            "nationality": "Việt Nam",
            "residence": "Bản Mới",
        },
        declared_status="single",
        purpose="Bổ sung hồ sơ",
        registered_on=date(2026, 6, 3),
    )
    done = certificate_issue(actor=w.officer, record=record)
    assert done.document.kind == "original"
    assert done.document.facts["valid_until"] == "2026-12-03"
    before = _state()
    with pytest.raises(CertificateKindUnavailable) as err:
        certificate_issue(actor=w.officer, record=record)
    assert err.value.message == (
        "Giấy tờ của việc «Xác nhận tình trạng hôn nhân» chỉ cấp bản chính; khi cần thêm, đăng "
        "ký cấp giấy mới."
    )
    assert _state() == before


def test_an_extract_copy_request_issues_the_copies_it_asked_for(signing):
    w = signing
    death = register_death(w, signer=w.leader)
    request = services.civil_register_extract_copy(
        actor=w.officer,
        source=death,
        requester={"full_name": "Lò Văn Ún", "relationship": "child"},
        copies=2,
        registered_on=date(2026, 6, 1),
    )
    with pytest.raises(CertificateKindUnavailable):
        certificate_issue(actor=w.officer, record=request, kind="original")
    one = certificate_issue(actor=w.officer, record=request)
    two = certificate_issue(actor=w.officer, record=request, kind="extract")
    assert [(d.record, d.request, d.kind, d.number) for d in (one.document, two.document)] == [
        (death, request, "copy", 1),
        (death, request, "extract", 2),
    ]
    assert one.document.title == "TRÍCH LỤC KHAI TỬ"
    assert "(Bản sao)" in lines(one.pdf)
    before = _state()
    with pytest.raises(CopiesExhausted) as err:
        certificate_issue(actor=w.officer, record=request)
    assert err.value.message == "Đã cấp đủ 2 bản sao theo yêu cầu này."
    assert _state() == before
    # The entry itself still gives its original, counted after the copies.
    original = certificate_issue(actor=w.officer, record=death)
    assert (original.document.kind, original.document.number) == ("original", 3)


def test_the_signer(signing):
    w = signing
    record = register_birth(w)  # registered by the officer: nobody signed it yet
    with pytest.raises(SignerInvalid) as err:
        certificate_issue(actor=w.officer, record=record)
    assert (err.value.code, err.value.message) == (
        "signer_required",
        "Cần chọn lãnh đạo của cơ quan ký giấy (Chủ tịch hoặc Phó Chủ tịch).",
    )
    with pytest.raises(SignerInvalid) as err:
        certificate_issue(actor=w.officer, record=record, signer=w.leader_b)
    assert err.value.code == "signer_invalid"
    with pytest.raises(SignerInvalid) as err:
        certificate_issue(actor=w.officer, record=record, signer=w.generalist)
    assert err.value.code == "signer_invalid"
    w.leader.title = ""
    w.leader.save(update_fields=["title"])
    with pytest.raises(SignerInvalid) as err:
        certificate_issue(actor=w.officer, record=record, signer=w.leader)
    assert (err.value.code, err.value.message) == (
        "signer_title_missing",
        "Người ký Đinh Công Sơn chưa có chức vụ: cập nhật chức vụ trước khi cấp giấy.",
    )
    assert IssuedDocument.objects.count() == 0
    w.leader.title = "Phó Chủ tịch UBND xã"
    w.leader.save(update_fields=["title"])
    done = certificate_issue(actor=w.officer, record=record, signer=w.leader)
    body = lines(done.pdf)
    i = body.index("KT. CHỦ TỊCH")
    assert body[i + 1] == "PHÓ CHỦ TỊCH"
    assert "Người ký: Đinh Công Sơn – Phó Chủ tịch UBND xã" in body[i + 2 :]
    assert done.document.signer_title == "KT. CHỦ TỊCH PHÓ CHỦ TỊCH"


def test_outside_the_agency_or_the_role_a_record_is_not_found(signing):
    w = signing
    record = register_birth(w, signer=w.leader)
    for actor in (w.officer_b, w.leader_b, w.reception, w.clerk, w.admin, w.land, w.supervisor):
        with pytest.raises(RecordNotFound):
            certificate_issue(actor=actor, record=record)
    assert _state()[0] == 0


def test_no_signing_certificate_no_electronic_document(signing):
    w = signing
    record = register_birth(w, signer=w.leader)
    SigningCertificate.objects.filter(agency=w.a).update(is_active=False)
    before = _state()
    with pytest.raises(CertificateMissing):
        certificate_issue(actor=w.officer, record=record)
    assert _state() == before
    assert certificate_issue(actor=w.officer, record=record, medium="paper").document.number == 1


def test_public_facts_and_matching(signing):
    w = signing
    done = certificate_issue(actor=w.leader, record=register_birth(w))
    code = done.document.code
    dashed = f"{code[:4]}-{code[4:8]} {code[8:12]}-{code[12:]}".lower()
    found = selectors.issued_get_public(dashed)
    assert found == done.document
    facts = selectors.issued_public_facts(found)
    assert (facts.title, facts.kind, facts.kind_label, facts.signed) == (
        "GIẤY KHAI SINH",
        "original",
        "Bản chính",
        True,
    )
    assert (facts.agency, facts.book, facts.entry_number) == (
        "UBND xã Đông",
        "Sổ đăng ký khai sinh 01/2026",
        1,
    )
    assert (facts.registered_on, facts.amended_since) == (date(2026, 3, 10), False)
    assert [(p.role, p.full_name, p.date_of_birth) for p in facts.people] == [
        ("child", "TRẦN THỊ HẰNG", date(2026, 3, 1))
    ]
    assert selectors.issued_matches(found, done.pdf) is True
    assert selectors.issued_matches(found, done.pdf + b"\n") is False
    for wrong in ("", "7K3M", "IIII-IIII-IIII-IIII", code[:-1] + ("0" if code[-1] != "0" else "1")):
        with pytest.raises(IssuedDocumentNotFound):
            selectors.issued_get_public(wrong)


@pytest.mark.parametrize(
    ("typed", "clean"),
    [
        ("7k3m-q9tp-2xwa-hr4d", "7K3MQ9TP2XWAHR4D"),
        (" 7K3M Q9TP 2XWA HR4D ", "7K3MQ9TP2XWAHR4D"),
        ("7K3M-Q9TP-2XWA-HR4O", "7K3MQ9TP2XWAHR40"),  # O typed for 0
        ("7K3M-Q9TP-2XWA-HRIL", "7K3MQ9TP2XWAHR11"),  # I and L typed for 1
        ("7K3M-Q9TP-2XWA-HR4", None),
        ("7K3M-Q9TP-2XWA-HR4D-", "7K3MQ9TP2XWAHR4D"),
        ("7K3M/Q9TP/2XWA/HR4D", None),
    ],
)
def test_code_clean(typed, clean):
    assert selectors.code_clean(typed) == clean


@pytest.fixture
def cworld(transactional_db, settings, tmp_path_factory):
    from tests.civil.test_certificates_support import data_dir, name_units
    from xaso.signing.services import certificate_issue_demo

    w = build_world()
    settings.DATA_DIR = data_dir(tmp_path_factory)
    settings.XASO_SIGNING_TRUST_DEMO_CA = True
    settings.XASO_SIGNING_TSA_URL = ""
    settings.XASO_PUBLIC_BASE_URL = "https://xaso.example.vn"
    leader_titled(w)
    name_units(w)
    certificate_issue_demo(agency=w.a)
    return w


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_make_one_original_and_gapless_numbers(cworld, file_database):
    w = cworld
    record = register_birth(w, signer=w.leader)
    workers = 6
    barrier = threading.Barrier(workers)
    errors: list[BaseException] = []

    def issue() -> None:
        try:
            barrier.wait()
            certificate_issue(actor=w.officer, record=record, medium="paper")
        except BaseException as exc:  # reported in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    docs = list(IssuedDocument.objects.filter(record=record).order_by("number"))
    assert [d.number for d in docs] == list(range(1, workers + 1))
    assert sorted(d.kind for d in docs) == ["copy"] * (workers - 1) + ["original"]
    # Whoever lost the race to the original made a copy: its PDF says so.
    assert all(d.title == "GIẤY KHAI SINH" for d in docs)
    assert audit_verify().ok
