"""Forms of the reports pages: they check the shape of the input; the rules are the services'."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import figures
from .models import ReportKind, ReportRequest
from .selectors import Candidate

SCOPE_ALL, SCOPE_CHOSEN = "all", "chosen"


class RequestForm(forms.Form):
    """A new request and the edit of a draft: what is asked, by when, and of whom."""

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
    scope = forms.ChoiceField(
        label=_("Nơi nhận"),
        choices=[
            (SCOPE_ALL, _("Tất cả cơ quan cấp dưới")),
            (SCOPE_CHOSEN, _("Chỉ các cơ quan được chọn")),
        ],
        initial=SCOPE_ALL,
        required=False,
        widget=forms.RadioSelect,
    )
    codes = forms.MultipleChoiceField(
        label=_("Cơ quan được chọn"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, candidates: Iterable[Candidate] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        codes = self.fields["codes"]
        assert isinstance(codes, forms.MultipleChoiceField)
        codes.choices = [(c.code, f"{c.name} ({c.code})") for c in candidates]

    @classmethod
    def initial_for(cls, request: ReportRequest) -> dict[str, Any]:
        """The form filled with a draft as stored."""
        return {
            "title": request.title,
            "period_from": request.period_from,
            "period_to": request.period_to,
            "deadline": timezone.localtime(request.deadline),
            "kind": request.kind,
            "indicators": figures.indicators_to_lines(request.indicators),
            "signature_required": request.signature_required,
            "instructions": request.instructions,
            "scope": SCOPE_ALL if request.target_codes is None else SCOPE_CHOSEN,
            "codes": list(request.target_codes or []),
            "version": request.version,
        }

    def clean_deadline(self) -> Any:
        value = self.cleaned_data["deadline"]
        if value is not None and timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value

    def indicator_list(self) -> list[dict[str, str]] | None:
        """The lines of the form as indicators; None for a file-only report left empty."""
        if self.cleaned_data.get("kind") == ReportKind.FILE and not self.cleaned_data.get(
            "indicators"
        ):
            return None
        return figures.indicators_parse_lines(self.cleaned_data.get("indicators") or "")

    def target_codes(self) -> list[str] | None:
        if self.cleaned_data.get("scope") == SCOPE_CHOSEN:
            return list(self.cleaned_data.get("codes") or [])
        return None

    def content(self) -> dict[str, Any]:
        """The keyword arguments of ``report_request_create`` / ``_update``."""
        d = self.cleaned_data
        return {
            "title": d["title"],
            "period_from": d["period_from"],
            "period_to": d["period_to"],
            "deadline": d["deadline"],
            "kind": d["kind"],
            "indicators": self.indicator_list(),
            "signature_required": d["signature_required"],
            "instructions": d["instructions"],
            "target_codes": self.target_codes(),
        }


class ExtendForm(forms.Form):
    """Gia hạn: the new deadline of a sent request."""

    deadline = forms.DateTimeField(
        label=_("Hạn nộp mới"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
    )

    def clean_deadline(self) -> Any:
        value = self.cleaned_data["deadline"]
        if value is not None and timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value


class RequestEditForm(RequestForm):
    """The edit of a draft also carries the version it started from (optimistic lock)."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


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

    def as_preview(self) -> SubmitForm:
        """The form as the agencies asked will see it, inert (the draft's page shows it)."""
        for field in self.fields.values():
            field.disabled = True
        return self

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
