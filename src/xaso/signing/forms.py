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


class StampImageForm(forms.Form):
    """Upload a seal image (``kind`` seal) or a signature image (``kind`` signature, for
    ``staff`` when an administrator chooses someone; else one's own). The content is checked by
    ``images.check_png`` in the service."""

    kind = forms.ChoiceField(choices=[("seal", "seal"), ("signature", "signature")])
    staff = forms.ChoiceField(label=_("Cán bộ"), required=False)
    file = forms.FileField(
        label=_("Tệp PNG (nền trong suốt)"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,.png"}),
        error_messages={"required": _("Hãy chọn một tệp PNG."), "empty": _("Tệp ảnh rỗng.")},
    )

    def __init__(self, *args: object, staff_choices: list[tuple[str, str]], **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["staff"].choices = [("", _("Chính tôi")), *staff_choices]  # type: ignore[attr-defined]
