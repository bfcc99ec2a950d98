"""Shared pieces of the REST API: authentication, one error format, ETag/If-Match, pagination."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import PageNumberPagination
from ninja.security import HttpBearer, SessionAuth

from oeuvre.accounts.services import token_authenticate
from oeuvre.core.errors import DomainError, StaleVersion, ValidationFailed
from oeuvre.projects.selectors import project_for

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
    "requires",
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


F = TypeVar("F", bound=Callable[..., Any])

_PERMISSION_ATTR = "oeuvre_permission"


def requires(permission: str) -> Callable[[F], F]:
    """Declare the project permission an operation needs, under its router decorator::

        @router.post("/projects/{code}/exigences", ...)
        @requires(REQUIREMENTS_EDIT)
        def create_exigence(...): ...

    The permission is then checked as soon as the caller is authenticated, before the body is read: a member whose
    role lacks it gets 403 and a non-member 404, never a 422 that would describe the data's shape to them. The
    services still check it too (the CLI and the pages call them)."""

    def mark(view: F) -> F:
        setattr(view, _PERMISSION_ATTR, permission)
        return view

    return mark


def _declare_permission(run: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap each operation's ``run`` (ninja's "view" decorators run before authentication and validation) so the
    authentication step knows the permission the operation declared with :func:`requires`."""
    operation = getattr(run, "__self__", None)
    permission = getattr(getattr(operation, "view_func", None), _PERMISSION_ATTR, None)
    if permission is None:
        return run

    @functools.wraps(run)
    def declared(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        request.oeuvre_permission = permission  # type: ignore[attr-defined]
        return run(request, *args, **kwargs)

    return declared


def _permission_first(request: HttpRequest, user: Any) -> None:
    """Raise 404/403 for the operation's declared permission on the project named in the path."""
    permission = getattr(request, _PERMISSION_ATTR, None)
    match = request.resolver_match
    code = match.kwargs.get("code") if match is not None else None
    if permission is None or code is None:
        return
    project_for(user, str(code), permission)


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_authenticate(token)
        if user is not None:
            request.user = user
            _permission_first(request, user)
        return user


class Session(SessionAuth):
    """Django's session; unsafe methods need the CSRF token (checked by ninja's cookie authentication)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None:
            _permission_first(request, user)
        return user


# A token first (CI, scripts), then the browser session.
api_auth = [BearerToken(), Session()]


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
    # Before any router is added, so that every operation inherits it.
    api.add_decorator(_declare_permission, mode="view")

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

    @api.exception_handler(RequestDataTooBig)
    def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        return _error(
            api,
            request,
            413,
            _("The request is larger than %(limit)s MiB: send a large file through its page or the command line.")
            % {"limit": limit},
        )

    @api.exception_handler(Exception)
    def on_crash(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API error on %s %s", request.method, request.path)
        return _error(api, request, 500, _("Server error. It has been logged."))

    return api
