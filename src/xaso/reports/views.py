"""Reports pages (mounted at /reports/): the superior's requests with who submitted, who is
missing and the totals (and Excel); an agency's requests from above with the time left and the
form to submit. Thin: every rule is the services'."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import numberformat, timezone
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xaso.core.errors import DomainError, NotFound
from xaso.org.models import Staff

from . import export, permissions, selectors, services
from .errors import RequestStale
from .forms import ExtendForm, RequestEditForm, RequestForm, SubmitForm
from .models import ReportRequest, RequestStatus
from .responses import file_response


def _actor(request: HttpRequest) -> Staff:
    actor: Staff = request.user  # type: ignore[assignment]
    if not permissions.can_see_reports(actor):
        raise DjangoPermissionDenied
    return actor


def _place(form: Any, exc: DomainError) -> None:
    """A service's refusal next to the fields it names, else at the top of the form."""
    placed = False
    for name, msgs in exc.fields.items():
        field = name.removeprefix("values.")
        key = f"v_{field}" if name.startswith("values.") else name
        line = ""
        if name.startswith("indicators."):
            # The page's form of figures is one text box: name the line at fault.
            key, line = "indicators", name.removeprefix("indicators.")
        if key in form.fields and not form.fields[key].widget.is_hidden:
            for m in msgs:
                form.add_error(key, _("Dòng %(n)s: %(m)s") % {"n": line, "m": m} if line else m)
            placed = True
    form.add_error(None, exc.message if not placed else _("Vui lòng sửa các lỗi bên dưới."))


def countdown(deadline: datetime, now: datetime | None = None) -> str:
    """ "còn 2 ngày 5 giờ" / "quá hạn 3 giờ": what the inbox shows next to a deadline."""
    now = now or timezone.now()
    seconds = int((deadline - now).total_seconds())
    late = seconds < 0
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = []
    if days:
        parts.append(ngettext("%(n)d ngày", "%(n)d ngày", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)d giờ", "%(n)d giờ", hours) % {"n": hours})
    if not days and (minutes or not parts):
        parts.append(ngettext("%(n)d phút", "%(n)d phút", minutes) % {"n": minutes})
    text = " ".join(parts)
    return _("quá hạn %(t)s") % {"t": text} if late else _("còn %(t)s") % {"t": text}


def shown(value: Any) -> str:
    """A figure as officials write it in the active language ("1.234", "87,5" in Vietnamese);
    decimals are kept as exact strings, so they are formatted from ``Decimal``."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    # Grouped by thousands whatever the locale's NUMBER_GROUPING (Django's vi leaves it 0).
    return numberformat.format(
        number,
        get_format("DECIMAL_SEPARATOR"),
        grouping=3,
        thousand_sep=get_format("THOUSAND_SEPARATOR"),
        force_grouping=True,
    )


def _figures(r: ReportRequest, values: dict[str, Any]) -> list[dict[str, Any]]:
    """A submission's figures as the form names them (label, unit), in the form's order."""
    return [
        {"label": i["label"], "unit": i["unit"], "value": shown(values[i["code"]])}
        for i in r.indicators
        if i["code"] in values
    ]


def _or_404(fn: Any, **kwargs: Any) -> ReportRequest:
    try:
        result: ReportRequest = fn(**kwargs)
    except NotFound:
        raise Http404 from None
    return result


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Báo cáo: the requests this agency sent, and those it must answer."""
    actor = _actor(request)
    now = timezone.now()
    inbox = []
    for r in selectors.inbox_list_for(actor=actor)[:200]:
        target = r.targets.all()[0]
        inbox.append({"r": r, "t": target, "countdown": countdown(r.deadline, now)})
    return render(
        request,
        "reports/index.html",
        {
            "sent": list(selectors.request_list_for(actor=actor)[:200]),
            "inbox": inbox,
            "can_request": permissions.can_request(actor),
            "show_sent": actor.has_role(*permissions.READ_ROLES),
        },
    )


def _is_htmx(request: HttpRequest) -> bool:
    """An htmx request wanting a fragment; a history restore (back to a pushed URL the browser
    no longer holds) wants the whole page."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def _go(request: HttpRequest, url: str) -> HttpResponse:
    """After a write: a redirect, or for htmx (which would swap the page into the form) the
    same as a header that makes the browser go there."""
    if _is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _form_page(request: HttpRequest, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    """The request form, whole page or (htmx) just the form to swap in. htmx swaps only 2xx
    answers, so a refused form goes back to it as 200; the page says what was refused."""
    if _is_htmx(request):
        return render(request, "reports/_request_form.html", context)
    return render(request, "reports/request_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not permissions.can_request(actor):
        raise DjangoPermissionDenied
    form = RequestForm(
        request.POST or None, candidates=selectors.target_candidates(agency=actor.agency)
    )
    if request.method == "POST" and form.is_valid():
        try:
            r = services.report_request_create(actor=actor, **form.content())
        except DomainError as exc:
            _place(form, exc)
        else:
            messages.success(request, _("Đã lập yêu cầu báo cáo; kiểm tra lại rồi gửi."))
            return _go(request, reverse("reports:detail", args=[r.public_id]))
    return _form_page(
        request,
        {
            "form": form,
            "heading": _("Lập yêu cầu báo cáo"),
            "action": reverse("reports:new"),
            "submit_label": _("Lập yêu cầu (chưa gửi)"),
            "back": reverse("reports:index"),
        },
    )


def _managed_draft(actor: Staff, public_id: UUID) -> ReportRequest:
    r = _or_404(selectors.request_get_for, actor=actor, public_id=public_id)
    if not permissions.can_manage(actor, r):
        raise DjangoPermissionDenied
    return r


@login_required
@require_http_methods(["GET", "POST"])
def request_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Sửa dự thảo: the creation form, filled with the draft and the version it was read at; a
    sent request is no longer editable, a stale version is refused (someone saved first)."""
    actor = _actor(request)
    r = _managed_draft(actor, public_id)
    if r.status != RequestStatus.DRAFT:
        messages.error(request, _("Yêu cầu báo cáo đã gửi tới các cơ quan; không sửa được nữa."))
        return _go(request, reverse("reports:detail", args=[r.public_id]))
    form = RequestEditForm(
        request.POST or None,
        initial=RequestEditForm.initial_for(r),
        candidates=selectors.target_candidates(agency=r.agency),
    )
    status, stale = 200, False
    if request.method == "POST":
        status = 400
        if form.is_valid():
            content = form.content()
            # The page shows the deadline to the minute: left as shown, it is left as stored.
            if content["deadline"] == r.deadline.replace(second=0, microsecond=0):
                content["deadline"] = r.deadline
            try:
                services.report_request_update(
                    actor=actor,
                    request=r,
                    expected_version=form.cleaned_data["version"],
                    **content,
                )
            except DomainError as exc:
                _place(form, exc)
                status = exc.status
                stale = isinstance(exc, RequestStale)
            else:
                messages.success(request, _("Đã lưu dự thảo yêu cầu báo cáo."))
                return _go(request, reverse("reports:detail", args=[r.public_id]))
    return _form_page(
        request,
        {
            "form": form,
            "r": r,
            "stale": stale,
            "heading": _("Sửa dự thảo yêu cầu báo cáo"),
            "action": reverse("reports:edit", args=[r.public_id]),
            "submit_label": _("Lưu dự thảo"),
            "back": reverse("reports:detail", args=[r.public_id]),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_delete(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Xóa bản nháp: a confirmation page (works without JavaScript), then the deletion."""
    actor = _actor(request)
    r = _managed_draft(actor, public_id)
    error = ""
    status = 200
    if request.method == "POST":
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = None
        try:
            services.report_request_delete(actor=actor, request=r, expected_version=version)
        except DomainError as exc:
            error, status = exc.message, exc.status
            r.refresh_from_db()
        else:
            messages.success(request, _("Đã xóa bản nháp “%(title)s”.") % {"title": r.title})
            return _go(request, reverse("reports:index"))
    elif r.status != RequestStatus.DRAFT:
        messages.error(request, _("Yêu cầu báo cáo đã gửi không xóa được; hãy đóng yêu cầu."))
        return redirect("reports:detail", r.public_id)
    return render(request, "reports/delete.html", {"r": r, "error": error}, status=status)


def _detail_context(actor: Staff, r: ReportRequest) -> dict[str, Any]:
    summary = selectors.request_summary(request=r)
    rows = []
    for t in summary.targets:
        sub = summary.current.get(t.pk)
        cells = [shown(sub.values.get(i["code"])) if sub else "" for i in r.indicators]
        rows.append({"t": t, "s": sub, "returned": summary.returned.get(t.pk), "cells": cells})
    draft = r.status == RequestStatus.DRAFT
    return {
        "r": r,
        "summary": summary,
        "rows": rows,
        "totals": [{"code": a["code"], "total": shown(a["total"])} for a in summary.aggregates],
        "can_manage": permissions.can_manage(actor, r),
        "candidates": selectors.target_candidates(agency=r.agency) if draft else [],
        "planned": set(r.target_codes or []),
        "preview": SubmitForm(request=r).as_preview() if draft and r.needs_figures else None,
        "countdown": countdown(r.deadline),
        "extend_form": ExtendForm(initial={"deadline": timezone.localtime(r.deadline)}),
        "day_off": selectors.deadline_day_off(request=r)
        if r.status != RequestStatus.CLOSED
        else "",
    }


@login_required
@require_GET
def request_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = _actor(request)
    r = _or_404(selectors.request_get_for, actor=actor, public_id=public_id)
    return render(request, "reports/detail.html", _detail_context(actor, r))


@login_required
@require_POST
def request_send(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = _actor(request)
    r = _or_404(selectors.request_get_for, actor=actor, public_id=public_id)
    codes = None if request.POST.get("scope", "all") == "all" else request.POST.getlist("codes")
    try:
        version: int | None = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    try:
        r = services.report_request_send(
            actor=actor, request=r, codes=codes, expected_version=version
        )
    except DomainError as exc:
        ctx = _detail_context(actor, r)
        ctx["send_error"] = exc.message
        return render(request, "reports/detail.html", ctx, status=exc.status)
    n = r.targets.count()
    messages.success(
        request,
        ngettext(
            "Đã gửi yêu cầu báo cáo tới %(n)d cơ quan.",
            "Đã gửi yêu cầu báo cáo tới %(n)d cơ quan.",
            n,
        )
        % {"n": n},
    )
    return redirect("reports:detail", r.public_id)


@login_required
@require_POST
def request_close(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = _actor(request)
    r = _or_404(selectors.request_get_for, actor=actor, public_id=public_id)
    try:
        services.report_request_close(actor=actor, request=r)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã đóng yêu cầu báo cáo."))
    # htmx (after its confirmation) follows the header; without JavaScript, a redirect.
    return _go(request, reverse("reports:detail", args=[r.public_id]))


@login_required
@require_POST
def request_remind(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Nhắc các cơ quan chưa nộp, by hand."""
    actor = _actor(request)
    r = _or_404(selectors.request_get_for, actor=actor, public_id=public_id)
    if not permissions.can_manage(actor, r):
        raise DjangoPermissionDenied
    try:
        codes = services.report_request_remind(actor=actor, request=r)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            ngettext(
                "Đã nhắc %(n)d cơ quan chưa nộp báo cáo.",
                "Đã nhắc %(n)d cơ quan chưa nộp báo cáo.",
                len(codes),
            )
            % {"n": len(codes)},
        )
    return redirect("reports:detail", r.public_id)


@login_required
@require_POST
def request_extend(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Gia hạn nộp: a later deadline for a sent request."""
    actor = _actor(request)
    r = _or_404(selectors.request_get_for, actor=actor, public_id=public_id)
    if not permissions.can_manage(actor, r):
        raise DjangoPermissionDenied
    form = ExtendForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nhập hạn nộp mới (ngày và giờ)."))
        return redirect("reports:detail", r.public_id)
    try:
        r = services.report_request_extend(
            actor=actor, request=r, deadline=form.cleaned_data["deadline"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Đã gia hạn nộp báo cáo đến %(at)s và báo cho các cơ quan.")
            % {"at": timezone.localtime(r.deadline).strftime("%H:%M %d/%m/%Y")},
        )
    return redirect("reports:detail", r.public_id)


@login_required
@require_POST
def submission_return(request: HttpRequest, public_id: UUID, agency_code: str) -> HttpResponse:
    """Trả lại báo cáo để hoàn thiện: one agency's latest report goes back with the reason."""
    actor = _actor(request)
    r = _or_404(selectors.request_get_for, actor=actor, public_id=public_id)
    if not permissions.can_manage(actor, r):
        raise DjangoPermissionDenied
    try:
        sub = services.report_submission_return(
            actor=actor, request=r, agency_code=agency_code, reason=request.POST.get("reason", "")
        )
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Đã trả lại báo cáo của %(name)s để hoàn thiện và báo cho cơ quan.")
            % {"name": sub.target.agency_name},
        )
    # htmx follows the header; without JavaScript, a redirect.
    return _go(request, reverse("reports:detail", args=[r.public_id]))


@login_required
@require_GET
def request_export(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = _actor(request)
    r = _or_404(selectors.request_get_for, actor=actor, public_id=public_id)
    return export.xlsx_response(request=r, summary=selectors.request_summary(request=r))


@login_required
@require_http_methods(["GET", "POST"])
def inbox_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """A request from above: the time left, the form of figures and the file, and what this
    agency already submitted (with the superior's answer)."""
    actor = _actor(request)
    r = _or_404(selectors.inbox_get_for, actor=actor, public_id=public_id)
    target = selectors.own_target(r)
    can_submit = permissions.can_submit(actor, r) and r.status != RequestStatus.CLOSED
    form = SubmitForm(request.POST or None, request.FILES or None, request=r)
    if request.method == "POST":
        if not permissions.can_submit(actor, r):
            raise DjangoPermissionDenied
        if form.is_valid():
            upload = form.cleaned_data.get("file")
            try:
                services.report_submit(
                    actor=actor,
                    request=r,
                    values=form.values(),
                    file_name=upload.name if upload else "",
                    file_data=upload.read() if upload else None,
                )
            except DomainError as exc:
                _place(form, exc)
            else:
                messages.success(request, _("Đã nộp báo cáo và gửi tới cấp trên."))
                return redirect("reports:inbox_detail", r.public_id)
    return render(
        request,
        "reports/inbox_detail.html",
        {
            "r": r,
            "t": target,
            "form": form,
            "can_submit": can_submit,
            "countdown": countdown(r.deadline),
            "returned": selectors.returned_submission(target),
            "submissions": [
                {"s": s, "figures": _figures(r, s.values)} for s in target.submissions.all()
            ],
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def submission_file(request: HttpRequest, public_id: UUID) -> FileResponse:
    actor = _actor(request)
    try:
        sub = selectors.submission_get_for(actor=actor, public_id=public_id)
    except NotFound:
        raise Http404 from None
    return file_response(sub)
