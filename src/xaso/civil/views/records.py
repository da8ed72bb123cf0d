"""Trang mục hộ tịch: one entry as it reads now, each amended value beside what the entry wrote
(the entry itself is never overwritten, Law on Civil Status 2014 Arts 26-29), the amendment
history, the entries made about it since (changes, copies, termination), the documents issued
from it, and the actions that start from it: issue its certificate (the certificates' page,
``civil_certificates:issue``), change or correct it, copy it, end a guardianship, note the
divorce beside a marriage. Opening it is an
audited read (``selectors.record_read_for``)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from xaso.core.errors import DomainError, NotFound

from .. import permissions, selectors, services
from ..books_export import (
    FIELD_LABELS,
    content_facts,
    field_text,
    role_label,
    variant_label,
)
from ..current import PARTY_FIELDS, CurrentRecord, PartyView
from ..forms import DivorceNoteForm
from ..models import CivilRecord, Event, Relationship
from ..services.amendments import CONTENT_FIELDS
from ..services.others import COPYABLE
from .common import leaders_of, login_required, place_errors, require_reader, require_registrar


def _party_rows(view: PartyView) -> list[dict[str, Any]]:
    """A person's values now, with what the entry wrote where an amendment changed them."""
    written = PartyView.of(view.row)
    rows = []
    for name in PARTY_FIELDS:
        if name in ("family_name", "middle_name", "given_name", "full_name"):
            continue  # the name heads the person's box, with what the entry wrote
        if name == "birth_year" and view.date_of_birth:
            continue
        now = field_text(name, view.get(name))
        was = field_text(name, written.get(name))
        amended = name in view.amended and now != was
        if not now and not amended:
            continue
        rows.append({"label": FIELD_LABELS[name], "value": now, "was": was if amended else None})
    if view.relationship:
        rows.append(
            {
                "label": _("Quan hệ"),
                "value": Relationship(view.relationship).label,
                "was": None,
            }
        )
    return rows


def _actions(now: CurrentRecord, can_register: bool) -> list[tuple[str, str]]:
    """The registrations that start from this entry (the services decide again)."""
    r = now.record
    if not can_register:
        return []
    here = str(r.public_id)
    out = []
    changeable = r.event in CONTENT_FIELDS and (
        r.event != Event.GUARDIANSHIP or r.variant == "appointment"
    )
    if changeable:
        out.append(("change", _("Thay đổi, cải chính, bổ sung thông tin")))
    if r.event in COPYABLE:
        out.append(("extract-copy", _("Cấp bản sao trích lục")))
    if (
        r.event == Event.GUARDIANSHIP
        and r.variant == "appointment"
        and not r.dependents.filter(variant="termination").exists()
    ):
        out.append(("guardianship-termination", _("Đăng ký chấm dứt giám hộ")))
    out.append(("info-confirmation", _("Xác nhận thông tin hộ tịch")))
    return [
        (f"{reverse('civil:register', args=[slug])}?target={here}", label) for slug, label in out
    ]


def _certificates(request: HttpRequest, record: CivilRecord) -> dict[str, Any] | None:
    """The issue form (posting to the certificates' page) and the documents issued, when the
    certificates are installed and this kind of entry has a document."""
    try:
        from ..certificates import selectors as issued
        from ..certificates.services import DOCUMENT_EVENTS

        url = reverse("civil_certificates:issue", args=[record.public_id])
    except (ImportError, NoReverseMatch):
        return None
    if record.event not in DOCUMENT_EVENTS and record.event != Event.EXTRACT_COPY:
        return None
    _record, documents = issued.issued_list_for(actor=request.user, record_id=record.public_id)  # type: ignore[arg-type]
    try:
        verify = reverse("civil_certificates:verify_search")
    except NoReverseMatch:
        verify = ""
    return {
        "url": url,
        "documents": list(documents),
        "leaders": leaders_of(request.user),  # type: ignore[arg-type]
        "verify": verify,
    }


def _divorce_open(now: CurrentRecord) -> bool:
    """A marriage entry not yet ended by a noted divorce or annulment."""
    r = now.record
    is_marriage = r.event == Event.MARRIAGE or (
        r.event == Event.FOREIGN_RECORD and r.variant == "marriage"
    )
    return is_marriage and not now.content.get("ended_by")


@login_required
@require_GET
def record(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _record_page(request, public_id)


@login_required
@require_POST
def record_divorce(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Ghi chú ly hôn from the marriage entry's page (``services.civil_note_divorce``); the
    refusals are shown on the same form, nothing is written."""
    actor = require_registrar(request)
    try:
        marriage = selectors.record_list_for(actor=actor).get(public_id=public_id)
    except CivilRecord.DoesNotExist:
        raise Http404 from None
    form = DivorceNoteForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.civil_note_divorce(
                actor=actor,
                marriage=marriage,
                kind=data["kind"] or "divorce",
                decided_on=data["decided_on"],
                authority=data["authority"],
                decision=data["decision"],
            )
        except DomainError as exc:
            place_errors(exc, form)
        else:
            messages.success(request, _("Đã ghi chú việc ly hôn vào mục kết hôn."))
            return HttpResponseRedirect(reverse("civil:record", args=[public_id]))
    return _record_page(request, public_id, divorce_form=form, status=400)


def _record_page(
    request: HttpRequest,
    public_id: UUID,
    *,
    divorce_form: DivorceNoteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = require_reader(request)
    try:
        now = selectors.record_read_for(actor=actor, public_id=public_id)
    except NotFound:
        raise Http404 from None
    r = now.record
    parties = [
        {
            "label": role_label(role, r.event),
            "view": view,
            "rows": _party_rows(view),
            "name_was": view.row.full_name if view.row.full_name != view.full_name else None,
        }
        for role, view in now.parties.items()
    ]
    dependents = list(
        CivilRecord.objects.filter(target=r).select_related("book").order_by("registered_on", "pk")
    )
    can_register = permissions.can_register(actor)
    context = {
        "now": now,
        "r": r,
        "kind": variant_label(r),
        "parties": parties,
        "facts": content_facts(now),
        "history": [
            {
                "a": a,
                "whose": role_label(a.role, r.event) if a.role else _("Nội dung mục"),
                "field": FIELD_LABELS.get(a.field, a.field),
                "old": field_text(a.field, a.old_value),
                "new": field_text(a.field, a.new_value),
            }
            for a in now.amendments
        ],
        "dependents": [(d, variant_label(d)) for d in dependents],
        "actions": _actions(now, can_register),
        "certificates": _certificates(request, r) if can_register else None,
        "fee": None if r.fee_amount_vnd is None else f"{r.fee_amount_vnd:,}".replace(",", "."),
        "divorce_form": (
            (divorce_form or DivorceNoteForm()) if can_register and _divorce_open(now) else None
        ),
    }
    return render(request, "civil/record.html", context, status=status)
