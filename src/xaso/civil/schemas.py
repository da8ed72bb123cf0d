"""The shapes of the civil status API (``api.py``): what each registration takes and what a
record, a book and a search result look like. The shapes check form only; the law's rules are
the services' (``services``), which answer with the stable codes of ``errors``."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal
from uuid import UUID

from ninja import Field, Schema

Sex = Literal["male", "female"]
FeeExemption = Literal["merit_family", "poor_household", "disability"]


class PartyIn(Schema):
    """A person: the three name parts (họ, chữ đệm, tên) or ``full_name``; ``date_of_birth``,
    or ``birth_year`` where the form asks only for the year (parents, declarants)."""

    family_name: str | None = Field(None, max_length=64, description="Họ")
    middle_name: str | None = Field(None, max_length=128, description="Chữ đệm")
    given_name: str | None = Field(None, max_length=64, description="Tên")
    full_name: str | None = Field(None, max_length=260, description="Họ, chữ đệm và tên")
    sex: Sex | None = None
    date_of_birth: date | None = None
    birth_year: int | None = Field(None, ge=1000, le=9999)
    ethnicity: str | None = Field(None, max_length=64, description="Dân tộc")
    nationality: str | None = Field(None, max_length=64, description="Quốc tịch")
    residence: str | None = Field(None, max_length=255, description="Nơi cư trú")
    id_number: str | None = Field(None, max_length=20, description="Số định danh cá nhân")


class DeclarantIn(PartyIn):
    relationship: str = Field(
        max_length=24,
        description="Quan hệ với người được đăng ký: mother, father, grandparent, sibling, "
        "relative, carer, spouse, child, parent, guardian, agency_representative, authorised, "
        "self",
    )


class ChildIn(PartyIn):
    place_of_birth: str = Field(max_length=1000, description="Nơi sinh")
    home_town: str = Field(max_length=1000, description="Quê quán")


class CommonIn(Schema):
    """What every registration may carry besides its content."""

    registered_on: date | None = Field(None, description="Ngày đăng ký (mặc định: hôm nay)")
    signer: str | None = Field(
        None,
        max_length=150,
        description="Tên đăng nhập của lãnh đạo ký (mặc định: người gọi nếu là lãnh đạo)",
    )
    dossier: str | None = Field(None, max_length=64, description="Mã hồ sơ một cửa")
    fee_exemption: FeeExemption | None = Field(
        None, description="Miễn lệ phí theo Luật Hộ tịch Điều 11.1"
    )
    note: str = Field("", max_length=1000)


class BirthDetails(Schema):
    child: ChildIn
    mother: PartyIn
    father: PartyIn | None = None
    declarant: DeclarantIn
    birth_notice: str = Field("", max_length=1000, description="Giấy chứng sinh (số, nơi cấp)")
    father_basis: Literal["marriage_elsewhere", "recognition"] | None = Field(
        None,
        description="Căn cứ ghi thông tin người cha khi sổ của cơ quan không có việc kết hôn "
        "của cha mẹ",
    )
    parents_marriage: str = Field("", max_length=1000, description="Nơi, ngày cha mẹ kết hôn")
    confirm_duplicate: bool = Field(False, description="Xác nhận không phải đăng ký trùng")


class BirthIn(BirthDetails, CommonIn):
    pass


class DeathDetails(Schema):
    deceased: PartyIn
    declarant: DeclarantIn
    date_of_death: date
    place_of_death: str = Field(max_length=1000)
    time_of_death: str = Field("", max_length=5, description="HH:MM")
    cause: str = Field("", max_length=1000)
    death_notice: str = Field("", max_length=1000, description="Giấy báo tử (số, nơi cấp)")
    confirm_duplicate: bool = False


class DeathIn(DeathDetails, CommonIn):
    pass


class MarriageDetails(Schema):
    husband: PartyIn
    wife: PartyIn


class MarriageIn(MarriageDetails, CommonIn):
    pass


class MaritalStatusIn(CommonIn):
    person: PartyIn
    declared_status: Literal["single", "married", "divorced", "widowed"]
    purpose: str = Field(max_length=1000, description="Mục đích sử dụng")
    purpose_kind: Literal["marriage", "other"] = "other"
    intended_spouse: PartyIn | None = Field(None, description="Người dự định kết hôn")
    confirm_duplicate: bool = Field(
        False, description="Giấy xác nhận cấp trước còn giá trị đã được nộp lại hoặc báo mất"
    )


class ParentageIn(CommonIn):
    parent: PartyIn
    child: PartyIn
    recognized_as: Literal["father", "mother"]
    requested_by: Literal["parent", "child"] = "parent"


class GuardianshipIn(CommonIn):
    ward: PartyIn
    guardian: PartyIn
    basis: Literal["appointed", "natural"]
    appointment_document: str = Field("", max_length=1000)
    ward_condition: str = Field("", max_length=1000)


class GuardianshipTerminationIn(CommonIn):
    appointment: UUID = Field(description="id của việc đăng ký giám hộ")
    reason: Literal["of_age", "capacity_restored", "ward_died", "parents_able", "adopted"]
    reason_detail: str = Field("", max_length=1000)


class ChangeItemIn(Schema):
    role: str = Field("", max_length=12, description="Vai trò người trong mục; rỗng: nội dung")
    field: str = Field(max_length=32)
    value: str = Field(max_length=1000)


class ChangeIn(CommonIn):
    target: UUID = Field(description="id của mục hộ tịch được thay đổi")
    kind: Literal["change", "correction", "supplement", "ethnicity"]
    changes: list[ChangeItemIn] = Field(min_length=1, max_length=20)
    reason: str = Field(max_length=1000)
    requester: DeclarantIn
    subject_consent: bool = Field(False, description="Người từ đủ 9 tuổi đồng ý đổi họ, tên")


class OriginalIn(Schema):
    registered_on: date
    place: str = Field(max_length=1000)
    number: str = Field("", max_length=64)


class ReRegistrationIn(CommonIn):
    event: Literal["birth", "death", "marriage"]
    original: OriginalIn
    birth: BirthDetails | None = None
    death: DeathDetails | None = None
    marriage: MarriageDetails | None = None


class ForeignRecordIn(CommonIn):
    variant: Literal["birth", "marriage", "divorce", "death"]
    foreign_authority: str = Field(max_length=1000)
    country: str = Field(max_length=200)
    foreign_document: str = Field(max_length=1000)
    event_date: date | None = None
    place_of_event: str = Field("", max_length=1000)
    child: PartyIn | None = None
    mother: PartyIn | None = None
    father: PartyIn | None = None
    husband: PartyIn | None = None
    wife: PartyIn | None = None
    deceased: PartyIn | None = None


class ExtractCopyIn(CommonIn):
    source: UUID = Field(description="id của mục hộ tịch cấp bản sao trích lục")
    requester: DeclarantIn
    copies: int = Field(1, ge=1, le=50)
    purpose: str = Field("", max_length=1000)


class InfoConfirmationIn(CommonIn):
    requester: DeclarantIn
    records: list[UUID] = Field(min_length=1, max_length=50)
    purpose: str = Field(max_length=1000)


class DivorceIn(Schema):
    kind: Literal["divorce", "annulment"] = "divorce"
    decided_on: date
    authority: str = Field(max_length=500)
    decision: str = Field(max_length=500, description="Số, ngày bản án hoặc quyết định")


class BookCloseIn(Schema):
    closed_on: date | None = Field(None, description="Mặc định: hôm nay; từ 31/12 của năm sổ")


# --- Output -----------------------------------------------------------------------------------


class BookRefOut(Schema):
    id: UUID
    event: str
    year: int
    number: str
    label: str


class BookOut(BookRefOut):
    name: str
    opened_on: date
    entries: int
    last_registered_on: date | None
    entries_per_page: int
    closed_on: date | None
    closed_by: str | None
    closing_signer_name: str
    closing_signer_title: str
    total_entries: int | None
    total_pages: int | None
    closing_totals: dict[str, Any]


class PartyOut(Schema):
    role: str
    family_name: str
    middle_name: str
    given_name: str
    full_name: str
    sex: str
    date_of_birth: date | None
    birth_year: int | None
    id_number: str
    ethnicity: str
    nationality: str
    residence: str
    relationship: str
    added_by: UUID | None = Field(description="Mục đã bổ sung người này vào mục (nhận cha, mẹ)")
    amended: list[str] = Field(description="Các trường đã được thay đổi, cải chính, bổ sung")


class AmendmentOut(Schema):
    kind: str
    role: str
    field: str
    old_value: str
    new_value: str
    effective_on: date
    basis: str
    source: UUID | None
    source_entry: str | None


class SignerOut(Schema):
    name: str
    title: str


class RecordOut(Schema):
    id: UUID
    event: str
    event_label: str
    variant: str
    book: BookRefOut
    entry_number: int
    page: int | None
    registered_on: date
    event_date: date | None
    late: bool = Field(description="Đăng ký quá hạn 60 ngày (khai sinh) / 15 ngày (khai tử)")
    valid_until: date | None
    target: UUID | None
    procedure: str | None
    fee_amount_vnd: int | None = Field(description="null: danh mục chưa ghi số tiền")
    fee_note: str
    copies_issued: int
    registrar: str
    signer: SignerOut | None
    dossier: str | None
    parties: list[PartyOut] = Field(description="Giá trị hiện hành (đã áp dụng thay đổi)")
    content: dict[str, Any] = Field(description="Nội dung khác, giá trị hiện hành")
    amendments: list[AmendmentOut]


class SearchPersonOut(Schema):
    role: str
    full_name: str
    sex: str
    date_of_birth: date | None
    birth_year: int | None
    id_number: str


class SearchItemOut(Schema):
    id: UUID
    event: str
    variant: str
    book: BookRefOut
    entry_number: int
    registered_on: date
    event_date: date | None
    subjects: list[SearchPersonOut]
    parents: list[SearchPersonOut]


class SearchPageOut(Schema):
    items: list[SearchItemOut]
    next: str | None = Field(description="Con trỏ trang sau (tham số after), null khi hết")


class SearchIn(Schema):
    q: str = Field("", max_length=200, description="Họ tên (một phần, không phân biệt dấu)")
    parent: str = Field("", max_length=200, description="Họ tên cha hoặc mẹ (một phần)")
    birth_date: date | None = None
    birth_year: int | None = Field(None, ge=1000, le=9999)
    id_number: str = Field("", max_length=20)
    event: str = Field("", max_length=20)
    book: UUID | None = None
    after: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=200)


class BooksIn(Schema):
    event: str = Field("", max_length=20)
    year: int | None = Field(None, ge=1900, le=2200)


class EventTermsOut(Schema):
    event: str
    variant: str
    case: str
    procedure: str | None
    procedure_name: str | None
    time_limit_kind: str | None
    time_limit_value: int | None
    time_limit_cutoff_hour: int | None
    fee_amount_vnd: int | None
    fee_provincial_rate: bool | None
    needs_confirmation: list[str]
