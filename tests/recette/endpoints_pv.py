"""Endpoints of the recette pv slice for the matrix test: PV pages and API, réserves, signatures, chain, timers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.matrix import Endpoint, if_match

PASSWORD = "correct-horse-battery"


def _c(p: Any) -> str:
    return str(p.project.code)


def _a(p: Any) -> str:
    return f"/api/projects/{_c(p)}"


def _cached(p: Any, key: str, build: Any) -> Any:
    cache = p.__dict__.setdefault("_pv_cache", {})
    if key not in cache:
        cache[key] = build()
    return cache[key]


def _campaign(p: Any) -> Any:
    from tests.recette.pv_factories import anomaly, campaign

    def build() -> Any:
        camp = campaign(p.project, results="ooo")
        anomaly(p.project, camp, "mineure")
        return camp

    return _cached(p, "campaign", build)


def _draft(p: Any) -> Any:
    from oeuvre.recette.services.pv import pv_create

    return _cached(p, "draft", lambda: pv_create(actor=p.amoa, project=p.project, campaigns=[_campaign(p)]))


def _decided(p: Any) -> Any:
    from oeuvre.recette.services.pv import pv_create, pv_decide

    def build() -> Any:
        pv = pv_create(actor=p.amoa, project=p.project, campaigns=[_campaign(p)])
        return pv_decide(actor=p.moa, pv=pv, decision=pv.proposed_decision, expected_version=None)

    return _cached(p, "decided", build)


def _moa_signed(p: Any) -> Any:
    from oeuvre.recette.services.pv import pv_sign

    def build() -> Any:
        pv = _decided(p)
        pv_sign(actor=p.moa, pv=pv, password=PASSWORD)
        pv.refresh_from_db()
        return pv

    return _cached(p, "moa_signed", build)


def _signed(p: Any) -> Any:
    from oeuvre.recette.services.pv import pv_countersign

    def build() -> Any:
        pv = _moa_signed(p)
        pv_countersign(actor=p.moe, pv=pv, password=PASSWORD)
        pv.refresh_from_db()
        return pv

    return _cached(p, "signed", build)


def _reserve(pv: Any) -> Any:
    return pv.reserves.order_by("number").first()


def _signature(p: Any) -> Any:
    return _moa_signed(p).signatures.get()


def _timeline(p: Any) -> Any:
    from oeuvre.recette.models import AcceptanceTimeline, Outage

    def build() -> Any:
        today = dt.date.today()
        timeline = AcceptanceTimeline.objects.create(
            project=p.project,
            mom_on=today - dt.timedelta(days=40),
            va_decided_on=today - dt.timedelta(days=12),
            va_outcome="positive",
            vsr_started_on=today - dt.timedelta(days=10),
        )
        start = dt.datetime.combine(today - dt.timedelta(days=5), dt.time(9), tzinfo=dt.UTC)
        Outage.objects.create(
            timeline=timeline, equipment="web", started_at=start, ended_at=start + dt.timedelta(hours=1)
        )
        return timeline

    return _cached(p, "timeline", build)


def _outage(p: Any) -> Any:
    return _timeline(p).outages.first()


VIEW, PREPARE, DECIDE = "recette.view", "recette.prepare_pv", "recette.decide_pv"
SIGN, COUNTERSIGN, LIFT = "recette.sign_pv", "recette.countersign_pv", "recette.lift_reserve"
RECORD, CONFIGURE = "recette.record_milestones", "recette.configure"
R = (302,)

ENDPOINTS: list[Endpoint] = [
    # Pages
    Endpoint("recette:pv_list", "GET", lambda p: f"/p/{_c(p)}/recette/pv/", VIEW),
    Endpoint(
        "recette:pv_create",
        "POST",
        lambda p: f"/p/{_c(p)}/recette/pv/new/",
        PREPARE,
        data=lambda p: {"campaigns": [_campaign(p).pk]},
        ok=R,
    ),
    Endpoint("recette:pv_chain", "GET", lambda p: f"/p/{_c(p)}/recette/pv/chain/?verify=1", VIEW),
    Endpoint("recette:pv_detail", "GET", lambda p: f"/p/{_c(p)}/recette/pv/{_signed(p).pk}/", VIEW),
    Endpoint("recette:pv_refresh", "POST", lambda p: f"/p/{_c(p)}/recette/pv/{_draft(p).pk}/refresh/", PREPARE, ok=R),
    Endpoint(
        "recette:pv_decide",
        "POST",
        lambda p: f"/p/{_c(p)}/recette/pv/{_draft(p).pk}/decide/",
        DECIDE,
        data=lambda p: {"decision": _draft(p).proposed_decision},
        ok=R,
    ),
    Endpoint(
        "recette:pv_sign",
        "POST",
        lambda p: f"/p/{_c(p)}/recette/pv/{_decided(p).pk}/sign/",
        SIGN,
        data=lambda p: {"password": PASSWORD},
        ok=R,
    ),
    Endpoint(
        "recette:pv_countersign",
        "POST",
        lambda p: f"/p/{_c(p)}/recette/pv/{_moa_signed(p).pk}/countersign/",
        COUNTERSIGN,
        data=lambda p: {"password": PASSWORD},
        ok=R,
    ),
    Endpoint(
        "recette:pv_reserve_add",
        "POST",
        lambda p: f"/p/{_c(p)}/recette/pv/{_draft(p).pk}/reserves/",
        PREPARE,
        data=lambda p: {"description": "Manuel utilisateur à compléter"},
        ok=R,
    ),
    Endpoint(
        "recette:pv_reserve_edit",
        "POST",
        lambda p: f"/p/{_c(p)}/recette/pv/{_draft(p).pk}/reserves/{_reserve(_draft(p)).pk}/",
        PREPARE,
        data=lambda p: {"description": "Reformulée"},
        ok=R,
    ),
    Endpoint(
        "recette:pv_reserve_delete",
        "POST",
        lambda p: f"/p/{_c(p)}/recette/pv/{_draft(p).pk}/reserves/{_reserve(_draft(p)).pk}/delete/",
        PREPARE,
        ok=R,
    ),
    Endpoint(
        "recette:pv_reserve_lift",
        "POST",
        lambda p: f"/p/{_c(p)}/recette/pv/{_signed(p).pk}/reserves/{_reserve(_signed(p)).pk}/lift/",
        LIFT,
        data=lambda p: {"comment": "Corrigé en 1.0.1"},
        ok=R,
    ),
    Endpoint(
        "recette:pv_signature_pdf",
        "GET",
        lambda p: f"/p/{_c(p)}/recette/pv/{_moa_signed(p).pk}/signatures/{_signature(p).pk}/pdf/",
        VIEW,
    ),
    Endpoint("recette:timers", "GET", lambda p: f"/p/{_c(p)}/recette/timers/", VIEW),
    Endpoint(
        "recette:timers_timeline",
        "POST",
        lambda p: f"/p/{_c(p)}/recette/timers/timeline/",
        RECORD,
        data=lambda p: {"deprivation_days": "0", "version": str(_timeline(p).version)},
        ok=R,
    ),
    Endpoint(
        "recette:timers_outage_add",
        "POST",
        lambda p: f"/p/{_c(p)}/recette/timers/outages/",
        RECORD,
        data=lambda p: {
            "equipment": "base",
            "started_at": f"{_timeline(p).vsr_started_on}T10:00",
            "ended_at": f"{_timeline(p).vsr_started_on}T11:00",
        },
        ok=R,
    ),
    Endpoint(
        "recette:timers_outage_delete",
        "POST",
        lambda p: f"/p/{_c(p)}/recette/timers/outages/{_outage(p).pk}/delete/",
        RECORD,
        ok=R,
    ),
    Endpoint(
        "recette:timers_settings",
        "POST",
        lambda p: f"/p/{_c(p)}/recette/timers/settings/",
        CONFIGURE,
        data=lambda p: {"alert_days": "5", "shift_to_working_day": "on"},
        ok=R,
    ),
    # API
    Endpoint("api:GET /api/projects/{code}/pv", "GET", lambda p: f"{_a(p)}/pv", VIEW, api=True),
    Endpoint(
        "api:POST /api/projects/{code}/pv",
        "POST",
        lambda p: f"{_a(p)}/pv",
        PREPARE,
        data=lambda p: {"campaigns": [_campaign(p).pk]},
        ok=(201,),
        api=True,
    ),
    Endpoint("api:GET /api/projects/{code}/pv/{pv_id}", "GET", lambda p: f"{_a(p)}/pv/{_signed(p).pk}", VIEW, api=True),
    Endpoint(
        "api:POST /api/projects/{code}/pv/{pv_id}/refresh",
        "POST",
        lambda p: f"{_a(p)}/pv/{_draft(p).pk}/refresh",
        PREPARE,
        headers=if_match(_draft),
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/pv/{pv_id}/decide",
        "POST",
        lambda p: f"{_a(p)}/pv/{_draft(p).pk}/decide",
        DECIDE,
        data=lambda p: {"decision": _draft(p).proposed_decision},
        headers=if_match(_draft),
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/pv/{pv_id}/sign",
        "POST",
        lambda p: f"{_a(p)}/pv/{_decided(p).pk}/sign",
        SIGN,
        data=lambda p: {"password": PASSWORD},
        ok=(201,),
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/pv/{pv_id}/countersign",
        "POST",
        lambda p: f"{_a(p)}/pv/{_moa_signed(p).pk}/countersign",
        COUNTERSIGN,
        data=lambda p: {"password": PASSWORD},
        ok=(201,),
        api=True,
    ),
    Endpoint(
        "api:GET /api/projects/{code}/pv/{pv_id}/signatures/{signature_id}/pdf",
        "GET",
        lambda p: f"{_a(p)}/pv/{_moa_signed(p).pk}/signatures/{_signature(p).pk}/pdf",
        VIEW,
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/pv/{pv_id}/reserves",
        "POST",
        lambda p: f"{_a(p)}/pv/{_draft(p).pk}/reserves",
        PREPARE,
        data=lambda p: {"description": "Doc"},
        ok=(201,),
        api=True,
    ),
    Endpoint(
        "api:PATCH /api/projects/{code}/pv/{pv_id}/reserves/{reserve_id}",
        "PATCH",
        lambda p: f"{_a(p)}/pv/{_draft(p).pk}/reserves/{_reserve(_draft(p)).pk}",
        PREPARE,
        data=lambda p: {"description": "Reformulée"},
        headers=if_match(lambda p: _reserve(_draft(p))),
        api=True,
    ),
    Endpoint(
        "api:DELETE /api/projects/{code}/pv/{pv_id}/reserves/{reserve_id}",
        "DELETE",
        lambda p: f"{_a(p)}/pv/{_draft(p).pk}/reserves/{_reserve(_draft(p)).pk}",
        PREPARE,
        ok=(204,),
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/pv/{pv_id}/reserves/{reserve_id}/lift",
        "POST",
        lambda p: f"{_a(p)}/pv/{_signed(p).pk}/reserves/{_reserve(_signed(p)).pk}/lift",
        LIFT,
        data=lambda p: {"comment": "Corrigé"},
        headers=if_match(lambda p: _reserve(_signed(p))),
        api=True,
    ),
    Endpoint("api:GET /api/projects/{code}/verify", "GET", lambda p: f"{_a(p)}/verify", VIEW, api=True),
    Endpoint("api:GET /api/projects/{code}/timeline", "GET", lambda p: f"{_a(p)}/timeline", VIEW, api=True),
    Endpoint(
        "api:PATCH /api/projects/{code}/timeline",
        "PATCH",
        lambda p: f"{_a(p)}/timeline",
        RECORD,
        data=lambda p: {"notes": "MOM signé"},
        headers=if_match(_timeline),
        api=True,
    ),
    Endpoint("api:GET /api/projects/{code}/deadlines", "GET", lambda p: f"{_a(p)}/deadlines", VIEW, api=True),
    Endpoint("api:GET /api/projects/{code}/outages", "GET", lambda p: f"{_a(p)}/outages", VIEW, api=True),
    Endpoint(
        "api:POST /api/projects/{code}/outages",
        "POST",
        lambda p: f"{_a(p)}/outages",
        RECORD,
        data=lambda p: {
            "equipment": "base",
            "started_at": f"{_timeline(p).vsr_started_on}T10:00:00+01:00",
            "ended_at": f"{_timeline(p).vsr_started_on}T11:00:00+01:00",
        },
        ok=(201,),
        api=True,
    ),
    Endpoint(
        "api:DELETE /api/projects/{code}/outages/{outage_id}",
        "DELETE",
        lambda p: f"{_a(p)}/outages/{_outage(p).pk}",
        RECORD,
        ok=(204,),
        api=True,
    ),
]
