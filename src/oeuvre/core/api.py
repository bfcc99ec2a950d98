"""Shared pieces of the REST API: authentication, one error format, ETag/If-Match, pagination."""

from __future__ import annotations

import logging
import re
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import PageNumberPagination
from ninja.security import HttpBearer, django_auth

from oeuvre.accounts.services import token_authenticate
from oeuvre.core.errors import DomainError, StaleVersion, ValidationFailed

logger = logging.getLogger(__name__)

__all__ = [
    "CREATE",
    "CSV",
    "DOCX",
    "MARKDOWN",
    "PDF",
    "PPTX",
    "READ",
    "WRITE",
    "XLSX",
    "ErrorOut",
    "Pagination",
    "api_auth",
    "build_api",
    "file_response",
    "if_match",
    "set_etag",
]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
PDF = "application/pdf"
CSV = "text/csv; charset=utf-8"
MARKDOWN = "text/markdown; charset=utf-8"


class ErrorItem(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    """Every error the API returns has this shape; ``errors`` names the field for 422."""

    detail: str
    errors: list[ErrorItem] = []


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


# A token first (CI, scripts), then the browser session, whose unsafe methods need the CSRF token.
api_auth = [BearerToken(), django_auth]


# Response maps of the operations, so OpenAPI declares what each one really answers besides its success.
READ: dict[int, type[Schema]] = {403: ErrorOut, 404: ErrorOut}
WRITE: dict[int, type[Schema]] = {
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    412: ErrorOut,
    422: ErrorOut,
    428: ErrorOut,
}
CREATE: dict[int, type[Schema]] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def file_response(data: bytes, filename: str, content_type: str) -> HttpResponse:
    """A download: the bytes as an attachment named ``filename`` (ASCII-safe and quoted)."""
    response = HttpResponse(data, content_type=content_type)
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in filename) or "download"
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


class Pagination(PageNumberPagination):
    """``?page=N&page_size=M``; answers ``{"items": [...], "count": total}``."""


_ETAG = re.compile(r'^\s*(?:W/)?"(\d+)"\s*$')


class PreconditionRequired(Exception):
    pass


def if_match(request: HttpRequest) -> int:
    """The version the client read, from ``If-Match``. Writes without it are refused (428)."""
    header = request.headers.get("If-Match")
    if header is None:
        raise PreconditionRequired()
    match = _ETAG.match(header)
    if match is None:
        raise StaleVersion(-1)
    return int(match.group(1))


def set_etag(response: HttpResponse, obj: Any) -> None:
    response["ETag"] = obj.etag


def _error(
    api: NinjaAPI, request: HttpRequest, status: int, detail: str, errors: list[dict[str, str]] | None = None
) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "errors": errors or []}, status=status)


def _field_of(loc: list[Any]) -> str:
    # ninja locations look like ["body", "payload", "name"] or ["query", "page"].
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie", "form", "file")]
    if len(parts) > 1 and loc and loc[0] == "body":
        parts = parts[1:]
    return ".".join(parts) or "__all__"


def build_api() -> NinjaAPI:
    api = NinjaAPI(
        title="Œuvre API",
        version="1",
        description=(
            "REST API of Œuvre. Authenticate with a personal token (`Authorization: Bearer oeu_…`, created on "
            "your account page or with `oeuvre token create`) or with the browser session. Updates need "
            "`If-Match` with the ETag you read: a stale version gets 412. Errors share one shape: "
            "`{detail, errors: [{field, message}]}`."
        ),
        auth=api_auth,
        urls_namespace="api",
    )

    @api.exception_handler(NinjaValidationError)
    def on_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = [{"field": _field_of(list(e.get("loc", []))), "message": str(e.get("msg", ""))} for e in exc.errors]
        return _error(api, request, 422, _("Some fields are invalid."), errors)

    @api.exception_handler(ValidationFailed)
    def on_failed(request: HttpRequest, exc: ValidationFailed) -> HttpResponse:
        errors = [{"field": f, "message": m} for f, messages in exc.errors.items() for m in messages]
        return _error(api, request, 422, _("Some fields are invalid."), errors)

    @api.exception_handler(StaleVersion)
    def on_stale(request: HttpRequest, exc: StaleVersion) -> HttpResponse:
        return _error(api, request, 412, str(exc.message))

    @api.exception_handler(PreconditionRequired)
    def on_no_precondition(request: HttpRequest, exc: PreconditionRequired) -> HttpResponse:
        return _error(api, request, 428, _("Send If-Match with the ETag of the version you are changing."))

    @api.exception_handler(DomainError)
    def on_domain(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return _error(api, request, 409, str(exc.message))

    @api.exception_handler(PermissionDenied)
    def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return _error(api, request, 403, str(exc) or _("Forbidden."))

    @api.exception_handler(Http404)
    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return _error(api, request, 404, _("Not found."))

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return _error(api, request, 401, _("Authentication required: send a Bearer token or log in."))

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return _error(api, request, exc.status_code, str(exc))

    @api.exception_handler(Exception)
    def on_crash(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API error on %s %s", request.method, request.path)
        return _error(api, request, 500, _("Server error. It has been logged."))

    return api
