"""The content of each one-stop document as plain frozen values (vn-rules.md §1.6).

The dossier workflow fills these from its models; the renderers know nothing of the ORM, so every
document can be rendered and checked without a database. Text is normalised to NFC on the way in
(macOS and some scanners' OCR send NFD), and datetimes must be aware: they are printed in Vietnam
time. Form numbers follow Circular 01/2018/TT-VPCP; Circular 03/2025/TT-VPCP Appendix I keeps forms
01-03 and adds the stop notice (its numbering of the others is [UNCONFIRMED] in vn-rules.md §1.6).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import unicodedata
from typing import Any, NamedTuple

from xaso.dossiers.documents.wording import local


class Channel(enum.StrEnum):
    """Kênh thực hiện (DVCQG KenhThucHien 1/2/3, vn-rules.md §1.8); values as in the API."""

    COUNTER = "counter"
    ONLINE = "online"
    POST = "post"

    @property
    def label(self) -> str:
        return _CHANNEL_LABELS[self]


_CHANNEL_LABELS = {
    Channel.COUNTER: "Trực tiếp tại Bộ phận Một cửa",
    Channel.ONLINE: "Trực tuyến",
    Channel.POST: "Qua dịch vụ bưu chính công ích",
}


class Timeliness(enum.StrEnum):
    """Kết quả giải quyết of one step on the control sheet (Form 05)."""

    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"

    @property
    def label(self) -> str:
        return {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}[self.value]


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, tuple):
        # NamedTuples (SubmittedDocument, ...) rebuild through their own constructor.
        items = [_nfc(item) for item in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    if isinstance(value, list):
        return tuple(_nfc(item) for item in value)
    return value


class _Normalised:
    """Mixin: NFC every string field, lists become tuples (so the values stay frozen)."""

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):  # type: ignore[arg-type]
            object.__setattr__(self, field.name, _nfc(getattr(self, field.name)))


@dataclasses.dataclass(frozen=True)
class Issuer(_Normalised):
    """The agency in the top-left corner and the place of the date line.

    name: the issuing agency ("Trung tâm Phục vụ hành chính công xã Thanh Sơn"); parent_name: the
    managing body above it ("UBND xã Thanh Sơn"), "" when none; place: the place name of the date
    line ("Thanh Sơn"). Both names are printed in capitals.
    """

    name: str
    parent_name: str
    place: str


class SubmittedDocument(NamedTuple):
    """One line of "Thành phần hồ sơ": a plain (name, originals, copies) tuple works too."""

    name: str
    originals: int
    copies: int


@dataclasses.dataclass(frozen=True)
class ReceiptSlip(_Normalised):
    """Form 01, Giấy tiếp nhận hồ sơ và hẹn trả kết quả (A5), with the status-page QR code.

    processing_time is the statutory limit as worded for the citizen ("05 ngày làm việc",
    "Trong ngày"); result_place is item 6, where the result is collected (the counter, or the
    postal address). book_number/entry_number fill "Vào Sổ theo dõi hồ sơ, Quyển số …, Số thứ
    tự …" and print as dots when empty.
    """

    issuer: Issuer
    dossier_code: str
    procedure_name: str
    applicant_name: str
    applicant_address: str
    applicant_phone: str
    documents: tuple[SubmittedDocument, ...]
    received_at: dt.datetime
    due_at: dt.datetime
    channel: Channel
    officer_name: str
    lookup_url: str
    processing_time: str
    applicant_email: str = ""
    set_count: int = 1
    result_place: str = "Bộ phận Một cửa"
    book_number: str = ""
    entry_number: str = ""

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "channel", Channel(self.channel))
        object.__setattr__(
            self, "documents", tuple(SubmittedDocument(*doc) for doc in self.documents)
        )


class SupplementItem(NamedTuple):
    """One thing to add or correct, and why (Form 02)."""

    content: str
    reason: str


@dataclasses.dataclass(frozen=True)
class SupplementRequest(_Normalised):
    """Form 02, Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ.

    Field list [UNCONFIRMED] in vn-rules.md §1.6: this follows the common structure of the 2018
    form (addressee, procedure, the items with their reasons, whom to contact, the officer's
    signature). Only one supplement request is allowed per dossier; that rule lives in the workflow.
    """

    issuer: Issuer
    dossier_code: str
    procedure_name: str
    applicant_name: str
    applicant_address: str
    received_at: dt.datetime
    items: tuple[SupplementItem, ...]
    officer_name: str
    contact_phone: str
    issued_at: dt.datetime

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "items", tuple(SupplementItem(*item) for item in self.items))


@dataclasses.dataclass(frozen=True)
class RefusalNotice(_Normalised):
    """Form 03, Phiếu từ chối tiếp nhận giải quyết hồ sơ.

    Field list [UNCONFIRMED] in vn-rules.md §1.6: addressee, procedure, the reason (and its legal
    basis when given), the receiving officer's signature.
    """

    issuer: Issuer
    procedure_name: str
    applicant_name: str
    applicant_address: str
    reason: str
    officer_name: str
    issued_at: dt.datetime
    dossier_code: str = ""
    legal_basis: str = ""


@dataclasses.dataclass(frozen=True)
class ApologyLetter(_Normalised):
    """Phiếu xin lỗi và hẹn lại ngày trả kết quả (Form 04 of 2018) for a late dossier.

    Fields per the third-party field list of vn-rules.md §1.6: addressee, date received, procedure,
    original appointment, reason for the delay, new appointment, signed by the responsible agency's
    head (signer_title, e.g. "GIÁM ĐỐC").
    """

    issuer: Issuer
    dossier_code: str
    procedure_name: str
    applicant_name: str
    received_at: dt.datetime
    old_due_at: dt.datetime
    new_due_at: dt.datetime
    reason: str
    signer_title: str
    signer_name: str
    issued_at: dt.datetime
    number: str = ""


@dataclasses.dataclass(frozen=True)
class StopNotice(_Normalised):
    """Thông báo dừng giải quyết hồ sơ at the applicant's request (Decree 118/2025 Art 21).

    The Circular 03/2025 form's field list is [UNCONFIRMED]; this follows the common structure of
    the one-stop notices: addressee, dossier and procedure, when it was received and when the stop
    was asked for, the applicant's reason, the signer.
    """

    issuer: Issuer
    dossier_code: str
    procedure_name: str
    applicant_name: str
    applicant_address: str
    received_at: dt.datetime
    requested_at: dt.datetime
    signer_title: str
    signer_name: str
    issued_at: dt.datetime
    reason: str = ""
    number: str = ""


@dataclasses.dataclass(frozen=True)
class HandOver(_Normalised):
    """One row of Form 05: a hand-over from one holder to the next and how the step ended.

    timeliness is derived when not given: not done yet → none; done after the step deadline →
    Quá hạn; done on an earlier calendar day (Vietnam time) than the deadline → Trước hạn;
    otherwise Đúng hạn.
    """

    step: str
    from_name: str
    to_name: str
    received_at: dt.datetime
    deadline: dt.datetime | None = None
    done_at: dt.datetime | None = None
    timeliness: Timeliness | None = None
    note: str = ""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.timeliness is not None:
            object.__setattr__(self, "timeliness", Timeliness(self.timeliness))

    @property
    def result(self) -> Timeliness | None:
        if self.timeliness is not None:
            return self.timeliness
        if self.done_at is None or self.deadline is None:
            return None
        if self.done_at > self.deadline:
            return Timeliness.LATE
        if local(self.done_at).date() < local(self.deadline).date():
            return Timeliness.EARLY
        return Timeliness.ON_TIME


@dataclasses.dataclass(frozen=True)
class ControlSheet(_Normalised):
    """Form 05, Phiếu kiểm soát quá trình giải quyết hồ sơ: every hand-over with its marks.

    handling_agency / coordinating_agencies fill "Cơ quan (bộ phận) giải quyết hồ sơ" and "Cơ quan
    phối hợp giải quyết"; receipt_number is the Form 01 it is attached to (the dossier code when
    empty).
    """

    issuer: Issuer
    dossier_code: str
    procedure_name: str
    applicant_name: str
    received_at: dt.datetime
    due_at: dt.datetime
    handling_agency: str
    hand_overs: tuple[HandOver, ...]
    coordinating_agencies: str = ""
    receipt_number: str = ""


@dataclasses.dataclass(frozen=True)
class TrackingBookRow(_Normalised):
    """One dossier in the tracking book; dates not reached yet stay None (blank cell)."""

    dossier_code: str
    procedure_name: str
    applicant_name: str
    applicant_address: str
    applicant_phone: str
    handling_agency: str
    received_at: dt.datetime
    due_at: dt.datetime
    set_count: int = 1
    transferred_at: dt.datetime | None = None
    result_received_at: dt.datetime | None = None
    returned_at: dt.datetime | None = None
    note: str = ""


@dataclasses.dataclass(frozen=True)
class TrackingBook(_Normalised):
    """Sổ theo dõi hồ sơ (Form 06 of 2018) for a period, printed A4 landscape and as Excel.

    Column list [UNCONFIRMED] in vn-rules.md §1.6; this follows the common one: STT, Mã hồ sơ,
    TTHC, số lượng hồ sơ, applicant name/address/phone, lead agency, dates received, appointment,
    sent to the agency, result received back, returned (with the signature column), notes.
    """

    issuer: Issuer
    period_start: dt.date
    period_end: dt.date
    rows: tuple[TrackingBookRow, ...]
    book_number: str = ""
