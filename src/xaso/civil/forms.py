"""Forms of the civil status pages. They check the shape of what was typed (a date is a date in
dd/mm/yyyy, a year is a number); the law's rules (who may declare, ages, the register looked up)
are the services' and come back as ``DomainError`` shown next to the field in Vietnamese.

A registration page is several small forms posted together: the registration's own fields
(``CommonForm`` and its subclasses, no prefix) and one ``PersonForm`` per person the paper form
names, prefixed with the person's role (``child-family_name``, ``mother-full_name``), which is
also how the services name their fields (``child.family_name``). Person fields are optional for
the form: what the law requires of each role is said by the service, in one place.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xaso.people.models import Sex

from .models import Event, Relationship
from .services.amendments import CONTENT_FIELDS, KINDS
from .services.births import FATHER_BASES
from .services.family import (
    GUARDIANSHIP_BASES,
    RECOGNISED_AS,
    REQUESTED_BY,
    TERMINATION_REASONS,
)
from .services.marriage import DIVORCE_KINDS, MARITAL_STATUSES, PURPOSES
from .services.others import MAX_COPIES

#: How dates are typed and shown on these pages (STYLE.md: dd/mm/yyyy); ISO is accepted too.
DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
DATE_HELP = _("dd/mm/yyyy")
DATE_ERROR = _("Nhập ngày theo dạng dd/mm/yyyy, ví dụ 05/03/2026.")

#: Personal fee exemptions (Law on Civil Status Art 11.1), as the form names them; the keys are
#: those of ``rules.FEE_EXEMPTIONS``.
FEE_EXEMPTION_LABELS = {
    "merit_family": _("Người thuộc gia đình có công với cách mạng"),
    "poor_household": _("Người thuộc hộ nghèo"),
    "disability": _("Người khuyết tật"),
}


class DateInput(forms.DateInput):
    """A text box for dd/mm/yyyy: typed with the keyboard, the same in every browser."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        base = {"placeholder": "dd/mm/yyyy", "autocomplete": "off", "size": "10"}
        super().__init__(attrs={**base, **(attrs or {})}, format="%d/%m/%Y")


def date_field(label: Any, *, required_message: Any = None) -> forms.DateField:
    """A dd/mm/yyyy date; required when ``required_message`` says what is missing."""
    messages: dict[str, Any] = {"invalid": DATE_ERROR}
    if required_message is not None:
        messages["required"] = required_message
    return forms.DateField(
        label=label,
        required=required_message is not None,
        input_formats=DATE_FORMATS,
        widget=DateInput(),
        error_messages=messages,
    )


def _choices(labels: dict[str, Any], blank: Any = "—") -> list[tuple[str, Any]]:
    return [("", blank), *labels.items()]


def text(label: Any, *, max_length: int = 255, rows: int = 0, **kw: Any) -> forms.CharField:
    widget = forms.Textarea({"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(
        label=label, max_length=max_length, required=False, widget=widget, strip=True, **kw
    )


# --- People ------------------------------------------------------------------------------------


class PersonForm(forms.Form):
    """One person of the paper form; ``fields`` picks which of these the form asks for."""

    family_name = text(_("Họ"), max_length=64)
    middle_name = text(_("Chữ đệm"), max_length=128)
    given_name = text(pgettext_lazy("phần của họ tên", "Tên"), max_length=64)
    full_name = text(_("Họ, chữ đệm và tên"), max_length=260)
    sex = forms.ChoiceField(label=_("Giới tính"), required=False, choices=[("", "—"), *Sex.choices])
    date_of_birth = date_field(_("Ngày sinh"))
    birth_year = forms.IntegerField(
        label=_("Năm sinh"),
        required=False,
        min_value=1,
        max_value=9999,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": "4", "maxlength": "4"}),
        error_messages={"invalid": _("Năm sinh là một số, ví dụ 1996.")},
    )
    id_number = forms.CharField(
        label=_("Số định danh cá nhân"),
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    ethnicity = text(_("Dân tộc"), max_length=64)
    nationality = text(_("Quốc tịch"), max_length=64, initial=_("Việt Nam"))
    residence = text(_("Nơi cư trú"))
    relationship = forms.ChoiceField(label=_("Quan hệ với người được đăng ký"), required=False)

    #: A person is declared when one of these is typed (a nationality alone is the default).
    DECLARED_BY = ("family_name", "given_name", "full_name", "id_number", "date_of_birth")

    def __init__(
        self,
        *args: Any,
        fields: Sequence[str],
        required: Collection[str] = (),
        relationships: Iterable[str] | None = None,
        labels: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {name: self.fields[name] for name in fields}
        for name in required:
            widget = self.fields[name].widget
            widget.attrs["aria-required"] = "true"
            widget.attrs["data-required"] = "1"
        for name, label in (labels or {}).items():
            self.fields[name].label = label
        if "relationship" in self.fields:
            allowed = set(relationships or Relationship.values)
            field = self.fields["relationship"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", "—")] + [
                (value, label) for value, label in Relationship.choices if value in allowed
            ]

    def declared(self) -> bool:
        """Whether anything identifying the person was typed (for people the form may leave
        out: the father, the intended spouse, a parent on a foreign birth)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return any(data.get(name) not in (None, "") for name in self.DECLARED_BY)

    def values(self) -> dict[str, Any]:
        """What was typed, for the service (``PersonData``): empty fields left out."""
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


# --- The registration's own fields ------------------------------------------------------------


class CommonForm(forms.Form):
    """What every registration asks besides its people: the day, the signer, a fee exemption,
    a note; ``dossier`` is the one-stop dossier it comes from (kept from the link that opened
    the form); ``confirm_duplicate`` is shown only after a likely-duplicate warning."""

    registered_on = date_field(_("Ngày đăng ký"))
    signer = forms.ChoiceField(label=_("Người ký"), required=False)
    fee_exemption = forms.ChoiceField(
        label=_("Miễn lệ phí"),
        required=False,
        choices=_choices(FEE_EXEMPTION_LABELS, _("Không miễn")),
    )
    note = text(_("Ghi chú"), max_length=1000, rows=2)
    confirm_duplicate = forms.BooleanField(
        label=_("Tôi đã kiểm tra: đây là việc khác, vẫn đăng ký"), required=False
    )
    dossier = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    #: Fields every registration page shows in its last section, in this order.
    COMMON = ("registered_on", "signer", "fee_exemption", "note")

    def __init__(self, *args: Any, signers: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["signer"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Chưa chọn")), *signers]


class BirthForm(CommonForm):
    place_of_birth = text(_("Nơi sinh"))
    home_town = text(_("Quê quán"))
    birth_notice = text(_("Giấy chứng sinh (số, ngày, nơi cấp)"))
    father_basis = forms.ChoiceField(
        label=_("Căn cứ ghi thông tin người cha"),
        required=False,
        choices=_choices(FATHER_BASES, _("Theo Sổ đăng ký kết hôn của cơ quan")),
    )
    parents_marriage = text(_("Nơi, ngày cha mẹ đăng ký kết hôn (nếu ở nơi khác)"))


class DeathForm(CommonForm):
    date_of_death = date_field(_("Ngày chết"), required_message=_("Cần khai ngày chết."))
    time_of_death = forms.CharField(
        label=_("Giờ chết (HH:MM)"),
        required=False,
        max_length=5,
        widget=forms.TextInput(attrs={"placeholder": "HH:MM", "size": "5"}),
    )
    place_of_death = text(_("Nơi chết"))
    cause = text(_("Nguyên nhân chết"))
    death_notice = text(_("Giấy báo tử (số, ngày, nơi cấp)"))


class MarriageForm(CommonForm):
    pass


class MaritalStatusForm(CommonForm):
    declared_status = forms.ChoiceField(
        label=_("Tình trạng hôn nhân"), required=False, choices=_choices(MARITAL_STATUSES)
    )
    purpose_kind = forms.ChoiceField(
        label=_("Mục đích"), required=False, choices=list(PURPOSES.items()), initial="other"
    )
    purpose = text(_("Mục đích sử dụng (ghi rõ)"))


class ParentageForm(CommonForm):
    recognized_as = forms.ChoiceField(
        label=_("Người được nhận là"), required=False, choices=_choices(RECOGNISED_AS)
    )
    requested_by = forms.ChoiceField(
        label=_("Bên yêu cầu"), required=False, choices=list(REQUESTED_BY.items()), initial="parent"
    )


class GuardianshipForm(CommonForm):
    basis = forms.ChoiceField(
        label=_("Loại giám hộ"), required=False, choices=_choices(GUARDIANSHIP_BASES)
    )
    appointment_document = text(_("Văn bản cử người giám hộ (số, ngày, nơi lập)"))
    ward_condition = text(
        _("Tình trạng năng lực hành vi của người được giám hộ (nếu đã thành niên)")
    )


class TerminationForm(CommonForm):
    reason = forms.ChoiceField(
        label=_("Lý do chấm dứt"), required=False, choices=_choices(TERMINATION_REASONS)
    )
    reason_detail = text(_("Căn cứ (giấy tờ chứng minh)"))


class ChangeForm(CommonForm):
    kind = forms.ChoiceField(label=_("Việc yêu cầu"), required=False, choices=_choices(KINDS))
    reason = text(_("Lý do"), max_length=1000, rows=2)
    subject_consent = forms.BooleanField(
        label=_("Người được thay đổi họ, tên (từ đủ 9 tuổi) đã đồng ý"), required=False
    )


#: The values a change row may name, as the change form labels them (the service decides which
#: of them a kind of change may touch).
CHANGE_FIELD_LABELS: dict[str, Any] = {
    "family_name": _("Họ"),
    "middle_name": _("Chữ đệm"),
    "given_name": pgettext_lazy("phần của họ tên", "Tên"),
    "full_name": _("Họ, chữ đệm và tên"),
    "sex": _("Giới tính"),
    "date_of_birth": _("Ngày sinh"),
    "birth_year": _("Năm sinh"),
    "id_number": _("Số định danh cá nhân"),
    "ethnicity": _("Dân tộc"),
    "nationality": _("Quốc tịch"),
    "residence": _("Nơi cư trú"),
    "place_of_birth": _("Nơi sinh"),
    "home_town": _("Quê quán"),
    "place_of_death": _("Nơi chết"),
    "time_of_death": _("Giờ chết"),
    "cause": _("Nguyên nhân chết"),
    "place_of_event": _("Nơi xảy ra sự kiện"),
}
CHANGE_ROWS = 3


class ChangeRowForm(forms.Form):
    """One value to change: whose (a role of the entry, or the entry itself), which, to what."""

    role = forms.ChoiceField(label=_("Của"), required=False)
    field = forms.ChoiceField(label=_("Thông tin"), required=False)
    value = text(_("Ghi thành"))

    def __init__(
        self, *args: Any, roles: Sequence[tuple[str, Any]], event: str | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        role = self.fields["role"]
        assert isinstance(role, forms.ChoiceField)
        role.choices = [("", _("Nội dung mục hộ tịch")), *roles]
        content = CONTENT_FIELDS.get(event or "", ())
        names = [n for n in CHANGE_FIELD_LABELS if n not in _CONTENT_ONLY or n in content]
        field = self.fields["field"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—"), *((n, CHANGE_FIELD_LABELS[n]) for n in names)]

    def filled(self) -> bool:
        return bool(self.cleaned_data.get("field") or self.cleaned_data.get("value"))


_CONTENT_ONLY = frozenset(name for names in CONTENT_FIELDS.values() for name in names)


class OriginalForm(CommonForm):
    """Re-registration (Decree 123/2015 Art 24): where and when the event was registered first."""

    original_registered_on = date_field(
        _("Ngày đăng ký trước đây"), required_message=_("Cần ghi ngày đã đăng ký trước đây.")
    )
    original_place = text(_("Nơi đã đăng ký trước đây"))
    original_number = text(_("Số, quyển số đã đăng ký (nếu nhớ)"), max_length=64)


class ReBirthForm(OriginalForm, BirthForm):
    pass


class ReDeathForm(OriginalForm, DeathForm):
    pass


class ReMarriageForm(OriginalForm, MarriageForm):
    pass


class ForeignRecordForm(CommonForm):
    foreign_authority = text(_("Cơ quan nước ngoài đã giải quyết"))
    country = text(_("Nước"), max_length=64)
    foreign_document = text(_("Giấy tờ nước ngoài (số, ngày cấp)"))
    event_date = date_field(_("Ngày xảy ra sự kiện"))
    place_of_event = text(_("Nơi xảy ra sự kiện"))


class ExtractCopyForm(CommonForm):
    copies = forms.IntegerField(
        label=_("Số bản sao"),
        error_messages={"required": _("Cần ghi số bản sao.")},
        initial=1,
        min_value=1,
        max_value=MAX_COPIES,
        widget=forms.NumberInput(attrs={"size": "3"}),
    )
    purpose = text(_("Mục đích sử dụng"))


class InfoConfirmationForm(CommonForm):
    purpose = text(_("Mục đích sử dụng"))


# --- Other pages -------------------------------------------------------------------------------


class SearchForm(forms.Form):
    """Tra cứu sổ hộ tịch (all optional; ``after`` is the keyset cursor of the next page)."""

    q = forms.CharField(
        label=_("Họ tên (không cần dấu)"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    parent = forms.CharField(label=_("Họ tên cha hoặc mẹ"), required=False, max_length=100)
    birth_date = date_field(_("Ngày sinh"))
    birth_year = forms.IntegerField(
        label=_("Năm sinh"),
        required=False,
        min_value=1850,
        max_value=2200,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": "4"}),
        error_messages={"invalid": _("Năm sinh là một số, ví dụ 1996.")},
    )
    id_number = forms.CharField(label=_("Số định danh"), required=False, max_length=12)
    event = forms.ChoiceField(
        label=_("Loại việc"), required=False, choices=[("", _("Tất cả")), *Event.choices]
    )
    book = forms.ChoiceField(label=_("Sổ"), required=False, choices=[("", _("Tất cả các sổ"))])
    after = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def __init__(self, *args: Any, books: Iterable[Any] = (), **kwargs: Any) -> None:
        """``books``: the agency's books, offered newest year first (``book_list_for``)."""
        super().__init__(*args, **kwargs)
        field = self.fields["book"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Tất cả các sổ")), *((str(b.public_id), str(b)) for b in books)]

    def criteria(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "q": data["q"] or "",
            "parent": data["parent"] or "",
            "birth_date": data["birth_date"],
            "birth_year": data["birth_year"],
            "id_number": data["id_number"] or "",
            "event": data["event"] or "",
            "book": data["book"] or None,
        }

    def has_criteria(self) -> bool:
        return any(v not in (None, "") for v in self.criteria().values())


class BookCloseForm(forms.Form):
    closed_on = date_field(_("Ngày khóa sổ"))


class StatsForm(forms.Form):
    """The period and the agency of the civil status report; ``from``/``to`` are keywords."""

    agency = forms.ChoiceField(label=_("Cơ quan"), required=False)

    def __init__(self, *args: Any, agencies: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {
            "from": date_field(_("Từ ngày")),
            "to": date_field(_("Đến ngày")),
            **self.fields,
        }
        field = self.fields["agency"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = list(agencies)

    def period(self, default: tuple[date, date]) -> tuple[date, date]:
        data = self.cleaned_data
        return data.get("from") or default[0], data.get("to") or default[1]


class DivorceNoteForm(forms.Form):
    """Ghi chú ly hôn beside a marriage entry (Law on Civil Status 2014 Art 3.2): what ended
    the marriage, when, and by which court's judgment or decision. The service checks the rest."""

    kind = forms.ChoiceField(
        label=_("Việc"), choices=list(DIVORCE_KINDS.items()), initial="divorce", required=False
    )
    decided_on = date_field(
        _("Ngày bản án, quyết định có hiệu lực"),
        required_message=_("Cần ghi ngày bản án, quyết định có hiệu lực."),
    )
    authority = text(_("Cơ quan quyết định (Tòa án)"))
    decision = text(_("Số, ngày bản án hoặc quyết định"))
