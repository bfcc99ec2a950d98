"""Endpoints of the recette anomalies slice for the matrix test (pages and API operations)."""

from __future__ import annotations

from typing import Any

from tests.matrix import Endpoint, if_match


def _p(p: Any) -> str:
    return f"/p/{p.project.code}/recette"


def _a(p: Any) -> str:
    return f"/api/projects/{p.project.code}"


def _anomaly(p: Any) -> Any:
    from oeuvre.recette.models import Anomaly

    found, _ = Anomaly.objects.get_or_create(
        project=p.project, reference="ANO-001", defaults={"number": 1, "title": "Erreur 500 à la validation"}
    )
    return found


def _settings(p: Any) -> Any:
    from oeuvre.recette.models import RecetteSettings

    found, _ = RecetteSettings.objects.get_or_create(project=p.project)
    return found


def _campaign(p: Any) -> Any:
    from oeuvre.recette.models import Campaign

    found, _ = Campaign.objects.get_or_create(project=p.project, name="VABF")
    return found


def _edit_form(p: Any) -> dict[str, Any]:
    a = _anomaly(p)
    return {"version": a.version, "title": "Erreur 500", "severity": "majeure", "priority": "p2"}


def _move(p: Any) -> dict[str, Any]:
    a = _anomaly(p)
    return {"action": "qualify", "version": a.version}


ENDPOINTS: list[Endpoint] = [
    Endpoint("recette:anomaly_board", "GET", lambda p: f"{_p(p)}/anomalies/", "recette.view"),
    Endpoint("recette:anomaly_list", "GET", lambda p: f"{_p(p)}/anomalies/list/", "recette.view"),
    Endpoint("recette:anomaly_new", "GET", lambda p: f"{_p(p)}/anomalies/new/", "recette.report_anomaly"),
    Endpoint(
        "recette:anomaly_new",
        "POST",
        lambda p: f"{_p(p)}/anomalies/new/",
        "recette.report_anomaly",
        data=lambda p: {"title": "Le bouton ne répond pas", "severity": "mineure", "priority": "p3"},
        ok=(302,),
    ),
    Endpoint("recette:anomaly_labels", "GET", lambda p: f"{_p(p)}/anomalies/labels/", "recette.configure"),
    Endpoint(
        "recette:anomaly_labels",
        "POST",
        lambda p: f"{_p(p)}/anomalies/labels/",
        "recette.configure",
        data=lambda p: {"version": _settings(p).version, "label_bloquante": "Sévérité 1"},
        ok=(302,),
    ),
    Endpoint("recette:anomaly_detail", "GET", lambda p: f"{_p(p)}/anomalies/{_anomaly(p).pk}/", "recette.view"),
    Endpoint(
        "recette:anomaly_edit", "GET", lambda p: f"{_p(p)}/anomalies/{_anomaly(p).pk}/edit/", "recette.qualify_anomaly"
    ),
    Endpoint(
        "recette:anomaly_edit",
        "POST",
        lambda p: f"{_p(p)}/anomalies/{_anomaly(p).pk}/edit/",
        "recette.qualify_anomaly",
        data=_edit_form,
        ok=(302,),
    ),
    Endpoint(
        "recette:anomaly_move",
        "POST",
        lambda p: f"{_p(p)}/anomalies/{_anomaly(p).pk}/move/",
        "recette.qualify_anomaly",
        data=_move,
        ok=(302,),
    ),
    Endpoint("recette:cahier", "GET", lambda p: f"{_p(p)}/cahier/", "recette.view"),
    Endpoint("recette:dashboards", "GET", lambda p: f"{_p(p)}/dashboards/?campaign={_campaign(p).pk}", "recette.view"),
    Endpoint("recette:coverage", "GET", lambda p: f"{_p(p)}/coverage/", "recette.view"),
    # API
    Endpoint("api:GET /api/projects/{code}/anomalies", "GET", lambda p: f"{_a(p)}/anomalies", "recette.view", api=True),
    Endpoint(
        "api:POST /api/projects/{code}/anomalies",
        "POST",
        lambda p: f"{_a(p)}/anomalies",
        "recette.report_anomaly",
        data=lambda p: {"title": "Anomalie API", "severity": "majeure"},
        ok=(201,),
        api=True,
    ),
    Endpoint(
        "api:GET /api/projects/{code}/anomalies/export",
        "GET",
        lambda p: f"{_a(p)}/anomalies/export",
        "recette.view",
        api=True,
    ),
    Endpoint(
        "api:GET /api/projects/{code}/anomalies/{anomaly_id}",
        "GET",
        lambda p: f"{_a(p)}/anomalies/{_anomaly(p).pk}",
        "recette.view",
        api=True,
    ),
    Endpoint(
        "api:PATCH /api/projects/{code}/anomalies/{anomaly_id}",
        "PATCH",
        lambda p: f"{_a(p)}/anomalies/{_anomaly(p).pk}",
        "recette.qualify_anomaly",
        data=lambda p: {"priority": "p1"},
        headers=if_match(_anomaly),
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/anomalies/{anomaly_id}/transitions",
        "POST",
        lambda p: f"{_a(p)}/anomalies/{_anomaly(p).pk}/transitions",
        "recette.qualify_anomaly",
        data=lambda p: {"action": "qualify"},
        headers=if_match(_anomaly),
        api=True,
    ),
    Endpoint(
        "api:GET /api/projects/{code}/anomalies/{anomaly_id}/history",
        "GET",
        lambda p: f"{_a(p)}/anomalies/{_anomaly(p).pk}/history",
        "recette.view",
        api=True,
    ),
    Endpoint(
        "api:GET /api/projects/{code}/recette/severity-labels",
        "GET",
        lambda p: f"{_a(p)}/recette/severity-labels",
        "recette.view",
        api=True,
    ),
    Endpoint(
        "api:PUT /api/projects/{code}/recette/severity-labels",
        "PUT",
        lambda p: f"{_a(p)}/recette/severity-labels",
        "recette.configure",
        data=lambda p: {"label_bloquante": "S1", "label_majeure": "S2", "label_mineure": "S3"},
        headers=if_match(_settings),
        api=True,
    ),
    Endpoint(
        "api:GET /api/projects/{code}/campaigns/{campaign_id}/dashboard",
        "GET",
        lambda p: f"{_a(p)}/campaigns/{_campaign(p).pk}/dashboard",
        "recette.view",
        api=True,
    ),
    Endpoint(
        "api:GET /api/projects/{code}/recette/anomalies-over-time",
        "GET",
        lambda p: f"{_a(p)}/recette/anomalies-over-time",
        "recette.view",
        api=True,
    ),
    Endpoint(
        "api:GET /api/projects/{code}/recette/coverage",
        "GET",
        lambda p: f"{_a(p)}/recette/coverage",
        "recette.view",
        api=True,
    ),
    Endpoint(
        "api:GET /api/projects/{code}/recette/cahier",
        "GET",
        lambda p: f"{_a(p)}/recette/cahier",
        "recette.view",
        api=True,
    ),
]
