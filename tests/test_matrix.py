"""Every role × every project endpoint, HTML and API: allowed or denied exactly as the matrix says.

A member whose role lacks the permission gets 403; a non-member gets 404 (the project's existence
never leaks); a member with the permission gets the endpoint's success status. An API write refuses a
member who may not, and a non-member, before it reads the body (403/404 for an invalid body, not 422),
and every status an API operation answers is one its OpenAPI schema declares.
One test per endpoint checks its nine cells (seven roles, the administrator flag, an outsider), each call in a savepoint
rolled back before the next, so the personas and the endpoint's data are built once per endpoint.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from oeuvre.accounts.permissions import MATRIX
from oeuvre.accounts.services import token_create
from oeuvre.api import api
from tests.matrix import Endpoint, catalogue, not_project_scoped

ROLES = ["moa", "amoa", "moe", "amoe", "exploitation", "contributor", "reader", "admin", "outsider"]
ENDPOINTS = catalogue()


def _expected(endpoint: Endpoint, role: str) -> str:
    if role == "outsider":
        return "hidden"
    permission = MATRIX[endpoint.permission]
    if role == "admin":
        # The admin persona is a contributor with the administrator flag.
        return "allowed" if permission.granted_to("contributor", is_admin=True) else "denied"
    return "allowed" if permission.granted_to(role, is_admin=False) else "denied"


def _call(endpoint: Endpoint, personas: Any, user: Any) -> Any:
    path = endpoint.path(personas)
    data = endpoint.data(personas)
    headers = endpoint.headers(personas)
    if endpoint.api:
        _token, raw = token_create(user=user, name="matrix")
        client = Client(headers={"Authorization": f"Bearer {raw}", **headers})
        body = json.dumps(data) if endpoint.method != "GET" else None
        return client.generic(endpoint.method, path, body or "", content_type="application/json")
    client = personas.client(user)
    if endpoint.method == "GET":
        return client.get(path, headers=headers)
    return client.post(path, data, headers=headers)


_SCHEMA: dict[str, Any] = {}


def _undeclared(endpoint: Endpoint, status: int) -> str | None:
    """The OpenAPI schema must declare every status an operation answers (issue 16, item 7)."""
    if not _SCHEMA:
        _SCHEMA.update(api.get_openapi_schema())
    method, path = endpoint.name.removeprefix("api:").split(" ", 1)
    declared = {str(code) for code in _SCHEMA["paths"][path][method.lower()]["responses"]}
    if str(status) in declared:
        return None
    return f"{status} is not among the statuses the OpenAPI schema declares ({', '.join(sorted(declared))})"


class _Undo(Exception):
    """Raised to roll back one role's call, so the next role finds the endpoint's data as it was."""


def _outcome(endpoint: Endpoint, personas: Any, role: str) -> str | None:
    """Call ``endpoint`` as ``role`` inside a savepoint that is rolled back; return a mismatch or None."""
    mismatch: str | None = None
    try:
        with transaction.atomic():
            # A fresh copy: endpoint helpers may cache the objects they build on it (rolled back below).
            scoped = copy.copy(personas)
            response = _call(endpoint, scoped, scoped.by_role()[role])
            expected = _expected(endpoint, role)
            if expected == "hidden" and response.status_code != 404:
                mismatch = f"{role} (non-member): {response.status_code}, expected 404"
            elif expected == "denied" and response.status_code != 403:
                mismatch = f"{role}: {response.status_code}, expected 403"
            elif expected == "allowed" and response.status_code not in endpoint.ok:
                mismatch = f"{role}: {response.status_code}, expected {endpoint.ok}: {response.content[:300]!r}"
            elif endpoint.api and (undeclared := _undeclared(endpoint, response.status_code)):
                mismatch = f"{role}: {undeclared}"
            raise _Undo
    except _Undo:
        pass
    return mismatch


# A body that fails validation wherever one is expected: a list where an object belongs.
INVALID_BODY = '[{"invalid": true}]'


def _refused_first(endpoint: Endpoint, personas: Any, role: str) -> str | None:
    """An API write called by ``role`` with an invalid body: 404 for a non-member and 403 for a member who may not,
    never the 422 that would describe the data's shape (issue 16, item 11: the permission comes before the body)."""
    expected = {"hidden": 404, "denied": 403}.get(_expected(endpoint, role))
    if expected is None:
        return None
    mismatch: str | None = None
    try:
        with transaction.atomic():
            scoped = copy.copy(personas)
            path = endpoint.path(scoped)
            endpoint.data(scoped)
            headers = endpoint.headers(scoped)
            _token, raw = token_create(user=scoped.by_role()[role], name="matrix")
            client = Client(headers={"Authorization": f"Bearer {raw}", **headers})
            response = client.generic(endpoint.method, path, INVALID_BODY, content_type="application/json")
            if response.status_code != expected:
                mismatch = f"{role} with an invalid body: {response.status_code}, expected {expected}"
            raise _Undo
    except _Undo:
        pass
    return mismatch


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_it_applies_the_matrix(endpoint: Endpoint, personas: Any) -> None:
    """Every role's cell of this endpoint; the roles share the personas, each call is rolled back. An API write is
    also called with an invalid body by the reader (or the first role denied) and by a non-member."""
    mismatches = [m for role in ROLES if (m := _outcome(endpoint, personas, role)) is not None]
    if endpoint.api and endpoint.method != "GET":
        denied = [r for r in ROLES if _expected(endpoint, r) == "denied"]
        for role in ["outsider", "reader" if "reader" in denied else next(iter(denied), "outsider")]:
            if (m := _refused_first(endpoint, personas, role)) is not None:
                mismatches.append(m)
    assert mismatches == [], f"{endpoint}: " + "; ".join(mismatches)


def _html_names(resolver: URLResolver, prefix: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            names |= _html_names(pattern, namespace)
        elif isinstance(pattern, URLPattern) and hasattr(pattern.callback, "oeuvre_permission"):
            names.add(f"{prefix}{pattern.name}")
    return names


def test_it_lists_every_page_and_operation_in_the_catalogue() -> None:
    """A page or API operation without a matrix entry would escape the role × endpoint test."""
    covered = {e.name for e in ENDPOINTS} | not_project_scoped()
    pages = _html_names(get_resolver())
    schema = api.get_openapi_schema()
    operations = {f"api:{method.upper()} {path}" for path, item in schema["paths"].items() for method in item}
    missing = sorted((pages | operations) - covered)
    assert not missing, f"add these to a tests/<stage>/endpoints.py catalogue: {missing}"
    unknown = sorted({e.name for e in ENDPOINTS} - pages - operations)
    assert not unknown, f"catalogue entries that match no URL: {unknown}"


def test_it_guards_every_page_with_a_permission() -> None:
    """House rule: every view of ours goes through project_page or user_page."""
    unguarded = []

    def walk(resolver: URLResolver, prefix: str = "") -> None:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                module = getattr(pattern.urlconf_module, "__name__", "")
                if module.startswith("oeuvre."):
                    walk(pattern, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                callback = pattern.callback
                module = getattr(callback, "__module__", "")
                if module.startswith("oeuvre.") and not hasattr(callback, "oeuvre_permission"):
                    unguarded.append(f"{prefix}{pattern.pattern} ({module}.{callback.__name__})")

    walk(get_resolver())
    public = {"healthz (oeuvre.core.views.healthz)"}
    assert sorted(set(unguarded) - public) == []


def _operations(resolver: URLResolver) -> list[Any]:
    """ninja's operations behind the URL patterns (each pattern's view closes over its PathView)."""
    found: list[Any] = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            found.extend(_operations(pattern))
            continue
        for cell in getattr(pattern.callback, "__closure__", None) or ():
            found.extend(getattr(cell.cell_contents, "operations", []))
    return found


def test_every_project_write_of_the_api_declares_its_permission() -> None:
    """House rule: ``@requires(PERMISSION)`` under the router decorator of every unsafe operation on a project, so the
    role is checked before the body is read (the invalid-body cells above prove it for the catalogue's roles)."""
    undeclared = sorted(
        f"{method} {operation.path} ({operation.view_func.__module__}.{operation.view_func.__name__})"
        for operation in _operations(get_resolver())
        for method in operation.methods
        if method != "GET" and "{code}" in operation.path and not hasattr(operation.view_func, "oeuvre_permission")
    )
    assert undeclared == []
