"""Sign-in, tokens and passwords. Every change is audited."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from xaso.core.audit import audit_record
from xaso.core.errors import DomainError, InvalidInput
from xaso.org.models import Staff

from .models import ApiToken


class LoginFailed(DomainError):
    code = "login_failed"
    status = 401


class LoginLocked(DomainError):
    code = "login_locked"
    status = 429


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def locked_message() -> str:
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    return (
        f"Tài khoản tạm khóa do đăng nhập sai quá {settings.AXES_FAILURE_LIMIT} lần. "
        f"Vui lòng thử lại sau {minutes} phút hoặc liên hệ quản trị cơ quan."
    )


def api_token_issue(*, request: HttpRequest, username: str, password: str) -> str:
    """Check the credentials (throttled like the login page) and return a new bearer token.

    Deliberately not one transaction: django-axes records each failed attempt in its own table
    during ``authenticate``, and rolling that back with the refusal would mean failures never add
    up to a lockout."""
    staff = authenticate(request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        raise LoginLocked(locked_message())
    if staff is None or not isinstance(staff, Staff):
        raise LoginFailed("Tên đăng nhập hoặc mật khẩu không đúng.")
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        ApiToken.objects.create(
            key_hash=_hash(token),
            staff=staff,
            expires_at=timezone.now() + timedelta(hours=settings.XASO_API_TOKEN_TTL_HOURS),
        )
        audit_record(actor=staff, action="auth.token_issued", obj=staff)
    return token


#: Tokens this process has already found, under the "org" data version (core.pagecache): every
#: revocation deletes the token, which renews that version (accounts.apps), as does the staff
#: change (password, lock) that comes with it. key hash -> (pk, staff id, expires at).
_tokens_seen: dict[tuple[str, str], tuple[int, int, datetime]] = {}
_TOKENS_SEEN_MAX = 1024


def api_token_authenticate(*, token: str) -> Staff | None:
    """The staff member behind a live token, or None. Using a token extends its life."""
    from xaso.core.pagecache import scope_versions

    from .backends import staff_current

    now = timezone.now()
    key_hash = _hash(token)
    memo_key = (key_hash, scope_versions(("org",))[0]) if settings.XASO_PAGE_CACHE else None
    found = _tokens_seen.get(memo_key) if memo_key else None
    if found is None or found[2] <= now:
        found = (
            ApiToken.objects.filter(key_hash=key_hash, expires_at__gt=now)
            .values_list("pk", "staff_id", "expires_at")
            .first()
        )
        if found is None:
            return None
    pk, staff_id, expires_at = found
    staff = staff_current(staff_id)  # with agency, unit and roles, as a signed-in page has them
    if staff is None or not staff.is_active:
        return None
    ttl = timedelta(hours=settings.XASO_API_TOKEN_TTL_HOURS)
    if expires_at - now < ttl - timedelta(minutes=5):
        expires_at = now + ttl
        ApiToken.objects.filter(pk=pk).update(expires_at=expires_at)
    if memo_key is not None:
        if len(_tokens_seen) >= _TOKENS_SEEN_MAX:
            _tokens_seen.clear()
        _tokens_seen[memo_key] = (pk, staff_id, expires_at)
    return staff  # type: ignore[no-any-return]


@transaction.atomic
def staff_change_password(*, staff: Staff, old_password: str, new_password: str) -> None:
    """Staff change their own password; the old one must be given."""
    if not staff.check_password(old_password):
        raise InvalidInput(
            "Mật khẩu hiện tại không đúng.",
            fields={"old_password": ["Mật khẩu hiện tại không đúng."]},
        )
    try:
        validate_password(new_password, staff)
    except ValidationError as e:
        raise InvalidInput(" ".join(e.messages), fields={"new_password": list(e.messages)}) from e
    staff.set_password(new_password)
    staff.save(update_fields=["password"])
    ApiToken.objects.filter(staff=staff).delete()
    audit_record(actor=staff, action="auth.password_changed", obj=staff)
