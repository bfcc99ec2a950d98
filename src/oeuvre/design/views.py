"""The design stage's pages (thin): the architecture view, interfaces, criteria with their results, the DAT."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oeuvre.accounts.permissions import can, current_user
from oeuvre.core.errors import DomainError
from oeuvre.design import selectors, services
from oeuvre.design.forms import CriterionForm, InterfaceForm
from oeuvre.design.hooks import results_for, tests_for
from oeuvre.design.models import Criterion, Interface
from oeuvre.design.permissions import DESIGN_EDIT, DESIGN_VIEW
from oeuvre.projects.models import Project
from oeuvre.web.context import project_context
from oeuvre.web.decorators import project_page
from oeuvre.web.forms import apply_error

__all__ = ["urlpatterns"]

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _ctx(request: HttpRequest, project: Project, section: str, **extra: Any) -> dict[str, Any]:
    return project_context(request, project, "design", section=section, may_edit=can(request.user, project,
                           DESIGN_EDIT), **extra)  # fmt: skip


@project_page(DESIGN_VIEW)
def index(request: HttpRequest, project: Project) -> HttpResponse:
    """The architecture view: components and flows drawn from the model, per environment when there are some."""
    environment = request.GET.get("environment", "")
    graph = selectors.architecture_graph(project, environment or None)
    rows = selectors.criterion_rows(project)
    counts = {state: sum(1 for r in rows if r.state == state) for state in ("met", "not_met", "not_measured")}
    context = _ctx(request, project, "architecture", graph=graph, counts=counts, environment=environment,
                   flows=selectors.interfaces_for(project).order_by("number", "pk"))  # fmt: skip
    return render(request, "design/index.html", context)


@project_page(DESIGN_VIEW)
def interfaces(request: HttpRequest, project: Project) -> HttpResponse:
    items = list(selectors.interfaces_for(project).order_by("number", "pk"))
    return render(request, "design/interfaces.html", _ctx(request, project, "interfaces", items=items))


def _form_page(request: HttpRequest, project: Project, *, kind: str, pk: int | None) -> HttpResponse:
    model: type[Interface] | type[Criterion] = Interface if kind == "interface" else Criterion
    form_class: Any = InterfaceForm if kind == "interface" else CriterionForm
    item: Any = get_object_or_404(model, project=project, pk=pk) if pk is not None else None
    if request.method == "POST" and not can(request.user, project, DESIGN_EDIT):
        raise PermissionDenied(_("Your role on this project does not allow this action."))
    form = form_class(request.POST or None, instance=item, project=project)
    if request.method == "POST" and form.is_valid():
        actor = current_user(request)
        links: dict[str, Any] = {"exigences": form.cleaned_data["exigences"]}
        if kind == "interface":
            links["specifications"] = form.cleaned_data["specifications"]
        try:
            if item is None:
                create = services.interface_create if kind == "interface" else services.criterion_create
                item = create(actor=actor, project=project, **links, **form.changes())
            elif kind == "interface":
                item = services.interface_update(actor=actor, interface=item, expected_version=form.cleaned_data[
                    "version"], **links, **form.changes())  # fmt: skip
            else:
                item = services.criterion_update(actor=actor, criterion=item, expected_version=form.cleaned_data[
                    "version"], **links, **form.changes())  # fmt: skip
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("design:interfaces" if kind == "interface" else "design:criteria", project.code)
    history = list(item.history.select_related("history_user").order_by("-history_date")[:20]) if item else []
    extra: dict[str, Any] = {}
    if item is not None and kind == "criterion":
        extra = {"tests": tests_for(project, item.pk), "results": results_for(project, [item.pk]).get(item.pk, [])}
    return render(request, "design/form.html", _ctx(
        request, project, "interfaces" if kind == "interface" else "criteria", form=form, item=item, kind=kind,
        history=history, **extra,
    ))  # fmt: skip


@project_page(DESIGN_EDIT)
def interface_new(request: HttpRequest, project: Project) -> HttpResponse:
    return _form_page(request, project, kind="interface", pk=None)


@project_page(DESIGN_VIEW)
def interface_detail(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    return _form_page(request, project, kind="interface", pk=pk)


@require_POST
@project_page(DESIGN_EDIT)
def interface_delete(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    services.interface_delete(actor=current_user(request), interface=get_object_or_404(Interface, project=project,
                                                                                        pk=pk))  # fmt: skip
    messages.success(request, _("Interface deleted."))
    return redirect("design:interfaces", project.code)


@project_page(DESIGN_VIEW)
def criteria(request: HttpRequest, project: Project) -> HttpResponse:
    rows = selectors.criterion_rows(project)
    state = request.GET.get("state", "")
    shown = [r for r in rows if not state or r.state == state]
    counts = {s: sum(1 for r in rows if r.state == s) for s in ("met", "not_met", "not_measured")}
    return render(request, "design/criteria.html", _ctx(request, project, "criteria", rows=shown, counts=counts,
                                                        state=state, total=len(rows)))  # fmt: skip


@project_page(DESIGN_EDIT)
def criterion_new(request: HttpRequest, project: Project) -> HttpResponse:
    return _form_page(request, project, kind="criterion", pk=None)


@project_page(DESIGN_VIEW)
def criterion_detail(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    return _form_page(request, project, kind="criterion", pk=pk)


@project_page(DESIGN_VIEW)
def dat(request: HttpRequest, project: Project) -> HttpResponse:
    """The DAT document (DOCX) built from the model, in the page's language."""
    from oeuvre.design.dat import dat_docx

    language = request.GET.get("lang") or (get_language() or "fr")[:2]
    data = dat_docx(project, language="en" if language == "en" else "fr")
    response = HttpResponse(data, content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="DAT-{project.code}.docx"'
    return response


urlpatterns: list[URLPattern] = [
    path("", index, name="index"),
    path("interfaces/", interfaces, name="interfaces"),
    path("interfaces/new/", interface_new, name="interface_new"),
    path("interfaces/<int:pk>/", interface_detail, name="interface"),
    path("interfaces/<int:pk>/delete/", interface_delete, name="interface_delete"),
    path("criteria/", criteria, name="criteria"),
    path("criteria/new/", criterion_new, name="criterion_new"),
    path("criteria/<int:pk>/", criterion_detail, name="criterion"),
    path("dat.docx", dat, name="dat"),
]
