"""The training page of a release (thin): courses, sessions, named attendees and the sign-in sheet.

Plain POST forms like the rest of the stage; every edit posts the version the page showed, so a sheet recorded by
someone else meanwhile is refused with a message instead of being overwritten.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oeuvre.accounts.permissions import can
from oeuvre.core.errors import DomainError
from oeuvre.mep import selectors, training
from oeuvre.mep.models import Attendance, DeploymentWave
from oeuvre.mep.permissions import MEP_VIEW, TRAINING_PLAN, TRAINING_RECORD
from oeuvre.projects.models import Project
from oeuvre.projects.selectors import project_members
from oeuvre.requirements.selectors import deliverables_for
from oeuvre.web.context import project_context
from oeuvre.web.decorators import project_page
from oeuvre.web.form_values import posted_date, posted_int
from oeuvre.web.forms import flash_error, posted_version

__all__ = ["urlpatterns"]


def _optional_id(raw: str, field: str) -> int | None:
    return posted_int(raw, field) if raw.strip() else None


def _to_page(project: Project, pk: int, anchor: str = "") -> HttpResponseRedirect:
    url = reverse("mep:training", args=[project.code, pk])
    return HttpResponseRedirect(f"{url}#{anchor}" if anchor else url)


@project_page(MEP_VIEW)
def training_page(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    release = selectors.release_detail(project, pk)
    can_plan = can(request.user, project, TRAINING_PLAN)
    return render(
        request,
        "mep/training.html",
        project_context(
            request,
            project,
            "mep",
            release=release,
            training=training.training_plan(release),
            waves=list(DeploymentWave.objects.filter(release=release).order_by("position", "pk")),
            deliverables=list(deliverables_for(project).prefetch_related(None)) if can_plan else [],
            members=list(project_members(project)) if can_plan else [],
            attendances=Attendance.choices,
            scores=range(1, 6),
            can_plan=can_plan,
            can_record=can(request.user, project, TRAINING_RECORD),
        ),
    )


def _course_fields(request: HttpRequest) -> dict[str, object]:
    return {
        "title": request.POST.get("title", ""),
        "audience": request.POST.get("audience", ""),
        "duration_minutes": posted_int(request.POST.get("duration_minutes", "") or "0", "duration_minutes"),
        "materials": [posted_int(raw, "materials") for raw in request.POST.getlist("materials")],
    }


def _session_fields(request: HttpRequest) -> dict[str, object]:
    return {
        "course": _optional_id(request.POST.get("course", ""), "course"),
        "wave": _optional_id(request.POST.get("wave", ""), "wave"),
        "audience": request.POST.get("audience", ""),
        "trainer": request.POST.get("trainer", ""),
        "date": posted_date(request.POST.get("date", ""), "date"),
        "place": request.POST.get("place", ""),
        "capacity": posted_int(request.POST.get("capacity", "") or "0", "capacity"),
    }


@require_POST
@project_page(TRAINING_PLAN)
def course_create(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    release = selectors.release_detail(project, pk)
    try:
        course = training.course_create(actor=request.user, release=release, **_course_fields(request))  # type: ignore[arg-type]
        messages.success(request, _("Course %(title)s added.") % {"title": course.title})
    except DomainError as error:
        flash_error(request, error)
    return _to_page(project, pk, "courses")


@require_POST
@project_page(TRAINING_PLAN)
def course_edit(request: HttpRequest, project: Project, pk: int, course_pk: int) -> HttpResponse:
    release = selectors.release_detail(project, pk)
    try:
        training.course_update(
            actor=request.user,  # type: ignore[arg-type]
            course=training.course_detail(release, course_pk),
            expected_version=posted_version(request),
            **_course_fields(request),
        )
        messages.success(request, _("Course saved."))
    except DomainError as error:
        flash_error(request, error)
    return _to_page(project, pk, f"course-{course_pk}")


@require_POST
@project_page(TRAINING_PLAN)
def session_create(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    release = selectors.release_detail(project, pk)
    try:
        training.session_create(actor=request.user, release=release, **_session_fields(request))  # type: ignore[arg-type]
        messages.success(request, _("Training session added."))
    except DomainError as error:
        flash_error(request, error)
    return _to_page(project, pk, "sessions")


@require_POST
@project_page(TRAINING_PLAN)
def session_edit(request: HttpRequest, project: Project, pk: int, session_pk: int) -> HttpResponse:
    release = selectors.release_detail(project, pk)
    try:
        training.session_update(
            actor=request.user,  # type: ignore[arg-type]
            session=training.session_detail(release, session_pk),
            expected_version=posted_version(request),
            **_session_fields(request),
        )
        messages.success(request, _("Training session saved."))
    except DomainError as error:
        flash_error(request, error)
    return _to_page(project, pk, f"session-{session_pk}")


@require_POST
@project_page(TRAINING_PLAN)
def attendee_add(request: HttpRequest, project: Project, pk: int, session_pk: int) -> HttpResponse:
    release = selectors.release_detail(project, pk)
    try:
        training.attendee_add(
            actor=request.user,  # type: ignore[arg-type]
            session=training.session_detail(release, session_pk),
            name=request.POST.get("name", ""),
            member=request.POST.get("member") or None,
            role=request.POST.get("role", ""),
            wave=_optional_id(request.POST.get("wave", ""), "wave"),
        )
        messages.success(request, _("Attendee registered."))
    except DomainError as error:
        flash_error(request, error)
    return _to_page(project, pk, f"session-{session_pk}")


def _marks(request: HttpRequest, session: object) -> dict[int, training.Mark]:
    marks: dict[int, training.Mark] = {}
    for attendee in session.attendees.all():  # type: ignore[attr-defined]
        attendance = request.POST.get(f"attendance-{attendee.pk}")
        if attendance is None:
            continue
        raw = request.POST.get(f"satisfaction-{attendee.pk}", "")
        marks[attendee.pk] = (attendance, posted_int(raw, attendee.name) if raw else None)
    return marks


@require_POST
@project_page(TRAINING_RECORD)
def attendance_record(request: HttpRequest, project: Project, pk: int, session_pk: int) -> HttpResponse:
    release = selectors.release_detail(project, pk)
    session = training.session_detail(release, session_pk)
    try:
        if session.attendees.all():
            training.attendance_record(
                actor=request.user,  # type: ignore[arg-type]
                session=session,
                expected_version=posted_version(request),
                marks=_marks(request, session),
            )
        else:
            training.attendance_record(
                actor=request.user,  # type: ignore[arg-type]
                session=session,
                expected_version=posted_version(request),
                attended=posted_int(request.POST.get("attended", ""), "attended"),
            )
        messages.success(request, _("Attendance recorded."))
    except DomainError as error:
        flash_error(request, error)
    return _to_page(project, pk, f"session-{session_pk}")


urlpatterns: list[URLPattern] = [
    path("releases/<int:pk>/training/", training_page, name="training"),
    path("releases/<int:pk>/training/courses/new/", course_create, name="training_course_create"),
    path("releases/<int:pk>/training/courses/<int:course_pk>/edit/", course_edit, name="training_course_edit"),
    path("releases/<int:pk>/training/sessions/new/", session_create, name="training_session_create"),
    path("releases/<int:pk>/training/sessions/<int:session_pk>/edit/", session_edit, name="training_session_edit"),
    path(
        "releases/<int:pk>/training/sessions/<int:session_pk>/attendees/",
        attendee_add,
        name="training_attendee_add",
    ),
    path(
        "releases/<int:pk>/training/sessions/<int:session_pk>/attendance/",
        attendance_record,
        name="training_attendance",
    ),
]
