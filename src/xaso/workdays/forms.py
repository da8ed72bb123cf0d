from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CalendarDayKind

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class CalendarDayForm(forms.Form):
    """Shape only; the rules (weekend, statutory holiday, permission) are the service's."""

    date = forms.DateField(
        label=_("Ngày"), input_formats=DATE_FORMATS, widget=forms.DateInput(attrs={"type": "date"})
    )
    kind = forms.ChoiceField(label=_("Loại"), choices=CalendarDayKind.choices)
    name = forms.CharField(label=_("Tên ngày"), max_length=255)
    note = forms.CharField(
        label=_("Căn cứ / ghi chú"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CalendarDayRemoveForm(forms.Form):
    date = forms.DateField(input_formats=DATE_FORMATS, widget=forms.HiddenInput)


class DueForm(forms.Form):
    """The counter's quick question: if received now, when is the appointment?"""

    working_days = forms.IntegerField(
        label=_("Thời hạn (ngày làm việc)"), min_value=0, max_value=1000
    )
    received_at = forms.DateTimeField(
        label=_("Thời điểm nhận"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
