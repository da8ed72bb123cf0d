"""Civil status (hộ tịch): the register books, their entries, the parties named in each entry and
the amendments recorded against an entry later (vn-rules.md §3).

The shape, and why:

- ``CivilBook`` — a register (Sổ hộ tịch): one per type of event per agency per calendar year
  (Law on Civil Status 2014 Art 58: one book per type of event; closed on the last day of the
  year with the total of pages and events, signed and sealed by the head of the authority; kept
  permanently). The book row is also the counter of its entry numbers: whoever registers locks
  it (``select_for_update``) in the registering transaction, so numbers are unique and gapless
  (``services.books.book_lock_for``, as ``dossiers.services.codes`` does for dossier codes).
- ``CivilRecord`` — one entry of a book (số, quyển số, trang số as the MOJ system returns them,
  vn-rules.md §3.4): the event, when it was registered, the catalogue procedure it was registered
  under with the fee assessed, who recorded it and who signs, and ``content``, the rest of the
  form's legal content (place of birth, cause of death, purpose of a confirmation, ...) as JSON.
- ``CivilParty`` — each person an entry names (child, mother, father, declarant; husband, wife;
  deceased; ...), with typed columns for what is searched or validated: name in its three parts
  (họ, chữ đệm, tên; Law Art 14, vn-rules.md §9.4), the folded name (``core.text.fold``), sex,
  date or year of birth, personal ID number. A party with an ID number is linked to the agency's
  ``people.Person``. The entry keeps what was declared on the day: a register is a legal record,
  not the person's latest details (those live in ``people``).
- ``CivilAmendment`` — a change, correction, supplement or re-determination of ethnicity (Law
  Arts 26-29), or a note of a divorce, recorded against an entry. An entry is never overwritten:
  its typed columns keep the original; reading the *current* values applies the amendments in
  order (``selectors.record_current``). The one column kept up to date is the derived search
  column ``CivilParty.name_folded``, so a search finds a person by the name they now bear.

Records are never deleted (``PROTECT`` everywhere): registers are kept permanently.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xaso.org.models import Agency
from xaso.people.models import Person, Sex


class Event(models.TextChoices):
    """A type of civil status event; each type has its own register book (Law Art 58).

    The list of book types follows Circular 04/2020/TT-BTP as far as vn-rules.md §3.4 knows it
    ([UNCONFIRMED] exact list): copies of extracts and confirmations of civil status information
    (Decree 87/2020) are kept in registers of their own. Re-registrations of birth, marriage and
    death go into the book of the event itself, marked ``re_registration``.
    """

    BIRTH = "birth", _("Khai sinh")
    DEATH = "death", _("Khai tử")
    MARRIAGE = "marriage", _("Kết hôn")
    MARITAL_STATUS = "marital_status", _("Xác nhận tình trạng hôn nhân")
    PARENTAGE = "parentage", _("Nhận cha, mẹ, con")
    GUARDIANSHIP = "guardianship", _("Giám hộ")
    CHANGE = "change", _("Thay đổi, cải chính, bổ sung thông tin hộ tịch, xác định lại dân tộc")
    FOREIGN_RECORD = (
        "foreign_record",
        _("Ghi vào Sổ hộ tịch việc hộ tịch đã giải quyết ở nước ngoài"),
    )
    EXTRACT_COPY = "extract_copy", _("Cấp bản sao trích lục hộ tịch")
    INFO_CONFIRMATION = "info_confirmation", _("Xác nhận thông tin hộ tịch")


#: The name printed on the cover of each book.
BOOK_NAMES = {
    Event.BIRTH: _("Sổ đăng ký khai sinh"),
    Event.DEATH: _("Sổ đăng ký khai tử"),
    Event.MARRIAGE: _("Sổ đăng ký kết hôn"),
    Event.MARITAL_STATUS: _("Sổ cấp Giấy xác nhận tình trạng hôn nhân"),
    Event.PARENTAGE: _("Sổ đăng ký nhận cha, mẹ, con"),
    Event.GUARDIANSHIP: _("Sổ đăng ký giám hộ"),
    Event.CHANGE: _(
        "Sổ đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch, xác định lại dân tộc"
    ),
    Event.FOREIGN_RECORD: _(
        "Sổ ghi vào Sổ hộ tịch việc hộ tịch của công dân Việt Nam đã được giải quyết tại cơ quan "
        "có thẩm quyền của nước ngoài"
    ),
    Event.EXTRACT_COPY: _("Sổ cấp bản sao trích lục hộ tịch"),
    Event.INFO_CONFIRMATION: _("Sổ xác nhận thông tin hộ tịch"),
}


class Variant(models.TextChoices):
    """What kind of entry within its book. Empty: the ordinary registration of the event."""

    ORDINARY = "", pgettext_lazy("loại đăng ký", "Đăng ký")
    RE_REGISTRATION = "re_registration", _("Đăng ký lại")
    APPOINTMENT = "appointment", _("Đăng ký giám hộ")
    TERMINATION = "termination", _("Đăng ký chấm dứt giám hộ")
    CHANGE = "change", _("Thay đổi")
    CORRECTION = "correction", _("Cải chính")
    SUPPLEMENT = "supplement", _("Bổ sung")
    ETHNICITY = "ethnicity", _("Xác định lại dân tộc")
    FOREIGN_BIRTH = "birth", _("Khai sinh")
    FOREIGN_MARRIAGE = "marriage", _("Kết hôn")
    FOREIGN_DIVORCE = "divorce", _("Ly hôn, hủy việc kết hôn")
    FOREIGN_DEATH = "death", _("Khai tử")


#: The variants each book admits (a check constraint keeps rows to this table).
VARIANTS: dict[str, tuple[str, ...]] = {
    Event.BIRTH: ("", "re_registration"),
    Event.DEATH: ("", "re_registration"),
    Event.MARRIAGE: ("", "re_registration"),
    Event.MARITAL_STATUS: ("",),
    Event.PARENTAGE: ("",),
    Event.GUARDIANSHIP: ("appointment", "termination"),
    Event.CHANGE: ("change", "correction", "supplement", "ethnicity"),
    Event.FOREIGN_RECORD: ("birth", "marriage", "divorce", "death"),
    Event.EXTRACT_COPY: ("",),
    Event.INFO_CONFIRMATION: ("",),
}


class PartyRole(models.TextChoices):
    CHILD = "child", _("Người được đăng ký khai sinh / người con")
    MOTHER = "mother", _("Mẹ")
    FATHER = "father", _("Cha")
    DECLARANT = "declarant", _("Người đi đăng ký")
    DECEASED = "deceased", _("Người chết")
    HUSBAND = "husband", _("Bên chồng")
    WIFE = "wife", _("Bên vợ")
    PERSON = "person", _("Người được xác nhận")
    PARENT = "parent", _("Người nhận / được nhận là cha, mẹ")
    GUARDIAN = "guardian", _("Người giám hộ")
    WARD = "ward", _("Người được giám hộ")
    REQUESTER = "requester", _("Người yêu cầu")


#: The people an entry is about: what a search by name looks at. Parents are searched apart
#: (``parent=``); declarants and requesters are recorded, not searched.
SUBJECT_ROLES = (
    PartyRole.CHILD,
    PartyRole.DECEASED,
    PartyRole.HUSBAND,
    PartyRole.WIFE,
    PartyRole.PERSON,
    PartyRole.PARENT,
    PartyRole.GUARDIAN,
    PartyRole.WARD,
)
PARENT_ROLES = (PartyRole.MOTHER, PartyRole.FATHER)


class Relationship(models.TextChoices):
    """How a declarant or requester stands to the person the entry is about (who may declare:
    Law Arts 15 and 33; authorisation: Decree 123/2015)."""

    SELF = "self", _("Bản thân")
    MOTHER = "mother", _("Mẹ")
    FATHER = "father", _("Cha")
    GRANDPARENT = "grandparent", _("Ông, bà")
    SPOUSE = "spouse", _("Vợ, chồng")
    CHILD = "child", _("Con")
    PARENT = "parent", _("Cha, mẹ")
    SIBLING = "sibling", _("Anh, chị, em")
    RELATIVE = "relative", _("Người thân thích khác")
    CARER = "carer", _("Cá nhân, tổ chức đang nuôi dưỡng")
    GUARDIAN = "guardian", _("Người giám hộ")
    AGENCY_REPRESENTATIVE = "agency_representative", _("Đại diện cơ quan, tổ chức")
    AUTHORISED = "authorised", _("Người được ủy quyền")


class AmendmentKind(models.TextChoices):
    CHANGE = "change", _("Thay đổi")
    CORRECTION = "correction", _("Cải chính")
    SUPPLEMENT = "supplement", _("Bổ sung")
    ETHNICITY = "ethnicity", _("Xác định lại dân tộc")
    DIVORCE = "divorce", _("Ghi chú ly hôn")
    ANNULMENT = "annulment", _("Ghi chú hủy việc kết hôn trái pháp luật")


class CivilBook(models.Model):
    """Sổ hộ tịch: the register of one type of event kept by one agency for one year.

    ``last_number`` is the counter of entry numbers (locked by the registering transaction);
    ``last_registered_on`` keeps entries in date order. Closing (``services.book_close``) fills
    the ``closed_*`` and ``total_*`` columns; a closed book takes no more entries.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="civil_books")
    event = models.CharField(max_length=20, choices=Event.choices)
    year = models.PositiveSmallIntegerField()
    number = models.CharField(max_length=16, default="01", help_text=_("Quyển số"))
    opened_on = models.DateField()
    entries_per_page = models.PositiveSmallIntegerField(default=1)
    last_number = models.PositiveIntegerField(default=0)
    last_registered_on = models.DateField(null=True, blank=True)

    closed_on = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closing_signer_name = models.CharField(max_length=128, blank=True)
    closing_signer_title = models.CharField(max_length=128, blank=True)
    total_entries = models.PositiveIntegerField(null=True, blank=True)
    total_pages = models.PositiveIntegerField(null=True, blank=True)
    # Counts by kind of entry (variant, on time / late, sex of the subject), as closed.
    closing_totals = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["agency_id", "-year", "event"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "event", "year"], name="civil_book_one_per_event_year"
            ),
            models.CheckConstraint(
                condition=Q(event__in=Event.values), name="civil_book_event_known"
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True, total_entries__isnull=True)
                | Q(closed_on__isnull=False, total_entries__isnull=False),
                name="civil_book_closed_with_totals",
            ),
            models.CheckConstraint(
                condition=Q(entries_per_page__gte=1), name="civil_book_entries_per_page"
            ),
        ]

    def __str__(self) -> str:
        return f"{BOOK_NAMES[Event(self.event)]} {self.number}/{self.year}"

    @property
    def name(self) -> str:
        return str(BOOK_NAMES[Event(self.event)])

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None


class CivilRecord(models.Model):
    """One entry of a register book. Public identifier: ``public_id`` (the API's ``id``)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="civil_records")
    book = models.ForeignKey(CivilBook, on_delete=models.PROTECT, related_name="records")
    entry_number = models.PositiveIntegerField(help_text=_("Số"))
    page = models.PositiveIntegerField(null=True, blank=True, help_text=_("Trang số"))
    event = models.CharField(max_length=20, choices=Event.choices)
    variant = models.CharField(max_length=20, choices=Variant.choices, blank=True, default="")

    registered_on = models.DateField(help_text=_("Ngày đăng ký"))
    # The day of the event itself: birth, death, marriage (abroad: as the foreign paper says).
    event_date = models.DateField(null=True, blank=True)
    # Registered after the declaration duty ran out: 60 days for a birth (Law Art 15), 15 days
    # for a death (Law Art 33).
    late = models.BooleanField(default=False)
    # A marital status confirmation is valid for 6 months (Decree 123/2015 Art 23).
    valid_until = models.DateField(null=True, blank=True)
    # The entry this one is about: the entry changed, the appointment terminated, the entry
    # copied, the marriage a foreign divorce ends.
    target = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="dependents"
    )

    procedure = models.ForeignKey(
        "procedures.Procedure", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # None: the catalogue gives no amount (provincial rate, unconfirmed); 0: free or exempt.
    fee_amount_vnd = models.BigIntegerField(null=True, blank=True)
    fee_note = models.TextField(blank=True)
    copies_issued = models.PositiveIntegerField(
        default=0, help_text=_("Số bản sao trích lục đã cấp")
    )

    content = models.JSONField(default=dict, blank=True)

    registrar = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="civil_records_recorded"
    )
    registrar_name = models.CharField(max_length=128)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="civil_records_signed",
    )
    signer_name = models.CharField(max_length=128, blank=True)
    signer_title = models.CharField(max_length=128, blank=True)
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="civil_records",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["book_id", "entry_number"]
        constraints = [
            models.UniqueConstraint(fields=["book", "entry_number"], name="civil_entry_unique"),
            models.CheckConstraint(
                condition=Q(entry_number__gte=1), name="civil_entry_number_positive"
            ),
            models.CheckConstraint(
                condition=Q(
                    *[Q(event=event, variant__in=list(v)) for event, v in VARIANTS.items()],
                    _connector=Q.OR,
                ),
                name="civil_record_variant_of_event",
            ),
            models.CheckConstraint(
                condition=Q(fee_amount_vnd__isnull=True) | Q(fee_amount_vnd__gte=0),
                name="civil_record_fee_not_negative",
            ),
        ]
        indexes = [
            models.Index(
                fields=["agency", "-registered_on", "-id"], name="civil_record_agency_recent"
            ),
            models.Index(fields=["agency", "event", "registered_on"], name="civil_record_event"),
        ]

    def __str__(self) -> str:
        return f"{self.book} số {self.entry_number}"


class CivilParty(models.Model):
    """A person named in an entry, as declared on the day of registration.

    ``agency`` repeats the record's, so that the search indexes start with it. ``added_by`` is
    set on a party added to an entry after it was written (the father of a birth entry, by a
    later recognition of parentage); the original entry is the parties where it is null.
    """

    record = models.ForeignKey(CivilRecord, on_delete=models.PROTECT, related_name="parties")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=12, choices=PartyRole.choices)
    added_by = models.ForeignKey(
        CivilRecord,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="added_parties",
    )
    # Họ, chữ đệm, tên as declared. Parents and declarants are often declared by full name only:
    # the parts are then left empty rather than guessed (vn-rules.md §9.4).
    family_name = models.CharField(max_length=64, blank=True)
    middle_name = models.CharField(max_length=128, blank=True)
    given_name = models.CharField(max_length=64, blank=True)
    full_name = models.CharField(max_length=260)
    # fold() of the name the person bears now (amendments applied): the search column.
    name_folded = models.CharField(max_length=260)
    sex = models.CharField(max_length=6, choices=Sex.choices, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    id_number = models.CharField(max_length=12, blank=True, help_text=_("Số định danh cá nhân"))
    ethnicity = models.CharField(max_length=64, blank=True)
    nationality = models.CharField(max_length=64, blank=True)
    residence = models.CharField(max_length=255, blank=True, help_text=_("Nơi cư trú"))
    relationship = models.CharField(max_length=24, choices=Relationship.choices, blank=True)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="civil_parties"
    )

    class Meta:
        ordering = ["record_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["record", "role"], name="civil_party_one_per_role"),
            models.CheckConstraint(
                condition=Q(role__in=PartyRole.values), name="civil_party_role_known"
            ),
            models.CheckConstraint(
                condition=Q(sex__in=["", *Sex.values]), name="civil_party_sex_known"
            ),
            models.CheckConstraint(condition=~Q(full_name=""), name="civil_party_name_present"),
        ]
        indexes = [
            models.Index(fields=["agency", "name_folded"], name="civil_party_name"),
            models.Index(fields=["agency", "id_number"], name="civil_party_id_number"),
            models.Index(fields=["agency", "date_of_birth"], name="civil_party_dob"),
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.full_name}"


class CivilAmendment(models.Model):
    """A value of an entry changed later, without touching the entry (Law Arts 26-29).

    ``role`` names the party whose ``field`` changes, or is empty for a field of the entry's
    ``content``. Values are text: dates in ISO form, years as digits. ``source`` is the entry of
    the change book that made the amendment (empty for a note of a court's divorce decision,
    which is written beside the marriage entry; ``basis`` then names the decision).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    record = models.ForeignKey(CivilRecord, on_delete=models.PROTECT, related_name="amendments")
    source = models.ForeignKey(
        CivilRecord,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="amendments_made",
    )
    kind = models.CharField(max_length=12, choices=AmendmentKind.choices)
    role = models.CharField(max_length=12, choices=PartyRole.choices, blank=True)
    field = models.CharField(max_length=32)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    effective_on = models.DateField()
    basis = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["record_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AmendmentKind.values), name="civil_amendment_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.role}.{self.field}"


# The register of issued documents lives with the certificates; loaded with the app's models.
from .certificates.models import IssuedDocument  # noqa: E402, F401

# So are the digitised entries of old paper books, their page scans and import batches.
from .digitising.models import DigitisedEntry, ImportBatch, PageScan  # noqa: E402, F401
