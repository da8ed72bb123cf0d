"""``sign_pdf``: an agency's or a person's PAdES signature on a PDF, with a visible stamp in
Vietnamese; ``sign_pdf_personal_and_seal``: the two signatures of an outgoing document.

PAdES baseline B-B (ETSI EN 319 142-1; /SubFilter ETSI.CAdES.detached, SHA-256, the signing
certificate bound by the signing-certificate-v2 attribute); B-T when a time-stamping authority is
configured (``XASO_SIGNING_TSA_URL``). The stamp follows the organisation-signature text of
Decree 30/2020/NĐ-CP Appendix I (organisation name and signing time; layout details
[UNCONFIRMED], so the box is the caller's choice).

Decree 30/2020/NĐ-CP Appendix I describes how a digitally signed document looks: the signer's
digital signature shows the image of their handwritten signature (``appearance="signature_image"``),
the agency's shows its seal image, red, over about a third of the signature image on the left
(``appearance="seal_image"``, ``seal_placement_over``), and an attachment carries the agency's
signature at the top of its first page (``attachment_placement``). Each appearance keeps the text
lines of the plain stamp ("Ký bởi / Người ký / Ký ngày"; the seal: "Ký bởi / Ký ngày").

Keys come from the key store (PKCS#12 files) or from a PKCS#11 token (``tokens``), where the
token signs and the key never leaves it.

What is cached per process: the loaded signer per key file (``keystore.signer_for``) or the
logged-in token session (``tokens.signer``), the Vietnamese cut of the stamp font
(``fonts.stamp_font_file``), the text box style, the decoded images and the time-stamper.
"""

from __future__ import annotations

import io
import logging
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.core.text import nfc, squash_spaces
from xaso.org.models import Agency, Staff

from . import conf, keystore, selectors
from .errors import (
    CertificateExpired,
    CertificateMissing,
    CertificateNotYetValid,
    ImageMissing,
    PdfInvalid,
    SigningFailed,
    StampPlacementInvalid,
    TokenUnavailable,
)
from .models import SigningCertificate, StampImage

if TYPE_CHECKING:
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.sign.timestamps import TimeStamper
    from pyhanko.stamp import TextStampStyle

logger = logging.getLogger(__name__)

#: Stamp font size; the glyph accumulator must use the same size as the text box (setup notes).
STAMP_FONT_SIZE = 9
STAMP_TEXT = "Ký bởi: %(agency)s\nNgười ký: %(signer_line)s\nKý ngày: %(ts)s"
#: The seal's text: the organisation and the signing time (Decree 30/2020 Appendix I).
SEAL_TEXT = "Ký bởi: %(agency)s\nKý ngày: %(ts)s"
#: The seal shows the time to the second.
SEAL_TIME_FORMAT = "%d/%m/%Y %H:%M:%S"
#: dd/mm/yyyy hh:mm in Vietnam time: pyHanko formats the signing time in the process's zone,
#: which Django sets to TIME_ZONE (Asia/Ho_Chi_Minh).
STAMP_TIME_FORMAT = "%d/%m/%Y %H:%M"
#: Smallest box that holds the three stamp lines legibly, in points.
MIN_STAMP_WIDTH, MIN_STAMP_HEIGHT = 120, 36
#: Smallest box for an image appearance (a seal is square).
MIN_IMAGE_SIDE = 36
#: Height of the text strip under a signature image (three lines at 9 pt, with margins).
SIGNATURE_TEXT_HEIGHT = 38
#: A seal's real size: 40 mm (≈ 113 pt) across, the size of a commune People's Committee seal.
SEAL_SIDE = 113

Appearance = Literal["text", "signature_image", "seal_image"]
APPEARANCES: tuple[str, ...] = ("text", "signature_image", "seal_image")
#: Room for the CMS signature beyond the certificates it carries (signed attributes, the RSA
#: signature value), and for a time-stamp token with its TSA chain.
CMS_OVERHEAD = 4096
TIMESTAMP_OVERHEAD = 12288


@dataclass(frozen=True)
class StampPlacement:
    """Where the visible stamp goes: a page index (negative counts from the end, -1 = last page)
    and a box ``(x1, y1, x2, y2)`` in PDF points from the bottom-left corner. The default is the
    bottom right of the last A4 page, under the signer's block."""

    page: int = -1
    box: tuple[int, int, int, int] = (325, 40, 565, 100)


DEFAULT_PLACEMENT = StampPlacement()
#: The signer's block of an A4 document: between the title and the name, on the right.
PERSONAL_PLACEMENT = StampPlacement(page=-1, box=(330, 70, 560, 190))


def _image_rect(
    box: tuple[float, float, float, float], image_size: tuple[int, int], *, text_height: float
) -> tuple[float, float, float, float]:
    """Where a signature image lands inside its box: scaled to fit above the text strip,
    centred (the same rule as ``_image_style``'s layout)."""
    x1, y1, x2, y2 = box
    area_w, area_h = x2 - x1 - 4, y2 - y1 - text_height - 4
    width, height = image_size
    scale = min(area_w / width, area_h / height)
    w, h = width * scale, height * scale
    left = x1 + (x2 - x1 - w) / 2
    bottom = y1 + text_height + (area_h - h) / 2
    return left, bottom, left + w, bottom + h


def seal_placement_over(
    signature: StampPlacement, *, image_size: tuple[int, int] | None = None
) -> StampPlacement:
    """The agency seal's box for a signature placed at ``signature``: a seal of real size
    (``SEAL_SIDE``, smaller if the signature is smaller) covering the left third of the signature
    image (Decree 30/2020/NĐ-CP Appendix I), resting on the signature's text lines so that the
    seal's own text (at its foot) never overlaps them; like a paper seal it may reach up over
    the signer's title. ``image_size`` is the signature image's pixel size (its aspect decides
    where the image lands); None: the whole area above the text lines."""
    x1, y1, x2, y2 = (float(v) for v in signature.box)
    if image_size is None:
        image_size = (int(x2 - x1 - 4), int(max(y2 - y1 - SIGNATURE_TEXT_HEIGHT - 4, 1)))
    ix1, _iy1, ix2, _iy2 = _image_rect(
        (x1, y1, x2, y2), image_size, text_height=SIGNATURE_TEXT_HEIGHT
    )
    side = max(MIN_IMAGE_SIDE, min(SEAL_SIDE, int(y2 - y1)))
    right = ix1 + (ix2 - ix1) / 3
    sx1 = max(0, round(right - side))
    sy1 = round(y1 + SIGNATURE_TEXT_HEIGHT)
    return StampPlacement(page=signature.page, box=(sx1, sy1, sx1 + side, sy1 + side))


def attachment_placement(pdf_bytes: bytes, *, right: bool = False) -> StampPlacement:
    """The agency's signature on an attachment: at the top of the first page, on the left (or
    ``right``), inside a 20 pt margin (Decree 30/2020/NĐ-CP Appendix I, văn bản kèm theo)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError

    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
        px1, _py1, px2, py2 = _page_box(writer, 0)
    except (PdfError, ValueError) as exc:
        raise PdfInvalid(_("Không đọc được tệp PDF cần ký.")) from exc
    width, height, margin = 240, 60, 20
    x1 = int(px2 - margin - width) if right else int(px1 + margin)
    top = int(py2 - margin)
    return StampPlacement(page=0, box=(x1, top - height, x1 + width, top))


@lru_cache(maxsize=4)
def _text_box_style(font_file: Path) -> TextBoxStyle:
    from pyhanko.pdf_utils.text import TextBoxStyle

    from .fonts import font_engine_factory

    return TextBoxStyle(
        font=font_engine_factory(font_file, STAMP_FONT_SIZE),
        font_size=STAMP_FONT_SIZE,
    )


@lru_cache(maxsize=4)
def _stamp_style(font_file: Path) -> TextStampStyle:
    from pyhanko.stamp import TextStampStyle

    return TextStampStyle(
        stamp_text=STAMP_TEXT,
        timestamp_format=STAMP_TIME_FORMAT,
        text_box_style=_text_box_style(font_file),
        border_width=1,
    )


def _image_style(font_file: Path, image: StampImage, *, seal: bool) -> TextStampStyle:
    """A stamp showing ``image`` with the text under it (signature) or over its lower part
    (seal), no border. A new style per signature: the image content object follows one writer."""
    from pyhanko.pdf_utils import layout
    from pyhanko.pdf_utils.images import PdfImage
    from pyhanko.stamp import TextStampStyle

    from .images import decoded

    picture = PdfImage(decoded(image.file, image.sha256))
    if seal:
        background_layout = layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(0),
            inner_content_scaling=layout.InnerScaling.STRETCH_TO_FIT,
        )
        text_layout = layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MIN,
            margins=layout.Margins(left=2, right=2, top=2, bottom=2),
        )
    else:
        background_layout = layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins(left=2, right=2, top=2, bottom=SIGNATURE_TEXT_HEIGHT + 2),
            inner_content_scaling=layout.InnerScaling.STRETCH_TO_FIT,
        )
        text_layout = layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MIN,
            margins=layout.Margins(left=2, right=2, top=2, bottom=2),
        )
    return TextStampStyle(
        stamp_text=SEAL_TEXT if seal else STAMP_TEXT,
        timestamp_format=SEAL_TIME_FORMAT if seal else STAMP_TIME_FORMAT,
        text_box_style=_text_box_style(font_file),
        border_width=0,
        background=picture,
        background_layout=background_layout,
        background_opacity=1.0,
        inner_content_layout=text_layout,
    )


@lru_cache(maxsize=4)
def _timestamper(url: str, timeout: float) -> TimeStamper:
    from pyhanko.sign.timestamps import HTTPTimeStamper

    return HTTPTimeStamper(url, timeout=int(timeout))


def _page_box(writer: Any, page: int) -> tuple[float, float, float, float]:
    """The page's MediaBox (inherited through the page tree when the page has none)."""
    page_ref, _resources = writer.find_page_for_modification(page)
    node = page_ref.get_object()
    while node is not None:
        if "/MediaBox" in node:
            x1, y1, x2, y2 = (float(v) for v in node["/MediaBox"])
            return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)
        node = node.get("/Parent")
        node = node.get_object() if node is not None else None
    return 0.0, 0.0, 595.0, 842.0  # A4, the default of PDF 1.7 readers


def _check_placement(writer: Any, placement: StampPlacement, *, appearance: str = "text") -> None:
    pages = int(writer.root["/Pages"]["/Count"])
    if not -pages <= placement.page < pages:
        raise StampPlacementInvalid(
            _("Tài liệu có %(n)d trang; không có trang số %(page)d để đặt dấu chữ ký.")
            % {"n": pages, "page": placement.page + 1 if placement.page >= 0 else placement.page}
        )
    x1, y1, x2, y2 = placement.box
    min_w, min_h = {
        "text": (MIN_STAMP_WIDTH, MIN_STAMP_HEIGHT),
        "signature_image": (MIN_STAMP_WIDTH, MIN_STAMP_HEIGHT + SIGNATURE_TEXT_HEIGHT),
        "seal_image": (MIN_IMAGE_SIDE, MIN_IMAGE_SIDE),
    }[appearance]
    if x2 - x1 < min_w or y2 - y1 < min_h:
        raise StampPlacementInvalid(
            _("Khung dấu chữ ký quá nhỏ (tối thiểu %(w)d × %(h)d điểm).") % {"w": min_w, "h": min_h}
        )
    px1, py1, px2, py2 = _page_box(writer, placement.page)
    if x1 < px1 or y1 < py1 or x2 > px2 or y2 > py2:
        raise StampPlacementInvalid(_("Khung dấu chữ ký nằm ngoài trang."))


def _certificate(agency: Agency, signer_staff: Staff | None) -> SigningCertificate:
    now = timezone.now()
    if signer_staff is not None:
        if signer_staff.agency_id != agency.pk:
            raise CertificateMissing(
                _("%(name)s không thuộc %(agency)s nên không ký thay cơ quan này được.")
                % {"name": signer_staff.full_name, "agency": agency.name}
            )
        cert = selectors.certificate_active_for_staff(staff=signer_staff)
        owner = signer_staff.full_name or signer_staff.username
    else:
        cert = selectors.certificate_active_for(agency=agency)
        owner = agency.name
    if cert is None:
        raise CertificateMissing(_("%(agency)s chưa có chứng thư số để ký.") % {"agency": owner})
    if cert.valid_to <= now:
        raise CertificateExpired(
            _("Chứng thư số của %(agency)s đã hết hạn ngày %(date)s.")
            % {"agency": owner, "date": f"{timezone.localtime(cert.valid_to):%d/%m/%Y}"}
        )
    if cert.valid_from > now:
        raise CertificateNotYetValid(
            _("Chứng thư số của %(agency)s chưa có hiệu lực.") % {"agency": owner}
        )
    return cert


def _appearance_image(
    appearance: str, agency: Agency, signer_staff: Staff | None
) -> StampImage | None:
    if appearance == "text":
        return None
    if appearance == "signature_image":
        if signer_staff is None:
            raise ImageMissing(_("Chữ ký có hình ảnh chữ ký cần nêu người ký."))
        image = selectors.signature_image_for(staff=signer_staff)
        if image is None:
            raise ImageMissing(
                _("%(name)s chưa có hình ảnh chữ ký (tệp PNG) để hiển thị trên văn bản.")
                % {"name": signer_staff.full_name or signer_staff.username}
            )
        return image
    if appearance == "seal_image":
        image = selectors.seal_image_for(agency=agency)
        if image is None:
            raise ImageMissing(
                _("%(agency)s chưa có hình ảnh con dấu (tệp PNG) để hiển thị trên văn bản.")
                % {"agency": agency.name}
            )
        return image
    raise StampPlacementInvalid(
        _("Kiểu hiển thị chữ ký không hợp lệ: %(value)s.") % {"value": appearance}
    )


def sign_pdf(
    pdf_bytes: bytes,
    *,
    agency: Agency,
    signer_name: str,
    signer_title: str,
    reason: str,
    location: str,
    visible_stamp: bool = True,
    placement: StampPlacement = DEFAULT_PLACEMENT,
    signer_staff: Staff | None = None,
    appearance: Appearance = "text",
) -> bytes:
    """Sign ``pdf_bytes`` and return the signed PDF (the original bytes followed by one
    incremental update). With ``signer_staff`` the signature is that person's, with their own
    certificate (they must belong to ``agency``); else the agency's. The stamp reads "Ký bởi:
    <agency> / Người ký: <name> – <title> / Ký ngày: dd/mm/yyyy hh:mm" (Vietnam time); with
    ``appearance="signature_image"`` it shows the signer's signature image above those lines,
    with ``"seal_image"`` the agency's seal with "Ký bởi / Ký ngày" (Decree 30/2020/NĐ-CP
    Appendix I). The key is in the key store or on a PKCS#11 token."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign import fields
    from pyhanko.sign.general import SigningError
    from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata, PdfSigner

    if appearance not in APPEARANCES:
        raise StampPlacementInvalid(
            _("Kiểu hiển thị chữ ký không hợp lệ: %(value)s.") % {"value": appearance}
        )
    cert = _certificate(agency, signer_staff)
    if not pdf_bytes.lstrip()[:5] == b"%PDF-":
        raise PdfInvalid(_("Nội dung cần ký không phải tệp PDF."))
    image = _appearance_image(appearance, agency, signer_staff) if visible_stamp else None

    tsa = conf.tsa_url()
    name, title = nfc(squash_spaces(signer_name)), nfc(squash_spaces(signer_title))

    def run(signer: Any) -> bytes:
        field_name = f"XaSo_{secrets.token_hex(6)}"
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
        if visible_stamp:
            _check_placement(writer, placement, appearance=appearance)
            spec = fields.SigFieldSpec(field_name, on_page=placement.page, box=placement.box)
        else:
            spec = fields.SigFieldSpec(field_name)
        meta = PdfSignatureMetadata(
            field_name=field_name,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            reason=nfc(squash_spaces(reason)) or None,
            location=nfc(squash_spaces(location)) or None,
            name=name or None,
        )
        font = _font_file()
        style = (
            _image_style(font, image, seal=appearance == "seal_image")
            if image is not None
            else _stamp_style(font)
        )
        pdf_signer = PdfSigner(
            meta,
            signer=signer,
            stamp_style=style,
            new_field_spec=spec,
            timestamper=_timestamper(tsa, conf.tsa_timeout()) if tsa else None,
        )
        out = pdf_signer.sign_pdf(
            writer,
            bytes_reserved=_bytes_reserved(signer, timestamped=bool(tsa)),
            appearance_text_params={
                "agency": nfc(agency.name),
                "signer_line": f"{name} – {title}" if title else name,
            },
        )
        return bytes(out.getvalue())

    try:
        signed = _run_with_key(cert, run)
    except OSError as exc:  # the TSA (TimestampRequestError, connection errors) is an IOError
        logger.warning("time-stamping authority %s failed: %s", tsa, exc)
        raise SigningFailed(
            _("Không lấy được dấu thời gian từ máy chủ cấp dấu thời gian (TSA); chưa ký.")
        ) from exc
    except (PdfError, SigningError) as exc:
        logger.warning("signing failed for agency %s: %s", agency.code, exc)
        raise SigningFailed(_("Không ký được tài liệu này: %(error)s") % {"error": exc}) from exc
    logger.debug(
        "signed a PDF for agency %s with certificate %s (%d bytes)",
        agency.code,
        cert.serial,
        len(signed),
    )
    return signed


def _run_with_key(cert: SigningCertificate, run: Any) -> bytes:
    """Call ``run(signer)`` with the certificate's signer: the key store's, or the token's under
    its lock; a token error on a kept session (the token was unplugged and plugged back) is
    retried once with a new login."""
    if not cert.on_token:
        return bytes(run(keystore.signer_for(cert.key_file)))
    import pkcs11

    from . import tokens

    for attempt in (0, 1):
        try:
            with tokens.signer(cert) as signer:
                return bytes(run(signer))
        except pkcs11.PKCS11Error as exc:
            logger.warning(
                "token %s failed while signing: %s", cert.pkcs11_token, type(exc).__name__
            )
            if attempt == 1:
                raise TokenUnavailable(
                    _("Thiết bị ký số (token) %(token)s không ký được (%(error)s).")
                    % {"token": cert.pkcs11_token, "error": type(exc).__name__}
                ) from exc
    raise AssertionError("unreachable")


def sign_pdf_personal_and_seal(
    pdf_bytes: bytes,
    *,
    staff: Staff,
    reason: str,
    location: str,
    placement: StampPlacement = PERSONAL_PLACEMENT,
    signer_title: str | None = None,
) -> bytes:
    """The two signatures of an outgoing document (Decree 30/2020/NĐ-CP Appendix I): first the
    signer's own, showing their signature image at ``placement``; then, as a further
    incremental update, the agency's, showing its seal over the left third of the signature
    image. Both stay valid: the second revision only adds a signature."""
    title = staff.title if signer_title is None else signer_title
    common = {
        "agency": staff.agency,
        "signer_name": staff.full_name or staff.username,
        "signer_title": title,
        "reason": reason,
        "location": location,
    }
    image = selectors.signature_image_for(staff=staff)
    # Both certificates and both images must exist, and both boxes fit the page, before the
    # first signature: else nothing is signed at all.
    _certificate(staff.agency, staff)
    _certificate(staff.agency, None)
    _appearance_image("signature_image", staff.agency, staff)
    _appearance_image("seal_image", staff.agency, None)
    size = (image.width, image.height) if image is not None else None
    seal_at = seal_placement_over(placement, image_size=size)
    _precheck(pdf_bytes, [(placement, "signature_image"), (seal_at, "seal_image")])
    once = sign_pdf(
        pdf_bytes,
        signer_staff=staff,
        appearance="signature_image",
        placement=placement,
        **common,  # type: ignore[arg-type]
    )
    return sign_pdf(
        once,
        appearance="seal_image",
        placement=seal_at,
        **common,  # type: ignore[arg-type]
    )


def _precheck(pdf_bytes: bytes, placements: list[tuple[StampPlacement, str]]) -> None:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError

    if not pdf_bytes.lstrip()[:5] == b"%PDF-":
        raise PdfInvalid(_("Nội dung cần ký không phải tệp PDF."))
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    except (PdfError, ValueError) as exc:
        raise SigningFailed(_("Không ký được tài liệu này: %(error)s") % {"error": exc}) from exc
    for placement, appearance in placements:
        _check_placement(writer, placement, appearance=appearance)


def _font_file() -> Path:
    from .fonts import stamp_font_file

    return stamp_font_file()


def _bytes_reserved(signer: Any, *, timestamped: bool) -> int:
    """Bytes to reserve for the CMS container: its certificates plus a fixed overhead. Fixing it
    spares pyHanko a trial signature per document to measure it."""
    certs = sum(len(c.dump()) for c in signer.cert_registry) + len(signer.signing_cert.dump())
    size = certs + CMS_OVERHEAD + (TIMESTAMP_OVERHEAD if timestamped else 0)
    return size + size % 2  # pyHanko wants an even number (certificate sizes vary)
