from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Role

ROLE_CHOICES = [(r.value, r.label) for r in Role]


class StaffForm(forms.Form):
    username = forms.RegexField(
        label=_("Tên đăng nhập"),
        max_length=150,
        regex=r"^[a-zA-Z0-9._-]+$",
        error_messages={"invalid": _("Chỉ dùng chữ không dấu, chữ số và các dấu . _ -")},
    )
    full_name = forms.CharField(label=_("Họ và tên"), max_length=128)
    title = forms.CharField(label=_("Chức vụ"), max_length=128, required=False)
    phone = forms.CharField(label=_("Điện thoại"), max_length=20, required=False)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    roles = forms.MultipleChoiceField(
        label=_("Vai trò"),
        choices=ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Chọn ít nhất một vai trò.")},
    )
    field = forms.CharField(
        label=_("Lĩnh vực chuyên môn"),
        max_length=64,
        required=False,
        help_text=_("Ví dụ: tư pháp - hộ tịch (áp dụng cho vai trò Chuyên môn)"),
    )
    password = forms.CharField(
        label=_("Mật khẩu ban đầu"), widget=forms.PasswordInput, required=False
    )
    is_active = forms.BooleanField(label=_("Đang hoạt động"), required=False, initial=True)

    def __init__(self, *args: object, editing: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if editing:
            del self.fields["username"]
            del self.fields["password"]
        else:
            self.fields["password"].required = True
            del self.fields["is_active"]

    def role_pairs(self) -> list[tuple[str, str]]:
        field = self.cleaned_data.get("field", "").strip()
        return [(r, field if r == "specialist" else "") for r in self.cleaned_data["roles"]]


class PasswordResetForm(forms.Form):
    password = forms.CharField(label=_("Mật khẩu mới"), widget=forms.PasswordInput)


class OfficeHoursForm(forms.Form):
    morning_start = forms.TimeField(label=_("Sáng từ"))
    morning_end = forms.TimeField(label=_("Sáng đến"))
    afternoon_start = forms.TimeField(label=_("Chiều từ"))
    afternoon_end = forms.TimeField(label=_("Chiều đến"))
    same_day_cutoff = forms.TimeField(label=_("Giờ chốt nhận hồ sơ giải quyết trong ngày"))


class UnitSearchForm(forms.Form):
    q = forms.CharField(label=_("Tên hoặc mã"), required=False)
    level = forms.ChoiceField(
        label=_("Cấp"),
        required=False,
        choices=[
            ("", _("Tất cả")),
            ("province", _("Tỉnh")),
            ("district", _("Huyện")),
            ("commune", _("Xã")),
        ],
    )
    status = forms.ChoiceField(
        label=_("Tình trạng"),
        required=False,
        choices=[
            ("", _("Tất cả")),
            ("current", _("Đang hiệu lực")),
            ("dissolved", _("Đã giải thể/sáp nhập")),
        ],
    )


class AgencyCreateForm(forms.Form):
    code = forms.CharField(
        label=_("Mã định danh điện tử"),
        max_length=35,
        help_text=_("Theo Quyết định 20/2020/QĐ-TTg, ví dụ H25.54.02"),
    )
    name = forms.CharField(label=_("Tên cơ quan"), max_length=255)
    kind = forms.ChoiceField(label=_("Loại cơ quan"), choices=[])
    unit_code = forms.RegexField(
        label=_("Mã đơn vị hành chính (GSO)"),
        regex=r"^[0-9]{2,5}$",
        error_messages={"invalid": _("Mã đơn vị hành chính gồm 2 đến 5 chữ số.")},
    )
    admin_username = forms.RegexField(
        label=_("Tên đăng nhập của quản trị cơ quan"),
        max_length=150,
        regex=r"^[a-zA-Z0-9._-]+$",
        error_messages={"invalid": _("Chỉ dùng chữ không dấu, chữ số và các dấu . _ -")},
    )
    admin_full_name = forms.CharField(label=_("Họ và tên quản trị cơ quan"), max_length=128)
    admin_password = forms.CharField(label=_("Mật khẩu ban đầu"), widget=forms.PasswordInput)

    def __init__(self, *args: object, **kwargs: object) -> None:
        from .models import AgencyKind

        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["kind"].choices = AgencyKind.choices  # type: ignore[attr-defined]


class UnitMergeForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Cấp"), choices=[("commune", _("Xã")), ("district", _("Huyện"))], initial="commune"
    )
    old_codes = forms.CharField(
        label=_("Mã các đơn vị bị sáp nhập"),
        help_text=_("Cách nhau bằng dấu phẩy, ví dụ 08563, 08575"),
    )
    successor_code = forms.RegexField(
        label=_("Mã đơn vị kế thừa"),
        regex=r"^[0-9]{2,5}$",
        error_messages={"invalid": _("Mã đơn vị hành chính gồm 2 đến 5 chữ số.")},
    )
    effective_on = forms.DateField(
        label=_("Ngày hiệu lực"),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    legal_basis = forms.CharField(label=_("Căn cứ pháp lý"), max_length=255)

    def clean_old_codes(self) -> list[str]:
        import re

        raw = self.cleaned_data["old_codes"]
        codes = [c for c in re.split(r"[\s,;]+", raw) if c]
        bad = [c for c in codes if not re.fullmatch(r"[0-9]{2,5}", c)]
        if bad or not codes:
            raise forms.ValidationError(_("Mã không hợp lệ: %(c)s") % {"c": ", ".join(bad) or raw})
        return codes
