"""Planning endpoints for the role × endpoint matrix test (pages and API)."""

from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal
from typing import Any

from tests.matrix import Endpoint, if_match

# A past Monday: time can be recorded on it, whatever day the tests run.
DAY = dt.date(2026, 3, 2)


def _code(p: Any) -> str:
    return str(p.project.code)


def _plan(p: Any) -> dict[str, Any]:
    """A tiny plan on the personas' project, built once per test (ORM, then the engine's schedule)."""
    cached = getattr(p, "_planning", None)
    if cached is not None:
        return cached
    from oeuvre.core.models import Job
    from oeuvre.planning.models import (
        Absence,
        Assignment,
        Baseline,
        Dependency,
        Lot,
        Plan,
        Resource,
        Task,
        TimeEntry,
    )
    from oeuvre.planning.services import reschedule

    project = p.project
    project.start_date = dt.date(2026, 2, 2)
    project.save()
    plan = Plan.objects.create(project=project, status_date=dt.date(2026, 3, 6))
    lot = Lot.objects.create(project=project, code="L1", name="Lot 1")
    spare_lot = Lot.objects.create(project=project, code="L9", name="Lot vide", position=9)
    a = Task.objects.create(project=project, lot=lot, code="T-001", name="Analyse", duration=5, effort=Decimal(5))
    b = Task.objects.create(project=project, lot=lot, code="T-002", name="Réalisation", duration=5, effort=Decimal(5))
    c = Task.objects.create(project=project, lot=lot, code="T-003", name="Tests", duration=2, effort=Decimal(2))
    m = Task.objects.create(project=project, lot=lot, code="J-01", name="Livraison", kind="milestone", duration=0)
    link = Dependency.objects.create(project=project, predecessor=a, successor=b)
    Dependency.objects.create(project=project, predecessor=b, successor=m)
    me = Resource.objects.create(project=project, name="Contributrice", user=p.contributor, tjm=Decimal(500))
    other = Resource.objects.create(project=project, name="Autre", tjm=Decimal(700))
    absence = Absence.objects.create(resource=other, start=dt.date(2026, 4, 6), end=dt.date(2026, 4, 10))
    assignment = Assignment.objects.create(task=a, resource=me, units=Decimal(1))
    spare_assignment = Assignment.objects.create(task=b, resource=other, units=Decimal(1))
    TimeEntry.objects.create(project=project, resource=me, task=a, date=DAY, effort=Decimal(1))
    reschedule(project, plan)
    baseline = Baseline.objects.create(project=project, name="Référence")
    spare_baseline = Baseline.objects.create(project=project, name="Ancienne")
    Plan.objects.filter(pk=plan.pk).update(baseline=baseline)
    plan.refresh_from_db()
    job = Job.objects.create(
        kind="planning.level",
        project=project,
        status=Job.Status.DONE,
        result={"revision": plan.revision, "levelled_starts": {}, "moved": []},
    )
    cached = {
        "plan": plan,
        "lot": lot,
        "spare_lot": spare_lot,
        "a": a,
        "b": b,
        "c": c,
        "m": m,
        "link": link,
        "me": me,
        "other": other,
        "absence": absence,
        "assignment": assignment,
        "spare_assignment": spare_assignment,
        "baseline": baseline,
        "spare_baseline": spare_baseline,
        "job": job,
    }
    p._planning = cached
    return cached


def _get(name: str) -> Any:
    return lambda p: _plan(p)[name]


def _url(template: str) -> Any:
    """``template`` with {code} and {name.pk} placeholders, e.g. ``tasks/{a}/``."""

    def build(p: Any) -> str:
        data = _plan(p)
        values = {key: getattr(value, "pk", value) for key, value in data.items()}
        return f"/p/{_code(p)}/planning/" + template.format(**values)

    return build


def _api(template: str) -> Any:
    def build(p: Any) -> str:
        data = _plan(p)
        values = {key: getattr(value, "pk", value) for key, value in data.items()}
        return f"/api/projects/{_code(p)}/planning" + template.format(**values)

    return build


def _task_form(p: Any) -> dict[str, Any]:
    data = _plan(p)
    a = data["a"]
    a.refresh_from_db()
    return {
        "version": a.version,
        "lot": data["lot"].pk,
        "code": "T-001",
        "name": "Analyse détaillée",
        "kind": "task",
        "milestone_type": "",
        "duration": 6,
        "effort": "6",
        "constraint_type": "ASAP",
        "position": 1,
    }


def _plan_form(p: Any) -> dict[str, Any]:
    plan = _plan(p)["plan"]
    plan.refresh_from_db()
    return {
        "version": plan.version,
        "status_date": "2026-03-06",
        "optimistic_factor": "0.9",
        "pessimistic_factor": "1.3",
    }


def _timesheet_form(p: Any) -> dict[str, Any]:
    data = _plan(p)
    return {"resource": data["me"].pk, "week": DAY.isoformat(), f"cell-{data['a'].pk}-{DAY.isoformat()}": "0.5"}


def _mspdi_b64(p: Any) -> str:
    from oeuvre.interop.mspdi import write_mspdi
    from oeuvre.interop.plandata import PlanData, TaskData

    data = write_mspdi(PlanData(name="X", tasks=[TaskData(uid=1, name="Tâche", duration_days=2)]))
    return base64.b64encode(data).decode()


H = "planning:"
ENDPOINTS = [
    # --- Pages ----------------------------------------------------------------------------------
    Endpoint(H + "index", "GET", _url(""), "planning.view"),
    Endpoint(H + "reschedule", "POST", _url("reschedule/"), "planning.edit", ok=(302,)),
    Endpoint(H + "settings", "GET", _url("settings/"), "planning.edit"),
    Endpoint(H + "settings", "POST", _url("settings/"), "planning.edit", data=_plan_form, ok=(302,)),
    Endpoint(
        H + "timesheet_close",
        "POST",
        _url("settings/timesheet/"),
        "planning.manage_time",
        data=lambda p: {"until": "2026-02-27", "version": _plan(p)["plan"].version},
        ok=(302,),
    ),
    Endpoint(H + "gantt", "GET", _url("gantt/"), "planning.view"),
    Endpoint(H + "gantt_data", "GET", _url("gantt/data/"), "planning.view"),
    Endpoint(
        H + "gantt_move",
        "POST",
        _url("gantt/move/"),
        "planning.edit",
        data=lambda p: {"task": _plan(p)["c"].pk, "start": "2026-03-16"},
        ok=(302,),
    ),
    Endpoint(
        H + "gantt_restore",
        "POST",
        _url("gantt/restore/"),
        "planning.edit",
        data=lambda p: {"task": _plan(p)["c"].pk, "constraint_type": "ASAP", "duration": "2"},
        ok=(200,),
    ),
    Endpoint(
        H + "gantt_link",
        "POST",
        _url("gantt/link/"),
        "planning.edit",
        data=lambda p: {"predecessor": _plan(p)["a"].pk, "successor": _plan(p)["c"].pk},
        ok=(200,),
    ),
    Endpoint(
        H + "gantt_unlink",
        "POST",
        _url("gantt/unlink/"),
        "planning.edit",
        data=lambda p: {"link": _plan(p)["link"].pk},
        ok=(200,),
    ),
    Endpoint(
        H + "gantt_edit",
        "POST",
        _url("gantt/edit/"),
        "planning.edit",
        data=lambda p: {"task": _plan(p)["c"].pk, "field": "name", "value": "Recette"},
        ok=(200,),
    ),
    Endpoint(H + "task_list", "GET", _url("tasks/"), "planning.view"),
    Endpoint(H + "task_create", "GET", _url("tasks/new/"), "planning.edit"),
    Endpoint(
        H + "task_create",
        "POST",
        _url("tasks/new/"),
        "planning.edit",
        data=lambda p: {"lot": _plan(p)["lot"].pk, "name": "Nouvelle", "kind": "task", "duration": 2, "effort": "2"},
        ok=(302,),
    ),
    Endpoint(H + "task_detail", "GET", _url("tasks/{a}/"), "planning.view"),
    Endpoint(H + "task_edit", "GET", _url("tasks/{a}/edit/"), "planning.edit"),
    Endpoint(H + "task_edit", "POST", _url("tasks/{a}/edit/"), "planning.edit", data=_task_form, ok=(302,)),
    Endpoint(H + "task_row", "GET", _url("tasks/{a}/row/"), "planning.view"),
    Endpoint(H + "task_row_edit", "GET", _url("tasks/{a}/row/edit/"), "planning.edit"),
    Endpoint(
        H + "task_row_edit",
        "POST",
        _url("tasks/{a}/row/edit/"),
        "planning.edit",
        data=lambda p: {
            f"t{_plan(p)['a'].pk}-{k}": v
            for k, v in {
                "version": _plan(p)["a"].version,
                "name": "Analyse",
                "duration": 4,
                "effort": "4",
                "constraint_type": "ASAP",
            }.items()
        },
    ),
    Endpoint(H + "task_delete", "POST", _url("tasks/{c}/delete/"), "planning.edit", ok=(302,)),
    Endpoint(
        H + "dependency_add",
        "POST",
        _url("tasks/{c}/links/add/"),
        "planning.edit",
        data=lambda p: {"predecessor": _plan(p)["b"].pk, "type": "FS", "lag": 0},
        ok=(302,),
    ),
    Endpoint(H + "dependency_remove", "POST", _url("links/{link}/remove/"), "planning.edit", ok=(302,)),
    Endpoint(
        H + "assignment_add",
        "POST",
        _url("tasks/{c}/assignments/add/"),
        "planning.manage_resources",
        data=lambda p: {"resource": _plan(p)["other"].pk, "units": "1"},
        ok=(302,),
    ),
    Endpoint(
        H + "assignment_remove",
        "POST",
        _url("assignments/{spare_assignment}/remove/"),
        "planning.manage_resources",
        ok=(302,),
    ),
    Endpoint(H + "lot_list", "GET", _url("lots/"), "planning.view"),
    Endpoint(H + "lot_create", "GET", _url("lots/new/"), "planning.edit"),
    Endpoint(
        H + "lot_create",
        "POST",
        _url("lots/new/"),
        "planning.edit",
        data=lambda p: {"name": "Lot 2", "position": 2},
        ok=(302,),
    ),
    Endpoint(H + "lot_edit", "GET", _url("lots/{lot}/edit/"), "planning.edit"),
    Endpoint(
        H + "lot_edit",
        "POST",
        _url("lots/{lot}/edit/"),
        "planning.edit",
        data=lambda p: {"version": _plan(p)["lot"].version, "code": "L1", "name": "Lot 1 bis", "position": 0},
        ok=(302,),
    ),
    Endpoint(H + "lot_delete", "POST", _url("lots/{spare_lot}/delete/"), "planning.edit", ok=(302,)),
    Endpoint(H + "resource_list", "GET", _url("resources/"), "planning.view"),
    Endpoint(H + "resource_create", "GET", _url("resources/new/"), "planning.manage_resources"),
    Endpoint(
        H + "resource_create",
        "POST",
        _url("resources/new/"),
        "planning.manage_resources",
        data=lambda p: {"name": "Testeur", "kind": "profile", "tjm": "550", "capacity": "2", "active": "on"},
        ok=(302,),
    ),
    Endpoint(H + "resource_edit", "GET", _url("resources/{other}/edit/"), "planning.manage_resources"),
    Endpoint(
        H + "resource_edit",
        "POST",
        _url("resources/{other}/edit/"),
        "planning.manage_resources",
        data=lambda p: {
            "version": _plan(p)["other"].version,
            "name": "Autre",
            "kind": "person",
            "tjm": "720",
            "capacity": "1",
            "active": "on",
        },
        ok=(302,),
    ),
    Endpoint(H + "resource_delete", "POST", _url("resources/{other}/delete/"), "planning.manage_resources", ok=(302,)),
    Endpoint(
        H + "absence_add",
        "POST",
        _url("resources/{other}/absences/add/"),
        "planning.manage_resources",
        data=lambda p: {"start": "2026-05-04", "end": "2026-05-06", "label": "Congés"},
        ok=(302,),
    ),
    Endpoint(H + "absence_remove", "POST", _url("absences/{absence}/remove/"), "planning.manage_resources", ok=(302,)),
    Endpoint(H + "load", "GET", _url("load/"), "planning.view"),
    Endpoint(H + "timesheet", "GET", _url("timesheet/"), "planning.log_time"),
    Endpoint(H + "timesheet", "POST", _url("timesheet/"), "planning.log_time", data=_timesheet_form, ok=(302,)),
    Endpoint(H + "time_entries", "GET", _url("time/"), "planning.view"),
    Endpoint(H + "time_import", "GET", _url("time/import/"), "planning.manage_time"),
    Endpoint(H + "raf", "GET", _url("raf/"), "planning.log_time"),
    Endpoint(
        H + "raf", "POST", _url("raf/"), "planning.log_time", data=lambda p: {f"raf-{_plan(p)['a'].pk}": "3"}, ok=(302,)
    ),
    Endpoint(H + "baselines", "GET", _url("baselines/"), "planning.view"),
    Endpoint(
        H + "baseline_take",
        "POST",
        _url("baselines/take/"),
        "planning.baseline",
        data=lambda p: {"name": "B2"},
        ok=(302,),
    ),
    Endpoint(H + "baseline_select", "POST", _url("baselines/{spare_baseline}/select/"), "planning.baseline", ok=(302,)),
    Endpoint(H + "baseline_delete", "POST", _url("baselines/{spare_baseline}/delete/"), "planning.baseline", ok=(302,)),
    Endpoint(H + "costs", "GET", _url("costs/"), "planning.view_costs"),
    Endpoint(H + "levelling", "GET", _url("levelling/"), "planning.view"),
    Endpoint(
        H + "levelling_run",
        "POST",
        _url("levelling/run/"),
        "planning.analyse",
        data=lambda p: {"method": "heuristic", "time_limit": "2"},
        ok=(302,),
    ),
    Endpoint(
        H + "levelling_apply",
        "POST",
        _url("levelling/apply/"),
        "planning.edit",
        data=lambda p: {"job": str(_plan(p)["job"].pk)},
        ok=(302,),
    ),
    Endpoint(H + "levelling_clear", "POST", _url("levelling/clear/"), "planning.edit", ok=(302,)),
    Endpoint(H + "risk", "GET", _url("risk/"), "planning.view"),
    Endpoint(
        H + "risk_run",
        "POST",
        _url("risk/run/"),
        "planning.analyse",
        data=lambda p: {"iterations": 200, "seed": 1},
        ok=(302,),
    ),
    Endpoint(H + "plan_import", "GET", _url("import/"), "planning.edit"),
    Endpoint(H + "plan_export", "GET", _url("export/mspdi/"), "planning.view"),
    # --- API ------------------------------------------------------------------------------------
    Endpoint("api:GET /api/projects/{code}/planning", "GET", _api(""), "planning.view", api=True),
    Endpoint(
        "api:PATCH /api/projects/{code}/planning",
        "PATCH",
        _api(""),
        "planning.edit",
        data=lambda p: {"status_date": "2026-03-06"},
        headers=if_match(_get("plan")),
        api=True,
    ),
    Endpoint("api:POST /api/projects/{code}/planning/schedule", "POST", _api("/schedule"), "planning.edit", api=True),
    Endpoint("api:GET /api/projects/{code}/planning/gantt", "GET", _api("/gantt"), "planning.view", api=True),
    Endpoint("api:GET /api/projects/{code}/planning/lots", "GET", _api("/lots"), "planning.view", api=True),
    Endpoint(
        "api:POST /api/projects/{code}/planning/lots",
        "POST",
        _api("/lots"),
        "planning.edit",
        data=lambda p: {"name": "Lot API"},
        ok=(201,),
        api=True,
    ),
    Endpoint(
        "api:GET /api/projects/{code}/planning/lots/{lot_id}", "GET", _api("/lots/{lot}"), "planning.view", api=True
    ),
    Endpoint(
        "api:PATCH /api/projects/{code}/planning/lots/{lot_id}",
        "PATCH",
        _api("/lots/{lot}"),
        "planning.edit",
        data=lambda p: {"budget_effort": "30"},
        headers=if_match(_get("lot")),
        api=True,
    ),
    Endpoint(
        "api:DELETE /api/projects/{code}/planning/lots/{lot_id}",
        "DELETE",
        _api("/lots/{spare_lot}"),
        "planning.edit",
        ok=(204,),
        api=True,
    ),
    Endpoint("api:GET /api/projects/{code}/planning/tasks", "GET", _api("/tasks"), "planning.view", api=True),
    Endpoint(
        "api:POST /api/projects/{code}/planning/tasks",
        "POST",
        _api("/tasks"),
        "planning.edit",
        data=lambda p: {"lot_id": _plan(p)["lot"].pk, "name": "Tâche API", "duration": 3, "effort": "3"},
        ok=(201,),
        api=True,
    ),
    Endpoint(
        "api:GET /api/projects/{code}/planning/tasks/{task_id}", "GET", _api("/tasks/{a}"), "planning.view", api=True
    ),
    Endpoint(
        "api:PATCH /api/projects/{code}/planning/tasks/{task_id}",
        "PATCH",
        _api("/tasks/{a}"),
        "planning.edit",
        data=lambda p: {"duration": 7},
        headers=if_match(_get("a")),
        api=True,
    ),
    Endpoint(
        "api:DELETE /api/projects/{code}/planning/tasks/{task_id}",
        "DELETE",
        _api("/tasks/{c}"),
        "planning.edit",
        ok=(204,),
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/planning/tasks/{task_id}/move",
        "POST",
        _api("/tasks/{c}/move"),
        "planning.edit",
        data=lambda p: {"start": "2026-03-16"},
        headers=if_match(_get("c")),
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/planning/tasks/{task_id}/raf",
        "POST",
        _api("/tasks/{a}/raf"),
        "planning.log_time",
        data=lambda p: {"raf": "2", "date": "2026-03-05"},
        ok=(201,),
        api=True,
    ),
    Endpoint("api:GET /api/projects/{code}/planning/raf", "GET", _api("/raf"), "planning.view", api=True),
    Endpoint(
        "api:GET /api/projects/{code}/planning/dependencies", "GET", _api("/dependencies"), "planning.view", api=True
    ),
    Endpoint(
        "api:POST /api/projects/{code}/planning/dependencies",
        "POST",
        _api("/dependencies"),
        "planning.edit",
        data=lambda p: {"predecessor_id": _plan(p)["b"].pk, "successor_id": _plan(p)["c"].pk, "type": "SS", "lag": 1},
        ok=(201,),
        api=True,
    ),
    Endpoint(
        "api:PATCH /api/projects/{code}/planning/dependencies/{link_id}",
        "PATCH",
        _api("/dependencies/{link}"),
        "planning.edit",
        data=lambda p: {"lag": 2},
        headers=if_match(_get("link")),
        api=True,
    ),
    Endpoint(
        "api:DELETE /api/projects/{code}/planning/dependencies/{link_id}",
        "DELETE",
        _api("/dependencies/{link}"),
        "planning.edit",
        ok=(204,),
        api=True,
    ),
    Endpoint("api:GET /api/projects/{code}/planning/resources", "GET", _api("/resources"), "planning.view", api=True),
    Endpoint(
        "api:POST /api/projects/{code}/planning/resources",
        "POST",
        _api("/resources"),
        "planning.manage_resources",
        data=lambda p: {"name": "Architecte", "tjm": "1100"},
        ok=(201,),
        api=True,
    ),
    Endpoint(
        "api:PATCH /api/projects/{code}/planning/resources/{resource_id}",
        "PATCH",
        _api("/resources/{other}"),
        "planning.manage_resources",
        data=lambda p: {"tjm": "750"},
        headers=if_match(_get("other")),
        api=True,
    ),
    Endpoint(
        "api:DELETE /api/projects/{code}/planning/resources/{resource_id}",
        "DELETE",
        _api("/resources/{other}"),
        "planning.manage_resources",
        ok=(204,),
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/planning/resources/{resource_id}/absences",
        "POST",
        _api("/resources/{other}/absences"),
        "planning.manage_resources",
        data=lambda p: {"start": "2026-05-04", "end": "2026-05-05"},
        ok=(201,),
        api=True,
    ),
    Endpoint(
        "api:DELETE /api/projects/{code}/planning/absences/{absence_id}",
        "DELETE",
        _api("/absences/{absence}"),
        "planning.manage_resources",
        ok=(204,),
        api=True,
    ),
    Endpoint(
        "api:GET /api/projects/{code}/planning/assignments", "GET", _api("/assignments"), "planning.view", api=True
    ),
    Endpoint(
        "api:POST /api/projects/{code}/planning/assignments",
        "POST",
        _api("/assignments"),
        "planning.manage_resources",
        data=lambda p: {"task_id": _plan(p)["c"].pk, "resource_id": _plan(p)["other"].pk, "units": "0.5"},
        ok=(201,),
        api=True,
    ),
    Endpoint(
        "api:PATCH /api/projects/{code}/planning/assignments/{assignment_id}",
        "PATCH",
        _api("/assignments/{assignment}"),
        "planning.manage_resources",
        data=lambda p: {"units": "0.8"},
        headers=if_match(_get("assignment")),
        api=True,
    ),
    Endpoint(
        "api:DELETE /api/projects/{code}/planning/assignments/{assignment_id}",
        "DELETE",
        _api("/assignments/{spare_assignment}"),
        "planning.manage_resources",
        ok=(204,),
        api=True,
    ),
    Endpoint(
        "api:GET /api/projects/{code}/planning/time-entries", "GET", _api("/time-entries"), "planning.view", api=True
    ),
    Endpoint(
        "api:POST /api/projects/{code}/planning/timesheet",
        "POST",
        _api("/timesheet"),
        "planning.log_time",
        data=lambda p: {
            "resource_id": _plan(p)["me"].pk,
            "week": DAY.isoformat(),
            "cells": [{"task_id": _plan(p)["a"].pk, "date": "2026-03-03", "effort": "1"}],
        },
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/planning/time-entries/import",
        "POST",
        _api("/time-entries/import"),
        "planning.manage_time",
        data=lambda p: {"csv": "date;personne;tâche;charge\n04/03/2026;Contributrice;T-001;0,5\n"},
        api=True,
    ),
    Endpoint("api:GET /api/projects/{code}/planning/baselines", "GET", _api("/baselines"), "planning.view", api=True),
    Endpoint(
        "api:POST /api/projects/{code}/planning/baselines",
        "POST",
        _api("/baselines"),
        "planning.baseline",
        data=lambda p: {"name": "B API"},
        ok=(201,),
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/planning/baselines/{baseline_id}/select",
        "POST",
        _api("/baselines/{spare_baseline}/select"),
        "planning.baseline",
        api=True,
    ),
    Endpoint(
        "api:DELETE /api/projects/{code}/planning/baselines/{baseline_id}",
        "DELETE",
        _api("/baselines/{spare_baseline}"),
        "planning.baseline",
        ok=(204,),
        api=True,
    ),
    Endpoint("api:GET /api/projects/{code}/planning/costs", "GET", _api("/costs"), "planning.view_costs", api=True),
    Endpoint("api:GET /api/projects/{code}/planning/evm", "GET", _api("/evm"), "planning.view_costs", api=True),
    Endpoint("api:GET /api/projects/{code}/planning/load", "GET", _api("/load"), "planning.view", api=True),
    Endpoint(
        "api:POST /api/projects/{code}/planning/levelling",
        "POST",
        _api("/levelling"),
        "planning.analyse",
        data=lambda p: {"method": "heuristic", "time_limit": 2},
        ok=(202,),
        api=True,
    ),
    Endpoint("api:GET /api/projects/{code}/planning/levelling", "GET", _api("/levelling"), "planning.view", api=True),
    Endpoint(
        "api:POST /api/projects/{code}/planning/levelling/apply",
        "POST",
        _api("/levelling/apply"),
        "planning.edit",
        data=lambda p: {"job": str(_plan(p)["job"].pk)},
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/planning/levelling/clear",
        "POST",
        _api("/levelling/clear"),
        "planning.edit",
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/planning/risk",
        "POST",
        _api("/risk"),
        "planning.analyse",
        data=lambda p: {"iterations": 200},
        ok=(202,),
        api=True,
    ),
    Endpoint("api:GET /api/projects/{code}/planning/risk", "GET", _api("/risk"), "planning.view", api=True),
    Endpoint(
        "api:POST /api/projects/{code}/planning/import",
        "POST",
        _api("/import"),
        "planning.edit",
        data=lambda p: {"filename": "plan.xml", "content_base64": _mspdi_b64(p), "replace": True},
        ok=(202,),
        api=True,
    ),
    Endpoint(
        "api:GET /api/projects/{code}/planning/export/{fmt}", "GET", _api("/export/ics"), "planning.view", api=True
    ),
    Endpoint(
        "api:GET /api/projects/{code}/planning/milestones.ics",
        "GET",
        _api("/milestones.ics"),
        "planning.view",
        api=True,
    ),
]
