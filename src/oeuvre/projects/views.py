from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from oeuvre.accounts.permissions import (
    PROJECT_CHANGE_PHASE,
    PROJECT_EDIT,
    PROJECT_MANAGE_MEMBERS,
    PROJECT_VIEW,
    PROJECT_VIEW_ACTIVITY,
    current_user,
)
from oeuvre.accounts.roles import Role
from oeuvre.core.activity import activity_events, project_activity, to_entries
from oeuvre.core.errors import DomainError
from oeuvre.projects import selectors, services
from oeuvre.projects.forms import ClosureForm, MemberAddForm, MemberEditForm, PhaseForm, ProjectForm
from oeuvre.projects.models import Closure, Phase, Project
from oeuvre.web.context import project_context
from oeuvre.web.decorators import project_page, user_page
from oeuvre.web.forms import apply_error
from oeuvre.web.listing import Column, build_listing, export_csv
from oeuvre.web.panels import home_panels

PORTFOLIO_COLUMNS = [
    Column("code", gettext_lazy("Code"), lambda p: p.code, "code"),
    Column("name", gettext_lazy("Project"), lambda p: p.name, "name"),
    Column("moa", gettext_lazy("MOA"), lambda p: p.moa_organisation.name, "moa_organisation__name"),
    Column("moe", gettext_lazy("MOE"), lambda p: p.moe_organisation.name, "moe_organisation__name"),
    Column("phase", gettext_lazy("Phase"), lambda p: p.get_phase_display(), "phase"),
    Column("delivery", gettext_lazy("Delivery"), lambda p: p.delivery_date, "delivery_date"),
    Column("role", gettext_lazy("My role"), lambda p: p.my_role_label, None),
]


@user_page
def portfolio(request: HttpRequest) -> HttpResponse:
    listing = build_listing(
        request,
        selectors.projects_for_user(request.user),
        PORTFOLIO_COLUMNS,
        search=["name", "code", "moa_organisation__name", "moe_organisation__name"],
        filters={"phase": "phase"},
        default_sort="name",
        per_page=25,
    )
    labels = dict(Role.choices)
    rows = listing.page.paginator.object_list if listing.wants_csv else listing.page.object_list
    for project in rows:
        project.my_role_label = labels.get(project.my_role, "")
    if listing.wants_csv:
        return export_csv("portefeuille.csv", PORTFOLIO_COLUMNS, rows)
    return render(
        request,
        "projects/portfolio.html",
        {
            "listing": listing,
            "nav": "portfolio",
            "phases": Phase.choices,
            "may_create": services.may_create_project(request.user),
        },
    )


@project_page(PROJECT_VIEW)
def home(request: HttpRequest, project: Project) -> HttpResponse:
    context = project_context(request, project, "home")
    activity = project_activity(project, limit=8) if PROJECT_VIEW_ACTIVITY in context["my_permissions"] else []
    context.update(
        members=selectors.project_members(project),
        activity=activity,
        closures=project.closures.all(),
        phases=Phase.choices,
        phase_form=PhaseForm(initial={"phase": project.phase, "version": project.version}),
        home_panels=home_panels(request, project, context["my_permissions"]),
    )
    return render(request, "projects/home.html", context)


@project_page(PROJECT_EDIT)
def edit(request: HttpRequest, project: Project) -> HttpResponse:
    form = ProjectForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(
                actor=current_user(request),
                project=project,
                expected_version=form.cleaned_data["version"],
                **form.changes(),
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Project saved."))
            return redirect("projects:home", project.code)
    return render(request, "projects/edit.html", project_context(request, project, "home", form=form))


@require_POST
@project_page(PROJECT_CHANGE_PHASE)
def change_phase(request: HttpRequest, project: Project) -> HttpResponse:
    form = PhaseForm(request.POST)
    if form.is_valid():
        try:
            services.project_change_phase(
                actor=current_user(request),
                project=project,
                phase=form.cleaned_data["phase"],
                expected_version=form.cleaned_data["version"],
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Phase changed."))
    else:
        messages.error(request, _("Choose a phase."))
    return redirect("projects:home", project.code)


def _members_context(request: HttpRequest, project: Project, form: MemberAddForm) -> dict[str, object]:
    return project_context(
        request,
        project,
        "members",
        members=selectors.project_members(project),
        add_form=form,
        roles=Role.choices,
        matrix_url=reverse("accounts:matrix"),
    )


@project_page(PROJECT_VIEW)
def members(request: HttpRequest, project: Project) -> HttpResponse:
    return render(request, "projects/members.html", _members_context(request, project, MemberAddForm()))


@require_POST
@project_page(PROJECT_MANAGE_MEMBERS)
def member_add(request: HttpRequest, project: Project) -> HttpResponse:
    form = MemberAddForm(request.POST)
    if form.is_valid():
        try:
            services.membership_add(
                actor=current_user(request),
                project=project,
                user=form.cleaned_data["username"],
                role=form.cleaned_data["role"],
                is_admin=form.cleaned_data["is_admin"],
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Member added."))
            return redirect("projects:members", project.code)
    return render(request, "projects/members.html", _members_context(request, project, form), status=422)


@require_POST
@project_page(PROJECT_MANAGE_MEMBERS)
def member_edit(request: HttpRequest, project: Project, member_id: int) -> HttpResponse:
    membership = get_object_or_404(selectors.project_members(project), pk=member_id)
    form = MemberEditForm(request.POST, instance=membership)
    if form.is_valid():
        try:
            services.membership_update(
                actor=current_user(request),
                membership=membership,
                role=form.cleaned_data["role"],
                is_admin=form.cleaned_data["is_admin"],
                expected_version=form.cleaned_data["version"],
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Member updated."))
    else:
        messages.error(request, _("Choose a valid role."))
    return redirect("projects:members", project.code)


@require_POST
@project_page(PROJECT_MANAGE_MEMBERS)
def member_remove(request: HttpRequest, project: Project, member_id: int) -> HttpResponse:
    membership = get_object_or_404(selectors.project_members(project), pk=member_id)
    try:
        services.membership_remove(actor=current_user(request), membership=membership)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Member removed."))
    return redirect("projects:members", project.code)


@project_page(PROJECT_EDIT)
def closure_add(request: HttpRequest, project: Project) -> HttpResponse:
    form = ClosureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.closure_add(actor=current_user(request), project=project, **form.cleaned_data)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Closure added."))
            return redirect("projects:home", project.code)
    return render(request, "projects/closure_form.html", project_context(request, project, "home", form=form))


@require_POST
@project_page(PROJECT_EDIT)
def closure_remove(request: HttpRequest, project: Project, closure_id: int) -> HttpResponse:
    closure = get_object_or_404(Closure, pk=closure_id, project=project)
    services.closure_remove(actor=current_user(request), closure=closure)
    messages.success(request, _("Closure removed."))
    return redirect("projects:home", project.code)


@project_page(PROJECT_VIEW_ACTIVITY)
def activity(request: HttpRequest, project: Project) -> HttpResponse:
    page = Paginator(activity_events(project), 50).get_page(request.GET.get("page"))
    context = project_context(request, project, "activity", page=page, entries=to_entries(page.object_list))
    return render(request, "projects/activity.html", context)
