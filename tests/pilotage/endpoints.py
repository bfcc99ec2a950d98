"""Pilotage endpoints for the role × endpoint matrix test."""

from __future__ import annotations

from typing import Any

from tests.matrix import Endpoint


def _c(p: Any) -> str:
    return str(p.project.code)


def _a(p: Any) -> str:
    return f"/api/projects/{_c(p)}/meteo"


def _with_override(p: Any) -> str:
    from oeuvre.pilotage.services.meteo import meteo_override_set

    meteo_override_set(actor=p.moe, project=p.project, axis="cost", verdict="rain", reason="Avenant en cours")
    return f"/p/{_c(p)}/pilotage/overrides/cost/clear/"


def _thresholds_form(p: Any) -> dict[str, Any]:
    from oeuvre.pilotage.selectors.meteo import SETTING_FIELDS, meteo_settings

    cfg = meteo_settings(p.project)
    return {**{name: getattr(cfg, name) for name in SETTING_FIELDS}, "version": cfg.version, "slip_rain_days": 20}


def _api_thresholds_headers(p: Any) -> dict[str, str]:
    return {"If-Match": '"1"'}


def _risk(p: Any) -> Any:
    cache = p.__dict__.setdefault("_pilotage_cache", {})
    if "risk" not in cache:
        from oeuvre.pilotage.services.risks import risk_action_add, risk_create

        risk = risk_create(
            actor=p.moe, project=p.project, data={"title": "Reprise des données", "probability": 3, "impact": 3}
        )
        cache["action"] = risk_action_add(actor=p.moe, risk=risk, data={"title": "Reprise à blanc"})
        risk.refresh_from_db()
        cache["risk"] = risk
    return cache["risk"]


def _r(p: Any) -> str:
    return f"/p/{_c(p)}/pilotage/risks/{_risk(p).pk}/"


def _ar(p: Any) -> str:
    return f"/api/projects/{_c(p)}/risks/{_risk(p).pk}"


def _risk_version(p: Any) -> dict[str, str]:
    risk = _risk(p)
    risk.refresh_from_db()
    return {"If-Match": risk.etag}


def _committee(p: Any) -> Any:
    cache = p.__dict__.setdefault("_pilotage_cache", {})
    if "committee" not in cache:
        from django.utils import timezone

        from oeuvre.pilotage.services.committees import action_create, committee_create, decision_record

        committee = committee_create(
            actor=p.moe, project=p.project, data={"kind": "copil", "title": "COPIL", "held_on": timezone.localdate()}
        )
        decision_record(actor=p.moe, committee=committee, text="Go pour la recette")
        cache["committee_action"] = action_create(actor=p.moe, project=p.project, title="Relancer", committee=committee)
        committee.refresh_from_db()
        cache["committee"] = committee
    return cache["committee"]


def _cm(p: Any) -> str:
    return f"/p/{_c(p)}/pilotage/committees/{_committee(p).pk}/"


def _deck(p: Any) -> str:
    from oeuvre.core.files import store_private
    from oeuvre.core.models import Job
    from oeuvre.pilotage.deck import AREA

    stored = store_private(AREA, b"PK fake deck", suffix=".pptx")
    job = Job.objects.create(
        kind="pilotage.deck",
        project=p.project,
        status=Job.Status.DONE,
        result={"stored": stored, "filename": "copil.pptx", "size": 12},
    )
    return f"/p/{_c(p)}/pilotage/deck/{job.pk}/"


def _changes(p: Any) -> dict[str, Any]:
    """A draft (with one item), a submitted request and an accepted one without its avenant."""
    cache = p.__dict__.setdefault("_pilotage_cache", {})
    if "changes" not in cache:
        from oeuvre.pilotage.services.changes import (
            change_analyse,
            change_create,
            change_decide,
            change_item_add,
            change_submit,
        )

        made: dict[str, Any] = {}
        from oeuvre.pilotage.services.changes import change_defer

        for name in ("draft", "submitted", "accepted", "deferred"):
            change = change_create(actor=p.moe, project=p.project, data={"title": f"Demande {name}"})
            made[f"{name}_item"] = change_item_add(actor=p.moe, change=change, kind="ajout", text="Export mensuel")
            if name != "draft":
                change = change_submit(actor=p.moe, change=change, expected_version=None)
            if name == "deferred":
                change = change_defer(actor=p.moa, change=change, reason="Après la MEP", expected_version=None)
            if name == "accepted":
                change = change_analyse(actor=p.moe, change=change, impacts=[], expected_version=None)
                change = change_decide(actor=p.moa, change=change, accept=True, reason="OK", expected_version=None)
            made[name] = change
        cache["changes"] = made
    return cache["changes"]


def _ch(p: Any, name: str) -> str:
    return f"/p/{_c(p)}/pilotage/changes/{_changes(p)[name].pk}/"


def _ach(p: Any, name: str) -> str:
    return f"/api/projects/{_c(p)}/changes/{_changes(p)[name].pk}"


def _change_version(name: str) -> Any:
    def headers(p: Any) -> dict[str, str]:
        change = _changes(p)[name]
        change.refresh_from_db()
        return {"If-Match": change.etag}

    return headers


_CHANGE_FORM = {"title": "Export comptable", "justification": "Contrôle de gestion", "origin": "moa"}

_RISK_FORM = {"kind": "risque", "title": "Indisponibilité de l'expert", "probability": 2, "impact": 2}
_OVERRIDE = {"axis": "schedule", "verdict": "cloud", "reason": "Recrutement en cours"}

ENDPOINTS: list[Endpoint] = [
    Endpoint("pilotage:index", "GET", lambda p: f"/p/{_c(p)}/pilotage/", "pilotage.view"),
    Endpoint("pilotage:flash", "GET", lambda p: f"/p/{_c(p)}/pilotage/flash.pdf", "pilotage.view"),
    Endpoint("pilotage:snapshots", "GET", lambda p: f"/p/{_c(p)}/pilotage/snapshots/", "pilotage.view"),
    Endpoint(
        "pilotage:snapshot_take",
        "POST",
        lambda p: f"/p/{_c(p)}/pilotage/snapshots/take/",
        "pilotage.prepare_meteo",
        ok=(302,),
    ),
    Endpoint(
        "pilotage:override_set",
        "POST",
        lambda p: f"/p/{_c(p)}/pilotage/overrides/",
        "pilotage.prepare_meteo",
        data=lambda p: _OVERRIDE,
        ok=(302,),
    ),
    Endpoint("pilotage:override_clear", "POST", _with_override, "pilotage.prepare_meteo", ok=(302,)),
    Endpoint("pilotage:thresholds", "GET", lambda p: f"/p/{_c(p)}/pilotage/thresholds/", "pilotage.configure_meteo"),
    Endpoint(
        "pilotage:thresholds",
        "POST",
        lambda p: f"/p/{_c(p)}/pilotage/thresholds/",
        "pilotage.configure_meteo",
        data=_thresholds_form,
        ok=(302,),
    ),
    Endpoint("api:GET /api/projects/{code}/meteo", "GET", _a, "pilotage.view", api=True),
    Endpoint(
        "api:GET /api/projects/{code}/pilotage/flash.pdf",
        "GET",
        lambda p: f"/api/projects/{_c(p)}/pilotage/flash.pdf",
        "pilotage.view",
        api=True,
    ),
    Endpoint(
        "api:GET /api/projects/{code}/meteo/snapshots", "GET", lambda p: f"{_a(p)}/snapshots", "pilotage.view", api=True
    ),
    Endpoint(
        "api:POST /api/projects/{code}/meteo/snapshots",
        "POST",
        lambda p: f"{_a(p)}/snapshots",
        "pilotage.prepare_meteo",
        ok=(201,),
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/meteo/overrides",
        "POST",
        lambda p: f"{_a(p)}/overrides",
        "pilotage.prepare_meteo",
        data=lambda p: _OVERRIDE,
        api=True,
    ),
    Endpoint(
        "api:DELETE /api/projects/{code}/meteo/overrides/{axis}",
        "DELETE",
        lambda p: _with_override(p) and f"{_a(p)}/overrides/cost",
        "pilotage.prepare_meteo",
        api=True,
    ),
    Endpoint(
        "api:GET /api/projects/{code}/meteo/thresholds",
        "GET",
        lambda p: f"{_a(p)}/thresholds",
        "pilotage.view",
        api=True,
    ),
    Endpoint(
        "api:PATCH /api/projects/{code}/meteo/thresholds",
        "PATCH",
        lambda p: f"{_a(p)}/thresholds",
        "pilotage.configure_meteo",
        data=lambda p: {"slip_rain_days": 20},
        headers=_api_thresholds_headers,
        api=True,
    ),
    Endpoint("pilotage:risks", "GET", lambda p: f"/p/{_c(p)}/pilotage/risks/", "pilotage.view"),
    Endpoint("pilotage:risk_create", "GET", lambda p: f"/p/{_c(p)}/pilotage/risks/new/", "pilotage.manage_risks"),
    Endpoint("pilotage:risk_schedule", "GET", lambda p: f"/p/{_c(p)}/pilotage/risks/schedule/", "pilotage.view"),
    Endpoint(
        "pilotage:risk_schedule_recompute",
        "POST",
        lambda p: f"/p/{_c(p)}/pilotage/risks/schedule/recompute/",
        "pilotage.manage_risks",
        ok=(302,),
    ),
    Endpoint(
        "pilotage:risk_create",
        "POST",
        lambda p: f"/p/{_c(p)}/pilotage/risks/new/",
        "pilotage.manage_risks",
        data=lambda p: _RISK_FORM,
        ok=(302,),
    ),
    Endpoint("pilotage:risk_detail", "GET", _r, "pilotage.view"),
    Endpoint(
        "pilotage:risk_detail",
        "POST",
        _r,
        "pilotage.manage_risks",
        data=lambda p: {**_RISK_FORM, "version": _risk(p).version},
        ok=(302,),
    ),
    Endpoint(
        "pilotage:risk_transition",
        "POST",
        lambda p: f"{_r(p)}status/",
        "pilotage.manage_risks",
        data=lambda p: {"status": "clos", "version": _risk(p).version},
        ok=(302,),
    ),
    Endpoint(
        "pilotage:risk_action_add",
        "POST",
        lambda p: f"{_r(p)}actions/",
        "pilotage.manage_risks",
        data=lambda p: {"title": "Relancer", "status": "a_faire"},
        ok=(302,),
    ),
    Endpoint(
        "pilotage:risk_action_status",
        "POST",
        lambda p: f"{_r(p)}actions/{p._pilotage_cache['action'].pk}/status/",
        "pilotage.manage_risks",
        data=lambda p: {"status": "fait"},
        ok=(302,),
    ),
    Endpoint(
        "api:GET /api/projects/{code}/risks", "GET", lambda p: f"/api/projects/{_c(p)}/risks", "pilotage.view", api=True
    ),
    Endpoint(  # the matrix's project has no plan: the readers are told so (422), the others refused
        "api:GET /api/projects/{code}/risks/schedule",
        "GET",
        lambda p: f"/api/projects/{_c(p)}/risks/schedule",
        "pilotage.view",
        ok=(200, 422),
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/risks",
        "POST",
        lambda p: f"/api/projects/{_c(p)}/risks",
        "pilotage.manage_risks",
        data=lambda p: _RISK_FORM,
        ok=(201,),
        api=True,
    ),
    Endpoint("api:GET /api/projects/{code}/risks/{risk_id}", "GET", _ar, "pilotage.view", api=True),
    Endpoint(
        "api:PATCH /api/projects/{code}/risks/{risk_id}",
        "PATCH",
        _ar,
        "pilotage.manage_risks",
        data=lambda p: {"impact": 4},
        headers=_risk_version,
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/risks/{risk_id}/status",
        "POST",
        lambda p: f"{_ar(p)}/status",
        "pilotage.manage_risks",
        data=lambda p: {"status": "clos"},
        headers=_risk_version,
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/risks/{risk_id}/actions",
        "POST",
        lambda p: f"{_ar(p)}/actions",
        "pilotage.manage_risks",
        data=lambda p: {"title": "Relancer la MOA"},
        ok=(201,),
        api=True,
    ),
    Endpoint("pilotage:changes", "GET", lambda p: f"/p/{_c(p)}/pilotage/changes/", "pilotage.view"),
    Endpoint(
        "pilotage:change_create", "GET", lambda p: f"/p/{_c(p)}/pilotage/changes/new/", "pilotage.request_changes"
    ),
    Endpoint(
        "pilotage:change_create",
        "POST",
        lambda p: f"/p/{_c(p)}/pilotage/changes/new/",
        "pilotage.request_changes",
        data=lambda p: _CHANGE_FORM,
        ok=(302,),
    ),
    Endpoint("pilotage:change_detail", "GET", lambda p: _ch(p, "accepted"), "pilotage.view"),
    Endpoint(
        "pilotage:change_detail",
        "POST",
        lambda p: _ch(p, "draft"),
        "pilotage.request_changes",
        data=lambda p: {**_CHANGE_FORM, "version": _changes(p)["draft"].version},
        ok=(302,),
    ),
    Endpoint(
        "pilotage:change_item_add",
        "POST",
        lambda p: f"{_ch(p, 'draft')}items/",
        "pilotage.request_changes",
        data=lambda p: {"kind": "ajout", "text": "Nouvel export"},
        ok=(302,),
    ),
    Endpoint(
        "pilotage:change_item_remove",
        "POST",
        lambda p: f"{_ch(p, 'draft')}items/{_changes(p)['draft_item'].pk}/remove/",
        "pilotage.request_changes",
        ok=(302,),
    ),
    Endpoint(
        "pilotage:change_submit", "POST", lambda p: f"{_ch(p, 'draft')}submit/", "pilotage.request_changes", ok=(302,)
    ),
    Endpoint(
        "pilotage:change_withdraw",
        "POST",
        lambda p: f"{_ch(p, 'submitted')}withdraw/",
        "pilotage.request_changes",
        ok=(302,),
    ),
    Endpoint(
        "pilotage:change_analyse",
        "POST",
        lambda p: f"{_ch(p, 'submitted')}analyse/",
        "pilotage.analyse_changes",
        data=lambda p: {"impacts": "", "note": "Sans impact planning"},
        ok=(302,),
    ),
    Endpoint(
        "pilotage:change_decide",
        "POST",
        lambda p: f"{_ch(p, 'submitted')}decide/",
        "pilotage.decide_changes",
        data=lambda p: {"decision": "refuse", "reason": "Hors budget"},
        ok=(302,),
    ),
    Endpoint(
        "pilotage:change_resubmit",
        "POST",
        lambda p: f"{_ch(p, 'deferred')}resubmit/",
        "pilotage.request_changes",
        ok=(302,),
    ),
    Endpoint(
        "pilotage:change_avenant",
        "POST",
        lambda p: f"{_ch(p, 'accepted')}avenant/",
        "pilotage.decide_changes",
        data=lambda p: {"signed_on": "2026-01-05"},
        ok=(302,),
    ),
    Endpoint(
        "api:GET /api/projects/{code}/changes",
        "GET",
        lambda p: f"/api/projects/{_c(p)}/changes",
        "pilotage.view",
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/changes",
        "POST",
        lambda p: f"/api/projects/{_c(p)}/changes",
        "pilotage.request_changes",
        data=lambda p: _CHANGE_FORM,
        ok=(201,),
        api=True,
    ),
    Endpoint(
        "api:GET /api/projects/{code}/changes/{change_id}",
        "GET",
        lambda p: _ach(p, "accepted"),
        "pilotage.view",
        api=True,
    ),
    Endpoint(
        "api:PATCH /api/projects/{code}/changes/{change_id}",
        "PATCH",
        lambda p: _ach(p, "draft"),
        "pilotage.request_changes",
        data=lambda p: {"title": "Export trimestriel"},
        headers=_change_version("draft"),
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/changes/{change_id}/items",
        "POST",
        lambda p: f"{_ach(p, 'draft')}/items",
        "pilotage.request_changes",
        data=lambda p: {"kind": "ajout", "text": "Nouvel export"},
        ok=(201,),
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/changes/{change_id}/submit",
        "POST",
        lambda p: f"{_ach(p, 'draft')}/submit",
        "pilotage.request_changes",
        headers=_change_version("draft"),
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/changes/{change_id}/withdraw",
        "POST",
        lambda p: f"{_ach(p, 'submitted')}/withdraw",
        "pilotage.request_changes",
        data=lambda p: {"status": "retiree", "reason": "Doublon"},
        headers=_change_version("submitted"),
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/changes/{change_id}/analysis",
        "POST",
        lambda p: f"{_ach(p, 'submitted')}/analysis",
        "pilotage.analyse_changes",
        data=lambda p: {"tasks": [], "note": "Sans impact"},
        headers=_change_version("submitted"),
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/changes/{change_id}/decision",
        "POST",
        lambda p: f"{_ach(p, 'submitted')}/decision",
        "pilotage.decide_changes",
        data=lambda p: {"accept": False, "reason": "Hors budget"},
        headers=_change_version("submitted"),
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/changes/{change_id}/deferral",
        "POST",
        lambda p: f"{_ach(p, 'submitted')}/deferral",
        "pilotage.decide_changes",
        data=lambda p: {"reason": "Après la MEP"},
        headers=_change_version("submitted"),
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/changes/{change_id}/resubmission",
        "POST",
        lambda p: f"{_ach(p, 'deferred')}/resubmission",
        "pilotage.request_changes",
        headers=_change_version("deferred"),
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/changes/{change_id}/avenant",
        "POST",
        lambda p: f"{_ach(p, 'accepted')}/avenant",
        "pilotage.decide_changes",
        data=lambda p: {"signed_on": "2026-01-05"},
        headers=_change_version("accepted"),
        api=True,
    ),
    Endpoint("pilotage:committees", "GET", lambda p: f"/p/{_c(p)}/pilotage/committees/", "pilotage.view"),
    Endpoint(
        "pilotage:committees",
        "POST",
        lambda p: f"/p/{_c(p)}/pilotage/committees/",
        "pilotage.prepare_committees",
        data=lambda p: {"kind": "coproj", "title": "COPROJ", "held_on": "2026-12-01"},
        ok=(302,),
    ),
    Endpoint("pilotage:committee", "GET", _cm, "pilotage.view"),
    Endpoint(
        "pilotage:decision_add",
        "POST",
        lambda p: f"{_cm(p)}decisions/",
        "pilotage.prepare_committees",
        data=lambda p: {"text": "Report du lot 3"},
        ok=(302,),
    ),
    Endpoint(
        "pilotage:committee_action_add",
        "POST",
        lambda p: f"{_cm(p)}actions/",
        "pilotage.prepare_committees",
        data=lambda p: {"title": "Envoyer le compte rendu"},
        ok=(302,),
    ),
    Endpoint(
        "pilotage:committee_close",
        "POST",
        lambda p: f"{_cm(p)}close/",
        "pilotage.sign_decisions",
        data=lambda p: {"version": _committee(p).version},
        ok=(302,),
    ),
    Endpoint(
        "pilotage:deck_generate",
        "POST",
        lambda p: f"/p/{_c(p)}/pilotage/deck/",
        "pilotage.prepare_committees",
        ok=(302,),
    ),
    Endpoint("pilotage:deck_download", "GET", _deck, "pilotage.view"),
    Endpoint(
        "api:GET /api/projects/{code}/committees/{committee_id}/decisions",
        "GET",
        lambda p: f"/api/projects/{_c(p)}/committees/{_committee(p).pk}/decisions",
        "pilotage.view",
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/committees/{committee_id}/decisions",
        "POST",
        lambda p: f"/api/projects/{_c(p)}/committees/{_committee(p).pk}/decisions",
        "pilotage.prepare_committees",
        data=lambda p: {"text": "Go pour la VSR", "subject": "Go/no-go VSR"},
        ok=(201,),
        api=True,
    ),
    Endpoint(  # naming a change request with an outcome decides it: the MOA only
        "api:POST /api/projects/{code}/committees/{committee_id}/decisions",
        "POST",
        lambda p: f"/api/projects/{_c(p)}/committees/{_committee(p).pk}/decisions",
        "pilotage.decide_changes",
        data=lambda p: {"text": "Hors budget", "change": _changes(p)["submitted"].reference, "outcome": "refuse"},
        ok=(201,),
        api=True,
    ),
    Endpoint("pilotage:actions", "GET", lambda p: f"/p/{_c(p)}/pilotage/actions/", "pilotage.view"),
    Endpoint(
        "pilotage:action_status",
        "POST",
        lambda p: f"/p/{_c(p)}/pilotage/actions/{_committee(p) and p._pilotage_cache['committee_action'].pk}/status/",
        "pilotage.follow_actions",
        data=lambda p: {"status": "en_cours"},
        ok=(302,),
    ),
]

NOT_PROJECT_SCOPED = {"pilotage_user:my_actions", "pilotage_user:portfolio"}
