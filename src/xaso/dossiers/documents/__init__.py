"""The official one-stop documents as PDF (and the tracking book as Excel), vn-rules.md §1.6.

Build a frozen value (ReceiptSlip, SupplementRequest, ...) from the dossier, then call its
renderer; nothing here reads the database, so the dossier workflow owns what goes on the paper.

    pdf = render_receipt(ReceiptSlip(issuer=Issuer(...), dossier_code=..., ...))
"""

from __future__ import annotations

from xaso.dossiers.documents.excel import render_tracking_book_xlsx
from xaso.dossiers.documents.pdf import qr_code, qr_data_uri
from xaso.dossiers.documents.render import (
    TRACKING_BOOK_COLUMNS,
    render_apology,
    render_control_sheet,
    render_document,
    render_receipt,
    render_refusal,
    render_stop_notice,
    render_supplement_request,
    render_tracking_book_pdf,
)
from xaso.dossiers.documents.slips import (
    ApologyLetter,
    Channel,
    ControlSheet,
    HandOver,
    Issuer,
    ReceiptSlip,
    RefusalNotice,
    StopNotice,
    SubmittedDocument,
    SupplementItem,
    SupplementRequest,
    Timeliness,
    TrackingBook,
    TrackingBookRow,
)
from xaso.dossiers.documents.wording import date_words, place_date, short_date, time_words

__all__ = [
    "TRACKING_BOOK_COLUMNS",
    "ApologyLetter",
    "Channel",
    "ControlSheet",
    "HandOver",
    "Issuer",
    "ReceiptSlip",
    "RefusalNotice",
    "StopNotice",
    "SubmittedDocument",
    "SupplementItem",
    "SupplementRequest",
    "Timeliness",
    "TrackingBook",
    "TrackingBookRow",
    "date_words",
    "place_date",
    "qr_code",
    "qr_data_uri",
    "render_apology",
    "render_control_sheet",
    "render_document",
    "render_receipt",
    "render_refusal",
    "render_stop_notice",
    "render_supplement_request",
    "render_tracking_book_pdf",
    "render_tracking_book_xlsx",
    "short_date",
    "time_words",
]
