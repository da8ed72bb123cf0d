"""Forms of the documents pages: they check the shape of the input; the services check the
rules (Decree 30/2020/NĐ-CP) and their refusals are shown on the form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Confidentiality, DocumentType, Urgency

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


def _names(value: str) -> list[str]:
    return [v for v in value.replace(",", " ").split() if v]


class OutgoingForm(forms.Form):
    doc_type = forms.ChoiceField(label=_("Loại văn bản"), choices=DocumentType.choices)
    subject = forms.CharField(
        label=_("Trích yếu nội dung"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    drafting_unit = forms.CharField(
        label=_("Đơn vị soạn thảo (viết tắt, ví dụ VP)"), max_length=16, required=False
    )
    recipients_text = forms.CharField(label=_("Nơi nhận"), max_length=1000, required=False)
    place = forms.CharField(label=_("Địa danh"), max_length=128, required=False)
    copies = forms.IntegerField(label=_("Số lượng bản"), min_value=1, max_value=999, initial=1)
    urgency = forms.ChoiceField(label=_("Độ khẩn"), choices=Urgency.choices, initial=Urgency.NORMAL)
    confidentiality = forms.ChoiceField(
        label=_("Độ mật"), choices=Confidentiality.choices, initial=Confidentiality.NORMAL
    )
    cleared = forms.CharField(
        label=_("Cán bộ được xem văn bản mật (tên đăng nhập, cách nhau bởi dấu phẩy)"),
        max_length=1000,
        required=False,
    )
    file = forms.FileField(label=_("Tệp dự thảo (PDF hoặc DOCX)"))

    def cleaned_cleared(self) -> list[str]:
        return _names(self.cleaned_data.get("cleared") or "")


class VersionForm(forms.Form):
    file = forms.FileField(label=_("Tệp dự thảo mới (PDF hoặc DOCX)"))
    comment = forms.CharField(label=_("Ghi chú"), max_length=4000, required=False)


class ActionForm(forms.Form):
    comment = forms.CharField(
        label=_("Ý kiến"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Góp ý"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class SendForm(forms.Form):
    """Whom to send to: codes typed, and/or every agency below the sender (a directive down to
    all the communes of a province)."""

    all_below = forms.BooleanField(label=_("Tất cả cơ quan cấp dưới"), required=False)
    recipients = forms.CharField(
        label=_("Mã định danh cơ quan nhận (cách nhau bởi dấu phẩy)"),
        max_length=20000,
        required=False,
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not data.get("all_below") and not _names(str(data.get("recipients") or "")):
            self.add_error("recipients", _("Cần chọn ít nhất một cơ quan nhận."))
        return data

    def codes(self, below: list[str]) -> list[str]:
        """The typed codes, then those of ``below`` when "all agencies below" is ticked, each
        once."""
        typed = _names(self.cleaned_data.get("recipients") or "")
        chosen = [*typed, *(below if self.cleaned_data.get("all_below") else [])]
        return list(dict.fromkeys(c.strip().upper() for c in chosen))


class IncomingPaperForm(forms.Form):
    sender_name = forms.CharField(label=_("Tác giả (cơ quan ban hành)"), max_length=255)
    doc_type = forms.ChoiceField(label=_("Loại văn bản"), choices=DocumentType.choices)
    code_number = forms.CharField(label=_("Số"), max_length=16, required=False)
    code_notation = forms.CharField(label=_("Ký hiệu"), max_length=64, required=False)
    promulgation_date = forms.DateField(
        label=_("Ngày tháng văn bản (dd/mm/yyyy)"), input_formats=DATE_FORMATS, required=False
    )
    subject = forms.CharField(
        label=_("Trích yếu nội dung"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    signer_name = forms.CharField(label=_("Người ký"), max_length=128, required=False)
    urgency = forms.ChoiceField(label=_("Độ khẩn"), choices=Urgency.choices, initial=Urgency.NORMAL)
    confidentiality = forms.ChoiceField(
        label=_("Độ mật"), choices=Confidentiality.choices, initial=Confidentiality.NORMAL
    )
    cleared = forms.CharField(
        label=_("Cán bộ được xem văn bản mật (tên đăng nhập)"), max_length=1000, required=False
    )
    file = forms.FileField(label=_("Bản quét (PDF, JPEG hoặc PNG)"))

    def cleaned_cleared(self) -> list[str]:
        return _names(self.cleaned_data.get("cleared") or "")


class AssignForm(forms.Form):
    lead = forms.ChoiceField(label=_("Người chủ trì"))
    co_handlers = forms.MultipleChoiceField(
        label=_("Người phối hợp"), required=False, widget=forms.CheckboxSelectMultiple
    )
    deadline_days = forms.IntegerField(
        label=_("Hạn xử lý (ngày làm việc)"), min_value=1, max_value=66, initial=5
    )
    opinion = forms.CharField(
        label=_("Ý kiến chỉ đạo"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: object, handlers: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["lead"].choices = handlers  # type: ignore[attr-defined]
        self.fields["co_handlers"].choices = handlers  # type: ignore[attr-defined]


class OpinionForm(forms.Form):
    text = forms.CharField(
        label=_("Ý kiến xử lý"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class CompleteForm(forms.Form):
    result = forms.CharField(label=_("Kết quả giải quyết"), max_length=1000, required=False)
    reply = forms.ChoiceField(label=_("Văn bản trả lời"), required=False)

    def __init__(self, *args: object, replies: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["reply"].choices = [("", "—"), *replies]  # type: ignore[attr-defined]


class ComposeForm(forms.Form):
    """Soạn văn bản theo thể thức (Decree 30/2020 Appendix I)."""

    doc_type = forms.ChoiceField(label=_("Loại văn bản"), choices=DocumentType.choices)
    superior_agency_name = forms.CharField(
        label=_("Cơ quan chủ quản (nếu có)"), max_length=255, required=False
    )
    drafting_unit = forms.CharField(
        label=_("Đơn vị soạn thảo (viết tắt; bắt buộc với công văn)"), max_length=16, required=False
    )
    place = forms.CharField(label=_("Địa danh"), max_length=128, required=False)
    subject = forms.CharField(
        label=_("Trích yếu nội dung"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    addressees = forms.CharField(
        label=_("Kính gửi (công văn; mỗi dòng một nơi)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    body = forms.CharField(
        label=_("Nội dung (mỗi dòng một đoạn; “Điều 1.” cho điều khoản)"),
        max_length=50000,
        widget=forms.Textarea(attrs={"rows": 12}),
    )
    recipients = forms.CharField(
        label=_("Nơi nhận (mỗi dòng một nơi)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    signer_authority = forms.CharField(
        label=_("Thẩm quyền ký (TM., KT., ...)"), max_length=128, required=False
    )
    signer_position = forms.CharField(label=_("Chức vụ người ký"), max_length=128)
    signer_name = forms.CharField(label=_("Họ tên người ký"), max_length=128)
    copies = forms.IntegerField(label=_("Số lượng bản"), min_value=1, max_value=999, initial=1)
    urgency = forms.ChoiceField(label=_("Độ khẩn"), choices=Urgency.choices, initial=Urgency.NORMAL)
    confidentiality = forms.ChoiceField(
        label=_("Độ mật"), choices=Confidentiality.choices, initial=Confidentiality.NORMAL
    )
    cleared = forms.CharField(
        label=_("Cán bộ được xem văn bản mật (tên đăng nhập)"), max_length=1000, required=False
    )

    def values(self) -> dict[str, object]:
        c = self.cleaned_data

        def lines(name: str) -> list[str]:
            return [v for v in (c.get(name) or "").splitlines() if v.strip()]

        return {
            **{k: c[k] for k in ("doc_type", "superior_agency_name", "drafting_unit", "place")},
            **{k: c[k] for k in ("subject", "body", "signer_authority", "signer_position")},
            **{k: c[k] for k in ("signer_name", "copies", "urgency", "confidentiality")},
            "addressees": lines("addressees"),
            "recipients": lines("recipients"),
            "cleared": _names(c.get("cleared") or ""),
        }
