"""Foundation endpoints for the role × endpoint matrix test."""

from __future__ import annotations

from typing import Any

from tests.matrix import Endpoint, if_match


def _code(p: Any) -> str:
    return p.project.code


def _reader_membership(p: Any) -> Any:
    return p.project.memberships.get(user=p.reader)


def _member_path(suffix: str = "") -> Any:
    return lambda p: f"/p/{_code(p)}/members/{_reader_membership(p).pk}/{suffix}"


def _closure(p: Any) -> Any:
    from datetime import date

    from oeuvre.projects.models import Closure

    closure, _ = Closure.objects.get_or_create(
        project=p.project, start=date(2026, 8, 3), end=date(2026, 8, 21), label="Été"
    )
    return closure


def _project_form(p: Any) -> dict[str, Any]:
    project = p.project
    project.refresh_from_db()
    return {
        "version": project.version,
        "name": "Nouveau nom",
        "description": "",
        "moa_organisation": project.moa_organisation_id,
        "moe_organisation": project.moe_organisation_id,
        "regime": "ccag_tic",
        "pricing": "forfait",
        "start_date": "2026-01-05",
        "delivery_date": "2026-09-30",
        "golive_date": "",
        "end_date": "",
        "budget_amount": "500000",
        "budget_effort": "800",
        "working_days": ["0", "1", "2", "3", "4"],
        "holiday_zone": "france",
    }


def _project(p: Any) -> Any:
    return p.project


ENDPOINTS = [
    # --- HTML pages -----------------------------------------------------------------------------
    Endpoint("projects:home", "GET", lambda p: f"/p/{_code(p)}/", "project.view"),
    Endpoint("projects:edit", "GET", lambda p: f"/p/{_code(p)}/edit/", "project.edit"),
    Endpoint("projects:edit", "POST", lambda p: f"/p/{_code(p)}/edit/", "project.edit", data=_project_form, ok=(302,)),
    Endpoint(
        "projects:change_phase",
        "POST",
        lambda p: f"/p/{_code(p)}/phase/",
        "project.change_phase",
        data=lambda p: {"phase": "recette", "version": p.project.version},
        ok=(302,),
    ),
    Endpoint("projects:members", "GET", lambda p: f"/p/{_code(p)}/members/", "project.view"),
    Endpoint(
        "projects:member_add",
        "POST",
        lambda p: f"/p/{_code(p)}/members/add/",
        "project.manage_members",
        data=lambda p: {"username": p.outsider.username, "role": "reader"},
        ok=(302,),
    ),
    Endpoint(
        "projects:member_edit",
        "POST",
        _member_path(),
        "project.manage_members",
        data=lambda p: {"role": "contributor", "version": _reader_membership(p).version},
        ok=(302,),
    ),
    Endpoint("projects:member_remove", "POST", _member_path("remove/"), "project.manage_members", ok=(302,)),
    Endpoint("projects:closure_add", "GET", lambda p: f"/p/{_code(p)}/closures/add/", "project.edit"),
    Endpoint(
        "projects:closure_add",
        "POST",
        lambda p: f"/p/{_code(p)}/closures/add/",
        "project.edit",
        data=lambda p: {"start": "2026-08-03", "end": "2026-08-21", "label": "Été"},
        ok=(302,),
    ),
    Endpoint(
        "projects:closure_remove",
        "POST",
        lambda p: f"/p/{_code(p)}/closures/{_closure(p).pk}/remove/",
        "project.edit",
        ok=(302,),
    ),
    Endpoint("projects:activity", "GET", lambda p: f"/p/{_code(p)}/activity/", "project.view_activity"),
    # --- API ------------------------------------------------------------------------------------
    Endpoint("api:GET /api/projects/{code}", "GET", lambda p: f"/api/projects/{_code(p)}", "project.view", api=True),
    Endpoint(
        "api:PATCH /api/projects/{code}",
        "PATCH",
        lambda p: f"/api/projects/{_code(p)}",
        "project.edit",
        data=lambda p: {"name": "Renamed"},
        headers=if_match(_project),
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/phase",
        "POST",
        lambda p: f"/api/projects/{_code(p)}/phase",
        "project.change_phase",
        data=lambda p: {"phase": "recette"},
        headers=if_match(_project),
        api=True,
    ),
    Endpoint(
        "api:GET /api/projects/{code}/members",
        "GET",
        lambda p: f"/api/projects/{_code(p)}/members",
        "project.view",
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/members",
        "POST",
        lambda p: f"/api/projects/{_code(p)}/members",
        "project.manage_members",
        data=lambda p: {"username": p.outsider.username, "role": "reader"},
        ok=(201,),
        api=True,
    ),
    Endpoint(
        "api:PATCH /api/projects/{code}/members/{member_id}",
        "PATCH",
        lambda p: f"/api/projects/{_code(p)}/members/{_reader_membership(p).pk}",
        "project.manage_members",
        data=lambda p: {"role": "contributor"},
        headers=if_match(_reader_membership),
        api=True,
    ),
    Endpoint(
        "api:DELETE /api/projects/{code}/members/{member_id}",
        "DELETE",
        lambda p: f"/api/projects/{_code(p)}/members/{_reader_membership(p).pk}",
        "project.manage_members",
        ok=(204,),
        api=True,
    ),
    Endpoint(
        "api:GET /api/projects/{code}/activity",
        "GET",
        lambda p: f"/api/projects/{_code(p)}/activity",
        "project.view_activity",
        api=True,
    ),
]

# Endpoints that are not about one project: checked by their own tests, listed here so that the
# completeness test knows they were not forgotten.
NOT_PROJECT_SCOPED = {
    "projects:portfolio",
    "accounts:matrix",
    "accounts:tokens",
    "accounts:token_revoke",
    "job_detail",
    "api:GET /api/me",
    "api:GET /api/me/tokens",
    "api:POST /api/me/tokens",
    "api:DELETE /api/me/tokens/{token_id}",
    "api:GET /api/organisations",
    "api:POST /api/organisations",
    "api:GET /api/organisations/{org_id}",
    "api:PATCH /api/organisations/{org_id}",
    "api:GET /api/projects",
    "api:POST /api/projects",
    "api:GET /api/jobs/{job_id}",
}
