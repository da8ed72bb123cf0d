"""Official documents of an agency (văn bản đi, văn bản đến) under Decree 30/2020/NĐ-CP on
clerical work (vn-rules.md §5.1).

An outgoing document changes status only through ``services.outgoing._transition`` (one transition
table); its number comes from its register's counter (``services.numbering``), locked with
``select_for_update``. An incoming document gets its incoming number (số đến) from the incoming
register the same way. Files (draft versions, the signed PDF, scans) live under the data folder
with their SHA-256, like dossier scans.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xaso.org.models import Agency


class DocumentType(models.TextChoices):
    """The administrative document types of Decree 30/2020/NĐ-CP Art 7 and their abbreviations
    (Appendix III). Công văn has no abbreviation of its own: "CV" is our code for it and never
    appears in its notation (``agency-unit``)."""

    NQ = "NQ", _("Nghị quyết")
    QD = "QĐ", _("Quyết định")
    CT = "CT", _("Chỉ thị")
    QC = "QC", _("Quy chế")
    QYD = "QyĐ", _("Quy định")
    TC = "TC", _("Thông cáo")
    TB = "TB", _("Thông báo")
    HD = "HD", _("Hướng dẫn")
    CTR = "CTr", _("Chương trình")
    KH = "KH", _("Kế hoạch")
    PA = "PA", _("Phương án")
    DA_SCHEME = "ĐA", _("Đề án")
    DA_PROJECT = "DA", _("Dự án")
    BC = "BC", _("Báo cáo")
    BB = "BB", _("Biên bản")
    TTR = "TTr", _("Tờ trình")
    HDONG = "HĐ", _("Hợp đồng")
    CV = "CV", _("Công văn")
    CD = "CĐ", _("Công điện")
    GN = "GN", _("Bản ghi nhớ")
    TTH = "TTh", _("Bản thỏa thuận")
    GUQ = "GUQ", _("Giấy ủy quyền")
    GM = "GM", _("Giấy mời")
    GGT = "GGT", _("Giấy giới thiệu")
    GNP = "GNP", _("Giấy nghỉ phép")
    PG = "PG", _("Phiếu gửi")
    PC = "PC", _("Phiếu chuyển")
    PB = "PB", _("Phiếu báo")


OFFICIAL_LETTER = DocumentType.CV


class Urgency(models.TextChoices):
    """Độ khẩn (Decree 30/2020 Appendix I): Khẩn, Thượng khẩn, Hỏa tốc."""

    NORMAL = "normal", _("Thường")
    URGENT = "urgent", _("Khẩn")
    VERY_URGENT = "very_urgent", _("Thượng khẩn")
    FLASH = "flash", _("Hỏa tốc")


class Confidentiality(models.TextChoices):
    """Độ mật (Law 29/2018/QH14 on the protection of state secrets): Mật, Tối mật, Tuyệt mật."""

    NORMAL = "normal", _("Thường")
    CONFIDENTIAL = "confidential", _("Mật")
    SECRET = "secret", _("Tối mật")
    TOP_SECRET = "top_secret", _("Tuyệt mật")


class Direction(models.TextChoices):
    OUTGOING = "outgoing", _("Văn bản đi")
    INCOMING = "incoming", _("Văn bản đến")


class DocumentRegister(models.Model):
    """Sổ đăng ký văn bản đi / đến (Decree 30/2020 Appendix IV) of one agency for one calendar
    year: numbers run from 01 on 1 January (Appendix I Part I §II.3). ``series`` separates the
    advisory bodies' own series (Hội đồng, Ban, Tổ); "" is the agency's main register.
    ``last_number`` is the counter, locked by whoever takes the next number."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="document_registers")
    direction = models.CharField(max_length=8, choices=Direction.choices)
    series = models.CharField(max_length=32, blank=True, default="")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["agency__code", "direction", "-year", "series"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "direction", "series", "year"], name="document_register_unique"
            ),
            models.CheckConstraint(
                condition=Q(direction__in=Direction.values), name="document_register_direction"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.direction} {self.year} {self.series}".strip()


class OutgoingStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    SUBMITTED = "submitted", _("Đã trình")
    REVIEWED = "reviewed", _("Đã thẩm định")
    APPROVED = "approved", _("Đã duyệt")
    NUMBERED = "numbered", _("Đã cấp số")
    SIGNED = "signed", _("Đã ký số")
    ISSUED = "issued", _("Đã ban hành")


class OutgoingDocument(models.Model):
    """Văn bản đi: drafted by a specialist, reviewed, approved by the leader, numbered by the
    clerk (văn thư), signed, issued, then sent to other agencies."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="outgoing_documents")
    doc_type = models.CharField(max_length=8, choices=DocumentType.choices)
    subject = models.CharField(max_length=500, help_text=_("Trích yếu nội dung"))
    drafting_unit = models.CharField(
        max_length=16, blank=True, help_text=_("Chữ viết tắt đơn vị soạn thảo, ví dụ VP")
    )
    recipients_text = models.CharField(max_length=1000, blank=True, help_text=_("Nơi nhận"))
    place = models.CharField(max_length=128, blank=True, help_text=_("Địa danh"))
    copies = models.PositiveSmallIntegerField(default=1, help_text=_("Số lượng bản"))
    urgency = models.CharField(max_length=12, choices=Urgency.choices, default=Urgency.NORMAL)
    confidentiality = models.CharField(
        max_length=12, choices=Confidentiality.choices, default=Confidentiality.NORMAL
    )
    cleared = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="cleared_outgoing"
    )
    status = models.CharField(
        max_length=12, choices=OutgoingStatus.choices, default=OutgoingStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    register = models.ForeignKey(
        DocumentRegister, null=True, blank=True, on_delete=models.PROTECT, related_name="outgoing"
    )
    number = models.PositiveIntegerField(null=True, blank=True)
    notation = models.CharField(max_length=64, blank=True, help_text=_("Ký hiệu, ví dụ QĐ-UBND"))
    promulgation_date = models.DateField(null=True, blank=True)
    numbered_at = models.DateTimeField(null=True, blank=True)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signer_name = models.CharField(max_length=128, blank=True)
    signer_position = models.CharField(max_length=128, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_file = models.FileField(upload_to="documents/signed/%Y/%m/", blank=True)
    signed_sha256 = models.CharField(max_length=64, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    #: A draft composed in the Decree 30 layout (``drafting.render.DraftContent`` fields), so
    #: numbering can print its number and date; None for an uploaded file.
    content = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["agency", "status"], name="outgoing_agency_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["register", "number"],
                condition=Q(number__isnull=False),
                name="outgoing_number_unique_in_register",
            ),
            models.CheckConstraint(
                condition=Q(number__isnull=True) | Q(register__isnull=False, number__gte=1),
                name="outgoing_number_in_register",
            ),
            models.CheckConstraint(
                condition=Q(status__in=OutgoingStatus.values), name="outgoing_status_known"
            ),
            models.CheckConstraint(
                condition=Q(doc_type__in=DocumentType.values), name="outgoing_type_known"
            ),
        ]

    def __str__(self) -> str:
        return self.number_notation or self.subject[:80]

    @property
    def number_text(self) -> str:
        """The number as written: from 01, a leading zero below 10 (Appendix I §II.3)."""
        return f"{self.number:02d}" if self.number is not None else ""

    @property
    def number_notation(self) -> str:
        """``05/QĐ-UBND``; empty until numbered."""
        return f"{self.number_text}/{self.notation}" if self.number is not None else ""

    @property
    def is_restricted(self) -> bool:
        return self.confidentiality != Confidentiality.NORMAL


class DocumentVersion(models.Model):
    """One uploaded draft file (PDF or DOCX) of an outgoing document; versions are never
    overwritten (the approval history of Decree 30/2020 Art 11)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    document = models.ForeignKey(
        OutgoingDocument, on_delete=models.PROTECT, related_name="versions"
    )
    version = models.PositiveSmallIntegerField()
    file = models.FileField(upload_to="documents/drafts/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "version"]
        constraints = [
            models.UniqueConstraint(fields=["document", "version"], name="document_version_unique")
        ]

    def __str__(self) -> str:
        return f"v{self.version} {self.original_name}"

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf"


class DocumentComment(models.Model):
    """A comment on an outgoing document, with the action it came with (a return's reason)."""

    document = models.ForeignKey(
        OutgoingDocument, on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=16, blank=True)
    text = models.TextField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "at", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class RecipientStatus(models.TextChoices):
    """What a recipient agency reported (QCVN 102:2016 status codes 01-06), plus "sent"."""

    SENT = "sent", _("Đã gửi")
    ARRIVED = "arrived", _("Đã đến")
    REFUSED = "refused", _("Từ chối tiếp nhận")
    REGISTERED = "registered", _("Đã vào sổ")
    ASSIGNED = "assigned", _("Đã phân công")
    PROCESSING = "processing", _("Đang xử lý")
    COMPLETED = "completed", _("Hoàn thành")


#: Statuses only move forward; a late "arrived" after "registered" changes nothing.
RECIPIENT_RANK = {
    RecipientStatus.SENT: 0,
    RecipientStatus.ARRIVED: 1,
    RecipientStatus.REFUSED: 2,
    RecipientStatus.REGISTERED: 2,
    RecipientStatus.ASSIGNED: 3,
    RecipientStatus.PROCESSING: 4,
    RecipientStatus.COMPLETED: 5,
}


class Recipient(models.Model):
    """One agency an issued document was sent to, with the latest status it reported."""

    document = models.ForeignKey(
        OutgoingDocument, on_delete=models.PROTECT, related_name="recipients"
    )
    message_id = models.CharField(max_length=64, db_index=True)
    agency_code = models.CharField(max_length=35)
    agency_name = models.CharField(max_length=255)
    status = models.CharField(
        max_length=12, choices=RecipientStatus.choices, default=RecipientStatus.SENT
    )
    comment = models.CharField(max_length=1000, blank=True)
    staff_name = models.CharField(max_length=128, blank=True)
    sent_at = models.DateTimeField()
    arrived_at = models.DateTimeField(null=True, blank=True)
    refused_at = models.DateTimeField(null=True, blank=True)
    registered_at = models.DateTimeField(null=True, blank=True)
    assigned_at = models.DateTimeField(null=True, blank=True)
    processing_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["document", "agency_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "agency_code"], name="recipient_once_per_document"
            ),
            models.CheckConstraint(
                condition=Q(status__in=RecipientStatus.values), name="recipient_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency_code}: {self.status}"


class IncomingSource(models.TextChoices):
    PAPER = "paper", _("Văn bản giấy (bản quét)")
    ELECTRONIC = "electronic", _("Văn bản điện tử (liên thông)")


class IncomingStatus(models.TextChoices):
    RECEIVED = "received", _("Đã nhận, chưa vào sổ")
    REGISTERED = "registered", _("Đã vào sổ")
    ASSIGNED = "assigned", _("Đã phân công")
    COMPLETED = "completed", _("Đã giải quyết xong")


class SignatureState(models.TextChoices):
    """What the check of a received PDF's digital signatures found on arrival (Decree
    30/2020/NĐ-CP Art. 21.1: the clerk checks a received document's validity). A broken or
    changed signature is never stored: such a package is refused. Stable values (API, filter)."""

    VALID = "valid", _("Chữ ký số hợp lệ")
    UNTRUSTED = "untrusted", _("Chữ ký của tổ chức chưa được tin cậy")
    NOT_SIGNED = "not_signed", _("Không có chữ ký số")
    NOT_CHECKED = "not_checked", _("Chưa kiểm tra chữ ký số")


class IncomingDocument(models.Model):
    """Văn bản đến (Decree 30/2020 Arts 20-24): received electronically or scanned from paper,
    entered in the incoming register with its số đến, assigned by the leader to a lead handler
    and co-handlers with a deadline, completed (optionally with the reply)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="incoming_documents")
    source = models.CharField(max_length=12, choices=IncomingSource.choices)
    status = models.CharField(
        max_length=12, choices=IncomingStatus.choices, default=IncomingStatus.RECEIVED
    )
    message_id = models.CharField(max_length=64, blank=True, default="")
    sender_code = models.CharField(max_length=35, blank=True)
    sender_name = models.CharField(max_length=255, help_text=_("Tác giả (cơ quan ban hành)"))
    doc_type = models.CharField(max_length=8, choices=DocumentType.choices)
    code_number = models.CharField(max_length=16, blank=True)
    code_notation = models.CharField(max_length=64, blank=True)
    promulgation_date = models.DateField(null=True, blank=True)
    subject = models.CharField(max_length=500)
    signer_name = models.CharField(max_length=128, blank=True)
    urgency = models.CharField(max_length=12, choices=Urgency.choices, default=Urgency.NORMAL)
    confidentiality = models.CharField(
        max_length=12, choices=Confidentiality.choices, default=Confidentiality.NORMAL
    )
    cleared = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="cleared_incoming"
    )
    sender_due_date = models.DateField(null=True, blank=True, help_text=_("Hạn xử lý của nơi gửi"))
    file = models.FileField(upload_to="documents/incoming/%Y/%m/", blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    signature_state = models.CharField(
        max_length=12, choices=SignatureState.choices, default=SignatureState.NOT_CHECKED
    )
    #: Who signed (the certificates' names, the person's then the organisation's) and when.
    signature_signer = models.CharField(max_length=255, blank=True)
    signature_signed_at = models.DateTimeField(null=True, blank=True)
    #: Why the state is what it is, in Vietnamese (an untrusted CA, an expired certificate...).
    signature_note = models.CharField(max_length=500, blank=True)
    arrived_at = models.DateTimeField(help_text=_("Ngày đến"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    register = models.ForeignKey(
        DocumentRegister, null=True, blank=True, on_delete=models.PROTECT, related_name="incoming"
    )
    incoming_number = models.PositiveIntegerField(null=True, blank=True)
    registered_at = models.DateTimeField(null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lead_handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    co_handlers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="co_handled_incoming"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    deadline_days = models.PositiveSmallIntegerField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True, help_text=_("Hạn giải quyết"))
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    result = models.CharField(max_length=1000, blank=True)
    reply = models.ForeignKey(
        OutgoingDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="replied"
    )

    class Meta:
        ordering = ["-arrived_at", "-id"]
        indexes = [models.Index(fields=["agency", "status"], name="incoming_agency_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["register", "incoming_number"],
                condition=Q(incoming_number__isnull=False),
                name="incoming_number_unique_in_register",
            ),
            # One incoming document per electronic message and recipient agency (exactly once).
            models.UniqueConstraint(
                fields=["agency", "message_id"],
                condition=~Q(message_id=""),
                name="incoming_message_once_per_agency",
            ),
            models.CheckConstraint(
                condition=Q(status__in=IncomingStatus.values), name="incoming_status_known"
            ),
            models.CheckConstraint(
                condition=Q(source__in=IncomingSource.values), name="incoming_source_known"
            ),
            models.CheckConstraint(
                condition=Q(signature_state__in=SignatureState.values),
                name="incoming_signature_state_known",
            ),
        ]

    def __str__(self) -> str:
        return self.code_text or self.subject[:80]

    @property
    def code_text(self) -> str:
        """``05/QĐ-UBND`` as the sender wrote it."""
        if self.code_number and self.code_notation:
            return f"{self.code_number}/{self.code_notation}"
        return self.code_number or self.code_notation

    @property
    def is_restricted(self) -> bool:
        return self.confidentiality != Confidentiality.NORMAL


class HandlingOpinion(models.Model):
    """Ý kiến xử lý: the leader's direction, the unit's and the handlers' opinions (the incoming
    document handling slip, Phiếu giải quyết văn bản đến)."""

    document = models.ForeignKey(
        IncomingDocument, on_delete=models.CASCADE, related_name="opinions"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "at", "id"]

    def __str__(self) -> str:
        return self.text[:80]
