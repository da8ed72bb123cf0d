"""The forms of the digitising pages: they check the shape of what is typed (numbers, dates as
dd/mm/yyyy, the scan's size); the rules of an entry are the service's (``entries.entry_clean``),
shown next to the fields by ``civil.views.common.place_errors``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Relationship

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
EVENT_CHOICES = [
    ("birth", _("Sổ đăng ký khai sinh")),
    ("death", _("Sổ đăng ký khai tử")),
    ("marriage", _("Sổ đăng ký kết hôn")),
]
ENCODING_CHOICES = [
    ("auto", _("Tự nhận biết (Unicode, TCVN3 hoặc VNI)")),
    ("unicode", _("Unicode")),
    ("tcvn3", _("TCVN3 (ABC, phông .VnTime)")),
    ("vni", _("VNI (phông VNI-Times)")),
]
SEX_CHOICES = [("", "—"), ("male", _("Nam")), ("female", _("Nữ"))]


def _date(label: Any, required: bool = False) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy", "size": 10}),
        error_messages={"invalid": _("Nhập ngày theo dạng dd/mm/yyyy, ví dụ 05/03/1998.")},
    )


def _text(label: Any, max_length: int = 255, **kw: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=max_length, **kw)


class EntryForm(forms.Form):
    """Where the entry is in the paper book, and who wrote and signed it."""

    book_number = forms.CharField(label=_("Quyển số"), max_length=16)
    entry_number = forms.IntegerField(label=_("Số"), min_value=1, max_value=1_000_000)
    page = forms.IntegerField(label=_("Trang số"), min_value=1, max_value=1_000_000)
    registered_on = _date(_("Ngày đăng ký"), required=True)
    registrar_name = _text(_("Người thực hiện"), 128)
    signer_name = _text(_("Người ký"), 128)
    signer_title = _text(_("Chức vụ người ký"), 128)
    note = _text(_("Ghi chú"), 1000)
    scan = forms.FileField(
        label=_("Bản quét trang sổ (PDF, JPEG, PNG)"),
        required=False,
        help_text=_("Một lần cho mỗi trang; các mục khác của trang dùng chung bản quét."),
    )
    # The facts of each event (only those of the page's event are shown).
    place_of_birth = _text(_("Nơi sinh"), 1000)
    home_town = _text(_("Quê quán"), 1000)
    date_of_death = _date(_("Ngày chết"))
    place_of_death = _text(_("Nơi chết"), 1000)
    cause = _text(_("Nguyên nhân chết"), 1000)

    FACTS = {
        "birth": ("place_of_birth", "home_town"),
        "death": ("date_of_death", "place_of_death", "cause"),
        "marriage": (),
    }

    def __init__(self, *args: Any, event: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in {n for names in self.FACTS.values() for n in names} - set(self.FACTS[event]):
            del self.fields[name]
        self.facts = [self[name] for name in self.FACTS[event]]
        self.place = [
            self[name] for name in ("book_number", "entry_number", "page", "registered_on")
        ]
        self.people = [
            self[name] for name in ("registrar_name", "signer_name", "signer_title", "note")
        ]


class PersonForm(forms.Form):
    """A person as the paper names them. Which fields show depends on the role (``FIELDS``)."""

    family_name = _text(_("Họ"), 64)
    middle_name = _text(_("Chữ đệm"), 128)
    given_name = _text(_("Tên"), 64)
    full_name = _text(_("Họ và tên"), 260)
    sex = forms.ChoiceField(label=_("Giới tính"), choices=SEX_CHOICES, required=False)
    date_of_birth = _date(_("Ngày sinh"))
    birth_year = forms.IntegerField(
        label=_("Năm sinh"), required=False, min_value=1000, max_value=9999
    )
    id_number = _text(_("Số định danh cá nhân"), 20)
    ethnicity = _text(_("Dân tộc"), 64)
    nationality = _text(_("Quốc tịch"), 64)
    residence = _text(_("Nơi cư trú"), 255)
    relationship = forms.ChoiceField(
        label=_("Quan hệ"),
        choices=[("", "—"), *Relationship.choices],
        required=False,
    )

    FIELDS = {
        "child": (
            "family_name",
            "middle_name",
            "given_name",
            "sex",
            "date_of_birth",
            "ethnicity",
            "nationality",
            "id_number",
        ),
        "parent": ("full_name", "birth_year", "ethnicity", "nationality", "residence", "id_number"),
        "declarant": ("full_name", "relationship"),
        "deceased": (
            "family_name",
            "middle_name",
            "given_name",
            "sex",
            "date_of_birth",
            "birth_year",
            "ethnicity",
            "nationality",
            "residence",
            "id_number",
        ),
        "spouse": (
            "full_name",
            "date_of_birth",
            "birth_year",
            "ethnicity",
            "nationality",
            "residence",
            "id_number",
        ),
    }

    def __init__(self, *args: Any, kind: str, legend: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in set(self.fields) - set(self.FIELDS[kind]):
            del self.fields[name]
        self.legend = legend

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


#: The people of each event's page: (role, kind of form, legend).
PEOPLE = {
    "birth": (
        ("child", "child", _("Người được đăng ký khai sinh")),
        ("mother", "parent", _("Mẹ")),
        ("father", "parent", _("Cha")),
        ("declarant", "declarant", _("Người đi đăng ký")),
    ),
    "death": (
        ("deceased", "deceased", _("Người chết")),
        ("declarant", "declarant", _("Người đi đăng ký")),
    ),
    "marriage": (
        ("husband", "spouse", _("Bên chồng")),
        ("wife", "spouse", _("Bên vợ")),
    ),
}


class ImportForm(forms.Form):
    event = forms.ChoiceField(label=_("Loại sổ"), choices=EVENT_CHOICES)
    encoding = forms.ChoiceField(label=_("Bảng mã chữ trong tệp"), choices=ENCODING_CHOICES)
    file = forms.FileField(
        label=_("Tệp Excel (.xlsx) hoặc CSV"),
        help_text=_("Theo mẫu của loại sổ; tối đa 5.000 dòng, 10 MB."),
    )
