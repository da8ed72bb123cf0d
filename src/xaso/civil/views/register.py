"""Tờ khai đăng ký: one page for every registration of ``registrations.SPECS``.

GET shows the paper form's sections (prefilled from a one-stop dossier when opened from one,
``?dossier=<code>``; the entry a change, copy or termination is about is chosen first,
``?target=<id>``, with a small search that works without JavaScript). POST checks the shape,
calls the registration's service and, on success, goes to the new entry's page; a refusal is
shown next to the fields it names, in Vietnamese, and nothing is written (the services run in one
transaction). A likely duplicate is shown with the entries it resembles and a box to tick to
register anyway.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from xaso.core.errors import DomainError, NotFound
from xaso.dossiers.models import Dossier
from xaso.dossiers.selectors import dossier_applicant_read, dossier_get_for
from xaso.org.models import Staff

from .. import forms, onestop, selectors
from ..books_export import person_text, role_label, variant_label
from ..current import CurrentRecord, record_current
from ..models import CivilRecord
from .common import (
    leaders_of,
    login_required,
    place_errors,
    querystring,
    record_or_404,
    require_registrar,
)
from .registrations import SPECS, Bound, Spec, today_initial

#: Codes of the refusals the officer may override by ticking ``confirm_duplicate``.
CONFIRMABLE = ("likely_duplicate", "previous_confirmation_valid")
PICK_RESULTS = 10


def _signers(actor: Staff) -> list[tuple[str, str]]:
    return [
        (s.username, f"{s.full_name} — {s.title}" if s.title else s.full_name)
        for s in leaders_of(actor)
    ]


def _signer(actor: Staff, username: str) -> Staff | None:
    if not username:
        return None
    return (
        Staff.objects.select_related("agency")
        .prefetch_related("roles")
        .filter(username=username, agency_id=actor.agency_id)
        .first()
    )


def _targets(actor: Staff, values: list[str], spec: Spec) -> list[CivilRecord]:
    if spec.pick is None:
        return []
    found = [record_or_404(actor, v) for v in dict.fromkeys(values) if v]
    return found if spec.pick.many else found[:1]


def _bind(
    spec: Spec,
    actor: Staff,
    data: Any,
    targets: list[CivilRecord],
    *,
    main_initial: dict[str, Any] | None = None,
    people_initial: dict[str, dict[str, Any]] | None = None,
) -> Bound:
    main = spec.form(data, initial=main_initial or {}, signers=_signers(actor))
    people = {
        p.role: forms.PersonForm(
            data,
            prefix=p.role,
            fields=p.fields,
            required=p.required,
            relationships=p.relationships,
            labels=p.labels,
            initial=(people_initial or {}).get(p.role),
        )
        for p in spec.people
    }
    rows: list[forms.ChangeRowForm] = []
    if any("@changes" in items for _legend, items in spec.sections):
        target = targets[0] if targets else None
        roles = []
        if target is not None:
            now = record_current(target)
            roles = [(role, role_label(role, target.event)) for role in now.parties]
        rows = [
            forms.ChangeRowForm(
                data, prefix=f"changes-{i}", roles=roles, event=target.event if target else None
            )
            for i in range(forms.CHANGE_ROWS)
        ]
    return Bound(main=main, people=people, rows=rows, targets=targets, dossier=None, signer=None)


def _sections(spec: Spec, b: Bound) -> list[dict[str, Any]]:
    """The page's fieldsets: each with its fields (bound, marked when the law requires them),
    the errors of its people as a whole, and the people's help."""
    required = {f"{p.role}.{name}" for p in spec.people for name in p.required}
    by_role = {p.role: p for p in spec.people}
    out = []
    items_all = [*spec.sections, (_("Đăng ký"), forms.CommonForm.COMMON)]
    for legend, items in items_all:
        section: dict[str, Any] = {"legend": legend, "fields": [], "errors": [], "help": []}
        for item in items:
            if item == "@changes":
                section["rows"] = b.rows
            elif item.startswith("@"):
                role = item[1:]
                form = b.people[role]
                section["errors"].extend(form.non_field_errors())
                if by_role[role].help:
                    section["help"].append(by_role[role].help)
                section["fields"].extend(
                    {"bf": form[name], "required": f"{role}.{name}" in required}
                    for name in form.fields
                )
            else:
                section["fields"].append({"bf": b.main[item], "required": item in spec.required})
        out.append(section)
    return out


def _summary(now: CurrentRecord) -> dict[str, Any]:
    r = now.record
    subjects = selectors.record_summary(now)["subjects"] or list(now.parties.values())[:1]
    return {
        "record": r,
        "label": _("%(book)s, số %(number)d") % {"book": str(r.book), "number": r.entry_number},
        "kind": variant_label(r),
        "names": ", ".join(v.full_name for v in subjects),
    }


def _picker(request: HttpRequest, actor: Staff, spec: Spec, b: Bound) -> dict[str, Any] | None:
    """The chosen entries and, on ``pick_q``, the entries found to choose from (GET links that
    keep the dossier and the entries already chosen)."""
    pick = spec.pick
    if pick is None:
        return None
    chosen = [str(t.public_id) for t in b.targets]
    dossier = request.GET.get("dossier") or request.POST.get("dossier") or ""
    here = reverse("civil:register", args=[spec.slug])

    def link(ids: list[str]) -> str:
        return f"{here}?{querystring({'dossier': dossier, 'target': ids})}"

    q = (request.GET.get("pick_q") or "").strip()
    found: list[dict[str, Any]] = []
    searched = False
    try:
        if q:
            searched = True
            by_id = q.isdigit() and len(q) == 12
            page = selectors.record_search_for(
                actor=actor,
                limit=PICK_RESULTS,
                q="" if by_id else q,
                id_number=q if by_id else "",
            )
            items = page.items
        elif not b.targets and spec.slug == "guardianship-termination":
            rows = (
                selectors.record_list_for(actor=actor)
                .filter(event="guardianship", variant="appointment")
                .exclude(dependents__variant="termination")
                .select_related("book")
                .prefetch_related(*selectors.RECORD_PREFETCH)
                .order_by("-registered_on", "-pk")[:PICK_RESULTS]
            )
            items = [record_current(r) for r in rows]
        else:
            items = []
    except DomainError:
        items = []
    for now in items:
        key = str(now.record.public_id)
        ids = [*chosen, key] if pick.many else [key]
        found.append(
            {
                **_summary(now),
                "eligible": pick.eligible(now.record),
                "chosen": key in chosen,
                "url": link(list(dict.fromkeys(ids))),
            }
        )
    shown = []
    for t in b.targets:
        now = record_current(
            CivilRecord.objects.prefetch_related(*selectors.RECORD_PREFETCH)
            .select_related("book")
            .get(pk=t.pk)
        )
        others = [c for c in chosen if c != str(t.public_id)]
        people = [(role_label(role, t.event), person_text(v)) for role, v in now.parties.items()]
        shown.append({**_summary(now), "people": people, "drop": link(others)})
    return {
        "pick": pick,
        "chosen": shown,
        "found": found,
        "q": q,
        "searched": searched,
        "dossier": dossier,
        "ids": chosen,
        "errors": [],
    }


def _open_dossier(actor: Staff, code: str) -> Dossier:
    try:
        return dossier_get_for(actor=actor, code=code)
    except NotFound:
        raise Http404 from None


def _page(
    request: HttpRequest,
    spec: Spec,
    b: Bound,
    *,
    status: int = 200,
    duplicates: list[CivilRecord] | None = None,
    picker_errors: list[str] | None = None,
) -> HttpResponse:
    actor = request.user
    picker = _picker(request, actor, spec, b)  # type: ignore[arg-type]
    if picker is not None and picker_errors:
        picker["errors"] = picker_errors
    confirm = duplicates is not None or bool(b.main.data.get("confirm_duplicate"))
    sections = _sections(spec, b)
    picking = picker is not None and not picker["chosen"]
    if sections[0]["fields"] and not b.main.errors and not picking:
        # Keyboard first: the cursor starts in the form's first field.
        sections[0]["fields"][0]["bf"].field.widget.attrs["autofocus"] = True
    context = {
        "spec": spec,
        "b": b,
        "main": b.main,
        "sections": sections,
        "picker": picker,
        "duplicates": duplicates or [],
        "show_confirm": confirm,
        "dossier": b.dossier,
        "today": today_initial(),
    }
    return render(request, "civil/register.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, slug: str) -> HttpResponse:
    spec = SPECS.get(slug)
    if spec is None:
        raise Http404
    actor = require_registrar(request)
    source = request.POST if request.method == "POST" else request.GET
    targets = _targets(actor, source.getlist("target"), spec)
    code = (source.get("dossier") or "").strip()
    dossier = _open_dossier(actor, code) if code else None
    form_extra: dict[str, Any] = {}
    if dossier is not None:
        try:
            found_slug, form_extra = onestop.dossier_for_registration(actor=actor, dossier=dossier)
        except DomainError as exc:
            context = {"spec": spec, "dossier": dossier, "error": exc.message}
            return render(request, "civil/register_refused.html", context, status=exc.status)
        if found_slug != spec.slug:
            url = reverse("civil:register", args=[found_slug])
            return HttpResponseRedirect(f"{url}?{querystring({'dossier': dossier.code})}")

    if request.method == "GET":
        main_initial: dict[str, Any] = {"registered_on": today_initial(), **form_extra}
        if actor.has_role("leader"):
            main_initial["signer"] = actor.username
        people_initial: dict[str, dict[str, Any]] = {}
        if dossier is not None:
            main_initial["dossier"] = dossier.code
            applicant = dossier_applicant_read(actor=actor, dossier=dossier)
            role = onestop.applicant_role(spec.slug, applicant)
            if role is not None and role in {p.role for p in spec.people}:
                people_initial[role] = onestop.applicant_initial(applicant)
        b = _bind(
            spec, actor, None, targets, main_initial=main_initial, people_initial=people_initial
        )
        b.dossier = dossier
        return _page(request, spec, b)

    b = _bind(spec, actor, request.POST, targets)
    b.dossier = dossier
    valid = b.main.is_valid()
    valid = all(
        [valid, *(f.is_valid() for f in b.people.values()), *(r.is_valid() for r in b.rows)]
    )
    picker_errors: list[str] = []
    if spec.pick is not None and not spec.pick.many and not targets:
        picker_errors.append(_("Chọn mục hộ tịch trước khi ghi."))
        valid = False
    if not valid:
        return _page(request, spec, b, status=400, picker_errors=picker_errors)
    b.signer = _signer(actor, b.main.cleaned_data.get("signer") or "")
    try:
        record = spec.save(actor, b)
    except DomainError as exc:
        duplicates = None
        if exc.code in CONFIRMABLE:
            ids = exc.fields.get("confirm_duplicate", [])
            duplicates = list(
                selectors.record_list_for(actor=actor)
                .filter(public_id__in=ids)
                .select_related("book")
                .order_by("pk")
            )

        def rows(key: str) -> tuple[forms.ChangeRowForm, str | None] | None:
            head, _dot, index = key.partition(".")
            if head == "changes" and index.isdigit() and int(index) < len(b.sent_rows):
                return b.rows[b.sent_rows[int(index)]], None
            return None

        elsewhere = {"target", "appointment", "source", "records"}
        kept = place_errors(
            exc,
            b.main,
            b.people,
            rows=rows,
            elsewhere=elsewhere,
            skip=("confirm_duplicate",),
        )
        return _page(
            request,
            spec,
            b,
            status=exc.status,
            duplicates=duplicates,
            picker_errors=kept,
        )
    onestop.registration_linked(record)
    messages.success(
        request,
        _("Đã ghi vào %(book)s, số %(number)d.")
        % {"book": str(record.book), "number": record.entry_number},
    )
    return HttpResponseRedirect(reverse("civil:record", args=[record.public_id]))
