"""The public verification form: one file. Size and content are checked by
``verify.upload_read`` (shared with the API)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class VerifyForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp PDF cần kiểm tra"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
        error_messages={
            "required": _("Hãy chọn một tệp PDF."),
            "empty": _("Tệp tải lên rỗng."),
        },
    )
