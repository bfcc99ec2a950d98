"""The deployment stage's pages (thin): environments and what runs where, releases, readiness, the go/no-go."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oeuvre.accounts.permissions import can
from oeuvre.core.errors import DomainError
from oeuvre.engine.gonogo import CRITERIA
from oeuvre.mep import configuration, release_notes, selectors, services, training, waves
from oeuvre.mep.models import Environment, EnvironmentKind, GoNoGoVerdict, ReadinessItem, ReleaseStatus, WaveStatus
from oeuvre.mep.permissions import GONOGO_DECIDE, MEP_ATTEST, MEP_CONFIGURE, MEP_MANAGE, MEP_VIEW
from oeuvre.projects.models import Project
from oeuvre.projects.selectors import project_members
from oeuvre.requirements.selectors import components_for
from oeuvre.web.context import project_context
from oeuvre.web.decorators import project_page
from oeuvre.web.form_values import posted_date, posted_int
from oeuvre.web.forms import flash_error, posted_version

__all__ = ["urlpatterns"]


def _to_index(project: Project) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("mep:index", args=[project.code]))


def _to_release(project: Project, pk: int, anchor: str = "") -> HttpResponseRedirect:
    url = reverse("mep:release_detail", args=[project.code, pk])
    return HttpResponseRedirect(f"{url}#{anchor}" if anchor else url)


@project_page(MEP_VIEW)
def index(request: HttpRequest, project: Project) -> HttpResponse:
    user = request.user
    matrix = selectors.where_runs_what(project)
    can_manage = can(user, project, MEP_MANAGE)
    return render(
        request,
        "mep/index.html",
        project_context(
            request,
            project,
            "mep",
            matrix=matrix,
            config=configuration.config_matrix(project, matrix["environments"]),
            members=[m.user for m in project_members(project)] if can_manage else [],
            releases=selectors.releases_for(project),
            components=components_for(project) if can(user, project, MEP_MANAGE) else [],
            settings=selectors.gonogo_settings(project),
            criteria=CRITERIA,
            kinds=EnvironmentKind.choices,
            statuses=ReleaseStatus.choices,
            can_manage=can_manage,
            can_configure=can(user, project, MEP_CONFIGURE),
        ),
    )


@require_POST
@project_page(MEP_MANAGE)
def environment_create(request: HttpRequest, project: Project) -> HttpResponse:
    try:
        env = services.environment_create(
            actor=request.user,  # type: ignore[arg-type]
            project=project,
            kind=request.POST.get("kind", ""),
            name=request.POST.get("name", ""),
            url=request.POST.get("url", ""),
        )
        messages.success(request, _("Environment %(name)s added.") % {"name": env.name})
    except DomainError as error:
        flash_error(request, error)
    return _to_index(project)


@require_POST
@project_page(MEP_MANAGE)
def deployment_set(request: HttpRequest, project: Project) -> HttpResponse:
    environment = get_object_or_404(Environment, project=project, pk=request.POST.get("environment") or 0)
    component = get_object_or_404(components_for(project), pk=request.POST.get("component") or 0)
    try:
        services.deployment_set(
            actor=request.user,  # type: ignore[arg-type]
            environment=environment,
            component=component,
            version_label=request.POST.get("version_label", ""),
            deployed_on=posted_date(request.POST.get("deployed_on", ""), "deployed_on"),
        )
        messages.success(request, _("Deployed version recorded."))
    except DomainError as error:
        flash_error(request, error)
    return _to_index(project)


@require_POST
@project_page(MEP_MANAGE)
def config_item_set(request: HttpRequest, project: Project) -> HttpResponse:
    environment = get_object_or_404(Environment, project=project, pk=request.POST.get("environment") or 0)
    owner_id = request.POST.get("owner") or ""
    owner = None
    if owner_id:
        owner = next((m.user for m in project_members(project) if str(m.user.pk) == owner_id), None)
    try:
        item = configuration.config_item_set(
            actor=request.user,  # type: ignore[arg-type]
            environment=environment,
            name=request.POST.get("name", ""),
            value=request.POST.get("value", ""),
            secret_ref=request.POST.get("secret_ref", ""),
            owner=owner,
            description=request.POST.get("description", ""),
        )
        messages.success(request, _("Item %(name)s of %(env)s saved.") % {"name": item.name, "env": environment.name})
    except DomainError as error:
        flash_error(request, error)
    return HttpResponseRedirect(reverse("mep:index", args=[project.code]) + "#config")


@require_POST
@project_page(MEP_MANAGE)
def config_item_delete(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    item = configuration.config_item_detail(project, pk)
    configuration.config_item_delete(actor=request.user, item=item)  # type: ignore[arg-type]
    messages.success(request, _("Item %(name)s removed.") % {"name": item.name})
    return HttpResponseRedirect(reverse("mep:index", args=[project.code]) + "#config")


@require_POST
@project_page(MEP_MANAGE)
def release_create(request: HttpRequest, project: Project) -> HttpResponse:
    try:
        release = services.release_create(
            actor=request.user,  # type: ignore[arg-type]
            project=project,
            number=request.POST.get("number", ""),
            title=request.POST.get("title", ""),
            planned_date=posted_date(request.POST.get("planned_date", ""), "planned_date"),
        )
    except DomainError as error:
        flash_error(request, error)
        return _to_index(project)
    messages.success(request, _("Release %(number)s created.") % {"number": release.number})
    return _to_release(project, release.pk)


@require_POST
@project_page(MEP_CONFIGURE)
def settings_update(request: HttpRequest, project: Project) -> HttpResponse:
    try:
        services.gonogo_settings_update(
            actor=request.user,  # type: ignore[arg-type]
            project=project,
            expected_version=posted_version(request),
            max_open_bloquantes=posted_int(request.POST.get("max_open_bloquantes", ""), "max_open_bloquantes"),
            max_open_majeures=posted_int(request.POST.get("max_open_majeures", ""), "max_open_majeures"),
            ignored_criteria=[c for c in CRITERIA if c not in request.POST.getlist("applied")],
        )
        messages.success(request, _("Go/no-go criteria saved."))
    except DomainError as error:
        flash_error(request, error)
    return _to_index(project)


@project_page(MEP_VIEW)
def release_detail(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    release = selectors.release_detail(project, pk)
    user = request.user
    gonogo = selectors.gonogo_for(release)
    return render(
        request,
        "mep/release.html",
        project_context(
            request,
            project,
            "mep",
            release=release,
            content=selectors.release_content(release),
            gonogo=gonogo,
            garantie=selectors.garantie_for(project, [release]).get(release.pk),
            plan=waves.wave_plan(release),
            training=training.training_plan(release),
            wave_statuses=WaveStatus.choices,
            items=[(item, gonogo.checks.get(item.value)) for item in ReadinessItem],
            statuses=ReleaseStatus.choices,
            verdicts=GoNoGoVerdict.choices,
            can_manage=can(user, project, MEP_MANAGE),
            can_attest=can(user, project, MEP_ATTEST),
            can_decide=can(user, project, GONOGO_DECIDE),
        ),
    )


def _wave_fields(request: HttpRequest) -> dict[str, object]:
    return {
        "name": request.POST.get("name", ""),
        "sites": request.POST.get("sites", ""),
        "planned_date": posted_date(request.POST.get("planned_date", ""), "planned_date"),
        "users": posted_int(request.POST.get("users", "") or "0", "users"),
        "prerequisites": request.POST.get("prerequisites", ""),
        "runbook_link": request.POST.get("runbook_link", ""),
    }


@require_POST
@project_page(MEP_MANAGE)
def wave_create(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    release = selectors.release_detail(project, pk)
    try:
        wave = waves.wave_create(actor=request.user, release=release, **_wave_fields(request))  # type: ignore[arg-type]
        messages.success(request, _("Wave %(name)s added.") % {"name": wave.name})
    except DomainError as error:
        flash_error(request, error)
    return _to_release(project, pk, "waves")


@require_POST
@project_page(MEP_MANAGE)
def wave_edit(request: HttpRequest, project: Project, pk: int, wave_pk: int) -> HttpResponse:
    release = selectors.release_detail(project, pk)
    wave = waves.wave_detail(release, wave_pk)
    try:
        waves.wave_update(
            actor=request.user,  # type: ignore[arg-type]
            wave=wave,
            expected_version=posted_version(request),
            status=request.POST.get("status", wave.status),
            actual_date=posted_date(request.POST.get("actual_date", ""), "actual_date"),
        )
        messages.success(request, _("Wave saved."))
    except DomainError as error:
        flash_error(request, error)
    return _to_release(project, pk, f"wave-{wave_pk}")


@require_POST
@project_page(GONOGO_DECIDE)
def wave_decide(request: HttpRequest, project: Project, pk: int, wave_pk: int) -> HttpResponse:
    release = selectors.release_detail(project, pk)
    wave = waves.wave_detail(release, wave_pk)
    try:
        waves.wave_decide(
            actor=request.user,  # type: ignore[arg-type]
            wave=wave,
            decision=request.POST.get("decision", ""),
            note=request.POST.get("note", ""),
            expected_version=posted_version(request),
        )
        messages.success(request, _("Go/no-go of the wave recorded."))
    except DomainError as error:
        flash_error(request, error)
    return _to_release(project, pk, f"wave-{wave_pk}")


@project_page(MEP_VIEW)
def release_notes_download(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    """The release notes as a file: ``?format=md|pdf&lang=fr|en`` (defaults: Markdown, the page's language)."""
    release = selectors.release_detail(project, pk)
    fmt = request.GET.get("format", "md")
    language = request.GET.get("lang") or (request.LANGUAGE_CODE or "fr")[:2]
    if fmt not in release_notes.FORMATS or language not in release_notes.LANGUAGES:
        raise Http404("format")
    body = release_notes.render_notes(release, fmt=fmt, language=language)
    kind = "application/pdf" if fmt == "pdf" else "text/markdown; charset=utf-8"
    response = HttpResponse(body, content_type=kind)
    name = release_notes.notes_filename(release, fmt, language)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
@project_page(MEP_MANAGE)
def release_edit(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    release = selectors.release_detail(project, pk)
    try:
        services.release_update(
            actor=request.user,  # type: ignore[arg-type]
            release=release,
            expected_version=posted_version(request),
            title=request.POST.get("title", ""),
            status=request.POST.get("status", ""),
            planned_date=posted_date(request.POST.get("planned_date", ""), "planned_date"),
            actual_date=posted_date(request.POST.get("actual_date", ""), "actual_date"),
        )
        messages.success(request, _("Release saved."))
    except DomainError as error:
        flash_error(request, error)
    return _to_release(project, pk)


@require_POST
@project_page(MEP_ATTEST)
def readiness_attest(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    release = selectors.release_detail(project, pk)
    item = request.POST.get("item", "")
    try:
        services.readiness_attest(
            actor=request.user,  # type: ignore[arg-type]
            release=release,
            item=item,
            done=request.POST.get("done") == "1",
            evidence=request.POST.get("evidence", ""),
        )
        messages.success(request, _("Readiness recorded."))
    except DomainError as error:
        flash_error(request, error)
    return _to_release(project, pk, f"check-{item}")


@require_POST
@project_page(GONOGO_DECIDE)
def gonogo_decide(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    release = selectors.release_detail(project, pk)
    try:
        decision = services.gonogo_decide(
            actor=request.user,  # type: ignore[arg-type]
            release=release,
            decision=request.POST.get("decision", ""),
            reason=request.POST.get("reason", ""),
            password=request.POST.get("password", ""),
            otp=request.POST.get("otp", ""),
        )
        messages.success(
            request,
            _("Decision « %(decision)s » signed (entry #%(entry)s of the chain).")
            % {"decision": decision.get_decision_display(), "entry": decision.ledger_entry.sequence},
        )
    except DomainError as error:
        flash_error(request, error)
    return _to_release(project, pk, "gonogo")


urlpatterns: list[URLPattern] = [
    path("", index, name="index"),
    path("environments/new/", environment_create, name="environment_create"),
    path("deployments/", deployment_set, name="deployment_set"),
    path("settings/", settings_update, name="settings"),
    path("config/", config_item_set, name="config_item_set"),
    path("config/<int:pk>/delete/", config_item_delete, name="config_item_delete"),
    path("releases/new/", release_create, name="release_create"),
    path("releases/<int:pk>/", release_detail, name="release_detail"),
    path("releases/<int:pk>/edit/", release_edit, name="release_edit"),
    path("releases/<int:pk>/notes/", release_notes_download, name="release_notes"),
    path("releases/<int:pk>/waves/new/", wave_create, name="wave_create"),
    path("releases/<int:pk>/waves/<int:wave_pk>/edit/", wave_edit, name="wave_edit"),
    path("releases/<int:pk>/waves/<int:wave_pk>/gonogo/", wave_decide, name="wave_decide"),
    path("releases/<int:pk>/readiness/", readiness_attest, name="readiness_attest"),
    path("releases/<int:pk>/gonogo/", gonogo_decide, name="gonogo_decide"),
]
