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
