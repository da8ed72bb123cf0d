"""Personal signatures and their images (Decree 30/2020/NĐ-CP Appendix I): a leader's own
certificate, the signature and seal images (checked by content, replaced atomically), the two
signatures of an outgoing document (the signer's showing the signature image, the agency's
showing the seal over its left third), both valid in pyHanko and in pdfsig; attachments signed at
the top of the first page."""

from __future__ import annotations

import io
import subprocess

import pytest
from django.core.management import CommandError, call_command

from tests import factories
from xaso.core.errors import PermissionDenied
from xaso.core.models import AuditEntry
from xaso.signing import images, services
from xaso.signing.errors import (
    CertificateMissing,
    ImageInvalid,
    ImageMissing,
    ImageTooLarge,
    StampPlacementInvalid,
)
from xaso.signing.models import SigningCertificate, StampImage
from xaso.signing.sign import (
    PERSONAL_PLACEMENT,
    StampPlacement,
    attachment_placement,
    seal_placement_over,
    sign_pdf,
    sign_pdf_personal_and_seal,
)
from xaso.signing.verify import verify_pdf

from .conftest import append_info_revision, pdf_text, pdfsig, seal_png, signature_png

pytestmark = pytest.mark.django_db


def _codes(result) -> list[str]:
    return [p.code for p in result.problems]


def _widget_rects(pdf: bytes) -> dict[str, tuple[float, ...]]:
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(pdf))
    rects = {}
    for field in reader.root["/AcroForm"]["/Fields"]:
        field = field.get_object()
        rects[str(field["/T"])] = tuple(float(v) for v in field["/Rect"])
    return rects


def test_personal_demo_certificate(leader, thach_khoan_cert):
    row = services.certificate_issue_demo_personal(staff=leader)
    assert (row.staff, row.agency, row.source, row.is_active) == (
        leader,
        leader.agency,
        "demo",
        True,
    )
    assert row.common_name == "Đinh Công Sơn"
    assert row.subject.startswith("CN=Đinh Công Sơn,UID=MCQ:H25.38.21/")
    assert "T=Chủ tịch UBND xã" in row.subject or "2.5.4.12=Chủ tịch UBND xã" in row.subject
    assert "O=UBND xã Thạch Khoán" in row.subject
    # The agency keeps its own active certificate beside the person's.
    thach_khoan_cert.refresh_from_db()
    assert thach_khoan_cert.is_active is True
    assert services.certificate_issue_demo_personal(staff=leader) == row  # idempotent
    renewed = services.certificate_issue_demo_personal(staff=leader, renew=True)
    row.refresh_from_db()
    assert (row.is_active, renewed.is_active) == (False, True)
    assert AuditEntry.objects.filter(action="signing.certificate_issue_demo_personal").count() == 2


def test_issue_demo_command_for_a_person(leader, capsys):
    call_command("signing", "issue-demo", "--staff", leader.username)
    row = SigningCertificate.objects.get(staff=leader)
    assert f"H25.38.21  {leader.username}  Đinh Công Sơn" in capsys.readouterr().out
    assert row.key_file.startswith(f"agencies/H25.38.21/staff/{leader.username}/")
    call_command("signing", "list")
    assert f"Đinh Công Sơn ({leader.username}) / {row.serial}" in capsys.readouterr().out
    with pytest.raises(CommandError, match="Không có tài khoản khong-ai."):
        call_command("signing", "issue-demo", "--staff", "khong-ai")
    with pytest.raises(CommandError, match="Cần --agency"):
        call_command("signing", "issue-demo")


def test_import_a_personal_pkcs12_from_the_console(leader, tmp_path, capsys):
    from datetime import UTC, datetime, timedelta

    from xaso.signing import pki

    from .conftest import pkcs12_bytes

    ca_key, ca_cert = pki.demo_ca_load_or_create()
    now = datetime.now(UTC)
    key, cert = pki.issue_personal(
        ca_key=ca_key,
        ca_cert=ca_cert,
        full_name="Đinh Công Sơn",
        title="Chủ tịch",
        organisation="UBND xã Thạch Khoán",
        agency_code="H25.38.21",
        username=leader.username,
        not_before=now - timedelta(days=1),
        not_after=now + timedelta(days=90),
    )
    (tmp_path / "ky.p12").write_bytes(pkcs12_bytes(key, cert, [ca_cert], b"mat-khau"))
    (tmp_path / "pw").write_text("mat-khau\n")
    call_command(
        "signing", "import", "--staff", leader.username, "--file", str(tmp_path / "ky.p12"),
        "--password-file", str(tmp_path / "pw"),
    )  # fmt: skip
    row = SigningCertificate.objects.get()
    assert (row.staff, row.agency, row.source) == (leader, leader.agency, "imported")
    other = factories.agency(code="H99.77")
    with pytest.raises(CommandError, match="không thuộc cơ quan H99.77"):
        call_command(
            "signing", "import", "--agency", "H99.77", "--staff", leader.username,
            "--file", str(tmp_path / "ky.p12"), "--password-file", str(tmp_path / "pw"),
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.certificate_import(actor=None, agency=other, staff=leader, data=b"x", password="y")
    assert SigningCertificate.objects.count() == 1


def test_demo_keys_include_the_leaders(thach_khoan, two_page_pdf, tmp_path):
    boss = factories.staff(agency_obj=thach_khoan, roles=("leader",), full_name="Hà Thị Mai")
    clerk = factories.staff(agency_obj=thach_khoan, roles=("clerk",))
    assert len(services.signing_demo_keys_ensure(agencies=[thach_khoan])) == 1
    assert not SigningCertificate.objects.filter(staff=boss).exists()  # only when asked
    made = services.signing_demo_keys_ensure(agencies=[thach_khoan], leaders=True)
    assert [c.agency for c in made] == [thach_khoan]
    assert SigningCertificate.objects.filter(staff=boss, is_active=True).count() == 1
    assert not SigningCertificate.objects.filter(staff=clerk).exists()
    assert sorted(StampImage.objects.values_list("kind", "staff")) == [
        ("seal", None),
        ("signature", boss.pk),
    ]
    services.signing_demo_keys_ensure(agencies=[thach_khoan], leaders=True)  # once
    assert (SigningCertificate.objects.count(), StampImage.objects.count()) == (2, 2)
    # The demo leader signs an outgoing document straight away.
    signed = sign_pdf_personal_and_seal(two_page_pdf, staff=boss, reason="x", location="y")
    result = verify_pdf(signed)
    assert result.code == "valid" and [s.signer for s in result.signatures] == [
        "Hà Thị Mai",
        "UBND xã Thạch Khoán",
    ]


def test_images_are_stored_and_replaced(leader, settings, django_capture_on_commit_callbacks):
    seal = services.stamp_image_upload(actor=None, agency=leader.agency, data=seal_png())
    assert (seal.kind, seal.staff, seal.width, seal.height) == ("seal", None, 470, 470)
    path = images.image_path(seal.file)
    assert path.parent.parent == settings.DATA_DIR / "signing" / "images"
    assert path.read_bytes() == seal_png()
    with django_capture_on_commit_callbacks(execute=True):
        again = services.stamp_image_upload(actor=None, agency=leader.agency, data=seal_png(400))
    assert again.pk == seal.pk and again.width == 400
    assert not path.exists()  # the replaced file is gone after commit
    assert images.image_path(again.file).read_bytes() == seal_png(400)
    sig = services.stamp_image_upload(
        actor=leader, agency=leader.agency, staff=leader, data=signature_png()
    )
    assert (sig.kind, sig.staff, sig.width, sig.height) == ("signature", leader, 600, 250)
    assert StampImage.objects.count() == 2
    assert AuditEntry.objects.filter(action="signing.seal_image_upload").count() == 2
    assert AuditEntry.objects.filter(action="signing.signature_image_upload").count() == 1


def _jpeg() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (100, 50), "white").save(buf, "JPEG")
    return buf.getvalue()


def _flipped_middle(data: bytes) -> bytes:
    """One byte of the compressed pixels changed: the chunk's CRC no longer matches."""
    changed = bytearray(data)
    changed[len(data) // 2] ^= 0xFF
    return bytes(changed)


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        (b"", ImageInvalid, "Tệp ảnh rỗng."),
        (_jpeg(), ImageInvalid, "Ảnh chữ ký, con dấu phải là tệp PNG (nền trong suốt)."),
        (seal_png()[:900], ImageInvalid, "Tệp PNG bị hỏng, không đọc được."),
        (_flipped_middle(seal_png()), ImageInvalid, "Tệp PNG bị hỏng, không đọc được."),
        (
            signature_png(10, 10),
            ImageInvalid,
            "Kích thước ảnh 10 × 10 điểm ảnh không hợp lệ (mỗi chiều từ 16 đến 2000).",
        ),
        (
            b"\x89PNG\r\n\x1a\n" + b"x" * 600_000,
            ImageTooLarge,
            "Tệp ảnh quá lớn (585 KB); tối đa 512 KB.",
        ),
    ],
)
def test_bad_images_are_refused_and_nothing_is_written(leader, settings, data, error, message):
    import weasyprint  # noqa: F401  (it sets Pillow's LOAD_TRUNCATED_IMAGES for the process)

    root = settings.DATA_DIR / "signing" / "images"
    before = set(root.rglob("*")) if root.exists() else set()
    with pytest.raises(error) as err:
        services.stamp_image_upload(actor=None, agency=leader.agency, staff=leader, data=data)
    assert err.value.message == message
    assert StampImage.objects.count() == 0
    assert (set(root.rglob("*")) if root.exists() else set()) == before
    assert not AuditEntry.objects.filter(action__endswith="_image_upload").exists()


def test_who_may_upload_images(leader):
    reception = factories.staff(agency_obj=leader.agency, roles=("reception",))
    admin = factories.staff(agency_obj=leader.agency, roles=("admin",))
    with pytest.raises(PermissionDenied):
        services.stamp_image_upload(actor=reception, agency=leader.agency, data=seal_png())
    with pytest.raises(PermissionDenied):  # someone else's signature
        services.stamp_image_upload(
            actor=reception, agency=leader.agency, staff=leader, data=signature_png()
        )
    outsider_admin = factories.staff(roles=("admin",))
    with pytest.raises(PermissionDenied):
        services.stamp_image_upload(actor=outsider_admin, agency=leader.agency, data=seal_png())
    assert StampImage.objects.count() == 0
    services.stamp_image_upload(actor=admin, agency=leader.agency, data=seal_png())
    services.stamp_image_upload(
        actor=admin, agency=leader.agency, staff=leader, data=signature_png()
    )
    assert StampImage.objects.count() == 2


def test_personal_and_seal_signatures_both_validate(leader_ready, two_page_pdf, tmp_path):
    signed = sign_pdf_personal_and_seal(
        two_page_pdf, staff=leader_ready, reason="Ban hành văn bản", location="Thạch Khoán"
    )
    assert signed.startswith(two_page_pdf)
    result = verify_pdf(signed)
    assert result.code == "valid", result.problems
    person, agency = result.signatures
    assert (person.signer, person.organisation) == ("Đinh Công Sơn", "UBND xã Thạch Khoán")
    assert (person.intact, person.trusted, person.covers_whole_file) == (True, True, False)
    assert (agency.signer, agency.covers_whole_file) == ("UBND xã Thạch Khoán", True)
    assert result.modified_after_signing is False
    out = pdfsig(signed, tmp_path)
    assert out.count("Signature Validation: Signature is Valid.") == 2
    assert "Signer Certificate Common Name: Đinh Công Sơn" in out
    assert "Signer Certificate Common Name: UBND xã Thạch Khoán" in out
    # The text of both stamps on the last page, none on the first.
    first, second = pdf_text(signed).split("\f")[:2]
    assert "Người ký: Đinh Công Sơn – Chủ tịch UBND xã" in second
    assert "Ký bởi: UBND xã Thạch Khoán" in second
    assert "Ký bởi" not in first
    # Both images are embedded, each with its transparency as a soft mask.
    path = tmp_path / "two.pdf"
    path.write_bytes(signed)
    listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True)
    kinds = [line.split()[2] for line in listing.stdout.splitlines()[2:]]
    assert kinds.count("image") == 2 and kinds.count("smask") == 2


def test_seal_covers_the_left_third_of_the_signature_image(leader_ready, two_page_pdf):
    signed = sign_pdf_personal_and_seal(
        two_page_pdf, staff=leader_ready, reason="Ban hành", location="Thạch Khoán"
    )
    (person_name, person_rect), (seal_name, seal_rect) = _widget_rects(signed).items()
    assert person_rect == tuple(float(v) for v in PERSONAL_PLACEMENT.box)
    # The 600 × 250 image fits 226 × 78 pt above the text strip: 187 pt wide, centred.
    x1, y1, x2, y2 = PERSONAL_PLACEMENT.box
    image_w = (y2 - y1 - 38 - 4) * 600 / 250
    image_left = x1 + (x2 - x1 - image_w) / 2
    assert seal_rect[2] == pytest.approx(image_left + image_w / 3, abs=1)
    assert seal_rect[2] - seal_rect[0] == seal_rect[3] - seal_rect[1] == 113
    assert seal_placement_over(PERSONAL_PLACEMENT, image_size=(600, 250)).box == tuple(
        int(v) for v in seal_rect
    )


def test_an_appended_revision_after_both_signatures_is_reported(leader_ready, two_page_pdf):
    signed = sign_pdf_personal_and_seal(
        two_page_pdf, staff=leader_ready, reason="Ban hành", location="Thạch Khoán"
    )
    result = verify_pdf(append_info_revision(signed))
    assert (result.code, result.modified_after_signing) == ("invalid", True)
    assert _codes(result) == ["modified_after_signing", "modified_after_signing"]
    assert [[p.code for p in s.problems] for s in result.signatures] == [
        ["modified_after_signing"],
        ["modified_after_signing"],
    ]
    assert [s.covers_whole_file for s in result.signatures] == [False, False]


def test_a_change_between_the_two_signatures_is_reported(leader_ready, thach_khoan, two_page_pdf):
    once = sign_pdf(
        two_page_pdf,
        agency=thach_khoan,
        signer_name="Đinh Công Sơn",
        signer_title="Chủ tịch",
        reason="Ban hành",
        location="Thạch Khoán",
        signer_staff=leader_ready,
        appearance="signature_image",
        placement=PERSONAL_PLACEMENT,
    )
    tampered = append_info_revision(once)
    twice = sign_pdf(
        tampered,
        agency=thach_khoan,
        signer_name="Đinh Công Sơn",
        signer_title="Chủ tịch",
        reason="Ban hành",
        location="Thạch Khoán",
        appearance="seal_image",
        placement=seal_placement_over(PERSONAL_PLACEMENT),
    )
    result = verify_pdf(twice)
    assert result.code == "invalid"
    first, second = result.signatures
    assert [p.code for p in first.problems] == ["modified_after_signing"]
    assert second.problems == [] and second.covers_whole_file is True


def test_missing_pieces_refuse_before_signing(leader, thach_khoan_cert, two_page_pdf):
    common = {
        "agency": leader.agency,
        "signer_name": "Đinh Công Sơn",
        "signer_title": "Chủ tịch",
        "reason": "Ban hành",
        "location": "Thạch Khoán",
    }
    with pytest.raises(CertificateMissing) as err:
        sign_pdf(two_page_pdf, signer_staff=leader, **common)
    assert err.value.message == "Đinh Công Sơn chưa có chứng thư số để ký."
    services.certificate_issue_demo_personal(staff=leader)
    with pytest.raises(ImageMissing) as err:
        sign_pdf(two_page_pdf, signer_staff=leader, appearance="signature_image", **common)
    assert err.value.message == (
        "Đinh Công Sơn chưa có hình ảnh chữ ký (tệp PNG) để hiển thị trên văn bản."
    )
    services.stamp_image_upload(
        actor=None, agency=leader.agency, staff=leader, data=signature_png()
    )
    with pytest.raises(ImageMissing) as err:  # no seal: not even the first signature is made
        sign_pdf_personal_and_seal(two_page_pdf, staff=leader, reason="x", location="y")
    assert err.value.message == (
        "UBND xã Thạch Khoán chưa có hình ảnh con dấu (tệp PNG) để hiển thị trên văn bản."
    )
    services.stamp_image_upload(actor=None, agency=leader.agency, data=seal_png())
    # The signature fits the page but the seal over it would not: refused before either.
    with pytest.raises(StampPlacementInvalid) as err:
        sign_pdf_personal_and_seal(
            two_page_pdf,
            staff=leader,
            reason="x",
            location="y",
            placement=StampPlacement(page=-1, box=(330, 760, 560, 840)),
        )
    assert err.value.message == "Khung dấu chữ ký nằm ngoài trang."
    outsider = factories.agency(name="UBND xã Văn Miếu")
    with pytest.raises(CertificateMissing):
        sign_pdf(two_page_pdf, signer_staff=leader, **{**common, "agency": outsider})


def test_attachment_signed_at_the_top_of_its_first_page(thach_khoan_cert, two_page_pdf):
    placement = attachment_placement(two_page_pdf)
    assert placement == StampPlacement(page=0, box=(20, 761, 260, 821))  # A4: 841.89 pt
    assert attachment_placement(two_page_pdf, right=True).box[2] == 575
    signed = sign_pdf(
        two_page_pdf,
        agency=thach_khoan_cert.agency,
        signer_name="Đinh Công Sơn",
        signer_title="Chủ tịch",
        reason="Phụ lục kèm theo",
        location="Thạch Khoán",
        placement=placement,
    )
    assert verify_pdf(signed).valid
    first, second = pdf_text(signed).split("\f")[:2]
    assert "Ký bởi: UBND xã Thạch Khoán" in first and "Ký bởi" not in second


def test_image_command(leader, tmp_path, capsys):
    (tmp_path / "dau.png").write_bytes(seal_png())
    (tmp_path / "ky.png").write_bytes(signature_png())
    (tmp_path / "anh.jpg").write_bytes(_jpeg())
    call_command("signing", "image", "--agency", "H25.38.21", "--file", str(tmp_path / "dau.png"))
    assert "H25.38.21  Hình ảnh con dấu  470×470" in capsys.readouterr().out
    call_command("signing", "image", "--staff", leader.username, "--file", str(tmp_path / "ky.png"))
    assert "Hình ảnh chữ ký  600×250" in capsys.readouterr().out
    with pytest.raises(CommandError, match="phải là tệp PNG"):
        call_command(
            "signing", "image", "--staff", leader.username, "--file", str(tmp_path / "anh.jpg")
        )
    with pytest.raises(CommandError, match="Không có tệp"):
        call_command("signing", "image", "--agency", "H25.38.21", "--file", str(tmp_path / "x"))
    assert sorted(StampImage.objects.values_list("kind", flat=True)) == ["seal", "signature"]


def test_agency_without_a_certificate_signs_nothing(leader, two_page_pdf):
    services.certificate_issue_demo_personal(staff=leader)
    services.stamp_image_upload(
        actor=None, agency=leader.agency, staff=leader, data=signature_png()
    )
    services.stamp_image_upload(actor=None, agency=leader.agency, data=seal_png())
    with pytest.raises(CertificateMissing) as err:
        sign_pdf_personal_and_seal(two_page_pdf, staff=leader, reason="x", location="y")
    assert err.value.message == "UBND xã Thạch Khoán chưa có chứng thư số để ký."
