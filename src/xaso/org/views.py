"""Home pages and the administration of one's own agency. Thin: forms check shape, services
decide, selectors scope."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from xaso.core.errors import DomainError, NotFound
from xaso.core.pagecache import cached_page

from . import permissions, selectors, services
from .forms import (
    AgencyCreateForm,
    OfficeHoursForm,
    PasswordResetForm,
    StaffForm,
    UnitMergeForm,
    UnitSearchForm,
)
from .models import Role, Staff

PAGE = 50


def _apply_errors(form: object, err: DomainError) -> None:
    fields = getattr(form, "fields", {})
    if not err.fields:
        form.add_error(None, err.message)  # type: ignore[attr-defined]
    for name, errs in err.fields.items():
        target = name if name in fields else None
        form.add_error(target, err.message if target is None else " ".join(errs))  # type: ignore[attr-defined]


@login_required
@cached_page(scopes=("org", "calendar"))
def home(request: HttpRequest) -> HttpResponse:
    """A home page per role: what this official needs first."""
    actor: Staff = request.user  # type: ignore[assignment]
    from xaso.workdays.forms import DueForm
    from xaso.workdays.selectors import today_status

    context: dict[str, object] = {
        "today": today_status(agency=actor.agency, now=timezone.now()),
        "due_form": DueForm(),
        "agency": actor.agency,
        "unit": actor.agency.unit,
        "roles": [(r.value, r.label) for r in Role if r.value in actor.role_codes],
    }
    if actor.has_role("supervisor", "leader", "admin"):
        context["subordinates"] = selectors.agency_list_supervised_by(actor=actor).annotate(
            staff_count=Count("staff")
        )
    if actor.has_role("admin"):
        context["staff_count"] = selectors.staff_list_for(actor=actor).count()
    return render(request, "org/home.html", context)


def _require_admin(actor: Staff) -> None:
    if not permissions.can(actor, "staff.manage"):
        raise Http404


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    actor: Staff = request.user  # type: ignore[assignment]
    _require_admin(actor)
    staff = list(selectors.staff_list_for(actor=actor))
    return render(request, "org/staff_list.html", {"staff": staff, "agency": actor.agency})


@login_required
@require_http_methods(["GET", "POST"])
def staff_create(request: HttpRequest) -> HttpResponse:
    actor: Staff = request.user  # type: ignore[assignment]
    _require_admin(actor)
    form = StaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.staff_create(
                actor=actor,
                agency=actor.agency,
                username=form.cleaned_data["username"],
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password"],
                roles=form.role_pairs(),
                title=form.cleaned_data["title"],
                phone=form.cleaned_data["phone"],
                email=form.cleaned_data["email"],
            )
        except DomainError as e:
            _apply_errors(form, e)
        else:
            messages.success(request, _("Đã tạo tài khoản %(u)s.") % {"u": created.username})
            return HttpResponseRedirect(reverse("org:staff_list"))
    status = 400 if form.errors else 200
    return render(request, "org/staff_form.html", {"form": form, "creating": True}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def staff_edit(request: HttpRequest, username: str) -> HttpResponse:
    actor: Staff = request.user  # type: ignore[assignment]
    try:
        target = selectors.staff_get_for(actor=actor, username=username)
    except NotFound:
        raise Http404 from None
    roles = list(target.roles.all())
    initial = {
        "full_name": target.full_name,
        "title": target.title,
        "phone": target.phone,
        "email": target.email,
        "is_active": target.is_active,
        "roles": sorted({r.role for r in roles}),
        "field": next((r.field for r in roles if r.role == "specialist" and r.field), ""),
    }
    form = StaffForm(request.POST or None, initial=initial, editing=True)
    reset_form = PasswordResetForm()
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_update(
                actor=actor,
                staff=target,
                full_name=form.cleaned_data["full_name"],
                title=form.cleaned_data["title"],
                phone=form.cleaned_data["phone"],
                email=form.cleaned_data["email"],
                is_active=form.cleaned_data["is_active"],
                roles=form.role_pairs(),
            )
        except DomainError as e:
            _apply_errors(form, e)
        else:
            messages.success(request, _("Đã lưu thông tin cán bộ."))
            return HttpResponseRedirect(reverse("org:staff_list"))
    return render(
        request,
        "org/staff_form.html",
        {"form": form, "target": target, "reset_form": reset_form, "creating": False},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["POST"])
def staff_reset_password(request: HttpRequest, username: str) -> HttpResponse:
    actor: Staff = request.user  # type: ignore[assignment]
    try:
        target = selectors.staff_get_for(actor=actor, username=username)
    except NotFound:
        raise Http404 from None
    reset_form = PasswordResetForm(request.POST)
    if reset_form.is_valid():
        try:
            services.staff_reset_password(
                actor=actor, staff=target, password=reset_form.cleaned_data["password"]
            )
        except DomainError as e:
            _apply_errors(reset_form, e)
        else:
            messages.success(request, _("Đã đặt mật khẩu mới cho %(u)s.") % {"u": target.username})
            return HttpResponseRedirect(reverse("org:staff_list"))
    form = StaffForm(editing=True, initial={"full_name": target.full_name})
    return render(
        request,
        "org/staff_form.html",
        {"form": form, "target": target, "reset_form": reset_form, "creating": False},
        status=400,
    )


@login_required
@require_http_methods(["GET", "POST"])
def agency_detail(request: HttpRequest) -> HttpResponse:
    """The actor's own agency; its administrators edit the office hours."""
    actor: Staff = request.user  # type: ignore[assignment]
    agency = actor.agency
    can_edit = permissions.can(actor, "agency.edit", agency)
    fields = ["morning_start", "morning_end", "afternoon_start", "afternoon_end", "same_day_cutoff"]
    form = OfficeHoursForm(request.POST or None, initial={f: getattr(agency, f) for f in fields})
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if form.is_valid():
            try:
                services.agency_update_office_hours(actor=actor, agency=agency, **form.cleaned_data)
            except DomainError as e:
                _apply_errors(form, e)
            else:
                messages.success(request, _("Đã lưu giờ làm việc."))
                return HttpResponseRedirect(reverse("org:agency_detail"))
    return render(
        request,
        "org/agency_detail.html",
        {"agency": agency, "form": form, "can_edit": can_edit, "parent": agency.parent},
        status=400 if form.errors else 200,
    )


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    form = UnitSearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    after = None
    cursor = request.GET.get("after", "")
    if cursor:
        try:
            rank, code, pk = cursor.split(":")
            after = (int(rank), code, int(pk))
        except ValueError:
            after = None
    qs = selectors.unit_search(
        query=data.get("q", ""),
        level=data.get("level", ""),
        status=data.get("status", ""),
        after=after,
    ).prefetch_related("successors")
    units = list(qs[: PAGE + 1])
    next_cursor = ""
    if len(units) > PAGE:
        units = units[:PAGE]
        last = units[-1]
        next_cursor = f"{last.level.rank}:{last.code}:{last.pk}"
    params = request.GET.copy()
    params.pop("after", None)
    return render(
        request,
        "org/unit_list.html",
        {"form": form, "units": units, "next_cursor": next_cursor, "params": params.urlencode()},
    )


@login_required
def unit_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    try:
        unit = selectors.unit_get(public_id=public_id)
    except NotFound:
        raise Http404 from None
    children = unit.children.select_related("level").order_by("code")[:500]
    return render(
        request,
        "org/unit_detail.html",
        {
            "unit": unit,
            "children": children,
            "successors": unit.successors.all(),
            "predecessors": unit.predecessors.all(),
            "agencies": unit.agencies.all(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def agency_list(request: HttpRequest) -> HttpResponse:
    """The admin's agency and those directly below it; open a new one with its first admin."""
    actor: Staff = request.user  # type: ignore[assignment]
    if not permissions.can(actor, "agency.create"):
        raise Http404
    form = AgencyCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            unit = selectors.unit_in_force(
                level=_unit_level_for(data["unit_code"]), code=data["unit_code"]
            )
            created = services.agency_create(
                actor=actor,
                code=data["code"],
                name=data["name"],
                kind=data["kind"],
                unit=unit,
                admin_username=data["admin_username"],
                admin_full_name=data["admin_full_name"],
                admin_password=data["admin_password"],
            )
        except NotFound as e:
            form.add_error("unit_code", e.message)
        except DomainError as e:
            _apply_errors(form, e)
        else:
            messages.success(request, _("Đã tạo cơ quan %(n)s.") % {"n": created.name})
            return HttpResponseRedirect(reverse("org:agency_list"))
    agencies = selectors.agency_list_administered_by(actor=actor).annotate(
        staff_count=Count("staff")
    )
    return render(
        request,
        "org/agency_list.html",
        {"form": form, "agencies": agencies},
        status=400 if form.errors else 200,
    )


def _unit_level_for(code: str) -> str:
    """GSO codes: 2 digits = province, 3 = district, 5 = commune (vn-rules.md §8)."""
    return {2: "province", 3: "district"}.get(len(code.strip()), "commune")


@login_required
@require_http_methods(["GET", "POST"])
def unit_merge(request: HttpRequest) -> HttpResponse:
    """Record a merger of administrative units within the admin's territory."""
    actor: Staff = request.user  # type: ignore[assignment]
    if not permissions.can(actor, "unit.merge"):
        raise Http404
    form = UnitMergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            olds = [selectors.unit_in_force(level=data["level"], code=c) for c in data["old_codes"]]
            successor = selectors.unit_in_force(level=data["level"], code=data["successor_code"])
        except NotFound as e:
            form.add_error(None, e.message)
        else:
            try:
                services.unit_merge(
                    actor=actor,
                    old_units=olds,
                    successor=successor,
                    effective_on=data["effective_on"],
                    legal_basis=data["legal_basis"],
                )
            except DomainError as e:
                _apply_errors(form, e)
            else:
                messages.success(
                    request, _("Đã ghi nhận sáp nhập vào %(n)s.") % {"n": successor.name}
                )
                return HttpResponseRedirect(reverse("org:unit_detail", args=[successor.public_id]))
    return render(
        request, "org/unit_merge.html", {"form": form}, status=400 if form.errors else 200
    )
