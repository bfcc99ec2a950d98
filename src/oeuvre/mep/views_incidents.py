"""The incidents page (thin): the list with its GTI/GTR clocks and breaches, reporting, the workflow."""

from __future__ import annotations

import base64
import binascii
import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oeuvre.accounts.permissions import can
from oeuvre.core.errors import DomainError, ValidationFailed
from oeuvre.core.files import check_upload
from oeuvre.interop.errors import FileFormatError
from oeuvre.mep import glpi_import
from oeuvre.mep import incidents as svc
from oeuvre.mep.models import Environment, IncidentStatus
from oeuvre.mep.permissions import INCIDENT_HANDLE, INCIDENT_REPORT, MEP_VIEW
from oeuvre.projects.models import Project
from oeuvre.requirements.imports import file_error_message
from oeuvre.requirements.selectors import components_for
from oeuvre.web.context import project_context
from oeuvre.web.decorators import project_page
from oeuvre.web.forms import flash_error, posted_version

__all__ = ["duration_text", "urlpatterns"]

PAGE_SIZE = 100
_OPEN = (IncidentStatus.NOUVEAU, IncidentStatus.PRIS_EN_CHARGE, IncidentStatus.EN_ATTENTE)


def duration_text(value: dt.timedelta) -> str:
    """Service time as people read it: "2 h 05", "45 min", with a minus sign once past the deadline."""
    minutes = int(abs(value.total_seconds()) // 60)
    sign = "−" if value < dt.timedelta(0) else ""
    hours, rest = divmod(minutes, 60)
    return f"{sign}{hours} h {rest:02d}" if hours else f"{sign}{rest} min"


@project_page(MEP_VIEW)
def incident_list(request: HttpRequest, project: Project) -> HttpResponse:
    show_all = request.GET.get("all") == "1"
    rows = svc.incidents_for(project)
    if not show_all:
        rows = rows.filter(status__in=_OPEN)
    # 100 a page: one query counts, one reads the page's incidents, one their pauses; timers computed in Python.
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    board = svc.incidents_board(project, rows=list(page.object_list))
    can_report = can(request.user, project, INCIDENT_REPORT)
    return render(
        request,
        "mep/incidents.html",
        project_context(
            request,
            project,
            "mep",
            section="incidents",
            board=[
                {
                    "row": row,
                    "gti_left": duration_text(abs(row.take_charge.remaining)),
                    "gtr_left": duration_text(abs(row.restore.remaining)),
                }
                for row in board
            ],
            breaches=sum(1 for row in board if row.breached),
            show_all=show_all,
            page=page,
            environments=Environment.objects.filter(project=project) if can_report else [],
            components=components_for(project) if can_report else [],
            scale=range(1, 6),
            can_report=can_report,
            can_handle=can(request.user, project, INCIDENT_HANDLE),
        ),
    )


@project_page(MEP_VIEW)
def incident_page(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    """One incident: its fields read-only, its GTI/GTR clocks, its status history and its discussion."""
    incident = svc.incident_detail(project, pk)
    (row,) = svc.incidents_board(project, rows=[incident])
    return render(
        request,
        "mep/incident.html",
        project_context(
            request,
            project,
            "mep",
            section="incidents",
            incident=incident,
            row=row,
            gti_left=duration_text(abs(row.take_charge.remaining)),
            gtr_left=duration_text(abs(row.restore.remaining)),
            statuses=svc.incident_status_history(incident),
            can_handle=can(request.user, project, INCIDENT_HANDLE),
        ),
    )


@require_POST
@project_page(INCIDENT_REPORT)
def incident_create(request: HttpRequest, project: Project) -> HttpResponse:
    env_id, comp_id = request.POST.get("environment", ""), request.POST.get("component", "")
    try:
        incident = svc.incident_create(
            actor=request.user,  # type: ignore[arg-type]
            project=project,
            title=request.POST.get("title", ""),
            description=request.POST.get("description", ""),
            impact=request.POST.get("impact", ""),
            urgency=request.POST.get("urgency", ""),
            environment=get_object_or_404(Environment, project=project, pk=env_id) if env_id.isdigit() else None,
            component=get_object_or_404(components_for(project), pk=comp_id) if comp_id.isdigit() else None,
        )
        messages.success(
            request,
            _("Incident %(ref)s reported, priority %(p)s.") % {"ref": incident.reference, "p": incident.priority},
        )
    except DomainError as error:
        flash_error(request, error)
    return HttpResponseRedirect(reverse("mep:incidents", args=[project.code]))


@require_POST
@project_page(INCIDENT_HANDLE)
def incident_move(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    incident = svc.incident_detail(project, pk)
    try:
        moved = svc.incident_transition(
            actor=request.user,  # type: ignore[arg-type]
            incident=incident,
            action=request.POST.get("action", ""),
            expected_version=posted_version(request),
        )
        messages.success(
            request, _("%(ref)s: %(status)s.") % {"ref": moved.reference, "status": moved.get_status_display()}
        )
    except DomainError as error:
        flash_error(request, error)
    if request.POST.get("from") == "detail":
        return HttpResponseRedirect(reverse("mep:incident_detail", args=[project.code, incident.pk]))
    return HttpResponseRedirect(reverse("mep:incidents", args=[project.code]))


_IMPORT_MAX_BYTES = 5 * 1024 * 1024


def _import_source(request: HttpRequest) -> tuple[str, bytes]:
    """The file being imported: uploaded now, or carried (base64) from the preview; ValidationFailed if refused."""
    upload = request.FILES.get("file")
    if upload is not None:
        name, data = upload.name or "glpi.csv", upload.read(_IMPORT_MAX_BYTES + 1)
    else:
        name = request.POST.get("filename", "glpi.csv")
        try:
            data = base64.b64decode(request.POST.get("data", ""), validate=True)
        except (binascii.Error, ValueError):
            data = b""
    checked = check_upload(name, data, _IMPORT_MAX_BYTES)
    return checked.name, data


@project_page(INCIDENT_HANDLE)
def incident_import(request: HttpRequest, project: Project) -> HttpResponse:
    """GLPI's ticket CSV: upload → preview (dry run) with the mapping → confirm; nothing written before."""
    context: dict[str, object] = {"fields": list(glpi_import.FIELDS.items()), "date_orders": glpi_import.DATE_ORDERS}
    if request.method == "POST":
        try:
            name, data = _import_source(request)
            table = glpi_import.read_export(data)
            mapping = glpi_import.suggest_mapping(table.columns)
            if "file" not in request.FILES:
                for position, column in enumerate(table.columns):
                    chosen = request.POST.get(f"map-{position}")
                    if chosen is not None:
                        mapping[column] = chosen
            order = request.POST.get("date_order", "auto")
            order = order if order in glpi_import.DATE_ORDERS else "auto"
            if request.POST.get("confirm"):
                plan = glpi_import.apply_import(
                    actor=request.user,  # type: ignore[arg-type]
                    project=project,
                    table=table,
                    mapping=mapping,
                    date_order=order,
                )
                messages.success(
                    request,
                    _("GLPI import: %(create)s created, %(update)s updated, %(unchanged)s unchanged.") % plan.summary(),
                )
                return HttpResponseRedirect(reverse("mep:incidents", args=[project.code]) + "?all=1")
            plan = glpi_import.plan_import(project, table, mapping, date_order=order)
            context.update(
                plan=plan,
                summary=plan.summary(),
                columns=[(position, column, mapping[column]) for position, column in enumerate(table.columns)],
                form_data={"filename": name, "data": base64.b64encode(data).decode(), "date_order": order}
                | {f"map-{p}": mapping[c] for p, c in enumerate(table.columns)},
            )
        except ValidationFailed as error:
            context["error"] = " ".join(m for messages_ in error.errors.values() for m in messages_)
        except FileFormatError as error:
            context["error"] = file_error_message(error)
        except DomainError as error:
            context["error"] = str(error.message)
    return render(
        request, "mep/incident_import.html", project_context(request, project, "mep", section="incidents", **context)
    )


urlpatterns: list[URLPattern] = [
    path("incidents/", incident_list, name="incidents"),
    path("incidents/import/", incident_import, name="incident_import"),
    path("incidents/new/", incident_create, name="incident_create"),
    path("incidents/<int:pk>/", incident_page, name="incident_detail"),
    path("incidents/<int:pk>/move/", incident_move, name="incident_move"),
]
