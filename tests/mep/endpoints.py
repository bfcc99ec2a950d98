"""Deployment endpoints for the role × endpoint matrix test (pages and API)."""

from __future__ import annotations

from typing import Any

from tests.matrix import Endpoint, if_match

PASSWORD = "correct-horse-battery"
VIEW, MANAGE, ATTEST, CONFIGURE, DECIDE = (
    "mep.view",
    "mep.manage",
    "mep.attest",
    "mep.configure",
    "mep.decide_gonogo",
)
REPORT, HANDLE = "mep.report_incident", "mep.handle_incident"
RUN = "mep.run_runbook"
APPROVE = "mep.approve_rollback"
PLAN_TRAINING, RECORD_ATTENDANCE = "mep.plan_training", "mep.record_attendance"
R = (302,)


def _c(p: Any) -> str:
    return str(p.project.code)


def _a(p: Any) -> str:
    return f"/api/projects/{_c(p)}/mep"


def _cached(p: Any, key: str, build: Any) -> Any:
    cache = p.__dict__.setdefault("_mep_cache", {})
    if key not in cache:
        cache[key] = build()
    return cache[key]


def _release(p: Any) -> Any:
    from oeuvre.mep.models import Release

    return _cached(p, "release", lambda: Release.objects.create(project=p.project, number="2.0"))


def _environment(p: Any) -> Any:
    from oeuvre.mep.models import Environment

    return _cached(p, "env", lambda: Environment.objects.create(project=p.project, kind="production", name="Prod"))


def _component(p: Any) -> Any:
    from oeuvre.requirements.models import Component

    return _cached(
        p, "component", lambda: Component.objects.create(project=p.project, reference="CMP-1", number=1, name="Portail")
    )


def _step(p: Any) -> Any:
    from oeuvre.mep.models import RunbookStep

    return _cached(
        p, "step", lambda: RunbookStep.objects.create(release=_release(p), position=1, title="Arrêt des batchs")
    )


def _runbook_url(p: Any) -> str:
    return f"/p/{_c(p)}/mep/releases/{_release(p).pk}/runbook/"


def _api_runbook(p: Any) -> str:
    return f"{_a(p)}/releases/{_release(p).pk}/runbook"


_PLAN = {"steps": "Restaurer la base\nRebasculer le DNS", "decision_criterion": "Portail KO à H+2", "max_minutes": 90}


def _incident(p: Any) -> Any:
    import datetime as dt

    from django.utils import timezone

    from oeuvre.mep.models import Incident

    return _cached(
        p,
        "incident",
        lambda: Incident.objects.create(
            project=p.project,
            reference="INC-900",
            number=900,
            title="Portail lent",
            opened_at=timezone.now() - dt.timedelta(hours=1),
        ),
    )


def _config_item(p: Any) -> Any:
    from oeuvre.mep.models import ConfigItem

    return ConfigItem.objects.create(environment=_environment(p), name=f"LOG_LEVEL_{ConfigItem.objects.count()}")


def _wave(p: Any) -> Any:
    from oeuvre.mep.models import DeploymentWave

    return _cached(
        p, "wave", lambda: DeploymentWave.objects.create(release=_release(p), position=1, name="V1", sites="Paris")
    )


def _waves_url(p: Any) -> str:
    return f"/p/{_c(p)}/mep/releases/{_release(p).pk}/waves/"


def _api_waves(p: Any) -> str:
    return f"{_a(p)}/releases/{_release(p).pk}/waves"


def _course(p: Any) -> Any:
    from oeuvre.mep.models import TrainingCourse

    return _cached(
        p, "course", lambda: TrainingCourse.objects.create(release=_release(p), title="Accueil", audience="Agents")
    )


def _training_session(p: Any) -> Any:
    import datetime as dt

    from oeuvre.mep.models import TrainingSession

    return _cached(
        p,
        "training_session",
        lambda: TrainingSession.objects.create(
            release=_release(p), course=_course(p), audience="Agents", trainer="C. Martin", date=dt.date(2027, 1, 5)
        ),
    )


def _training_url(p: Any) -> str:
    return f"/p/{_c(p)}/mep/releases/{_release(p).pk}/training/"


def _api_training(p: Any) -> str:
    return f"{_a(p)}/releases/{_release(p).pk}/training"


def _new_attendee(p: Any) -> dict[str, str]:
    from oeuvre.mep.models import TrainingAttendee

    return {"name": f"Agent {TrainingAttendee.objects.count()}", "role": "Accueil"}


def _new_course(p: Any) -> dict[str, str]:
    from oeuvre.mep.models import TrainingCourse

    return {"title": f"Module {TrainingCourse.objects.count()}", "audience": "Agents"}


def _plan(p: Any) -> Any:
    from oeuvre.mep.models import RollbackPlan

    return _cached(
        p,
        "plan",
        lambda: RollbackPlan.objects.create(
            release=_release(p), steps="Restaurer", decision_criterion="KO", max_minutes=60
        ),
    )


def _direction(p: Any) -> dict[str, str]:
    """Move the first step towards the other one of a two-step runbook, whichever side it is on now."""
    from oeuvre.mep.models import RunbookStep

    step = _step(p)
    _cached(p, "step2", lambda: RunbookStep.objects.create(release=_release(p), position=2, title="Sauvegarde"))
    step.refresh_from_db()
    return {"direction": "down" if step.position == 1 else "up"}


ENDPOINTS: list[Endpoint] = [
    # editing and reordering runbook steps
    Endpoint(
        "api:POST /api/projects/{code}/mep/releases/{release_id}/runbook/steps/{step_id}/move",
        "POST",
        lambda p: f"{_api_runbook(p)}/steps/{_step(p).pk}/move",
        MANAGE,
        data=_direction,
        headers=if_match(_step),
        api=True,
    ),
    Endpoint(
        "mep:runbook_step_edit",
        "POST",
        lambda p: f"{_runbook_url(p)}steps/{_step(p).pk}/edit/",
        MANAGE,
        data=lambda p: {"title": "Arrêt des batchs de nuit", "planned_minutes": "20"},
        ok=R,
    ),
    Endpoint(
        "mep:runbook_step_move",
        "POST",
        lambda p: f"{_runbook_url(p)}steps/{_step(p).pk}/move/",
        MANAGE,
        data=lambda p: {"direction": "down"},
        ok=R,
    ),
    Endpoint(
        "api:PATCH /api/projects/{code}/mep/releases/{release_id}/runbook/steps/{step_id}",
        "PATCH",
        lambda p: f"{_api_runbook(p)}/steps/{_step(p).pk}",
        MANAGE,
        data=lambda p: {"planned_minutes": 25},
        headers=if_match(_step),
        api=True,
    ),
    # approval of the rollback plan by the buyer
    Endpoint(
        "mep:rollback_plan_approve",
        "POST",
        lambda p: f"/p/{_c(p)}/mep/releases/{_plan(p).release.pk}/rollback/approve/",
        APPROVE,
        ok=R,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/mep/releases/{release_id}/rollback-plan/approve",
        "POST",
        lambda p: f"{_a(p)}/releases/{_plan(p).release.pk}/rollback-plan/approve",
        APPROVE,
        headers=if_match(_plan),
        api=True,
    ),
    # deployment waves
    Endpoint(
        "mep:wave_create",
        "POST",
        lambda p: f"{_waves_url(p)}new/",
        MANAGE,
        data=lambda p: {"name": "Vague 2", "sites": "Lille", "users": "40"},
        ok=R,
    ),
    Endpoint(
        "mep:wave_edit",
        "POST",
        lambda p: f"{_waves_url(p)}{_wave(p).pk}/edit/",
        MANAGE,
        data=lambda p: {"status": "planifiee"},
        ok=R,
    ),
    Endpoint(
        "mep:wave_decide",
        "POST",
        lambda p: f"{_waves_url(p)}{_wave(p).pk}/gonogo/",
        DECIDE,
        data=lambda p: {"decision": "no_go", "note": "Formation à finir"},
        ok=R,
    ),
    Endpoint("api:GET /api/projects/{code}/mep/releases/{release_id}/waves", "GET", _api_waves, VIEW, api=True),
    Endpoint(
        "api:POST /api/projects/{code}/mep/releases/{release_id}/waves",
        "POST",
        _api_waves,
        MANAGE,
        data=lambda p: {"name": "Vague 3", "sites": "Lyon"},
        ok=(201,),
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/mep/releases/{release_id}/waves/{wave_id}/gonogo",
        "POST",
        lambda p: f"{_api_waves(p)}/{_wave(p).pk}/gonogo",
        DECIDE,
        data=lambda p: {"decision": "no_go", "note": "Formation à finir"},
        headers=if_match(_wave),
        api=True,
    ),
    # training sessions
    Endpoint(
        "api:GET /api/projects/{code}/mep/releases/{release_id}/training",
        "GET",
        lambda p: f"{_a(p)}/releases/{_release(p).pk}/training",
        VIEW,
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/mep/releases/{release_id}/training",
        "POST",
        lambda p: f"{_a(p)}/releases/{_release(p).pk}/training",
        PLAN_TRAINING,
        data=lambda p: {"audience": "Agents du guichet", "trainer": "C. Martin", "date": "2026-03-02", "capacity": 12},
        ok=(201,),
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/mep/releases/{release_id}/training/courses",
        "POST",
        lambda p: f"{_api_training(p)}/courses",
        PLAN_TRAINING,
        data=_new_course,
        ok=(201,),
        api=True,
    ),
    Endpoint(
        "api:PATCH /api/projects/{code}/mep/releases/{release_id}/training/courses/{course_id}",
        "PATCH",
        lambda p: f"{_api_training(p)}/courses/{_course(p).pk}",
        PLAN_TRAINING,
        data=lambda p: {"duration_minutes": 60 + _course(p).version},
        headers=if_match(_course),
        api=True,
    ),
    Endpoint(
        "api:PATCH /api/projects/{code}/mep/releases/{release_id}/training/sessions/{session_id}",
        "PATCH",
        lambda p: f"{_api_training(p)}/sessions/{_training_session(p).pk}",
        PLAN_TRAINING,
        data=lambda p: {"place": f"Salle {_training_session(p).version}"},
        headers=if_match(_training_session),
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/mep/releases/{release_id}/training/sessions/{session_id}/attendees",
        "POST",
        lambda p: f"{_api_training(p)}/sessions/{_training_session(p).pk}/attendees",
        PLAN_TRAINING,
        data=_new_attendee,
        ok=(201,),
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/mep/releases/{release_id}/training/sessions/{session_id}/attendance",
        "POST",
        lambda p: f"{_api_training(p)}/sessions/{_training_session(p).pk}/attendance",
        RECORD_ATTENDANCE,
        data=lambda p: {"attended": 3},
        headers=if_match(_training_session),
        api=True,
    ),
    Endpoint("mep:training", "GET", _training_url, VIEW),
    Endpoint(
        "mep:training_course_create",
        "POST",
        lambda p: f"{_training_url(p)}courses/new/",
        PLAN_TRAINING,
        data=lambda p: {"title": "Formation des formateurs", "audience": "Formateurs relais"},
        ok=R,
    ),
    Endpoint(
        "mep:training_course_edit",
        "POST",
        lambda p: f"{_training_url(p)}courses/{_course(p).pk}/edit/",
        PLAN_TRAINING,
        data=lambda p: {"title": "Accueil", "audience": "Agents", "duration_minutes": "90"},
        ok=R,
    ),
    Endpoint(
        "mep:training_session_create",
        "POST",
        lambda p: f"{_training_url(p)}sessions/new/",
        PLAN_TRAINING,
        data=lambda p: {"course": _course(p).pk, "trainer": "C. Martin", "date": "2027-01-06"},
        ok=R,
    ),
    Endpoint(
        "mep:training_session_edit",
        "POST",
        lambda p: f"{_training_url(p)}sessions/{_training_session(p).pk}/edit/",
        PLAN_TRAINING,
        data=lambda p: {"audience": "Agents", "trainer": "C. Martin", "date": "2027-01-05", "place": "Salle 2"},
        ok=R,
    ),
    Endpoint(
        "mep:training_attendee_add",
        "POST",
        lambda p: f"{_training_url(p)}sessions/{_training_session(p).pk}/attendees/",
        PLAN_TRAINING,
        data=_new_attendee,
        ok=R,
    ),
    Endpoint(
        "mep:training_attendance",
        "POST",
        lambda p: f"{_training_url(p)}sessions/{_training_session(p).pk}/attendance/",
        RECORD_ATTENDANCE,
        data=lambda p: {"attended": "3"},
        ok=R,
    ),
    # configuration items and release notes
    Endpoint(
        "mep:config_item_set",
        "POST",
        lambda p: f"/p/{_c(p)}/mep/config/",
        MANAGE,
        data=lambda p: {"environment": _environment(p).pk, "name": "LOG_LEVEL", "value": "INFO"},
        ok=R,
    ),
    Endpoint(
        "mep:config_item_delete",
        "POST",
        lambda p: f"/p/{_c(p)}/mep/config/{_config_item(p).pk}/delete/",
        MANAGE,
        ok=R,
    ),
    Endpoint("mep:release_notes", "GET", lambda p: f"/p/{_c(p)}/mep/releases/{_release(p).pk}/notes/?format=md", VIEW),
    Endpoint(
        "api:PUT /api/projects/{code}/mep/environments/{environment_id}/config",
        "PUT",
        lambda p: f"{_a(p)}/environments/{_environment(p).pk}/config",
        MANAGE,
        data=lambda p: {"name": "NEW_ITEM", "value": "1"},
        api=True,
    ),
    Endpoint(
        "api:GET /api/projects/{code}/mep/releases/{release_id}/notes",
        "GET",
        lambda p: f"{_a(p)}/releases/{_release(p).pk}/notes",
        VIEW,
        api=True,
    ),
    Endpoint("mep:incidents", "GET", lambda p: f"/p/{_c(p)}/mep/incidents/?all=1", VIEW),
    Endpoint("mep:incident_detail", "GET", lambda p: f"/p/{_c(p)}/mep/incidents/{_incident(p).pk}/", VIEW),
    Endpoint("mep:incident_import", "GET", lambda p: f"/p/{_c(p)}/mep/incidents/import/", HANDLE),
    Endpoint(
        "mep:incident_create",
        "POST",
        lambda p: f"/p/{_c(p)}/mep/incidents/new/",
        REPORT,
        data=lambda p: {"title": "Erreur 500 au dépôt", "impact": "4", "urgency": "4"},
        ok=R,
    ),
    Endpoint(
        "mep:incident_move",
        "POST",
        lambda p: f"/p/{_c(p)}/mep/incidents/{_incident(p).pk}/move/",
        HANDLE,
        data=lambda p: {"action": "take"},
        ok=R,
    ),
    Endpoint("api:GET /api/projects/{code}/mep/incidents", "GET", lambda p: f"{_a(p)}/incidents", VIEW, api=True),
    Endpoint(
        "api:POST /api/projects/{code}/mep/incidents",
        "POST",
        lambda p: f"{_a(p)}/incidents",
        REPORT,
        data=lambda p: {"title": "Erreur 500", "impact": 5, "urgency": 4},
        ok=(201,),
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/mep/incidents/{incident_id}/move",
        "POST",
        lambda p: f"{_a(p)}/incidents/{_incident(p).pk}/move",
        HANDLE,
        data=lambda p: {"action": "take"},
        headers=if_match(_incident),
        api=True,
    ),
    Endpoint("mep:index", "GET", lambda p: f"/p/{_c(p)}/mep/", VIEW),
    Endpoint(
        "mep:environment_create",
        "POST",
        lambda p: f"/p/{_c(p)}/mep/environments/new/",
        MANAGE,
        data=lambda p: {"kind": "recette", "name": "Recette"},
        ok=R,
    ),
    Endpoint(
        "mep:deployment_set",
        "POST",
        lambda p: f"/p/{_c(p)}/mep/deployments/",
        MANAGE,
        data=lambda p: {"environment": _environment(p).pk, "component": _component(p).pk, "version_label": "1.0"},
        ok=R,
    ),
    Endpoint(
        "mep:settings",
        "POST",
        lambda p: f"/p/{_c(p)}/mep/settings/",
        CONFIGURE,
        data=lambda p: {"max_open_bloquantes": "0", "max_open_majeures": "1", "applied": ["pv_signed"]},
        ok=R,
    ),
    Endpoint(
        "mep:release_create",
        "POST",
        lambda p: f"/p/{_c(p)}/mep/releases/new/",
        MANAGE,
        data=lambda p: {"number": "3.0"},
        ok=R,
    ),
    Endpoint("mep:release_detail", "GET", lambda p: f"/p/{_c(p)}/mep/releases/{_release(p).pk}/", VIEW),
    Endpoint(
        "mep:release_edit",
        "POST",
        lambda p: f"/p/{_c(p)}/mep/releases/{_release(p).pk}/edit/",
        MANAGE,
        data=lambda p: {"title": "Lot 2", "status": "en_recette"},
        ok=R,
    ),
    Endpoint(
        "mep:readiness_attest",
        "POST",
        lambda p: f"/p/{_c(p)}/mep/releases/{_release(p).pk}/readiness/",
        ATTEST,
        data=lambda p: {"item": "dry_run", "done": "1", "evidence": "Run à blanc du 12"},
        ok=R,
    ),
    Endpoint(
        "mep:gonogo_decide",
        "POST",
        lambda p: f"/p/{_c(p)}/mep/releases/{_release(p).pk}/gonogo/",
        DECIDE,
        data=lambda p: {"decision": "no_go", "password": PASSWORD},
        ok=R,
    ),
    # API
    Endpoint("api:GET /api/projects/{code}/mep/environments", "GET", lambda p: f"{_a(p)}/environments", VIEW, api=True),
    Endpoint("api:GET /api/projects/{code}/mep/releases", "GET", lambda p: f"{_a(p)}/releases", VIEW, api=True),
    Endpoint(
        "api:POST /api/projects/{code}/mep/releases",
        "POST",
        lambda p: f"{_a(p)}/releases",
        MANAGE,
        data=lambda p: {"number": "4.0"},
        ok=(201,),
        api=True,
    ),
    Endpoint(
        "api:GET /api/projects/{code}/mep/releases/{release_id}",
        "GET",
        lambda p: f"{_a(p)}/releases/{_release(p).pk}",
        VIEW,
        api=True,
    ),
    Endpoint(
        "api:PATCH /api/projects/{code}/mep/releases/{release_id}",
        "PATCH",
        lambda p: f"{_a(p)}/releases/{_release(p).pk}",
        MANAGE,
        data=lambda p: {"title": "Lot 2"},
        headers=if_match(_release),
        api=True,
    ),
    Endpoint(
        "api:GET /api/projects/{code}/mep/releases/{release_id}/gonogo",
        "GET",
        lambda p: f"{_a(p)}/releases/{_release(p).pk}/gonogo",
        VIEW,
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/mep/releases/{release_id}/readiness",
        "POST",
        lambda p: f"{_a(p)}/releases/{_release(p).pk}/readiness",
        ATTEST,
        data=lambda p: {"item": "training", "evidence": "Feuilles d'émargement"},
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/mep/releases/{release_id}/gonogo",
        "POST",
        lambda p: f"{_a(p)}/releases/{_release(p).pk}/gonogo",
        DECIDE,
        data=lambda p: {"decision": "no_go", "password": PASSWORD},
        ok=(201,),
        api=True,
    ),
    # runbook and rollback plan
    Endpoint("mep:runbook", "GET", _runbook_url, VIEW),
    Endpoint(
        "mep:runbook_step_create",
        "POST",
        lambda p: f"{_runbook_url(p)}steps/new/",
        MANAGE,
        data=lambda p: {"title": "Sauvegarde de la base", "planned_minutes": "20"},
        ok=R,
    ),
    Endpoint(
        "mep:runbook_step_act",
        "POST",
        lambda p: f"{_runbook_url(p)}steps/{_step(p).pk}/act/",
        RUN,
        data=lambda p: {"action": "start", "version": str(_step(p).version)},
        ok=R,
    ),
    Endpoint(
        "mep:rollback_plan",
        "POST",
        lambda p: f"/p/{_c(p)}/mep/releases/{_release(p).pk}/rollback/",
        MANAGE,
        data=lambda p: dict(_PLAN),
        ok=R,
    ),
    Endpoint("api:GET /api/projects/{code}/mep/releases/{release_id}/runbook", "GET", _api_runbook, VIEW, api=True),
    Endpoint(
        "api:GET /api/projects/{code}/mep/releases/{release_id}/runbook/comparison",
        "GET",
        lambda p: f"{_api_runbook(p)}/comparison",
        VIEW,
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/mep/releases/{release_id}/runbook/steps",
        "POST",
        lambda p: f"{_api_runbook(p)}/steps",
        MANAGE,
        data=lambda p: {"title": "Sauvegarde de la base", "planned_minutes": 20},
        ok=(201,),
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/mep/releases/{release_id}/runbook/steps/{step_id}/act",
        "POST",
        lambda p: f"{_api_runbook(p)}/steps/{_step(p).pk}/act",
        RUN,
        data=lambda p: {"action": "start"},
        headers=if_match(_step),
        api=True,
    ),
    Endpoint(
        "api:PUT /api/projects/{code}/mep/releases/{release_id}/rollback-plan",
        "PUT",
        lambda p: f"{_a(p)}/releases/{_release(p).pk}/rollback-plan",
        MANAGE,
        data=lambda p: dict(_PLAN),
        api=True,
    ),
]
