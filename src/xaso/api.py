"""The JSON API: one NinjaAPI at /api/v1/, one router per app, one error shape everywhere:
``{"code": "<stable code>", "message": "<Vietnamese>", "fields": {"<field>": ["..."]}}``."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from xaso.core.errors import DomainError


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from xaso.accounts.services import api_token_authenticate

        staff = api_token_authenticate(token=token)
        if staff is not None:
            request.user = staff
        return staff


api = NinjaAPI(
    title="Xã Số API",
    version="1",
    description="API của Xã Số. Lỗi luôn có dạng {code, message, fields}.",
    urls_namespace="api-v1",
    auth=BearerAuth(),
    openapi_url="/openapi.json",
    docs_url="/docs",
)


def error(
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    fields: dict[str, list[str]] | None = None,
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": message, "fields": fields or {}}, status=status
    )


def _loc_name(loc: list[Any] | tuple[Any, ...]) -> str:
    # ninja locations look like ("body", "payload", "username"), ("query", "received_at") or
    # ("file", "file"): the first part says where, the rest names the field.
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "form", "file", "header", "cookie"):
        parts = parts[1:]
    parts = [p for p in parts if p != "payload"]
    return ".".join(parts) or "__all__"


# Vietnamese wording for the pydantic error types clients meet most; others keep pydantic's text.
_PYDANTIC_VI = {
    "missing": "Trường này là bắt buộc.",
    "string_type": "Phải là chuỗi ký tự.",
    "int_parsing": "Phải là số nguyên.",
    "int_type": "Phải là số nguyên.",
    "bool_parsing": "Phải là true hoặc false.",
    "string_pattern_mismatch": "Sai định dạng.",
    "string_too_short": "Quá ngắn.",
    "string_too_long": "Quá dài.",
    "too_short": "Cần ít nhất {min_length} phần tử.",
    "too_long": "Nhiều nhất {max_length} phần tử.",
    "greater_than_equal": "Phải lớn hơn hoặc bằng {ge}.",
    "less_than_equal": "Phải nhỏ hơn hoặc bằng {le}.",
    "datetime_parsing": "Không phải ngày giờ ISO 8601 hợp lệ.",
    "datetime_from_date_parsing": "Không phải ngày giờ ISO 8601 hợp lệ.",
    "date_parsing": "Không phải ngày hợp lệ (YYYY-MM-DD).",
    "date_from_datetime_parsing": "Không phải ngày hợp lệ (YYYY-MM-DD).",
    "json_invalid": "JSON không hợp lệ.",
    "model_attributes_type": "Dữ liệu phải là một đối tượng JSON.",
    "dict_type": "Dữ liệu phải là một đối tượng JSON.",
    "list_type": "Phải là một danh sách.",
    "enum": "Giá trị không nằm trong danh sách cho phép.",
    "literal_error": "Giá trị không nằm trong danh sách cho phép.",
}


def _vi_message(err: dict[str, Any]) -> str:
    template = _PYDANTIC_VI.get(str(err.get("type", "")))
    if template is None:
        return str(err.get("msg", ""))
    try:
        return template.format(**(err.get("ctx") or {}))
    except (KeyError, IndexError):
        return template


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        fields.setdefault(_loc_name(err.get("loc", ())), []).append(_vi_message(err))
    return error(request, 422, "validation_error", "Dữ liệu gửi lên không hợp lệ.", fields)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error(request, 401, "unauthorized", "Cần đăng nhập (gửi Authorization: Bearer <token>).")


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return error(request, exc.status, exc.code, exc.message, exc.fields)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error(request, 404, "not_found", "Không tìm thấy.")


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    codes = {
        400: "bad_request",
        401: "unauthorized",
        403: "permission_denied",
        404: "not_found",
        405: "method_not_allowed",
        429: "throttled",
    }
    message = str(exc)
    if exc.status_code == 400 and message.startswith("Cannot parse request body"):
        message = "Không đọc được nội dung yêu cầu (JSON không hợp lệ)."
    return error(request, exc.status_code, codes.get(exc.status_code, "error"), message)


def not_found_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Unknown paths under /api/ answer in the API's error shape, not Django's HTML page."""
    from django.http import JsonResponse

    body = {"code": "not_found", "message": "Không tìm thấy.", "fields": {}}
    return JsonResponse(body, status=404)


def _mount() -> None:
    from xaso.accounts.api import router as accounts_router
    from xaso.civil.api import router as civil_router
    from xaso.civil.api_certificates import router as civil_certificates_router
    from xaso.civil.digitising.api import router as civil_digitising_router
    from xaso.documents.api import router as documents_router
    from xaso.dossiers.api import router as dossiers_router
    from xaso.dossiers.api_documents import router as dossier_documents_router
    from xaso.dossiers.api_stats import router as stats_router
    from xaso.dossiers.interlink_api import router as dossier_interlink_router
    from xaso.exchange.api import router as exchange_router
    from xaso.org.api import router as org_router
    from xaso.people.api import router as people_router
    from xaso.procedures.api import router as procedures_router
    from xaso.reports.api import router as reports_router
    from xaso.signing.api import router as signing_router
    from xaso.workdays.api import router as workdays_router

    api.add_router("/", accounts_router)
    api.add_router("/", org_router)
    api.add_router("/calendar", workdays_router)
    api.add_router("/", procedures_router)
    api.add_router("/", people_router)
    api.add_router("/", dossiers_router)
    api.add_router("/", dossier_documents_router)
    api.add_router("/", stats_router)
    api.add_router("/", dossier_interlink_router)
    api.add_router("/civil", civil_router)
    api.add_router("/civil", civil_certificates_router)
    api.add_router("/civil", civil_digitising_router)
    api.add_router("/", signing_router)
    api.add_router("/documents", documents_router)
    api.add_router("/exchange", exchange_router)
    api.add_router("/reports", reports_router)


_mount()
