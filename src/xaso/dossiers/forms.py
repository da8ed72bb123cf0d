"""Forms of the one-stop pages. They check the shape of what was typed; the rules (who may,
which documents, which agency, which transition) are the services' and come back as
``DomainError`` shown on the same form in Vietnamese."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from xaso.people.models import Sex

from .models import Channel, Status

#: Original and copy counts a document row accepts (the API takes the same range).
COUNT_MAX = 99


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several scans in one input; each is checked by content in the attachments service."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class IntakeForm(forms.Form):
    """Tiếp nhận hồ sơ tại quầy: the applicant, the procedure, the documents received, the scans.

    The documents come as ``doc`` (ticked orders) and ``orig-<order>`` / ``copy-<order>`` counts,
    one row per document of the chosen procedure (see ``checklist``)."""

    personal_id = forms.CharField(
        label=_("Số định danh cá nhân"),
        max_length=12,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    full_name = forms.CharField(label=_("Họ và tên người nộp"), max_length=260)
    date_of_birth = forms.DateField(
        label=_("Ngày sinh"),
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    sex = forms.ChoiceField(label=_("Giới tính"), required=False, choices=[("", "—"), *Sex.choices])
    phone = forms.CharField(label=_("Điện thoại"), max_length=32, required=False)
    email = forms.EmailField(label=_("Thư điện tử"), max_length=254, required=False)
    address = forms.CharField(label=_("Nơi cư trú"), max_length=255, required=False)
    procedure = forms.CharField(label=_("Thủ tục (mã hoặc tên)"), max_length=300)
    channel = forms.ChoiceField(
        label=_("Hình thức nộp"),
        choices=[(Channel.COUNTER, Channel.COUNTER.label), (Channel.POST, Channel.POST.label)],
        initial=Channel.COUNTER,
    )
    competent_agency = forms.CharField(
        label=_("Cơ quan có thẩm quyền giải quyết (nếu khác, phi địa giới)"),
        max_length=20,
        required=False,
    )
    note = forms.CharField(
        label=_("Ghi chú"), max_length=2000, required=False, widget=forms.Textarea({"rows": 2})
    )
    scans = MultipleFileField(label=_("Bản quét (PDF, JPEG, PNG)"), required=False)

    def applicant(self) -> dict[str, Any]:
        """What the applicant declared; a field left empty is "not declared this time" and keeps
        what the people register holds (an empty string there would erase it)."""
        data = self.cleaned_data
        values: dict[str, Any] = {"full_name": data["full_name"]}
        for name in ("personal_id", "date_of_birth", "sex", "phone", "email", "address"):
            if data.get(name) not in (None, ""):
                values[name] = data[name]
        return values

    def checklist(self) -> list[dict[str, int]]:
        """The ticked documents with their counts; a count that is not a number in 0..99 is a
        shape error on the form (the service checks the documents against the catalogue)."""
        data: QueryDict = self.data  # type: ignore[assignment]
        rows: list[dict[str, int]] = []
        problems: list[str] = []
        for raw in data.getlist("doc"):
            if not raw.isdigit():
                problems.append(str(_("Giấy tờ không hợp lệ.")))
                continue
            order = int(raw)
            counts = []
            for prefix in ("orig", "copy"):
                value = (data.get(f"{prefix}-{order}") or "0").strip()
                if not value.isdigit() or int(value) > COUNT_MAX:
                    problems.append(
                        str(_("Giấy tờ số %(order)s: số bản phải từ 0 đến %(max)s."))
                        % {"order": order, "max": COUNT_MAX}
                    )
                    value = "0"
                counts.append(int(value))
            rows.append({"document": order, "originals": counts[0], "copies": counts[1]})
        if problems:
            raise forms.ValidationError(problems)
        return rows


class QueueForm(forms.Form):
    """Filters of the work queue (all optional; ``after`` is the keyset cursor)."""

    q = forms.CharField(
        label=_("Tìm (mã hồ sơ, tên người nộp, số định danh)"), max_length=100, required=False
    )
    procedure = forms.CharField(label=_("Mã thủ tục"), max_length=20, required=False)
    status = forms.ChoiceField(
        label=_("Trạng thái"), required=False, choices=[("", _("Tất cả")), *Status.choices]
    )
    channel = forms.ChoiceField(
        label=_("Kênh nộp"), required=False, choices=[("", _("Tất cả")), *Channel.choices]
    )
    overdue = forms.ChoiceField(
        label=_("Hạn xử lý"),
        required=False,
        choices=[("", _("Tất cả")), ("1", _("Quá hạn")), ("0", _("Chưa quá hạn"))],
    )
    mine = forms.ChoiceField(
        label=_("Phạm vi"),
        required=False,
        choices=[("0", _("Cả cơ quan")), ("1", _("Hồ sơ giao cho tôi"))],
    )
    after = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)


class LookupForm(forms.Form):
    code = forms.CharField(label=_("Mã số hồ sơ"), max_length=64)

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"].strip()
        if "/" in code:  # a code is letters, digits, dots and dashes; "/" would leave the page
            raise forms.ValidationError(_("Mã số hồ sơ không hợp lệ."))
        return code


# The fields of each workflow action (the services decide what is allowed).


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Ghi chú"), max_length=2000, required=False, widget=forms.Textarea({"rows": 2})
    )


class AssignForm(NoteForm):
    assignee = forms.ChoiceField(label=_("Giao cho"))
    field_order = ["assignee", "note"]

    def __init__(
        self, *args: Any, assignees: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field: forms.ChoiceField = self.fields["assignee"]  # type: ignore[assignment]
        field.choices = [("", "—"), *(assignees or [])]


class SupplementForm(NoteForm):
    missing = forms.CharField(
        label=_("Giấy tờ, nội dung cần bổ sung (mỗi dòng một mục)"),
        max_length=4000,
        widget=forms.Textarea({"rows": 3}),
    )
    field_order = ["missing", "note"]

    def items(self) -> list[str]:
        return [line for line in self.cleaned_data["missing"].splitlines() if line.strip()]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Lý do"), max_length=2000, widget=forms.Textarea({"rows": 2}))


class ApologyForm(ReasonForm):
    new_due_at = forms.DateTimeField(
        label=_("Ngày hẹn trả mới"),
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class TransferForm(NoteForm):
    agency = forms.CharField(label=_("Mã cơ quan nhận hồ sơ"), max_length=20)
    field_order = ["agency", "note"]


class AttachForm(forms.Form):
    title = forms.CharField(label=_("Tên giấy tờ"), max_length=300, required=False)
    file = forms.FileField(label=_("Bản quét (PDF, JPEG, PNG)"))


#: The form of each action of ``services.workflow.TRANSITIONS``.
ACTION_FORMS: dict[str, type[forms.Form]] = {
    "assign": AssignForm,
    "forward": AssignForm,
    "request_supplement": SupplementForm,
    "receive_supplement": NoteForm,
    "approve": NoteForm,
    "refuse": ReasonForm,
    "apologize": ApologyForm,
    "mark_ready": NoteForm,
    "return_result": NoteForm,
    "withdraw": ReasonForm,
    "transfer": TransferForm,
}
