"""The planning pages: thin views over the services (writes) and the selectors (reads)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from oeuvre.accounts.permissions import can, current_user
from oeuvre.core.errors import DomainError, StaleVersion, ValidationFailed
from oeuvre.core.jobs import job_or_404, job_state
from oeuvre.core.models import Job
from oeuvre.interop.errors import FileFormatError
from oeuvre.interop.timesheet_csv import read_time_entries
from oeuvre.planning import costing, exporting, selectors, services, tables
from oeuvre.planning.files import file_error_messages, row_label
from oeuvre.planning.forms import (
    AbsenceForm,
    AssignmentForm,
    BaselineForm,
    DependencyForm,
    LevellingForm,
    LotForm,
    MoveForm,
    PlanImportForm,
    PlanSettingsForm,
    ResourceForm,
    RiskForm,
    TaskForm,
    TaskRowForm,
    TimeImportForm,
    TimesheetCloseForm,
)
from oeuvre.planning.importing import plan_import_enqueue
from oeuvre.planning.models import (
    Absence,
    Assignment,
    Baseline,
    ConstraintType,
    Dependency,
    LinkType,
    Lot,
    Resource,
    Task,
    TaskKind,
)
from oeuvre.planning.permissions import (
    PLANNING_ANALYSE,
    PLANNING_BASELINE,
    PLANNING_EDIT,
    PLANNING_LOG_TIME,
    PLANNING_MANAGE_RESOURCES,
    PLANNING_MANAGE_TIME,
    PLANNING_VIEW,
    PLANNING_VIEW_COSTS,
)
from oeuvre.planning.scheduling import status_date_of
from oeuvre.projects.models import Project
from oeuvre.web.context import project_context
from oeuvre.web.decorators import project_page
from oeuvre.web.forms import apply_error
from oeuvre.web.listing import Column, build_listing, export_csv
from oeuvre.web.tables import datatable, render_row, row_width

NAV = "planning"


def _ctx(request: HttpRequest, project: Project, section: str, **extra: Any) -> dict[str, Any]:
    return project_context(request, project, NAV, section=section, plan=selectors.plan_of(project), **extra)


def _json(data: Any, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, encoder=DjangoJSONEncoder, safe=False)


def _refusal(exc: DomainError) -> JsonResponse:
    """The Gantt's answer to a refused change: a normal response that says why (the REST API uses
    409/412/422; the page's script only needs the reason, and browsers log every 4xx as an error)."""
    errors = exc.errors if isinstance(exc, ValidationFailed) else {}
    kind = "stale" if isinstance(exc, StaleVersion) else "invalid" if isinstance(exc, ValidationFailed) else "refused"
    return _json({"refused": kind, "detail": str(exc.message), "errors": errors})


# --- Overview ---------------------------------------------------------------------------------------


def home_panel(request: HttpRequest, project: Project) -> dict[str, Any]:
    """The planning panel of the project home page: finish, contractual milestones, SPI/CPI."""
    plan = selectors.plan_of(project)
    evm = None
    if plan.baseline_id and can(request.user, project, PLANNING_VIEW_COSTS):
        evm = costing.earned_value_report(project, plan).get("money", {}).get("now")
    return {"project": project, "summary": selectors.schedule_summary(project, plan), "evm": evm}


@project_page(PLANNING_VIEW)
def index(request: HttpRequest, project: Project) -> HttpResponse:
    context = _ctx(request, project, "overview")
    plan = context["plan"]
    summary = selectors.schedule_summary(project, plan)
    evm = None
    if PLANNING_VIEW_COSTS in context["my_permissions"] and plan.baseline_id:
        report = costing.earned_value_report(project, plan)
        evm = report.get("money", {}).get("now")
    risk = selectors.latest_job(project, "planning.risk", done=True)
    running = selectors.latest_job(project, "planning.schedule")
    context.update(
        summary=summary,
        evm=evm,
        risk=risk.result if risk else None,
        schedule_job=running if running and not running.finished else None,
        schedule_state=job_state(running) if running and not running.finished else None,
        lots=selectors.lots_of(project),
    )
    return render(request, "planning/index.html", context)


@require_POST
@project_page(PLANNING_EDIT)
def reschedule(request: HttpRequest, project: Project) -> HttpResponse:
    try:
        outcome = services.plan_reschedule(actor=current_user(request), project=project)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("Plan rescheduled: finish on %(date)s.")
            % {"date": outcome.finish.strftime("%d/%m/%Y") if outcome.finish else "—"},
        )
    return redirect("planning:index", project.code)


@project_page(PLANNING_EDIT)
def settings_view(request: HttpRequest, project: Project) -> HttpResponse:
    plan = selectors.plan_of(project)
    form = PlanSettingsForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(
                actor=current_user(request),
                project=project,
                expected_version=form.cleaned_data.get("version"),
                **form.changes(),
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Plan settings saved."))
            return redirect("planning:index", project.code)
    close_form = TimesheetCloseForm(initial={"until": plan.timesheet_closed_until, "version": plan.version})
    return render(
        request, "planning/settings.html", _ctx(request, project, "settings", form=form, close_form=close_form)
    )


@require_POST
@project_page(PLANNING_MANAGE_TIME)
def timesheet_close(request: HttpRequest, project: Project) -> HttpResponse:
    form = TimesheetCloseForm(request.POST)
    if form.is_valid():
        try:
            services.timesheet_close(
                actor=current_user(request),
                project=project,
                until=form.cleaned_data["until"],
                expected_version=form.cleaned_data.get("version"),
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Timesheet period updated."))
    else:
        messages.error(request, _("Give a valid date."))
    return redirect("planning:time_entries", project.code)


# --- Gantt ------------------------------------------------------------------------------------------


# The Gantt draws only the rows on screen, so a plan opens whole up to this size (see bench/planning_gantt_render.py).
GANTT_WHOLE_PLAN_LIMIT = 3000


@project_page(PLANNING_VIEW)
def gantt(request: HttpRequest, project: Project) -> HttpResponse:
    lots = list(selectors.lots_of(project))
    total = sum(getattr(lot, "task_count", 0) for lot in lots)
    lot_filter = request.GET.get("lot", "")
    if not lot_filter and total > GANTT_WHOLE_PLAN_LIMIT and lots:
        lot_filter = str(lots[0].pk)  # a very large plan opens on its first lot
    context = _ctx(
        request,
        project,
        "gantt",
        lots=lots,
        lot_filter=lot_filter,
        critical=request.GET.get("critical") == "1",
        query=request.GET.get("q", ""),
        move_form=MoveForm(project=project),
        may_edit=can(request.user, project, PLANNING_EDIT),
        task_total=total,
    )
    return render(request, "planning/gantt.html", context)


def _gantt_filters(request: HttpRequest) -> dict[str, Any]:
    lot = request.GET.get("lot") or None
    return {
        "lot": int(lot) if lot and lot.isdigit() else None,
        "critical": request.GET.get("critical") == "1",
        "query": request.GET.get("q", "").strip(),
    }


@require_GET
@project_page(PLANNING_VIEW)
def gantt_data(request: HttpRequest, project: Project) -> HttpResponse:
    return _json(selectors.gantt_data(project, **_gantt_filters(request)))


def _read_payload(request: HttpRequest) -> dict[str, Any]:
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}
    return request.POST.dict()


def _date_or_none(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    return dt.date.fromisoformat(str(value)[:10])


@require_POST
@project_page(PLANNING_EDIT)
def gantt_move(request: HttpRequest, project: Project) -> HttpResponse:
    """The Gantt drag (JSON) and the keyboard form: the server validates, reschedules and answers with
    the new plan, the tasks that moved and what undoes the move."""
    payload = _read_payload(request)
    wants_json = request.content_type == "application/json"
    try:
        task = selectors.task_of(project, int(payload.get("task", 0)))
        start = _date_or_none(payload.get("start"))
        end = _date_or_none(payload.get("end"))
        duration = int(payload["duration"]) if payload.get("duration") not in (None, "") else None
        version = int(payload["version"]) if payload.get("version") not in (None, "") else None
    except (ValueError, TypeError):
        return HttpResponseBadRequest(_("Invalid move."))
    try:
        result = services.task_move(
            actor=current_user(request), task=task, expected_version=version, start=start, duration=duration, end=end
        )
    except DomainError as exc:
        if wants_json:
            return _refusal(exc)
        messages.error(request, str(exc.message))
        return redirect("planning:gantt", project.code)
    if not wants_json:
        messages.success(
            request, _("%(task)s moved; %(n)s tasks rescheduled.") % {"task": task.code, "n": len(result.moved)}
        )
        return redirect("planning:gantt", project.code)
    return _json(
        {
            "task": {"id": result.task.pk, "version": result.task.version},
            "moved": result.moved,
            "undo": {**result.undo, "task": result.task.pk, "version": result.task.version},
            "plan": selectors.gantt_data(project, **_gantt_filters(request)),
        }
    )


@require_POST
@project_page(PLANNING_EDIT)
def gantt_restore(request: HttpRequest, project: Project) -> HttpResponse:
    """Undo a Gantt move: put back the constraint and duration the move replaced (If-Match via version)."""
    payload = _read_payload(request)
    try:
        task = selectors.task_of(project, int(payload.get("task", 0)))
        changes: dict[str, Any] = {
            "constraint_type": str(payload.get("constraint_type") or ConstraintType.ASAP),
            "constraint_date": _date_or_none(payload.get("constraint_date")),
        }
        if task.kind != TaskKind.MILESTONE and payload.get("duration") not in (None, ""):
            changes["duration"] = int(payload["duration"])
        version = int(payload["version"]) if payload.get("version") not in (None, "") else None
    except (ValueError, TypeError):
        return HttpResponseBadRequest(_("Invalid undo."))
    try:
        fresh = services.task_update(actor=current_user(request), task=task, expected_version=version, **changes)
    except DomainError as exc:
        return _refusal(exc)
    return _json(
        {
            "task": {"id": fresh.pk, "version": fresh.version},
            "plan": selectors.gantt_data(project, **_gantt_filters(request)),
        }
    )


def _gantt_answer(request: HttpRequest, project: Project, **extra: Any) -> JsonResponse:
    return _json({**extra, "plan": selectors.gantt_data(project, **_gantt_filters(request))})


@require_POST
@project_page(PLANNING_EDIT)
def gantt_link(request: HttpRequest, project: Project) -> HttpResponse:
    """A link drawn in the Gantt from one bar to another: the engine refuses a loop, naming its tasks."""
    payload = _read_payload(request)
    try:
        predecessor = selectors.task_of(project, int(payload.get("predecessor", 0)))
        successor = selectors.task_of(project, int(payload.get("successor", 0)))
    except (ValueError, TypeError):
        return HttpResponseBadRequest(_("Invalid link."))
    try:
        link = services.dependency_add(
            actor=current_user(request),
            project=project,
            predecessor=predecessor,
            successor=successor,
            type=str(payload.get("type") or LinkType.FS),
        )
    except DomainError as exc:
        return _refusal(exc)
    return _gantt_answer(request, project, link={"id": link.pk}, undo={"unlink": link.pk})


@require_POST
@project_page(PLANNING_EDIT)
def gantt_unlink(request: HttpRequest, project: Project) -> HttpResponse:
    """Remove a link (the undo of a link drawn in the Gantt)."""
    payload = _read_payload(request)
    try:
        link = get_object_or_404(Dependency, pk=int(payload.get("link", 0)), project=project)
    except (ValueError, TypeError):
        return HttpResponseBadRequest(_("Invalid link."))
    try:
        services.dependency_remove(actor=current_user(request), dependency=link)
    except DomainError as exc:
        return _refusal(exc)
    return _gantt_answer(request, project)


GANTT_EDITABLE = {"name": str, "duration": int}


@require_POST
@project_page(PLANNING_EDIT)
def gantt_edit(request: HttpRequest, project: Project) -> HttpResponse:
    """A cell edited in place in the Gantt's grid (name or duration), with what undoes it."""
    payload = _read_payload(request)
    field = str(payload.get("field", ""))
    if field not in GANTT_EDITABLE:
        return HttpResponseBadRequest(_("This field cannot be changed here."))
    try:
        task = selectors.task_of(project, int(payload.get("task", 0)))
        value = GANTT_EDITABLE[field](str(payload.get("value", "")).strip())
        version = int(payload["version"]) if payload.get("version") not in (None, "") else None
    except (ValueError, TypeError):
        return _json({"refused": "invalid", "detail": _("Give a whole number of working days."), "errors": {}})
    before = getattr(task, field)
    try:
        fresh = services.task_update(actor=current_user(request), task=task, expected_version=version, **{field: value})
    except DomainError as exc:
        return _refusal(exc)
    undo = {"task": fresh.pk, "field": field, "value": before, "version": fresh.version}
    return _gantt_answer(request, project, task={"id": fresh.pk, "version": fresh.version}, undo=undo)


# --- Task table -------------------------------------------------------------------------------------


def _task_list_extras(request: HttpRequest, project: Project) -> dict[str, Any]:
    """What the task table's rows need besides the table: the in-place edit button, for who may edit."""
    return {"row_tools": "planning/_task_tools.html", "may_edit": can(request.user, project, PLANNING_EDIT)}


@project_page(PLANNING_VIEW)
def task_list(request: HttpRequest, project: Project) -> HttpResponse:
    table = datatable(request, project, tables.TASKS)
    if isinstance(table, HttpResponse):
        return table
    return render(
        request,
        "planning/task_list.html",
        _ctx(request, project, "tasks", table=table, **_task_list_extras(request, project)),
    )


@project_page(PLANNING_VIEW)
def task_row(request: HttpRequest, project: Project, task_id: int) -> HttpResponse:
    """The task's row as the list shows it (the columns of the page it is in): the in-place edit's Cancel."""
    try:
        row = render_row(request, project, tables.TASKS, task_id, **_task_list_extras(request, project))
    except Task.DoesNotExist:
        raise Http404("task") from None
    return HttpResponse(row)


@project_page(PLANNING_EDIT)
def task_row_edit(request: HttpRequest, project: Project, task_id: int) -> HttpResponse:
    task = selectors.task_of(project, task_id)
    form = TaskRowForm(request.POST or None, instance=task, prefix=f"t{task.pk}")
    if request.method == "POST" and form.is_valid():
        try:
            services.task_update(
                actor=current_user(request),
                task=task,
                expected_version=form.cleaned_data.get("version"),
                **form.changes(),
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            return HttpResponse(
                render_row(request, project, tables.TASKS, task_id, **_task_list_extras(request, project))
            )
    status = 422 if request.method == "POST" else 200
    width = row_width(request, project, tables.TASKS, tools=True)  # tick box, cells and tools
    return render(
        request,
        "planning/_task_row_edit.html",
        {"task": task, "form": form, "project": project, "width": width},
        status=status,
    )


@project_page(PLANNING_EDIT)
def task_create(request: HttpRequest, project: Project) -> HttpResponse:
    initial = {"lot": request.GET.get("lot")} if request.GET.get("lot") else None
    form = TaskForm(request.POST or None, project=project, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.changes()
        try:
            task = services.task_create(actor=current_user(request), project=project, **data)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Task %(code)s created.") % {"code": task.code})
            return redirect("planning:task_detail", project.code, task.pk)
    return render(request, "planning/task_form.html", _ctx(request, project, "tasks", form=form, task=None))


@project_page(PLANNING_VIEW)
def task_detail(request: HttpRequest, project: Project, task_id: int) -> HttpResponse:
    task = selectors.tasks_of(project).get(pk=task_id)
    predecessors, successors = selectors.task_links(task)
    return render(
        request,
        "planning/task_detail.html",
        _ctx(
            request,
            project,
            "tasks",
            task=task,
            predecessors=predecessors,
            successors=successors,
            assignments=selectors.task_assignments(task),
            link_form=DependencyForm(task=task),
            assignment_form=AssignmentForm(project=project),
            raf_history=task.raf_estimates.select_related("author")[:10],
        ),
    )


@project_page(PLANNING_EDIT)
def task_edit(request: HttpRequest, project: Project, task_id: int) -> HttpResponse:
    task = selectors.task_of(project, task_id)
    form = TaskForm(request.POST or None, instance=task, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            services.task_update(
                actor=current_user(request),
                task=task,
                expected_version=form.cleaned_data.get("version"),
                **form.changes(),
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Task saved; the plan is rescheduled."))
            return redirect("planning:task_detail", project.code, task.pk)
    return render(request, "planning/task_form.html", _ctx(request, project, "tasks", form=form, task=task))


@require_POST
@project_page(PLANNING_EDIT)
def task_delete(request: HttpRequest, project: Project, task_id: int) -> HttpResponse:
    task = selectors.task_of(project, task_id)
    try:
        services.task_delete(actor=current_user(request), task=task)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("planning:task_detail", project.code, task.pk)
    messages.success(request, _("Task deleted."))
    return redirect("planning:task_list", project.code)


@require_POST
@project_page(PLANNING_EDIT)
def dependency_add(request: HttpRequest, project: Project, task_id: int) -> HttpResponse:
    task = selectors.task_of(project, task_id)
    form = DependencyForm(request.POST, task=task)
    if form.is_valid():
        try:
            services.dependency_add(
                actor=current_user(request),
                project=project,
                predecessor=form.cleaned_data["predecessor"],
                successor=task,
                type=form.cleaned_data["type"],
                lag=form.cleaned_data["lag"],
                lag_calendar_days=form.cleaned_data["lag_calendar_days"],
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Dependency added; the plan is rescheduled."))
    else:
        messages.error(request, _("Choose a predecessor, a type and a lag."))
    return redirect("planning:task_detail", project.code, task.pk)


@require_POST
@project_page(PLANNING_EDIT)
def dependency_remove(request: HttpRequest, project: Project, link_id: int) -> HttpResponse:
    link = get_object_or_404(Dependency, pk=link_id, project=project)
    successor = link.successor_id
    services.dependency_remove(actor=current_user(request), dependency=link)
    messages.success(request, _("Dependency removed."))
    return redirect("planning:task_detail", project.code, successor)


@require_POST
@project_page(PLANNING_MANAGE_RESOURCES)
def assignment_add(request: HttpRequest, project: Project, task_id: int) -> HttpResponse:
    task = selectors.task_of(project, task_id)
    form = AssignmentForm(request.POST, project=project)
    if form.is_valid():
        try:
            services.assignment_add(
                actor=current_user(request),
                task=task,
                resource=form.cleaned_data["resource"],
                units=form.cleaned_data["units"],
                effort=form.cleaned_data["effort"],
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Resource assigned."))
    else:
        messages.error(request, _("Choose a resource and its units."))
    return redirect("planning:task_detail", project.code, task.pk)


@require_POST
@project_page(PLANNING_MANAGE_RESOURCES)
def assignment_remove(request: HttpRequest, project: Project, assignment_id: int) -> HttpResponse:
    assignment = get_object_or_404(Assignment.objects.select_related("task"), pk=assignment_id, task__project=project)
    task_id = assignment.task_id
    services.assignment_remove(actor=current_user(request), assignment=assignment)
    messages.success(request, _("Assignment removed."))
    return redirect("planning:task_detail", project.code, task_id)


# --- Lots -------------------------------------------------------------------------------------------


@project_page(PLANNING_VIEW)
def lot_list(request: HttpRequest, project: Project) -> HttpResponse:
    costs = (
        costing.project_costs(project, selectors.plan_of(project))
        if can(request.user, project, PLANNING_VIEW_COSTS)
        else None
    )
    lots = list(selectors.lots_of(project))
    landing = {line.key: line for line in costs.lots} if costs else {}
    rows = [{"lot": lot, "landing": landing.get(lot.code)} for lot in lots]
    return render(request, "planning/lot_list.html", _ctx(request, project, "lots", rows=rows, costs=costs))


@project_page(PLANNING_EDIT)
def lot_create(request: HttpRequest, project: Project) -> HttpResponse:
    form = LotForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            services.lot_create(actor=current_user(request), project=project, **form.changes())
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Lot created."))
            return redirect("planning:lot_list", project.code)
    return render(request, "planning/lot_form.html", _ctx(request, project, "lots", form=form, lot=None))


@project_page(PLANNING_EDIT)
def lot_edit(request: HttpRequest, project: Project, lot_id: int) -> HttpResponse:
    lot = get_object_or_404(Lot, pk=lot_id, project=project)
    form = LotForm(request.POST or None, instance=lot, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            services.lot_update(
                actor=current_user(request),
                lot=lot,
                expected_version=form.cleaned_data.get("version"),
                **form.changes(),
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Lot saved."))
            return redirect("planning:lot_list", project.code)
    return render(request, "planning/lot_form.html", _ctx(request, project, "lots", form=form, lot=lot))


@require_POST
@project_page(PLANNING_EDIT)
def lot_delete(request: HttpRequest, project: Project, lot_id: int) -> HttpResponse:
    lot = get_object_or_404(Lot, pk=lot_id, project=project)
    try:
        services.lot_delete(actor=current_user(request), lot=lot)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Lot deleted."))
    return redirect("planning:lot_list", project.code)


# --- Resources --------------------------------------------------------------------------------------

RESOURCE_COLUMNS = [
    Column("name", gettext_lazy("Name"), lambda r: r.name, "name"),
    Column("kind", gettext_lazy("Kind"), lambda r: r.get_kind_display(), "kind"),
    Column("account", gettext_lazy("Account"), lambda r: r.user or "", "user__username"),
    Column("capacity", gettext_lazy("Capacity"), lambda r: r.capacity, "capacity"),
    Column("tasks", gettext_lazy("Tasks"), lambda r: r.task_count, "task_count"),
    Column("spent", gettext_lazy("Spent (p-d)"), lambda r: r.spent, "spent"),
]
TJM_COLUMN = Column("tjm", gettext_lazy("Day rate (€)"), lambda r: r.tjm, "tjm")


@project_page(PLANNING_VIEW)
def resource_list(request: HttpRequest, project: Project) -> HttpResponse:
    show_costs = can(request.user, project, PLANNING_VIEW_COSTS)
    columns = [*RESOURCE_COLUMNS[:3], TJM_COLUMN, *RESOURCE_COLUMNS[3:]] if show_costs else RESOURCE_COLUMNS
    listing = build_listing(
        request,
        selectors.resources_of(project),
        columns,
        search=["name", "user__username"],
        filters={"kind": "kind"},
        default_sort="name",
        per_page=50,
    )
    if listing.wants_csv:
        return export_csv(f"ressources-{project.code}.csv", columns, listing.page.paginator.object_list)
    return render(
        request,
        "planning/resource_list.html",
        _ctx(request, project, "resources", listing=listing, show_costs=show_costs, absence_form=AbsenceForm()),
    )


@project_page(PLANNING_MANAGE_RESOURCES)
def resource_create(request: HttpRequest, project: Project) -> HttpResponse:
    form = ResourceForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            services.resource_create(actor=current_user(request), project=project, **form.changes())
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Resource created."))
            return redirect("planning:resource_list", project.code)
    return render(request, "planning/resource_form.html", _ctx(request, project, "resources", form=form, resource=None))


@project_page(PLANNING_MANAGE_RESOURCES)
def resource_edit(request: HttpRequest, project: Project, resource_id: int) -> HttpResponse:
    resource = get_object_or_404(Resource, pk=resource_id, project=project)
    form = ResourceForm(request.POST or None, instance=resource, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            services.resource_update(
                actor=current_user(request),
                resource=resource,
                expected_version=form.cleaned_data.get("version"),
                **form.changes(),
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Resource saved."))
            return redirect("planning:resource_list", project.code)
    absences = resource.absences.all()
    return render(
        request,
        "planning/resource_form.html",
        _ctx(
            request, project, "resources", form=form, resource=resource, absences=absences, absence_form=AbsenceForm()
        ),
    )


@require_POST
@project_page(PLANNING_MANAGE_RESOURCES)
def resource_delete(request: HttpRequest, project: Project, resource_id: int) -> HttpResponse:
    resource = get_object_or_404(Resource, pk=resource_id, project=project)
    try:
        services.resource_delete(actor=current_user(request), resource=resource)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Resource deleted."))
    return redirect("planning:resource_list", project.code)


@require_POST
@project_page(PLANNING_MANAGE_RESOURCES)
def absence_add(request: HttpRequest, project: Project, resource_id: int) -> HttpResponse:
    resource = get_object_or_404(Resource, pk=resource_id, project=project)
    form = AbsenceForm(request.POST)
    if form.is_valid():
        try:
            services.absence_add(actor=current_user(request), resource=resource, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Absence added."))
    else:
        messages.error(request, _("Give the first and last days."))
    return redirect("planning:resource_edit", project.code, resource.pk)


@require_POST
@project_page(PLANNING_MANAGE_RESOURCES)
def absence_remove(request: HttpRequest, project: Project, absence_id: int) -> HttpResponse:
    absence = get_object_or_404(Absence.objects.select_related("resource"), pk=absence_id, resource__project=project)
    resource_id = absence.resource_id
    services.absence_remove(actor=current_user(request), absence=absence)
    messages.success(request, _("Absence removed."))
    return redirect("planning:resource_edit", project.code, resource_id)


@project_page(PLANNING_VIEW)
def load(request: HttpRequest, project: Project) -> HttpResponse:
    plan = selectors.plan_of(project)
    try:
        first = dt.date.fromisoformat(request.GET["from"]) if request.GET.get("from") else None
    except ValueError:
        first = None
    data = costing.resource_load(project, plan if plan.pk else None, first=first, weeks=26)
    return render(request, "planning/load.html", _ctx(request, project, "load", load=data))


# --- Time: timesheet, entries, import, RAF ----------------------------------------------------------


def _timesheet_resource(request: HttpRequest, project: Project) -> Resource | None:
    manage = can(request.user, project, PLANNING_MANAGE_TIME)
    wanted = request.GET.get("resource") or request.POST.get("resource")
    if wanted and wanted.isdigit():
        resource = get_object_or_404(Resource, pk=int(wanted), project=project)
        if resource.user_id == request.user.pk or manage:
            return resource
    return Resource.objects.filter(project=project, user=current_user(request)).first() or (
        Resource.objects.filter(project=project, active=True).order_by("name").first() if manage else None
    )


@project_page(PLANNING_LOG_TIME)
def timesheet(request: HttpRequest, project: Project) -> HttpResponse:
    resource = _timesheet_resource(request, project)
    try:
        week = dt.date.fromisoformat(request.GET.get("week") or request.POST.get("week") or "")
    except ValueError:
        week = timezone.localdate()
    monday = week - dt.timedelta(days=week.weekday())
    errors: dict[str, list[str]] = {}
    warnings: list[str] = []
    posted: dict[str, str] = {}
    if request.method == "POST" and resource is not None:
        cells: dict[tuple[int, dt.date], Decimal] = {}
        for key in request.POST:
            raw = request.POST.get(key, "")
            if not key.startswith("cell-"):
                continue
            posted[key] = raw
            _prefix, task_id, day = key.split("-", 2)
            text = raw.strip().replace(",", ".")
            try:
                value = Decimal(text) if text else Decimal(0)
            except InvalidOperation:
                errors[key] = [_("Not a number.")]
                continue
            cells[(int(task_id), dt.date.fromisoformat(day))] = value
        added = request.POST.get("add_task")
        if added and added.isdigit():
            cells.setdefault((int(added), monday), Decimal(0))
        if not errors:
            try:
                result = services.timesheet_save(
                    actor=current_user(request),
                    resource=resource,
                    week=monday,
                    cells=cells,
                    expected_fingerprint=request.POST.get("fingerprint") or None,
                )
            except ValidationFailed as exc:
                errors = exc.errors
            except DomainError as exc:
                messages.error(request, str(exc.message))
            else:
                for warning in result.warnings:
                    messages.warning(request, warning)
                messages.success(request, _("Timesheet saved."))
                if not added:
                    return redirect(f"{request.path}?resource={resource.pk}&week={monday.isoformat()}")
                posted = {}
    week_data = selectors.timesheet_week(resource, monday) if resource else None
    manage = can(request.user, project, PLANNING_MANAGE_TIME)
    people = Resource.objects.filter(project=project, kind="person").order_by("name") if manage else []
    from oeuvre.planning.models import Task

    addable = (
        Task.objects.filter(project=project, kind=TaskKind.TASK, actual_finish__isnull=True).order_by("code")
        if resource
        else Task.objects.none()
    )
    status = 422 if errors else 200
    return render(
        request,
        "planning/timesheet.html",
        _ctx(
            request,
            project,
            "timesheet",
            resource=resource,
            week=week_data,
            monday=monday,
            previous=monday - dt.timedelta(days=7),
            following=monday + dt.timedelta(days=7),
            errors=errors,
            posted=posted,
            warnings=warnings,
            people=people,
            addable=addable,
            fingerprint=services.timesheet_fingerprint(resource, monday, monday + dt.timedelta(days=6))
            if resource
            else "",
        ),
        status=status,
    )


TIME_COLUMNS = [
    Column("date", gettext_lazy("Date"), lambda e: e.date, "date"),
    Column("person", gettext_lazy("Person"), lambda e: e.resource.name, "resource__name"),
    Column("task", gettext_lazy("Task"), lambda e: e.task.code, "task__code"),
    Column("task_name", gettext_lazy("Task name"), lambda e: e.task.name, "task__name"),
    Column("effort", gettext_lazy("Effort (p-d)"), lambda e: e.effort, "effort"),
    Column("comment", gettext_lazy("Comment"), lambda e: e.comment, None),
]


@project_page(PLANNING_VIEW)
def time_entries(request: HttpRequest, project: Project) -> HttpResponse:
    listing = build_listing(
        request,
        selectors.time_entries_of(project),
        TIME_COLUMNS,
        search=["task__code", "task__name", "resource__name", "comment"],
        filters={"person": "resource_id", "task": "task__code", "from": "date__gte", "to": "date__lte"},
        default_sort="-date",
        per_page=100,
    )
    if listing.wants_csv:
        return export_csv(f"imputations-{project.code}.csv", TIME_COLUMNS, listing.page.paginator.object_list)
    plan = selectors.plan_of(project)
    return render(
        request,
        "planning/time_entries.html",
        _ctx(
            request,
            project,
            "time",
            listing=listing,
            people=Resource.objects.filter(project=project).order_by("name"),
            close_form=TimesheetCloseForm(initial={"until": plan.timesheet_closed_until, "version": plan.version}),
            import_form=TimeImportForm(),
        ),
    )


@project_page(PLANNING_MANAGE_TIME)
def time_import(request: HttpRequest, project: Project) -> HttpResponse:
    form = TimeImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = read_time_entries(upload.read(), source=upload.name)
            result = services.time_entries_import(actor=current_user(request), project=project, rows=rows)
        except FileFormatError as exc:  # every problem of the file, each naming its row and column
            errors = file_error_messages(exc)
        except ValidationFailed as exc:
            errors = [
                _("%(where)s: %(message)s") % {"where": row_label(key), "message": " ".join(msgs)}
                for key, msgs in list(exc.errors.items())[:50]
            ]
        except DomainError as exc:
            errors = [str(exc.message)]
        else:
            for warning in result.warnings[:20]:
                messages.warning(request, warning)
            messages.success(request, _("%(n)s time entries imported.") % {"n": result.saved})
            return redirect("planning:time_entries", project.code)
    status = 422 if errors else 200
    return render(
        request, "planning/time_import.html", _ctx(request, project, "time", form=form, errors=errors), status=status
    )


@project_page(PLANNING_LOG_TIME)
def raf(request: HttpRequest, project: Project) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        saved = 0
        actor = current_user(request)
        for key in request.POST:
            raw = request.POST.get(key, "")
            if not key.startswith("raf-") or raw.strip() == "":
                continue
            task_id = int(key.split("-", 1)[1])
            task = selectors.task_of(project, task_id)
            try:
                value = Decimal(raw.strip().replace(",", "."))
            except InvalidOperation:
                errors[key] = [_("Not a number.")]
                continue
            latest = request.POST.get(f"latest-{task_id}")
            try:
                services.raf_set(
                    actor=actor,
                    task=task,
                    raf=value,
                    comment=request.POST.get(f"comment-{task_id}", "")[:300],
                    expected_latest=int(latest) if latest and latest.isdigit() else None,
                )
            except ValidationFailed as exc:
                errors[key] = [m for msgs in exc.errors.values() for m in msgs]
            except DomainError as exc:
                errors[key] = [str(exc.message)]
            except PermissionDenied:
                errors[key] = [_("You may not re-estimate this task.")]
            else:
                saved += 1
        if saved:
            messages.success(
                request, _("%(n)s remaining-effort estimates saved; the plan is rescheduled.") % {"n": saved}
            )
        if not errors:
            return redirect("planning:raf", project.code)
    rows = selectors.raf_rows(project)
    if request.GET.get("mine") == "1":
        mine = set(
            Assignment.objects.filter(resource__user=current_user(request), task__project=project).values_list(
                "task_id", flat=True
            )
        )
        rows = [r for r in rows if r["task"].pk in mine]
    return render(
        request,
        "planning/raf.html",
        _ctx(request, project, "raf", rows=rows, errors=errors, today=timezone.localdate()),
        status=422 if errors else 200,
    )


# --- Baselines --------------------------------------------------------------------------------------


@project_page(PLANNING_VIEW)
def baselines(request: HttpRequest, project: Project) -> HttpResponse:
    return render(
        request,
        "planning/baselines.html",
        _ctx(request, project, "baselines", baselines=selectors.baselines_of(project), form=BaselineForm()),
    )


@require_POST
@project_page(PLANNING_BASELINE)
def baseline_take(request: HttpRequest, project: Project) -> HttpResponse:
    form = BaselineForm(request.POST)
    if form.is_valid():
        try:
            services.baseline_take(actor=current_user(request), project=project, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Baseline taken."))
    else:
        messages.error(request, _("Give the baseline a name."))
    return redirect("planning:baselines", project.code)


@require_POST
@project_page(PLANNING_BASELINE)
def baseline_select(request: HttpRequest, project: Project, baseline_id: int) -> HttpResponse:
    baseline = get_object_or_404(Baseline, pk=baseline_id, project=project)
    services.baseline_select(actor=current_user(request), project=project, baseline=baseline, expected_version=None)
    messages.success(request, _("Reference baseline changed."))
    return redirect("planning:baselines", project.code)


@require_POST
@project_page(PLANNING_BASELINE)
def baseline_delete(request: HttpRequest, project: Project, baseline_id: int) -> HttpResponse:
    baseline = get_object_or_404(Baseline, pk=baseline_id, project=project)
    try:
        services.baseline_delete(actor=current_user(request), baseline=baseline)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Baseline deleted."))
    return redirect("planning:baselines", project.code)


# --- Costs and earned value -------------------------------------------------------------------------


@project_page(PLANNING_VIEW_COSTS)
def costs(request: HttpRequest, project: Project) -> HttpResponse:
    plan = selectors.plan_of(project)
    saved = plan if plan.pk else None
    figures = costing.task_figures(project, status_date_of(saved), saved)  # shared by both reports
    report = costing.earned_value_report(project, saved, figures=figures)
    landing = costing.project_costs(project, saved, figures=figures)
    if request.GET.get("format") == "csv":
        columns = [
            Column("label", gettext_lazy("Line"), lambda r: r["label"]),
            Column("sold_effort", gettext_lazy("Sold (p-d)"), lambda r: r["sold_effort"]),
            Column("spent_effort", gettext_lazy("Spent (p-d)"), lambda r: r["spent_effort"]),
            Column("raf_effort", gettext_lazy("Remaining (p-d)"), lambda r: r["raf_effort"]),
            Column("landing_effort", gettext_lazy("Landing (p-d)"), lambda r: r["landing_effort"]),
            Column("gap_effort", gettext_lazy("Gap (p-d)"), lambda r: r["gap_effort"]),
            Column("sold_cost", gettext_lazy("Sold (€)"), lambda r: r["sold_cost"]),
            Column("spent_cost", gettext_lazy("Spent (€)"), lambda r: r["spent_cost"]),
            Column("raf_cost", gettext_lazy("Remaining (€)"), lambda r: r["raf_cost"]),
            Column("landing_cost", gettext_lazy("Landing (€)"), lambda r: r["landing_cost"]),
            Column("gap_cost", gettext_lazy("Gap (€)"), lambda r: r["gap_cost"]),
        ]
        lines = (
            [landing.project.as_dict()]
            + [line.as_dict() for line in landing.lots]
            + [line.as_dict() for line in landing.resources]
        )
        return export_csv(f"couts-{project.code}.csv", columns, lines)
    return render(
        request,
        "planning/costs.html",
        _ctx(request, project, "costs", report=report, landing=landing, chart={"evm": report}),
    )


# --- Levelling and risk -----------------------------------------------------------------------------


@project_page(PLANNING_VIEW)
def levelling(request: HttpRequest, project: Project) -> HttpResponse:
    job = selectors.latest_job(project, "planning.level")
    plan = selectors.plan_of(project)
    result = job.result if job and job.status == Job.Status.DONE else None
    stale = result is not None and int(result.get("revision", -1)) != plan.revision
    applied = list(project.tasks.filter(levelling_start__isnull=False).values_list("code", flat=True)[:50])
    return render(
        request,
        "planning/levelling.html",
        _ctx(
            request,
            project,
            "levelling",
            job=job,
            state=job_state(job) if job else None,
            result=result,
            stale=stale,
            applied=applied,
            form=LevellingForm(),
            load=costing.resource_load(project, plan if plan.pk else None, weeks=26),
        ),
    )


@require_POST
@project_page(PLANNING_ANALYSE)
def levelling_run(request: HttpRequest, project: Project) -> HttpResponse:
    form = LevellingForm(request.POST)
    if form.is_valid():
        services.levelling_start(actor=current_user(request), project=project, **form.cleaned_data)
        messages.success(request, _("Levelling started."))
    else:
        messages.error(request, _("Choose a method and a time limit between 1 and 300 seconds."))
    return redirect("planning:levelling", project.code)


@require_POST
@project_page(PLANNING_EDIT)
def levelling_apply(request: HttpRequest, project: Project) -> HttpResponse:
    job = job_or_404(request.POST.get("job"), project=project, kind="planning.level")
    try:
        services.levelling_apply(actor=current_user(request), project=project, job=job)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Levelling applied; the plan is rescheduled."))
    return redirect("planning:levelling", project.code)


@require_POST
@project_page(PLANNING_EDIT)
def levelling_clear(request: HttpRequest, project: Project) -> HttpResponse:
    services.levelling_clear(actor=current_user(request), project=project)
    messages.success(request, _("Levelling removed; tasks start as early as their links allow."))
    return redirect("planning:levelling", project.code)


@project_page(PLANNING_VIEW)
def risk(request: HttpRequest, project: Project) -> HttpResponse:
    job = selectors.latest_job(project, "planning.risk")
    plan = selectors.plan_of(project)
    result = job.result if job and job.status == Job.Status.DONE else None
    return render(
        request,
        "planning/risk.html",
        _ctx(
            request,
            project,
            "risk",
            job=job,
            state=job_state(job) if job else None,
            result=result,
            stale=result is not None and int(result.get("revision", -1)) != plan.revision,
            form=RiskForm(),
        ),
    )


@require_POST
@project_page(PLANNING_ANALYSE)
def risk_run(request: HttpRequest, project: Project) -> HttpResponse:
    form = RiskForm(request.POST)
    if form.is_valid():
        services.risk_start(actor=current_user(request), project=project, **form.cleaned_data)
        messages.success(request, _("Monte Carlo simulation started."))
    else:
        messages.error(request, _("Between 100 and 100,000 iterations."))
    return redirect("planning:risk", project.code)


# --- Import and export ------------------------------------------------------------------------------


@project_page(PLANNING_EDIT)
def plan_import(request: HttpRequest, project: Project) -> HttpResponse:
    form = PlanImportForm(request.POST or None, request.FILES or None)
    job = selectors.latest_job(project, "planning.import")
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            plan_import_enqueue(
                actor=current_user(request), project=project, filename=upload.name, data=upload.read(),
                replace=form.cleaned_data["replace"],
            )  # fmt: skip
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Import started: the page shows its progress."))
            return redirect("planning:plan_import", project.code)
    from oeuvre.interop.mpp import mpp_support
    from oeuvre.planning.importing import import_summary

    return render(
        request,
        "planning/import.html",
        _ctx(
            request,
            project,
            "import",
            form=form,
            job=job,
            state=job_state(job) if job else None,
            summary=import_summary(job.result) if job and job.status == "done" and job.result else "",
            mpp_problem=mpp_support(),
        ),
    )


@require_GET
@project_page(PLANNING_VIEW)
def plan_export(request: HttpRequest, project: Project, fmt: str) -> HttpResponse:
    if fmt == "mspdi":
        response = HttpResponse(exporting.export_mspdi(project), content_type="application/xml")
        response["Content-Disposition"] = f'attachment; filename="{project.code}.xml"'
    elif fmt == "xlsx":
        data = exporting.export_xlsx(project, with_costs=can(request.user, project, PLANNING_VIEW_COSTS))
        response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="{project.code}-plan.xlsx"'
    elif fmt == "ics":
        response = HttpResponse(
            exporting.export_ics(project, user=request.user), content_type="text/calendar; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{project.code}-jalons.ics"'
    else:
        return HttpResponseBadRequest(_("Unknown export format."))
    return response
