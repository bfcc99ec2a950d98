"""Requirements endpoints for the role × endpoint matrix test (HTML pages and API operations)."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.matrix import Endpoint, if_match
from tests.requirements import helpers as h

CSV = "Référence;Titre;Type\nEX-101;Exigence importée;Fonctionnelle\n".encode()


def _p(p: Any) -> str:
    return f"/p/{p.project.code}/requirements"


def _a(p: Any) -> str:
    return f"/api/projects/{p.project.code}"


def _draft(p: Any) -> Any:
    return h.exigence(p.project, "EX-001", "brouillon")


def _submitted(p: Any) -> Any:
    return h.exigence(p.project, "EX-002", "soumise")


def _spec(p: Any) -> Any:
    return h.specification(p.project, "SP-001")


def _component(p: Any) -> Any:
    return h.component(p.project, "CMP-001")


def _link(p: Any) -> Any:
    return h.link(p.project, "satisfies", _spec(p), _draft(p))


def _baseline(p: Any) -> Any:
    from oeuvre.requirements.models import CdcVersion

    found, _ = CdcVersion.objects.get_or_create(project=p.project, label="V1.0")
    return found


def _deliverable(p: Any, status: str = "brouillon") -> Any:
    h.open_rule(p.project)
    return h.deliverable(p.project, status=status, users=[p.moa, p.amoa])


def _token(p: Any) -> str:
    from oeuvre.requirements.jobs import register_upload

    return register_upload(p.project, "cdc.csv", CSV, None)


def _job(p: Any) -> Any:
    from oeuvre.core.models import Job
    from oeuvre.requirements.jobs import IMPORT_JOB

    return Job.objects.create(kind=IMPORT_JOB, project=p.project, created_by=p.moa, params={"dry_run": True})


def _exigence_form(p: Any) -> dict[str, Any]:
    ex = _draft(p)
    ex.refresh_from_db()
    return {"version": ex.version, "reference": ex.reference, "title": "Nouveau titre", "text": "",
            "type": "fonctionnelle", "priority": "must", "source": "", "cdc_version": "", "owner": ""}  # fmt: skip


def _deliverable_form(p: Any) -> dict[str, Any]:
    d = _deliverable(p)
    d.refresh_from_db()
    return {"version": d.version, "kind": "autre", "title": "Livrable renommé", "reference": "", "document_version": "",
            "due_date": "", "link": "", "author": "", "validator": ""}  # fmt: skip


ENDPOINTS = [
    # --- HTML pages -----------------------------------------------------------------------------
    Endpoint("requirements:index", "GET", lambda p: f"{_p(p)}/", "requirements.view"),
    Endpoint("requirements:new", "GET", lambda p: f"{_p(p)}/new/", "requirements.edit"),
    Endpoint(
        "requirements:new",
        "POST",
        lambda p: f"{_p(p)}/new/",
        "requirements.edit",
        data=lambda p: {"title": "Exigence", "type": "fonctionnelle", "priority": "must"},
        ok=(302,),
    ),
    Endpoint("requirements:detail", "GET", lambda p: f"{_p(p)}/{_draft(p).pk}/", "requirements.view"),
    Endpoint("requirements:main", "GET", lambda p: f"{_p(p)}/{_draft(p).pk}/main/", "requirements.view"),
    Endpoint("requirements:edit", "GET", lambda p: f"{_p(p)}/{_draft(p).pk}/edit/", "requirements.edit"),
    Endpoint(
        "requirements:edit",
        "POST",
        lambda p: f"{_p(p)}/{_draft(p).pk}/edit/",
        "requirements.edit",
        data=_exigence_form,
        ok=(302,),
    ),
    Endpoint(
        "requirements:submit",
        "POST",
        lambda p: f"{_p(p)}/{_draft(p).pk}/submit/",
        "requirements.submit",
        data=lambda p: {"version": _draft(p).version},
        ok=(302,),
    ),
    Endpoint(
        "requirements:decide",
        "POST",
        lambda p: f"{_p(p)}/{_submitted(p).pk}/decide/",
        "requirements.validate",
        data=lambda p: {"version": _submitted(p).version, "action": "validate"},
        ok=(302,),
    ),
    Endpoint(
        "requirements:delete", "POST", lambda p: f"{_p(p)}/{_draft(p).pk}/delete/", "requirements.edit", ok=(302,)
    ),
    Endpoint("requirements:impact", "GET", lambda p: f"{_p(p)}/{_draft(p).pk}/impact/", "requirements.view"),
    Endpoint(
        "requirements:link_add",
        "POST",
        lambda p: f"{_p(p)}/links/add/",
        "requirements.trace",
        data=lambda p: {"kind": "satisfies", "source": _spec(p).reference, "target": _draft(p).reference},
        ok=(302,),
    ),
    Endpoint(
        "requirements:link_remove",
        "POST",
        lambda p: f"{_p(p)}/links/{_link(p).pk}/remove/",
        "requirements.trace",
        ok=(302,),
    ),
    Endpoint("requirements:specifications", "GET", lambda p: f"{_p(p)}/specifications/", "requirements.view"),
    Endpoint(
        "requirements:specification_new",
        "GET",
        lambda p: f"{_p(p)}/specifications/new/",
        "requirements.edit_specifications",
    ),
    Endpoint(
        "requirements:specification_new",
        "POST",
        lambda p: f"{_p(p)}/specifications/new/",
        "requirements.edit_specifications",
        data=lambda p: {"kind": "sfd", "title": "Écran"},
        ok=(302,),
    ),
    Endpoint(
        "requirements:specification", "GET", lambda p: f"{_p(p)}/specifications/{_spec(p).pk}/", "requirements.view"
    ),
    Endpoint(
        "requirements:specification",
        "POST",
        lambda p: f"{_p(p)}/specifications/{_spec(p).pk}/",
        "requirements.edit_specifications",
        data=lambda p: {"version": _spec(p).version, "reference": "SP-001", "kind": "sfd", "title": "Écran modifié"},
        ok=(302,),
    ),
    Endpoint(
        "requirements:specification_delete",
        "POST",
        lambda p: f"{_p(p)}/specifications/{_spec(p).pk}/delete/",
        "requirements.edit_specifications",
        ok=(302,),
    ),
    Endpoint("requirements:components", "GET", lambda p: f"{_p(p)}/components/", "requirements.view"),
    Endpoint(
        "requirements:component_new", "GET", lambda p: f"{_p(p)}/components/new/", "requirements.edit_architecture"
    ),
    Endpoint(
        "requirements:component_new",
        "POST",
        lambda p: f"{_p(p)}/components/new/",
        "requirements.edit_architecture",
        data=lambda p: {"kind": "module", "name": "Portail"},
        ok=(302,),
    ),
    Endpoint("requirements:component", "GET", lambda p: f"{_p(p)}/components/{_component(p).pk}/", "requirements.view"),
    Endpoint(
        "requirements:component",
        "POST",
        lambda p: f"{_p(p)}/components/{_component(p).pk}/",
        "requirements.edit_architecture",
        data=lambda p: {"version": _component(p).version, "reference": "CMP-001", "kind": "module", "name": "Portail"},
        ok=(302,),
    ),
    Endpoint(
        "requirements:component_delete",
        "POST",
        lambda p: f"{_p(p)}/components/{_component(p).pk}/delete/",
        "requirements.edit_architecture",
        ok=(302,),
    ),
    Endpoint("requirements:baselines", "GET", lambda p: f"{_p(p)}/baselines/", "requirements.view"),
    Endpoint(
        "requirements:baseline_freeze",
        "POST",
        lambda p: f"{_p(p)}/baselines/freeze/",
        "requirements.baseline",
        data=lambda p: {"label": "V2.0"},
        ok=(302,),
    ),
    Endpoint(
        "requirements:baseline_compare",
        "GET",
        lambda p: f"{_p(p)}/baselines/compare/?a={_baseline(p).pk}",
        "requirements.view",
    ),
    Endpoint("requirements:rtm", "GET", lambda p: f"{_p(p)}/rtm/", "requirements.view"),
    Endpoint("requirements:import", "GET", lambda p: f"{_p(p)}/import/", "requirements.import"),
    Endpoint(
        "requirements:import",
        "POST",
        lambda p: f"{_p(p)}/import/",
        "requirements.import",
        data=lambda p: {"file": SimpleUploadedFile("cdc.csv", CSV, "text/csv")},
        ok=(302,),
    ),
    Endpoint("requirements:import_map", "GET", lambda p: f"{_p(p)}/import/{_token(p)}/", "requirements.import"),
    Endpoint(
        "requirements:import_map",
        "POST",
        lambda p: f"{_p(p)}/import/{_token(p)}/",
        "requirements.import",
        data=lambda p: {"map-0": "reference", "map-1": "title", "map-2": "type", "action": "dry_run"},
        ok=(302,),
    ),
    Endpoint(
        "requirements:import_commit",
        "POST",
        lambda p: f"{_p(p)}/import/{_token(p)}/commit/",
        "requirements.import",
        ok=(302,),
    ),
    Endpoint(
        "requirements:import_job",
        "GET",
        lambda p: f"{_p(p)}/import/{_token(p)}/jobs/{_job(p).pk}/",
        "requirements.import",
    ),
    Endpoint("requirements:deliverables", "GET", lambda p: f"{_p(p)}/deliverables/", "requirements.view"),
    Endpoint(
        "requirements:deliverables",
        "POST",
        lambda p: f"{_p(p)}/deliverables/",
        "requirements.edit_deliverables",
        data=lambda p: {"kind": "dat", "title": "DAT"},
        ok=(302,),
    ),
    Endpoint(
        "requirements:deliverable", "GET", lambda p: f"{_p(p)}/deliverables/{_deliverable(p).pk}/", "requirements.view"
    ),
    Endpoint(
        "requirements:deliverable",
        "POST",
        lambda p: f"{_p(p)}/deliverables/{_deliverable(p).pk}/",
        "requirements.edit_deliverables",
        data=_deliverable_form,
        ok=(302,),
    ),
    Endpoint(
        "requirements:deliverable_raci",
        "POST",
        lambda p: f"{_p(p)}/deliverables/{_deliverable(p).pk}/raci/",
        "requirements.edit_deliverables",
        data=lambda p: {"version": _deliverable(p).version, f"raci-{p.moa.pk}": "A", f"raci-{p.moe.pk}": "R"},
        ok=(302,),
    ),
    Endpoint(
        "requirements:deliverable_submit",
        "POST",
        lambda p: f"{_p(p)}/deliverables/{_deliverable(p).pk}/submit/",
        "requirements.submit_deliverable",
        data=lambda p: {"version": _deliverable(p).version},
        ok=(302,),
    ),
    Endpoint(
        "requirements:deliverable_decide",
        "POST",
        lambda p: f"{_p(p)}/deliverables/{_deliverable(p, 'soumis').pk}/decide/",
        "requirements.decide_deliverable",
        data=lambda p: {"version": _deliverable(p, "soumis").version, "action": "validate"},
        ok=(302,),
    ),
    Endpoint("requirements:settings", "GET", lambda p: f"{_p(p)}/settings/", "requirements.configure"),
    Endpoint(
        "requirements:settings",
        "POST",
        lambda p: f"{_p(p)}/settings/",
        "requirements.configure",
        data=lambda p: {
            "form": "settings",
            "exigence_prefix": "REQ",
            "specification_prefix": "SP",
            "component_prefix": "CMP",
            "reference_digits": 3,
        },
        ok=(302,),
    ),
    # --- API ------------------------------------------------------------------------------------
    Endpoint(
        "api:GET /api/projects/{code}/exigences", "GET", lambda p: f"{_a(p)}/exigences", "requirements.view", api=True
    ),
    Endpoint(
        "api:POST /api/projects/{code}/exigences",
        "POST",
        lambda p: f"{_a(p)}/exigences",
        "requirements.edit",
        data=lambda p: {"title": "Exigence"},
        ok=(201,),
        api=True,
    ),
    Endpoint(
        "api:GET /api/projects/{code}/exigences/export",
        "GET",
        lambda p: f"{_a(p)}/exigences/export?format=csv",
        "requirements.view",
        api=True,
    ),
    Endpoint(
        "api:GET /api/projects/{code}/exigences/{exigence_id}",
        "GET",
        lambda p: f"{_a(p)}/exigences/{_draft(p).pk}",
        "requirements.view",
        api=True,
    ),
    Endpoint(
        "api:PATCH /api/projects/{code}/exigences/{exigence_id}",
        "PATCH",
        lambda p: f"{_a(p)}/exigences/{_draft(p).pk}",
        "requirements.edit",
        data=lambda p: {"title": "Autre"},
        headers=if_match(_draft),
        api=True,
    ),
    Endpoint(
        "api:DELETE /api/projects/{code}/exigences/{exigence_id}",
        "DELETE",
        lambda p: f"{_a(p)}/exigences/{_draft(p).pk}",
        "requirements.edit",
        ok=(204,),
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/exigences/{exigence_id}/submit",
        "POST",
        lambda p: f"{_a(p)}/exigences/{_draft(p).pk}/submit",
        "requirements.submit",
        data=lambda p: {},
        headers=if_match(_draft),
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/exigences/{exigence_id}/validate",
        "POST",
        lambda p: f"{_a(p)}/exigences/{_submitted(p).pk}/validate",
        "requirements.validate",
        data=lambda p: {},
        headers=if_match(_submitted),
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/exigences/{exigence_id}/reject",
        "POST",
        lambda p: f"{_a(p)}/exigences/{_submitted(p).pk}/reject",
        "requirements.validate",
        data=lambda p: {"comment": "Hors périmètre"},
        headers=if_match(_submitted),
        api=True,
    ),
    Endpoint(
        "api:GET /api/projects/{code}/exigences/{exigence_id}/impact",
        "GET",
        lambda p: f"{_a(p)}/exigences/{_draft(p).pk}/impact",
        "requirements.view",
        api=True,
    ),
    Endpoint(
        "api:GET /api/projects/{code}/specifications",
        "GET",
        lambda p: f"{_a(p)}/specifications",
        "requirements.view",
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/specifications",
        "POST",
        lambda p: f"{_a(p)}/specifications",
        "requirements.edit_specifications",
        data=lambda p: {"title": "Écran"},
        ok=(201,),
        api=True,
    ),
    Endpoint(
        "api:GET /api/projects/{code}/specifications/{spec_id}",
        "GET",
        lambda p: f"{_a(p)}/specifications/{_spec(p).pk}",
        "requirements.view",
        api=True,
    ),
    Endpoint(
        "api:PATCH /api/projects/{code}/specifications/{spec_id}",
        "PATCH",
        lambda p: f"{_a(p)}/specifications/{_spec(p).pk}",
        "requirements.edit_specifications",
        data=lambda p: {"title": "Autre"},
        headers=if_match(_spec),
        api=True,
    ),
    Endpoint(
        "api:DELETE /api/projects/{code}/specifications/{spec_id}",
        "DELETE",
        lambda p: f"{_a(p)}/specifications/{_spec(p).pk}",
        "requirements.edit_specifications",
        ok=(204,),
        api=True,
    ),
    Endpoint(
        "api:GET /api/projects/{code}/components", "GET", lambda p: f"{_a(p)}/components", "requirements.view", api=True
    ),
    Endpoint(
        "api:POST /api/projects/{code}/components",
        "POST",
        lambda p: f"{_a(p)}/components",
        "requirements.edit_architecture",
        data=lambda p: {"name": "Portail"},
        ok=(201,),
        api=True,
    ),
    Endpoint(
        "api:GET /api/projects/{code}/components/{component_id}",
        "GET",
        lambda p: f"{_a(p)}/components/{_component(p).pk}",
        "requirements.view",
        api=True,
    ),
    Endpoint(
        "api:PATCH /api/projects/{code}/components/{component_id}",
        "PATCH",
        lambda p: f"{_a(p)}/components/{_component(p).pk}",
        "requirements.edit_architecture",
        data=lambda p: {"name": "Autre"},
        headers=if_match(_component),
        api=True,
    ),
    Endpoint(
        "api:DELETE /api/projects/{code}/components/{component_id}",
        "DELETE",
        lambda p: f"{_a(p)}/components/{_component(p).pk}",
        "requirements.edit_architecture",
        ok=(204,),
        api=True,
    ),
    Endpoint(
        "api:GET /api/projects/{code}/trace-links",
        "GET",
        lambda p: f"{_a(p)}/trace-links",
        "requirements.view",
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/trace-links",
        "POST",
        lambda p: f"{_a(p)}/trace-links",
        "requirements.trace",
        data=lambda p: {"kind": "satisfies", "source": _spec(p).reference, "target": _draft(p).reference},
        ok=(201,),
        api=True,
    ),
    Endpoint(
        "api:DELETE /api/projects/{code}/trace-links/{link_id}",
        "DELETE",
        lambda p: f"{_a(p)}/trace-links/{_link(p).pk}",
        "requirements.trace",
        ok=(204,),
        api=True,
    ),
    Endpoint(
        "api:GET /api/projects/{code}/baselines", "GET", lambda p: f"{_a(p)}/baselines", "requirements.view", api=True
    ),
    Endpoint(
        "api:POST /api/projects/{code}/baselines",
        "POST",
        lambda p: f"{_a(p)}/baselines",
        "requirements.baseline",
        data=lambda p: {"label": "V2.0"},
        ok=(201,),
        api=True,
    ),
    Endpoint(
        "api:GET /api/projects/{code}/baselines/compare",
        "GET",
        lambda p: f"{_a(p)}/baselines/compare?before={_baseline(p).pk}",
        "requirements.view",
        api=True,
    ),
    Endpoint("api:GET /api/projects/{code}/rtm", "GET", lambda p: f"{_a(p)}/rtm", "requirements.view", api=True),
    Endpoint(
        "api:GET /api/projects/{code}/rtm/export", "GET", lambda p: f"{_a(p)}/rtm/export", "requirements.view", api=True
    ),
    Endpoint(
        "api:GET /api/projects/{code}/requirements/coverage",
        "GET",
        lambda p: f"{_a(p)}/requirements/coverage",
        "requirements.view",
        api=True,
    ),
    # The matrix sends JSON; the import needs a multipart file, so an allowed role gets 422 ("file: required")
    # here, after the permission check. The 202 path is tested in test_api.
    Endpoint(
        "api:POST /api/projects/{code}/requirements/imports",
        "POST",
        lambda p: f"{_a(p)}/requirements/imports",
        "requirements.import",
        ok=(422,),
        api=True,
    ),
    Endpoint(
        "api:GET /api/projects/{code}/deliverables",
        "GET",
        lambda p: f"{_a(p)}/deliverables",
        "requirements.view",
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/deliverables",
        "POST",
        lambda p: f"{_a(p)}/deliverables",
        "requirements.edit_deliverables",
        data=lambda p: {"kind": "dat", "title": "DAT"},
        ok=(201,),
        api=True,
    ),
    Endpoint(
        "api:PATCH /api/projects/{code}/deliverables/{deliverable_id}",
        "PATCH",
        lambda p: f"{_a(p)}/deliverables/{_deliverable(p).pk}",
        "requirements.edit_deliverables",
        data=lambda p: {"title": "DAT v2"},
        headers=if_match(_deliverable),
        api=True,
    ),
    Endpoint(
        "api:PUT /api/projects/{code}/deliverables/{deliverable_id}/raci",
        "PUT",
        lambda p: f"{_a(p)}/deliverables/{_deliverable(p).pk}/raci",
        "requirements.edit_deliverables",
        data=lambda p: [{"username": "moa", "letter": "A"}, {"username": "moe", "letter": "R"}],  # type: ignore[arg-type,return-value]
        headers=if_match(_deliverable),
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/deliverables/{deliverable_id}/submit",
        "POST",
        lambda p: f"{_a(p)}/deliverables/{_deliverable(p).pk}/submit",
        "requirements.submit_deliverable",
        headers=if_match(_deliverable),
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/deliverables/{deliverable_id}/decide",
        "POST",
        lambda p: f"{_a(p)}/deliverables/{_deliverable(p, 'soumis').pk}/decide",
        "requirements.decide_deliverable",
        data=lambda p: {"accept": True},
        headers=if_match(lambda p: _deliverable(p, "soumis")),
        api=True,
    ),
    Endpoint(
        "api:GET /api/projects/{code}/requirements/settings",
        "GET",
        lambda p: f"{_a(p)}/requirements/settings",
        "requirements.view",
        api=True,
    ),
    Endpoint(
        "api:PATCH /api/projects/{code}/requirements/settings",
        "PATCH",
        lambda p: f"{_a(p)}/requirements/settings",
        "requirements.configure",
        data=lambda p: {"exigence_prefix": "REQ"},
        headers=lambda p: {"If-Match": '"1"'},
        api=True,
    ),
    Endpoint(
        "api:PUT /api/projects/{code}/deliverable-rules/{kind}",
        "PUT",
        lambda p: f"{_a(p)}/deliverable-rules/dat",
        "requirements.configure",
        data=lambda p: {"author_roles": ["amoe"], "validator_roles": ["moe"]},
        api=True,
    ),
]
