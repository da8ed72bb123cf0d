"""Forms of the reports pages: they check the shape of the input; the rules are the services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import figures
from .models import ReportKind, ReportRequest


class RequestForm(forms.Form):
    title = forms.CharField(label=_("Tên báo cáo"), max_length=500)
    period_from = forms.DateField(
        label=_("Kỳ báo cáo từ ngày"), widget=forms.DateInput(attrs={"type": "date"})
    )
    period_to = forms.DateField(label=_("đến ngày"), widget=forms.DateInput(attrs={"type": "date"}))
    deadline = forms.DateTimeField(
        label=_("Hạn nộp"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
    )
    kind = forms.ChoiceField(label=_("Nội dung báo cáo"), choices=ReportKind.choices)
    indicators = forms.CharField(
        label=_("Biểu mẫu số liệu"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 70}),
        help_text=_(
            "Mỗi dòng một chỉ tiêu: mã | tên chỉ tiêu | đơn vị tính | integer (số nguyên) hoặc "
            "decimal (số thập phân). Ví dụ: ho_so_truc_tuyen | Hồ sơ trực tuyến | hồ sơ | integer"
        ),
    )
    signature_required = forms.BooleanField(
        label=_("Tệp báo cáo phải là PDF có chữ ký số hợp lệ"), required=False
    )
    instructions = forms.CharField(
        label=_("Hướng dẫn"), required=False, widget=forms.Textarea(attrs={"rows": 3, "cols": 70})
    )

    def clean_deadline(self) -> Any:
        value = self.cleaned_data["deadline"]
        if value is not None and timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value

    def indicator_list(self) -> list[dict[str, str]]:
        return figures.indicators_parse_lines(self.cleaned_data.get("indicators") or "")


class SubmitForm(forms.Form):
    """One field per indicator of the request's form, and the file when one is asked."""

    def __init__(self, *args: Any, request: ReportRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request_obj = request
        for ind in request.indicators if request.needs_figures else []:
            label = ind["label"] + (f" ({ind['unit']})" if ind["unit"] else "")
            self.fields[f"v_{ind['code']}"] = forms.CharField(
                label=label,
                required=False,
                widget=forms.TextInput(
                    attrs={"inputmode": "numeric" if ind["type"] == "integer" else "decimal"}
                ),
            )
        if request.needs_file:
            self.fields["file"] = forms.FileField(
                label=_("Tệp báo cáo (PDF đã ký số)")
                if request.signature_required
                else _("Tệp báo cáo (PDF, DOCX hoặc XLSX)"),
                required=False,
            )

    def values(self) -> dict[str, str] | None:
        if not self.request_obj.needs_figures:
            return None
        out: dict[str, str] = {}
        for ind in self.request_obj.indicators:
            raw = (self.cleaned_data.get(f"v_{ind['code']}") or "").strip()
            # Vietnamese writing: "1.234" thousands, "87,5" decimals.
            if ind["type"] == "decimal" and "," in raw:
                raw = raw.replace(".", "").replace(",", ".")
            elif ind["type"] == "integer":
                raw = raw.replace(".", "").replace(",", "")
            if raw:
                out[ind["code"]] = raw
        return out
