"""Pages of the test book, campaigns, the tester's execution screen, evidence and JUnit imports (thin)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oeuvre.accounts.permissions import can, current_user
from oeuvre.core.errors import DomainError, ValidationFailed
from oeuvre.design.selectors import criterion_rows
from oeuvre.projects.models import Project
from oeuvre.recette import tables
from oeuvre.recette.api.testbook import evidence_response
from oeuvre.recette.models import (
    Campaign,
    CampaignKind,
    CampaignStatus,
    ExecutionStatus,
    Iteration,
    PlannedTest,
    TestCase,
    TestCaseStatus,
    TestFolder,
    TestPriority,
    TestType,
)
from oeuvre.recette.permissions import (
    ANOMALY_REPORT,
    CAMPAIGNS_MANAGE,
    EXECUTE,
    RECETTE_VIEW,
    RESULTS_IMPORT,
    TESTBOOK_EDIT,
)
from oeuvre.recette.selectors import testbook as selectors
from oeuvre.recette.services import testbook as services
from oeuvre.requirements.models import Exigence
from oeuvre.web.context import project_context
from oeuvre.web.decorators import project_page
from oeuvre.web.forms import VersionField, apply_error
from oeuvre.web.tables import datatable

NAV = "recette"


def _ctx(request: HttpRequest, project: Project, section: str, **extra: Any) -> dict[str, Any]:
    return project_context(request, project, NAV, section=section, **extra)


def _members(project: Project) -> Any:
    """The people a test can be assigned to: members whose role may run tests (no reader)."""
    return selectors.testers(project)


# --- forms -----------------------------------------------------------------------------------------------------


class TestCaseForm(forms.Form):
    """``test_data`` is the case's ``data`` (a form's ``data`` is its input)."""

    version = VersionField(required=False)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=300)
    folder = forms.ModelChoiceField(label=gettext_lazy("Folder"), queryset=TestFolder.objects.none(), required=False)
    objective = forms.CharField(
        label=gettext_lazy("Objective"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    preconditions = forms.CharField(
        label=gettext_lazy("Preconditions"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    test_data = forms.CharField(
        label=gettext_lazy("Test data"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    type = forms.ChoiceField(label=gettext_lazy("Type"), choices=TestType.choices)
    priority = forms.ChoiceField(label=gettext_lazy("Priority"), choices=TestPriority.choices, initial="moyenne")
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=TestCaseStatus.choices)
    automated = forms.BooleanField(label=gettext_lazy("Automated (results come from CI)"), required=False)
    exigences = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Requirements covered"),
        queryset=Exigence.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["folder"].queryset = TestFolder.objects.filter(project=project)  # type: ignore[attr-defined]
        self.fields["exigences"].queryset = Exigence.objects.filter(project=project).order_by("number", "reference")  # type: ignore[attr-defined]

    def changes(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data["data"] = data.pop("test_data", "")
        return data


class CampaignForm(forms.Form):
    version = VersionField(required=False)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=CampaignKind.choices)
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=CampaignStatus.choices)
    environment = forms.CharField(label=gettext_lazy("Environment"), max_length=100, required=False)
    release = forms.CharField(label=gettext_lazy("Release under test"), max_length=100, required=False)
    starts_on = forms.DateField(
        label=gettext_lazy("Starts on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    ends_on = forms.DateField(
        label=gettext_lazy("Ends on"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    description = forms.CharField(
        label=gettext_lazy("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def changes(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


# --- test book ---------------------------------------------------------------------------------------------------


@project_page(RECETTE_VIEW)
def testbook(request: HttpRequest, project: Project) -> HttpResponse:
    table = datatable(request, project, tables.TEST_CASES)
    if isinstance(table, HttpResponse):
        return table
    return render(
        request,
        "recette/testbook/book.html",
        _ctx(request, project, "book", table=table, tree=selectors.folder_tree(project)),
    )


@project_page(RECETTE_VIEW)
def executions(request: HttpRequest, project: Project) -> HttpResponse:
    table = datatable(request, project, tables.EXECUTIONS)
    if isinstance(table, HttpResponse):
        return table
    return render(request, "recette/testbook/executions.html", _ctx(request, project, "executions", table=table))


@project_page(TESTBOOK_EDIT)
def folder_new(request: HttpRequest, project: Project) -> HttpResponse:
    if request.method != "POST":
        return redirect("recette:testbook", project.code)
    parent = None
    if request.POST.get("parent"):
        parent = TestFolder.objects.filter(project=project, pk=request.POST["parent"]).first()
    try:
        folder = services.folder_create(
            actor=current_user(request), project=project, name=request.POST.get("name", ""), parent=parent
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Folder « %(name)s » created.") % {"name": folder.name})
    return redirect("recette:testbook", project.code)


@project_page(TESTBOOK_EDIT)
def test_case_new(request: HttpRequest, project: Project) -> HttpResponse:
    form = TestCaseForm(request.POST or None, project=project, initial={"folder": request.GET.get("folder")})
    if request.method == "POST" and form.is_valid():
        try:
            case = services.test_case_create(actor=current_user(request), project=project, **form.changes())
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Test case %(ref)s created: now write its steps.") % {"ref": case.reference})
            return redirect("recette:test_case", project.code, case.pk)
    return render(
        request,
        "recette/testbook/case_form.html",
        _ctx(request, project, "book", form=form, heading=_("New test case")),
    )


@project_page(RECETTE_VIEW)
def test_case(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    case = selectors.test_case_detail(project, pk)
    can_edit = can(current_user(request), project, TESTBOOK_EDIT)
    linked = {c.pk for c in case.criteria.all()}
    return render(request, "recette/testbook/case.html", _ctx(request, project, "book", case=case, can_edit=can_edit,
                  criteria_rows=criterion_rows(project), linked=linked))  # fmt: skip


@project_page(TESTBOOK_EDIT)
def test_case_edit(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    case = selectors.test_case_detail(project, pk)
    initial = {
        "version": case.version, "title": case.title, "folder": case.folder_id, "objective": case.objective,
        "preconditions": case.preconditions, "test_data": case.data, "type": case.type, "priority": case.priority,
        "status": case.status, "automated": case.automated, "exigences": list(case.exigences.all()),
    }  # fmt: skip
    form = TestCaseForm(request.POST or None, project=project, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.test_case_update(
                actor=current_user(request), test_case=case, expected_version=form.cleaned_data["version"],
                **form.changes(),
            )  # fmt: skip
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Test case saved."))
            return redirect("recette:test_case", project.code, case.pk)
    heading = _("Edit %(ref)s") % {"ref": case.reference}
    return render(
        request,
        "recette/testbook/case_form.html",
        _ctx(request, project, "book", form=form, heading=heading, case=case),
    )


@project_page(TESTBOOK_EDIT)
def test_case_steps(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    """The steps editor: add, save, move up or down, delete one step (each makes a new revision)."""
    case = selectors.test_case_detail(project, pk)
    if request.method != "POST":
        return redirect("recette:test_case", project.code, case.pk)
    steps = [{"action": s.action, "expected": s.expected, "data": s.data} for s in case.steps.all()]
    action = request.POST.get("action", "")
    try:
        index = int(request.POST.get("position") or 0) - 1
    except ValueError:
        index = -1
    given = {name: request.POST.get(name, "") for name in ("action_text", "expected", "data")}
    step = {"action": given["action_text"], "expected": given["expected"], "data": given["data"]}
    if action == "add":
        steps.insert(index + 1 if 0 <= index < len(steps) else len(steps), step)
    elif 0 <= index < len(steps):
        if action == "save":
            steps[index] = step
        elif action == "delete":
            steps.pop(index)
        elif action == "up" and index > 0:
            steps[index - 1], steps[index] = steps[index], steps[index - 1]
        elif action == "down" and index < len(steps) - 1:
            steps[index + 1], steps[index] = steps[index], steps[index + 1]
    else:
        messages.error(request, _("This step does not exist any more: reload the page."))
        return redirect("recette:test_case", project.code, case.pk)
    try:
        version = int(request.POST.get("version") or 0)
        services.test_case_set_steps(actor=current_user(request), test_case=case, expected_version=version, steps=steps)
    except ValidationFailed as exc:
        messages.error(request, " ".join(m for msgs in exc.errors.values() for m in msgs))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Steps saved."))
    return redirect(reverse("recette:test_case", args=[project.code, case.pk]) + "#steps")


# --- campaigns ----------------------------------------------------------------------------------------------------


@project_page(RECETTE_VIEW)
def campaigns(request: HttpRequest, project: Project) -> HttpResponse:
    items = list(selectors.campaigns_for(project).order_by("-starts_on", "-pk"))
    progress = selectors.campaign_progress(items)
    rows = [(c, progress[c.pk]) for c in items]
    return render(request, "recette/testbook/campaigns.html", _ctx(request, project, "campaigns", rows=rows))


@project_page(CAMPAIGNS_MANAGE)
def campaign_new(request: HttpRequest, project: Project) -> HttpResponse:
    form = CampaignForm(request.POST or None, initial={"kind": "vabf", "status": "preparation"})
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(actor=current_user(request), project=project, **form.changes())
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Campaign created with its iteration 1: plan its tests."))
            return redirect("recette:campaign", project.code, campaign.pk)
    return render(
        request,
        "recette/testbook/campaign_form.html",
        _ctx(request, project, "campaigns", form=form, heading=_("New campaign")),
    )


@project_page(CAMPAIGNS_MANAGE)
def campaign_edit(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.select_related("project"), project=project, pk=pk)
    initial = {name: getattr(campaign, name) for name in services.CAMPAIGN_FIELDS} | {"version": campaign.version}
    form = CampaignForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_update(
                actor=current_user(request), campaign=campaign, expected_version=form.cleaned_data["version"],
                **form.changes(),
            )  # fmt: skip
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Campaign saved."))
            return redirect("recette:campaign", project.code, campaign.pk)
    return render(
        request,
        "recette/testbook/campaign_form.html",
        _ctx(request, project, "campaigns", form=form, heading=campaign.name, campaign=campaign),
    )


@project_page(RECETTE_VIEW)
def campaign(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    number = request.GET.get("iteration")
    detail = selectors.campaign_detail(project, pk, int(number) if number and number.isdigit() else None)
    return render(
        request,
        "recette/testbook/campaign.html",
        _ctx(
            request, project, "campaigns", detail=detail, campaign=detail.campaign, members=_members(project),
            folders=selectors.folder_tree(project), me=current_user(request),
            manage=can(current_user(request), project, CAMPAIGNS_MANAGE),
            execute=can(current_user(request), project, EXECUTE),
        ),
    )  # fmt: skip


def _campaign(project: Project, pk: int) -> Campaign:
    return get_object_or_404(Campaign.objects.select_related("project"), project=project, pk=pk)


@project_page(CAMPAIGNS_MANAGE)
def campaign_plan(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    item = _campaign(project, pk)
    if request.method == "POST":
        references = [r.strip() for r in request.POST.get("test_cases", "").replace(";", ",").split(",") if r.strip()]
        cases = list(TestCase.objects.filter(project=project, reference__in=references))
        unknown = sorted(set(references) - {c.reference for c in cases})
        folders = list(TestFolder.objects.filter(project=project, pk__in=request.POST.getlist("folders") or []))
        tester = _members(project).filter(pk=request.POST.get("tester") or 0).first()
        if unknown:
            messages.error(request, _("Unknown test case(s): %(refs)s.") % {"refs": ", ".join(unknown)})
        else:
            try:
                added = services.planned_tests_add(
                    actor=current_user(request), campaign=item, test_cases=cases, folders=folders, tester=tester
                )
            except DomainError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("%(n)s test(s) planned.") % {"n": len(added)})
    return redirect("recette:campaign", project.code, item.pk)


@project_page(CAMPAIGNS_MANAGE)
def planned_tester(request: HttpRequest, project: Project, pk: int, planned_id: int) -> HttpResponse:
    planned = get_object_or_404(
        PlannedTest.objects.select_related("campaign__project"),
        campaign__project=project,
        campaign_id=pk,
        pk=planned_id,
    )
    if request.method == "POST":
        tester = _members(project).filter(pk=request.POST.get("tester") or 0).first()
        version = request.POST.get("version", "")
        try:
            services.planned_test_assign(
                actor=current_user(request), planned_test=planned, tester=tester,
                expected_version=int(version) if version.isdigit() else None,
            )  # fmt: skip
        except DomainError as exc:
            messages.error(request, str(exc.message))
    return redirect("recette:campaign", project.code, pk)


@project_page(CAMPAIGNS_MANAGE)
def iteration_new(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    item = _campaign(project, pk)
    if request.method == "POST":
        try:
            iteration = services.iteration_create(
                actor=current_user(request), campaign=item, release=request.POST.get("release", "").strip(),
                name=request.POST.get("name", "").strip(),
            )  # fmt: skip
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Iteration %(n)s opened.") % {"n": iteration.number})
    return redirect("recette:campaign", project.code, item.pk)


# --- executions ----------------------------------------------------------------------------------------------------


@project_page(EXECUTE)
def execution_start(request: HttpRequest, project: Project, pk: int, planned_id: int) -> HttpResponse:
    planned = get_object_or_404(
        PlannedTest.objects.select_related("campaign__project", "test_case"),
        campaign__project=project, campaign_id=pk, pk=planned_id,
    )  # fmt: skip
    if request.method != "POST":
        return redirect("recette:campaign", project.code, pk)
    iterations = Iteration.objects.filter(campaign_id=pk).select_related("campaign")
    iteration = (
        iterations.filter(number=request.POST.get("iteration") or 0).first() or iterations.order_by("-number").first()
    )
    if iteration is None:
        messages.error(request, _("Open an iteration first."))
        return redirect("recette:campaign", project.code, pk)
    try:
        execution = services.execution_start(
            actor=current_user(request), iteration=iteration, test_case=planned.test_case
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("recette:campaign", project.code, pk)
    return redirect("recette:execution", project.code, execution.pk)


def _screen(request: HttpRequest, project: Project, pk: int, position: int | None = None, **extra: Any) -> Any:
    execution = selectors.execution_for(project, pk)
    steps = selectors.step_view(execution)
    if position is None:
        requested = request.GET.get("step", "")
        if requested.isdigit():
            position = int(requested)
        else:  # the first step not yet marked
            position = next((s["position"] for s in steps if s["status"] == ExecutionStatus.NON_EXECUTE), None)
            position = position if position is not None else (steps[-1]["position"] if steps else 0)
    current = next((s for s in steps if s["position"] == position), steps[0] if steps else None)
    index = steps.index(current) if current else 0
    user = current_user(request)
    return _ctx(
        request, project, "campaigns", execution=execution, steps=steps, current=current, index=index,
        previous=steps[index - 1] if index > 0 else None, next=steps[index + 1] if index + 1 < len(steps) else None,
        suggestion=services.suggest_status(s["status"] for s in steps), statuses=ExecutionStatus.choices,
        can_execute=can(user, project, EXECUTE) and execution.source == "manual",
        can_report=can(user, project, ANOMALY_REPORT), done=all(s["status"] != "non_execute" for s in steps),
        campaign=execution.iteration.campaign, **extra,
    )  # fmt: skip


@project_page(RECETTE_VIEW)
def execution(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]  # n / p: only the step panel
        return render(request, "recette/testbook/_execution_panel.html", _screen(request, project, pk))
    return render(request, "recette/testbook/execution.html", _screen(request, project, pk))


@project_page(EXECUTE)
def execution_step(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    """Record a step (htmx: answers the screen's step panel, moved to the next step; else redirects)."""
    item = selectors.execution_for(project, pk)
    if request.method != "POST":
        return redirect("recette:execution", project.code, pk)
    try:
        position = int(request.POST.get("position", ""))
        version = int(request.POST.get("version") or 0) or None
    except ValueError:
        raise Http404("step") from None
    error = ""
    try:
        services.execution_record_step(
            actor=current_user(request), execution=item, position=position, status=request.POST.get("status", ""),
            actual=request.POST.get("actual", ""), expected_version=version,
        )  # fmt: skip
    except ValidationFailed as exc:
        error = " ".join(m for msgs in exc.errors.values() for m in msgs)
    except DomainError as exc:
        error = str(exc.message)
    status = request.POST.get("status", "")
    # After an OK the tester moves on; after a KO or bloqué they stay, to raise the anomaly or add evidence.
    stay = bool(error) or status in (ExecutionStatus.KO, ExecutionStatus.BLOQUE)
    if not stay:
        steps = [r.position for r in item.step_results.all()]
        later = [p for p in steps if p > position]
        target = later[0] if later else position
    else:
        target = position
    if request.htmx:  # type: ignore[attr-defined]
        context = _screen(request, project, pk, target, error=error, posted_actual=request.POST.get("actual", ""))
        return render(request, "recette/testbook/_execution_panel.html", context)
    if error:
        messages.error(request, error)
    return redirect(reverse("recette:execution", args=[project.code, pk]) + f"?step={target}")


@project_page(EXECUTE)
def execution_finish(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    item = selectors.execution_for(project, pk)
    if request.method == "POST":
        status = request.POST.get("status") or None
        minutes = request.POST.get("duration_minutes", "").strip()
        try:
            duration = timedelta(minutes=float(minutes.replace(",", "."))) if minutes else None
            services.execution_set_status(
                actor=current_user(request), execution=item, expected_version=int(request.POST.get("version") or 0),
                status=status, comment=request.POST.get("comment", ""), duration=duration,
            )  # fmt: skip
        except ValueError:
            messages.error(request, _("The duration is a number of minutes."))
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Execution saved."))
            return redirect("recette:campaign", project.code, item.iteration.campaign_id)
    return redirect("recette:execution", project.code, pk)


@project_page(ANOMALY_REPORT)
def execution_anomaly(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    """The KO quick action leads to the anomaly form pre-filled from the failed step: nothing is created
    until the tester has read the suggestion (and the warning when one is already open for this run)."""
    item = selectors.execution_for(project, pk)
    source = request.POST if request.method == "POST" else request.GET
    position = source.get("step", "")
    query = {"execution": item.pk} | ({"step": position} if position.isdigit() else {})
    return redirect(reverse("recette:anomaly_new", args=[project.code]) + "?" + urlencode(query))


@project_page(EXECUTE)
def evidence_upload(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    item = selectors.execution_for(project, pk)
    position = request.POST.get("step", "")
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose a file."))
        else:
            try:
                evidence = services.evidence_add(
                    actor=current_user(request), execution=item, filename=upload.name or "",
                    data=upload.read(services.EVIDENCE_MAX_BYTES + 1),
                    step_position=int(position) if position.isdigit() else None,
                )  # fmt: skip
            except DomainError as exc:
                messages.error(
                    request,
                    " ".join(exc.errors["file"])
                    if isinstance(exc, ValidationFailed) and "file" in exc.errors
                    else str(exc.message),
                )
            else:
                messages.success(request, _("Evidence « %(name)s » attached.") % {"name": evidence.original_name})
    return redirect(reverse("recette:execution", args=[project.code, pk]) + (f"?step={position}" if position else ""))


@project_page(RECETTE_VIEW)
def evidence_download(request: HttpRequest, project: Project, pk: int) -> HttpResponse | FileResponse:
    evidence = selectors.evidence_for(project, pk)
    try:
        return evidence_response(evidence)
    except (DomainError, FileNotFoundError):
        raise Http404("evidence") from None


# --- JUnit -------------------------------------------------------------------------------------------------------


@project_page(RESULTS_IMPORT)
def junit(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    item = _campaign(project, pk)
    iterations = list(Iteration.objects.filter(campaign=item).order_by("number"))
    result = None
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        chosen = next((i for i in iterations if str(i.number) == request.POST.get("iteration")), None)
        if upload is None:
            error = _("Choose the JUnit XML file.")
        else:
            try:
                result = services.junit_import(
                    actor=current_user(request), campaign=item, data=upload.read(), filename=upload.name or "junit.xml",
                    iteration=chosen,
                )  # fmt: skip
            except ValidationFailed as exc:
                error = " ".join(m for msgs in exc.errors.values() for m in msgs)
            except DomainError as exc:
                error = str(exc.message)
    cases = TestCase.objects.filter(project=project).order_by("number").values_list("reference", "title")
    return render(
        request,
        "recette/testbook/junit.html",
        _ctx(
            request, project, "campaigns", campaign=item, iterations=iterations, result=result, error=error,
            cases=cases if result and result.unmapped else [], mappings=selectors.junit_mappings_for(project),
            can_report=can(current_user(request), project, ANOMALY_REPORT),
        ),
    )  # fmt: skip


@project_page(RESULTS_IMPORT)
def junit_mapping(request: HttpRequest, project: Project) -> HttpResponse:
    back = request.POST.get("next", "")
    if request.method == "POST":
        case = TestCase.objects.filter(project=project, reference=request.POST.get("test_case", "").strip()).first()
        if case is None:
            messages.error(request, _("Unknown test case « %(ref)s ».") % {"ref": request.POST.get("test_case", "")})
        else:
            try:
                services.junit_mapping_save(
                    actor=current_user(request), project=project, junit_name=request.POST.get("junit_name", ""),
                    test_case=case,
                )  # fmt: skip
            except DomainError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("Mapping saved: the next imports will use it."))
    if back.startswith(f"/p/{project.code}/"):
        return redirect(back)
    return redirect("recette:campaigns", project.code)


urlpatterns: list[URLPattern] = [
    path("book/", testbook, name="testbook"),
    path("book/new/", test_case_new, name="test_case_new"),
    path("book/folders/new/", folder_new, name="folder_new"),
    path("book/<int:pk>/", test_case, name="test_case"),
    path("book/<int:pk>/edit/", test_case_edit, name="test_case_edit"),
    path("book/<int:pk>/steps/", test_case_steps, name="test_case_steps"),
    path("campaigns/", campaigns, name="campaigns"),
    path("campaigns/new/", campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", campaign, name="campaign"),
    path("campaigns/<int:pk>/edit/", campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/plan/", campaign_plan, name="campaign_plan"),
    path("campaigns/<int:pk>/iterations/new/", iteration_new, name="iteration_new"),
    path("campaigns/<int:pk>/planned/<int:planned_id>/tester/", planned_tester, name="planned_tester"),
    path("campaigns/<int:pk>/planned/<int:planned_id>/run/", execution_start, name="execution_start"),
    path("campaigns/<int:pk>/junit/", junit, name="junit"),
    path("junit/mappings/", junit_mapping, name="junit_mapping"),
    path("executions/", executions, name="executions"),
    path("executions/<int:pk>/", execution, name="execution"),
    path("executions/<int:pk>/step/", execution_step, name="execution_step"),
    path("executions/<int:pk>/finish/", execution_finish, name="execution_finish"),
    path("executions/<int:pk>/anomaly/", execution_anomaly, name="execution_anomaly"),
    path("executions/<int:pk>/evidence/", evidence_upload, name="evidence_upload"),
    path("evidence/<int:pk>/", evidence_download, name="evidence"),
]
