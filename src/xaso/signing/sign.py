"""``sign_pdf``: the agency's PAdES signature on a PDF, with a visible stamp in Vietnamese.

PAdES baseline B-B (ETSI EN 319 142-1; /SubFilter ETSI.CAdES.detached, SHA-256, the signing
certificate bound by the signing-certificate-v2 attribute); B-T when a time-stamping authority is
configured (``XASO_SIGNING_TSA_URL``). The stamp follows the organisation-signature text of
Decree 30/2020/NĐ-CP Appendix I (organisation name and signing time; layout details
[UNCONFIRMED], so the box is the caller's choice).

What is cached per process: the loaded signer per key file (``keystore.signer_for``), the
Vietnamese cut of the stamp font (``fonts.stamp_font_file``), the stamp style and the
time-stamper.
"""

from __future__ import annotations

import io
import logging
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.core.text import nfc, squash_spaces
from xaso.org.models import Agency

from . import conf, keystore, selectors
from .errors import (
    CertificateExpired,
    CertificateMissing,
    CertificateNotYetValid,
    PdfInvalid,
    SigningFailed,
    StampPlacementInvalid,
)

if TYPE_CHECKING:
    from pyhanko.sign.timestamps import TimeStamper
    from pyhanko.stamp import TextStampStyle

logger = logging.getLogger(__name__)

#: Stamp font size; the glyph accumulator must use the same size as the text box (setup notes).
STAMP_FONT_SIZE = 9
STAMP_TEXT = "Ký bởi: %(agency)s\nNgười ký: %(signer_line)s\nKý ngày: %(ts)s"
#: dd/mm/yyyy hh:mm in Vietnam time: pyHanko formats the signing time in the process's zone,
#: which Django sets to TIME_ZONE (Asia/Ho_Chi_Minh).
STAMP_TIME_FORMAT = "%d/%m/%Y %H:%M"
#: Smallest box that holds the three stamp lines legibly, in points.
MIN_STAMP_WIDTH, MIN_STAMP_HEIGHT = 120, 36
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


@lru_cache(maxsize=4)
def _stamp_style(font_file: Path) -> TextStampStyle:
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import TextStampStyle

    return TextStampStyle(
        stamp_text=STAMP_TEXT,
        timestamp_format=STAMP_TIME_FORMAT,
        text_box_style=TextBoxStyle(
            font=GlyphAccumulatorFactory(str(font_file), font_size=STAMP_FONT_SIZE),
            font_size=STAMP_FONT_SIZE,
        ),
        border_width=1,
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


def _check_placement(writer: Any, placement: StampPlacement) -> None:
    pages = int(writer.root["/Pages"]["/Count"])
    if not -pages <= placement.page < pages:
        raise StampPlacementInvalid(
            _("Tài liệu có %(n)d trang; không có trang số %(page)d để đặt dấu chữ ký.")
            % {"n": pages, "page": placement.page + 1 if placement.page >= 0 else placement.page}
        )
    x1, y1, x2, y2 = placement.box
    if x2 - x1 < MIN_STAMP_WIDTH or y2 - y1 < MIN_STAMP_HEIGHT:
        raise StampPlacementInvalid(
            _("Khung dấu chữ ký quá nhỏ (tối thiểu %(w)d × %(h)d điểm).")
            % {"w": MIN_STAMP_WIDTH, "h": MIN_STAMP_HEIGHT}
        )
    px1, py1, px2, py2 = _page_box(writer, placement.page)
    if x1 < px1 or y1 < py1 or x2 > px2 or y2 > py2:
        raise StampPlacementInvalid(_("Khung dấu chữ ký nằm ngoài trang."))


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
) -> bytes:
    """Sign ``pdf_bytes`` with the agency's active certificate and return the signed PDF (the
    original bytes followed by one incremental update). The stamp reads "Ký bởi: <agency> /
    Người ký: <name> – <title> / Ký ngày: dd/mm/yyyy hh:mm" (Vietnam time)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign import fields
    from pyhanko.sign.general import SigningError
    from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata, PdfSigner

    cert = selectors.certificate_active_for(agency=agency)
    if cert is None:
        raise CertificateMissing(
            _("%(agency)s chưa có chứng thư số để ký.") % {"agency": agency.name}
        )
    now = timezone.now()
    if cert.valid_to <= now:
        raise CertificateExpired(
            _("Chứng thư số của %(agency)s đã hết hạn ngày %(date)s.")
            % {"agency": agency.name, "date": f"{timezone.localtime(cert.valid_to):%d/%m/%Y}"}
        )
    if cert.valid_from > now:
        raise CertificateNotYetValid(
            _("Chứng thư số của %(agency)s chưa có hiệu lực.") % {"agency": agency.name}
        )
    if not pdf_bytes.lstrip()[:5] == b"%PDF-":
        raise PdfInvalid(_("Nội dung cần ký không phải tệp PDF."))

    signer = keystore.signer_for(cert.key_file)
    tsa = conf.tsa_url()
    field_name = f"XaSo_{secrets.token_hex(6)}"
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
        if visible_stamp:
            _check_placement(writer, placement)
            spec = fields.SigFieldSpec(field_name, on_page=placement.page, box=placement.box)
        else:
            spec = fields.SigFieldSpec(field_name)
        meta = PdfSignatureMetadata(
            field_name=field_name,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            reason=nfc(squash_spaces(reason)) or None,
            location=nfc(squash_spaces(location)) or None,
            name=nfc(squash_spaces(signer_name)) or None,
        )
        pdf_signer = PdfSigner(
            meta,
            signer=signer,
            stamp_style=_stamp_style(_font_file()),
            new_field_spec=spec,
            timestamper=_timestamper(tsa, conf.tsa_timeout()) if tsa else None,
        )
        name, title = nfc(squash_spaces(signer_name)), nfc(squash_spaces(signer_title))
        out = pdf_signer.sign_pdf(
            writer,
            bytes_reserved=_bytes_reserved(signer, timestamped=bool(tsa)),
            appearance_text_params={
                "agency": nfc(agency.name),
                "signer_line": f"{name} – {title}" if title else name,
            },
        )
    except OSError as exc:  # the TSA (TimestampRequestError, connection errors) is an IOError
        logger.warning("time-stamping authority %s failed: %s", tsa, exc)
        raise SigningFailed(
            _("Không lấy được dấu thời gian từ máy chủ cấp dấu thời gian (TSA); chưa ký.")
        ) from exc
    except (PdfError, SigningError) as exc:
        logger.warning("signing failed for agency %s: %s", agency.code, exc)
        raise SigningFailed(_("Không ký được tài liệu này: %(error)s") % {"error": exc}) from exc
    signed = out.getvalue()
    logger.debug(
        "signed a PDF for agency %s with certificate %s (%d bytes)",
        agency.code,
        cert.serial,
        len(signed),
    )
    return signed


def _font_file() -> Path:
    from .fonts import stamp_font_file

    return stamp_font_file()


def _bytes_reserved(signer: Any, *, timestamped: bool) -> int:
    """Bytes to reserve for the CMS container: its certificates plus a fixed overhead. Fixing it
    spares pyHanko a trial signature per document to measure it."""
    certs = sum(len(c.dump()) for c in signer.cert_registry) + len(signer.signing_cert.dump())
    size = certs + CMS_OVERHEAD + (TIMESTAMP_OVERHEAD if timestamped else 0)
    return size + size % 2  # pyHanko wants an even number (certificate sizes vary)
