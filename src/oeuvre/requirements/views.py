"""Pages of the requirements stage (thin: parse input, call services and selectors, render)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oeuvre.accounts.models import User
from oeuvre.accounts.permissions import can, current_user, membership_of
from oeuvre.accounts.roles import Role
from oeuvre.core.errors import DomainError, StaleVersion
from oeuvre.core.jobs import job_or_404, job_state
from oeuvre.interop.errors import FileFormatError
from oeuvre.interop.xhtml import markdown_to_html
from oeuvre.projects.models import Project
from oeuvre.requirements import exports, imports, jobs, selectors, services, tables
from oeuvre.requirements.forms import (
    ComponentForm,
    DecisionForm,
    DeliverableForm,
    ExigenceForm,
    FreezeForm,
    LinkForm,
    RuleForm,
    SettingsForm,
    SpecificationForm,
    TransitionForm,
    UploadForm,
)
from oeuvre.requirements.models import (
    CdcVersion,
    Component,
    Deliverable,
    Exigence,
    ExigenceStatus,
    ExigenceType,
    Priority,
    RaciAssignment,
    Specification,
    TraceKind,
    TraceLink,
)
from oeuvre.requirements.permissions import (
    ARCHITECTURE_EDIT,
    DELIVERABLES_DECIDE,
    DELIVERABLES_EDIT,
    DELIVERABLES_SUBMIT,
    REQUIREMENTS_BASELINE,
    REQUIREMENTS_CONFIGURE,
    REQUIREMENTS_EDIT,
    REQUIREMENTS_IMPORT,
    REQUIREMENTS_SUBMIT,
    REQUIREMENTS_VALIDATE,
    REQUIREMENTS_VIEW,
    SPECIFICATIONS_EDIT,
    TRACE_EDIT,
)
from oeuvre.web.context import project_context
from oeuvre.web.decorators import project_page
from oeuvre.web.forms import apply_error
from oeuvre.web.tables import datatable

NAV = "requirements"


def _ctx(request: HttpRequest, project: Project, **extra: Any) -> dict[str, Any]:
    return project_context(request, project, NAV, **extra)


def _download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# --- Exigences ---------------------------------------------------------------------------------------


@project_page(REQUIREMENTS_VIEW)
def index(request: HttpRequest, project: Project) -> HttpResponse:
    fmt = request.GET.get("format")
    if fmt == "xlsx":
        return _download(exports.exigences_xlsx(project), f"exigences-{project.code}.xlsx", XLSX)
    if fmt == "reqif":
        return _download(exports.exigences_reqif(project), f"exigences-{project.code}.reqif", "application/xml")
    table = datatable(request, project, tables.EXIGENCES)
    if isinstance(table, HttpResponse):
        return table
    return render(
        request,
        "requirements/index.html",
        _ctx(request, project, table=table, summary=selectors.coverage_summary(project)),
    )


@project_page(REQUIREMENTS_EDIT)
def exigence_new(request: HttpRequest, project: Project) -> HttpResponse:
    form = ExigenceForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            exigence = services.exigence_create(actor=current_user(request), project=project, **form.changes())
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Requirement %(ref)s created.") % {"ref": exigence.reference})
            return redirect("requirements:detail", project.code, exigence.pk)
    return render(request, "requirements/form.html", _ctx(request, project, form=form, heading=_("New requirement")))


def _exigence(project: Project, pk: int) -> Exigence:
    return get_object_or_404(Exigence.objects.select_related("project"), project=project, pk=pk)


def _detail_context(request: HttpRequest, project: Project, pk: int, **extra: Any) -> dict[str, Any]:
    try:
        detail = selectors.exigence_detail(project, pk)
    except Exigence.DoesNotExist:
        raise Http404("exigence") from None
    return _ctx(
        request,
        project,
        detail=detail,
        exigence=detail.exigence,
        text_html=markdown_to_html(detail.exigence.text),
        link_form=LinkForm(initial={"kind": TraceKind.SATISFIES, "target": detail.exigence.reference}),
        **extra,
    )


@project_page(REQUIREMENTS_VIEW)
def detail(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    return render(request, "requirements/detail.html", _detail_context(request, project, pk))


@project_page(REQUIREMENTS_EDIT)
def exigence_edit(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    """Inline editing (htmx swaps the form into the detail page); a full page without JavaScript."""
    exigence = _exigence(project, pk)
    form = ExigenceForm(request.POST or None, instance=exigence if request.method != "POST" else None, project=project)
    if request.method != "POST":
        form = ExigenceForm(instance=exigence, project=project)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.exigence_update(
                actor=current_user(request),
                exigence=exigence,
                expected_version=form.cleaned_data["version"],
                **form.changes(),
            )
        except StaleVersion as exc:
            apply_error(form, exc)
            # Show what the other person saved next to the user's input, which stays in the form.
            conflict = Exigence.objects.select_related("owner").get(pk=exigence.pk)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Requirement saved."))
            if request.htmx:  # type: ignore[attr-defined]
                return render(request, "requirements/_detail_main.html", _detail_context(request, project, pk))
            return redirect("requirements:detail", project.code, pk)
    template = "requirements/_edit_form.html" if request.htmx else "requirements/edit.html"  # type: ignore[attr-defined]
    return render(request, template, _ctx(request, project, form=form, exigence=exigence, conflict=conflict))


@project_page(REQUIREMENTS_VIEW)
def exigence_main(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    """The detail's main block alone (htmx: cancel an inline edit)."""
    return render(request, "requirements/_detail_main.html", _detail_context(request, project, pk))


@require_POST
@project_page(REQUIREMENTS_SUBMIT)
def exigence_submit(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    return _transition(request, project, pk, "submit")


@require_POST
@project_page(REQUIREMENTS_VALIDATE)
def exigence_decide(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    action = "reject" if request.POST.get("action") == "reject" else "validate"
    return _transition(request, project, pk, action)


def _transition(request: HttpRequest, project: Project, pk: int, action: str) -> HttpResponse:
    exigence = _exigence(project, pk)
    form = TransitionForm({**request.POST.dict(), "action": action})
    if not form.is_valid():
        messages.error(request, _("The form was incomplete; reload the page."))
        return redirect("requirements:detail", project.code, pk)
    try:
        services.exigence_transition(
            actor=current_user(request), exigence=exigence, action=action,
            expected_version=form.cleaned_data["version"], comment=form.cleaned_data["comment"],
        )  # fmt: skip
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, str(services.EXIGENCE_WORKFLOW[action].done))
    return redirect("requirements:detail", project.code, pk)


@require_POST
@project_page(REQUIREMENTS_EDIT)
def exigence_delete(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    exigence = _exigence(project, pk)
    try:
        services.exigence_delete(actor=current_user(request), exigence=exigence)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("requirements:detail", project.code, pk)
    messages.success(request, _("Requirement deleted."))
    return redirect("requirements:index", project.code)


@project_page(REQUIREMENTS_VIEW)
def impact(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    exigence = _exigence(project, pk)
    result = selectors.impact_of(project, [exigence.pk])
    from oeuvre.requirements.traces import impact_provider_keys

    return render(
        request,
        "requirements/impact.html",
        _ctx(request, project, exigence=exigence, impact=result, providers=impact_provider_keys()),
    )


# --- Trace links ------------------------------------------------------------------------------------------


def _find_item(project: Project, reference: str) -> Exigence | Specification | Component | None:
    reference = reference.strip()
    for model in (Exigence, Specification, Component):
        found = model.objects.filter(project=project, reference=reference).first()
        if found is not None:
            return found
    return None


@require_POST
@project_page(TRACE_EDIT)
def link_add(request: HttpRequest, project: Project) -> HttpResponse:
    form = LinkForm(request.POST)
    back = request.POST.get("next") or reverse("requirements:index", args=[project.code])
    if not back.startswith("/"):
        back = reverse("requirements:index", args=[project.code])
    if form.is_valid():
        source = _find_item(project, form.cleaned_data["source"])
        target = _find_item(project, form.cleaned_data["target"])
        if source is None or target is None:
            missing = form.cleaned_data["source"] if source is None else form.cleaned_data["target"]
            messages.error(
                request, _("No requirement, specification or component has the reference %(ref)s.") % {"ref": missing}
            )
        else:
            try:
                services.trace_link_add(
                    actor=current_user(request),
                    project=project,
                    kind=form.cleaned_data["kind"],
                    source=source,
                    target=target,
                    comment=form.cleaned_data["comment"],
                )
            except DomainError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("Link added."))
    else:
        messages.error(request, _("Give the link's kind and both references."))
    return redirect(back)


@require_POST
@project_page(TRACE_EDIT)
def link_remove(request: HttpRequest, project: Project, link_id: int) -> HttpResponse:
    link = get_object_or_404(TraceLink, project=project, pk=link_id)
    services.trace_link_remove(actor=current_user(request), link=link)
    messages.success(request, _("Link removed."))
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/") else reverse("requirements:index", args=[project.code]))


# --- Specifications and components ----------------------------------------------------------------------


@project_page(REQUIREMENTS_VIEW)
def specifications(request: HttpRequest, project: Project) -> HttpResponse:
    table = datatable(request, project, tables.SPECIFICATIONS)
    if isinstance(table, HttpResponse):
        return table
    return render(request, "requirements/specifications.html", _ctx(request, project, table=table))


@project_page(REQUIREMENTS_VIEW)
def components(request: HttpRequest, project: Project) -> HttpResponse:
    table = datatable(request, project, tables.COMPONENTS)
    if isinstance(table, HttpResponse):
        return table
    return render(request, "requirements/components.html", _ctx(request, project, table=table))


def _item_page(
    request: HttpRequest,
    project: Project,
    *,
    model: type[Any],
    form_class: type[Any],
    permission: str,
    pk: int | None,
    link_field: str,
    link_kind: str,
    create: Any,
    update: Any,
    url_name: str,
    template: str,
) -> HttpResponse:
    item = get_object_or_404(model, project=project, pk=pk) if pk is not None else None
    may_edit = can(request.user, project, permission)
    if request.method == "POST" and not may_edit:
        raise PermissionDenied(_("Your role on this project does not allow this action."))
    form = form_class(request.POST or None, instance=item, project=project)
    if request.method == "POST" and form.is_valid():
        actor = current_user(request)
        try:
            if item is None:
                item = create(actor=actor, project=project, **form.changes())
            else:
                item = update(
                    actor=actor,
                    expected_version=form.cleaned_data["version"],
                    **{model.__name__.lower(): item},
                    **form.changes(),
                )
            if can(request.user, project, TRACE_EDIT):
                services.trace_links_set(
                    actor=actor, project=project, kind=link_kind, source=item, targets=form.cleaned_data[link_field]
                )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(url_name, project.code, item.pk)
    context = _ctx(request, project, form=form, item=item, may_edit=may_edit)
    if item is not None:
        context["text_html"] = markdown_to_html(getattr(item, "text", "") or getattr(item, "description", ""))
        context["history"] = list(item.history.select_related("history_user").order_by("-history_date")[:30])
        if isinstance(item, Specification):
            context["exigences"] = list(item.exigences.order_by("number"))
            context["components"] = list(item.components.order_by("number"))
            context["links_in"] = list(item.links_out.filter(kind=TraceKind.SATISFIES).select_related("dst_exigence"))
        else:
            context["specifications"] = list(item.specifications.order_by("number"))
            context["allocated"] = list(item.links_in.filter(kind=TraceKind.ALLOCATED).select_related("src_exigence"))
    return render(request, template, context)


SPEC_PAGE: dict[str, Any] = {
    "model": Specification,
    "form_class": SpecificationForm,
    "permission": SPECIFICATIONS_EDIT,
    "link_field": "exigences",
    "link_kind": TraceKind.SATISFIES,
    "create": services.specification_create,
    "update": services.specification_update,
    "url_name": "requirements:specification",
    "template": "requirements/specification.html",
}
COMPONENT_PAGE: dict[str, Any] = {
    "model": Component,
    "form_class": ComponentForm,
    "permission": ARCHITECTURE_EDIT,
    "link_field": "specifications",
    "link_kind": TraceKind.REALISES,
    "create": services.component_create,
    "update": services.component_update,
    "url_name": "requirements:component",
    "template": "requirements/component.html",
}


@project_page(REQUIREMENTS_VIEW)
def specification_detail(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    return _item_page(request, project, pk=pk, **SPEC_PAGE)


@project_page(SPECIFICATIONS_EDIT)
def specification_new(request: HttpRequest, project: Project) -> HttpResponse:
    return _item_page(request, project, pk=None, **SPEC_PAGE)


@project_page(REQUIREMENTS_VIEW)
def component_detail(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    return _item_page(request, project, pk=pk, **COMPONENT_PAGE)


@project_page(ARCHITECTURE_EDIT)
def component_new(request: HttpRequest, project: Project) -> HttpResponse:
    return _item_page(request, project, pk=None, **COMPONENT_PAGE)


@require_POST
@project_page(SPECIFICATIONS_EDIT)
def specification_delete(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    spec = get_object_or_404(Specification, project=project, pk=pk)
    services.specification_delete(actor=current_user(request), specification=spec)
    messages.success(request, _("Specification deleted."))
    return redirect("requirements:specifications", project.code)


@require_POST
@project_page(ARCHITECTURE_EDIT)
def component_delete(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    component = get_object_or_404(Component, project=project, pk=pk)
    services.component_delete(actor=current_user(request), component=component)
    messages.success(request, _("Component deleted."))
    return redirect("requirements:components", project.code)


# --- Baselines ---------------------------------------------------------------------------------------------


@project_page(REQUIREMENTS_VIEW)
def baselines(request: HttpRequest, project: Project) -> HttpResponse:
    versions = CdcVersion.objects.filter(project=project).select_related("frozen_by").order_by("-created_at")
    return render(request, "requirements/baselines.html", _ctx(request, project, versions=versions, form=FreezeForm()))


@require_POST
@project_page(REQUIREMENTS_BASELINE)
def baseline_freeze(request: HttpRequest, project: Project) -> HttpResponse:
    form = FreezeForm(request.POST)
    if form.is_valid():
        try:
            version = services.cdc_version_freeze(actor=current_user(request), project=project, **form.cleaned_data)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Baseline %(label)s frozen.") % {"label": version.label})
            return redirect("requirements:baselines", project.code)
    versions = CdcVersion.objects.filter(project=project).select_related("frozen_by").order_by("-created_at")
    return render(
        request, "requirements/baselines.html", _ctx(request, project, versions=versions, form=form), status=422
    )


@project_page(REQUIREMENTS_VIEW)
def baseline_compare(request: HttpRequest, project: Project) -> HttpResponse:
    versions = list(CdcVersion.objects.filter(project=project).order_by("created_at"))
    by_pk = {str(v.pk): v for v in versions}
    before = by_pk.get(request.GET.get("a", ""))
    after = by_pk.get(request.GET.get("b", ""))
    if before is None and versions:
        before = versions[-1]
    comparison = selectors.baseline_compare(project, before, after) if before is not None else None
    return render(
        request,
        "requirements/compare.html",
        _ctx(request, project, versions=versions, before=before, after=after, comparison=comparison),
    )


# --- RTM -----------------------------------------------------------------------------------------------------


def _rtm_filters(request: HttpRequest) -> selectors.RtmFilters:
    get = request.GET
    return selectors.RtmFilters(
        q=get.get("q", "").strip(),
        type=get.get("type", ""),
        priority=get.get("priority", ""),
        status=get.get("status", ""),
        gap=get.get("gap", ""),
        sort=get.get("sort", "reference"),
    )


@project_page(REQUIREMENTS_VIEW)
def rtm(request: HttpRequest, project: Project) -> HttpResponse:
    filters = _rtm_filters(request)
    fmt = request.GET.get("format")
    if fmt == "xlsx":
        return _download(exports.rtm_xlsx(project, filters), f"rtm-{project.code}.xlsx", XLSX)
    if fmt == "csv":
        return _download(exports.rtm_csv(project, filters), f"rtm-{project.code}.csv", "text/csv; charset=utf-8")
    try:
        page_number = int(request.GET.get("page", "1"))
    except ValueError:
        page_number = 1
    page = selectors.rtm_page(project, filters, page=page_number, per_page=100)
    params = {k: v for k, v in request.GET.items() if k != "page" and v}
    from urllib.parse import urlencode

    base = urlencode(params)
    context = _ctx(
        request,
        project,
        page=page,
        filters=filters,
        types=ExigenceType.choices,
        statuses=ExigenceStatus.choices,
        priorities=Priority.choices,
        gap_labels=exports.gap_labels(),
        gap_choices={k: v for k, v in exports.gap_labels().items() if page.tests_available or k != "no_test"},
        query=base,
        sort_links={
            key: urlencode({**params, "sort": key if filters.sort != key else f"-{key}"}) for key in selectors.RTM_SORTS
        },
    )
    template = "requirements/_rtm_table.html" if request.htmx else "requirements/rtm.html"  # type: ignore[attr-defined]
    return render(request, template, context)


# --- Import ----------------------------------------------------------------------------------------------------


def _upload(project: Project, token: str) -> dict[str, Any]:
    upload = jobs.upload_info(token)
    if upload is None or upload.get("project") != project.pk:
        raise Http404("upload")
    return upload


@project_page(REQUIREMENTS_IMPORT)
def import_upload(request: HttpRequest, project: Project) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            imports.read_source(data, upload.name, header_row=form.cleaned_data["header_row"])
        except FileFormatError as exc:
            form.add_error("file", imports.file_error_message(exc))
        else:
            token = jobs.register_upload(project, upload.name, data, form.cleaned_data["header_row"])
            return redirect("requirements:import_map", project.code, token)
    return render(
        request,
        "requirements/import_upload.html",
        _ctx(request, project, form=form),
        status=422 if form.errors else 200,
    )


@project_page(REQUIREMENTS_IMPORT)
def import_map(request: HttpRequest, project: Project, token: str) -> HttpResponse:
    upload = _upload(project, token)
    with default_storage.open(upload["stored"], "rb") as handle:
        data = handle.read()
    source = imports.read_source(data, upload["filename"], header_row=upload.get("header_row"))
    table = source.table
    suggested = imports.suggest_mapping(table.columns, table)
    if request.method == "POST":
        mapping = {c: request.POST.get(f"map-{i}", "") for i, c in enumerate(table.columns)}
        mapping = {c: f for c, f in mapping.items() if f in imports.IMPORT_FIELDS}
        dry_run = request.POST.get("action") != "commit"
        job = jobs.enqueue_import(
            actor=current_user(request),
            project=project,
            stored=upload["stored"],
            filename=upload["filename"],
            mapping=mapping,
            dry_run=dry_run,
            header_row=upload.get("header_row"),
        )
        jobs.remember_mapping(token, mapping)
        return redirect("requirements:import_job", project.code, token, job.pk)
    mapping = upload.get("mapping") or suggested
    samples = [[("" if v is None else str(v))[:60] for v in row.cells] for row in table.rows[:3]]
    columns = [
        {"index": i, "label": c, "choice": mapping.get(c, ""), "samples": [s[i] for s in samples if i < len(s)]}
        for i, c in enumerate(table.columns)
    ]
    return render(
        request,
        "requirements/import_map.html",
        _ctx(
            request,
            project,
            token=token,
            upload=upload,
            columns=columns,
            fields=list(imports.IMPORT_FIELDS.items()),
            rows=len(table.rows),
            fmt=source.format,
            relations=len(source.relations),
        ),
    )


@require_POST
@project_page(REQUIREMENTS_IMPORT)
def import_commit(request: HttpRequest, project: Project, token: str) -> HttpResponse:
    """Commit what the dry run showed, with the mapping it used."""
    upload = _upload(project, token)
    if not upload.get("mapping"):
        return redirect("requirements:import_map", project.code, token)
    job = jobs.enqueue_import(
        actor=current_user(request),
        project=project,
        stored=upload["stored"],
        filename=upload["filename"],
        mapping=upload["mapping"],
        dry_run=False,
        header_row=upload.get("header_row"),
    )
    return redirect("requirements:import_job", project.code, token, job.pk)


@project_page(REQUIREMENTS_IMPORT)
def import_job(request: HttpRequest, project: Project, token: str, job_id: uuid.UUID) -> HttpResponse:
    upload = _upload(project, token)
    job = job_or_404(job_id, project=project, kind=jobs.IMPORT_JOB)
    state = job_state(job)
    context = _ctx(request, project, job=job, state=state, token=token, upload=upload, result=job.result)
    template = "requirements/_import_status.html" if request.htmx else "requirements/import_job.html"  # type: ignore[attr-defined]
    return render(request, template, context)


# --- Deliverables ----------------------------------------------------------------------------------------------


@project_page(REQUIREMENTS_VIEW)
def deliverables(request: HttpRequest, project: Project) -> HttpResponse:
    form = DeliverableForm(request.POST or None, project=project)
    if request.method == "POST":
        if not can(request.user, project, DELIVERABLES_EDIT):
            raise PermissionDenied(_("Your role on this project does not allow this action."))
        if form.is_valid():
            try:
                deliverable = services.deliverable_create(
                    actor=current_user(request), project=project, **form.changes()
                )
            except DomainError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("Deliverable created."))
                return redirect("requirements:deliverable", project.code, deliverable.pk)
    items = selectors.deliverables_for(project).order_by("due_date", "pk")
    return render(request, "requirements/deliverables.html", _ctx(request, project, items=items, form=form))


@project_page(REQUIREMENTS_VIEW)
def deliverable_detail(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    deliverable = get_object_or_404(selectors.deliverables_for(project), pk=pk)
    form = DeliverableForm(request.POST or None, instance=deliverable, project=project)
    if request.method == "POST":
        if not can(request.user, project, DELIVERABLES_EDIT):
            raise PermissionDenied(_("Your role on this project does not allow this action."))
        if form.is_valid():
            try:
                services.deliverable_update(
                    actor=current_user(request), deliverable=deliverable,
                    expected_version=form.cleaned_data["version"], **form.changes(),
                )  # fmt: skip
            except DomainError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("Deliverable saved."))
                return redirect("requirements:deliverable", project.code, pk)
    authors, validators = services.deliverable_rule(project, deliverable.kind)
    membership = membership_of(request.user, project)
    my_role = membership.role if membership else ""
    members = User.objects.filter(memberships__project=project).order_by("last_name")
    role_labels = dict(Role.choices)
    return render(
        request,
        "requirements/deliverable.html",
        _ctx(
            request,
            project,
            deliverable=deliverable,
            form=form,
            raci=list(deliverable.raci.all()),
            members=members,
            letters=RaciAssignment.Letter.choices,
            authors=[role_labels.get(r, r) for r in authors],
            validators=[role_labels.get(r, r) for r in validators],
            may_submit=can(request.user, project, DELIVERABLES_SUBMIT) and my_role in authors,
            may_decide=can(request.user, project, DELIVERABLES_DECIDE) and my_role in validators,
        ),
    )


@require_POST
@project_page(DELIVERABLES_EDIT)
def deliverable_raci(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    deliverable = get_object_or_404(Deliverable, project=project, pk=pk)
    members = {str(u.pk): u for u in User.objects.filter(memberships__project=project)}
    assignments = []
    for key in request.POST:
        value = request.POST.get(key, "")
        if key.startswith("raci-") and value:
            user = members.get(key.removeprefix("raci-"))
            if user is not None:
                for letter in value.replace(",", "").replace(" ", ""):
                    assignments.append((user, letter.upper()))
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    try:
        services.deliverable_set_raci(
            actor=current_user(request), deliverable=deliverable, assignments=assignments, expected_version=version
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("RACI saved."))
    return redirect("requirements:deliverable", project.code, pk)


@require_POST
@project_page(DELIVERABLES_SUBMIT)
def deliverable_submit(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    deliverable = get_object_or_404(Deliverable, project=project, pk=pk)
    form = DecisionForm({**request.POST.dict(), "action": "submit"})
    if form.is_valid():
        try:
            services.deliverable_submit(
                actor=current_user(request), deliverable=deliverable, expected_version=form.cleaned_data["version"]
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Deliverable submitted."))
    return redirect("requirements:deliverable", project.code, pk)


@require_POST
@project_page(DELIVERABLES_DECIDE)
def deliverable_decide(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    deliverable = get_object_or_404(Deliverable, project=project, pk=pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.deliverable_decide(
                actor=current_user(request),
                deliverable=deliverable,
                accept=form.cleaned_data["action"] == "validate",
                comment=form.cleaned_data["comment"],
                expected_version=form.cleaned_data["version"],
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Decision recorded."))
    return redirect("requirements:deliverable", project.code, pk)


# --- Settings ----------------------------------------------------------------------------------------------------


@project_page(REQUIREMENTS_CONFIGURE)
def settings_page(request: HttpRequest, project: Project) -> HttpResponse:
    current = selectors.requirements_settings(project)
    form = SettingsForm(request.POST or None, instance=current, initial={"version": current.version})
    rule_form = RuleForm()
    if request.method == "POST":
        if request.POST.get("form") == "rule":
            rule_form = RuleForm(request.POST)
            if rule_form.is_valid():
                try:
                    services.deliverable_rule_set(
                        actor=current_user(request), project=project, **rule_form.cleaned_data
                    )
                except DomainError as exc:
                    apply_error(rule_form, exc)
                else:
                    messages.success(request, _("Rule saved."))
                    return redirect("requirements:settings", project.code)
            form = SettingsForm(instance=current, initial={"version": current.version})
        elif form.is_valid():
            try:
                services.settings_update(
                    actor=current_user(request),
                    project=project,
                    expected_version=form.cleaned_data["version"] if current.pk else None,
                    **{k: form.cleaned_data[k] for k in SettingsForm.Meta.fields},
                )
            except DomainError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("Settings saved."))
                return redirect("requirements:settings", project.code)
    role_labels = dict(Role.choices)
    rules = [
        (label, [role_labels.get(r, r) for r in authors], [role_labels.get(r, r) for r in validators])
        for _kind, label, authors, validators in selectors.deliverable_rules(project)
    ]
    return render(
        request, "requirements/settings.html", _ctx(request, project, form=form, rule_form=rule_form, rules=rules)
    )
