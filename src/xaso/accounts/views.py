from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from xaso.core.audit import audit_record
from xaso.core.errors import DomainError
from xaso.core.pagecache import cached_page

from . import services
from .forms import LoginForm, PasswordChangeForm


def lockout_response(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """What django-axes answers once an account is throttled: a clear Vietnamese message."""
    message = services.locked_message()
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "login_locked", "message": message, "fields": {}}, status=429)
    form = LoginForm(request)
    return render(
        request, "accounts/login.html", {"form": form, "locked_message": message}, status=429
    )


@require_http_methods(["GET", "POST"])
@cached_page(scopes=())
def login_view(request: HttpRequest) -> HttpResponse:
    """One screen both to sign in and to hand the PC to the next official: signing in as someone
    else signs the current person out first."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    current = request.user if request.user.is_authenticated else None
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        staff = form.get_user()
        if current is not None and current.pk != staff.pk:
            audit_record(actor=current, action="auth.logout", obj=current)
            logout(request)
        login(request, staff)
        audit_record(actor=staff, action="auth.login", obj=staff)
        return HttpResponseRedirect(next_url or reverse("home"))
    context = {
        "form": form,
        "next": next_url,
        "current": current,
        "idle": request.GET.get("idle") == "1",
    }
    return render(request, "accounts/login.html", context, status=400 if form.errors else 200)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit_record(actor=request.user, action="auth.logout", obj=request.user)  # type: ignore[arg-type]
    logout(request)
    messages.success(request, _("Đã đăng xuất."))
    return HttpResponseRedirect(reverse("accounts:login"))


@login_required
@require_http_methods(["GET", "POST"])
def password_change_view(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_change_password(
                staff=request.user,  # type: ignore[arg-type]
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except DomainError as e:
            for field, errors in e.fields.items():
                for err in errors:
                    form.add_error(field if field in form.fields else None, err)
        else:
            from django.contrib.auth import update_session_auth_hash

            update_session_auth_hash(request, request.user)  # type: ignore[arg-type]
            messages.success(request, _("Đã đổi mật khẩu."))
            return HttpResponseRedirect(reverse("home"))
    return render(
        request, "accounts/password_change.html", {"form": form}, status=400 if form.errors else 200
    )


def ping_view(request: HttpRequest) -> HttpResponse:
    """ "Tiếp tục làm việc": the official is still here; count the session as active now. The idle
    middleware has already logged out a session that was idle too long (it answers a redirect)."""
    import time

    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    request.session["last_seen"] = time.time()
    return HttpResponse(status=204)
