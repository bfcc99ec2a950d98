"""The météo pages: the overview (verdicts, reasons, trend), overrides, snapshots and thresholds."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oeuvre.accounts.permissions import can
from oeuvre.core.errors import DomainError
from oeuvre.pilotage.models import Axis, SteeringSettings, Weather
from oeuvre.pilotage.permissions import METEO_CONFIGURE, METEO_PREPARE, PILOTAGE_VIEW
from oeuvre.pilotage.selectors.meteo import SETTING_FIELDS, meteo_of, meteo_settings, snapshots_of, trend_of
from oeuvre.pilotage.services import meteo as services
from oeuvre.pilotage.words import weather_label
from oeuvre.projects.models import Project
from oeuvre.web.context import project_context
from oeuvre.web.decorators import project_page
from oeuvre.web.forms import VersionField, apply_error


def _to_index(project: Project) -> HttpResponseRedirect:
    return redirect(reverse("pilotage:index", args=[project.code]))


def _refusal(request: HttpRequest, error: DomainError) -> None:
    errors = getattr(error, "errors", None)
    if isinstance(errors, dict):
        for messages_ in errors.values():
            for message in messages_:
                messages.error(request, str(message))
    else:
        messages.error(request, str(error.message))


@project_page(PILOTAGE_VIEW)
def index(request: HttpRequest, project: Project) -> HttpResponse:
    meteo = meteo_of(project)
    return render(
        request,
        "pilotage/index.html",
        project_context(
            request,
            project,
            "pilotage",
            section="overview",
            meteo=meteo,
            trend=trend_of(project, meteo["overall"]),
            axes=Axis.choices,
            weathers=Weather.choices,
            can_prepare=can(request.user, project, METEO_PREPARE),
            can_configure=can(request.user, project, METEO_CONFIGURE),
        ),
    )


@project_page(PILOTAGE_VIEW)
def snapshots(request: HttpRequest, project: Project) -> HttpResponse:
    axes = Axis.choices[1:]
    rows = [
        {"snapshot": s, "cells": [weather_label(s.axes.get(value, {}).get("verdict", "")) for value, _l in axes]}
        for s in snapshots_of(project)[:104]
    ]
    return render(
        request,
        "pilotage/snapshots.html",
        project_context(request, project, "pilotage", section="snapshots", rows=rows, axes=axes),
    )


@require_POST
@project_page(METEO_PREPARE)
def snapshot_take(request: HttpRequest, project: Project) -> HttpResponse:
    try:
        services.snapshot_take(actor=request.user, project=project)
        messages.success(request, _("Today's météo is kept in the history."))
    except DomainError as error:
        _refusal(request, error)
    return _to_index(project)


@require_POST
@project_page(METEO_PREPARE)
def override_set(request: HttpRequest, project: Project) -> HttpResponse:
    try:
        services.meteo_override_set(
            actor=request.user,
            project=project,
            axis=request.POST.get("axis", ""),
            verdict=request.POST.get("verdict", ""),
            reason=request.POST.get("reason", ""),
        )
        messages.success(request, _("The verdict is overridden; the computed one stays shown beside it."))
    except DomainError as error:
        _refusal(request, error)
    return _to_index(project)


@require_POST
@project_page(METEO_PREPARE)
def override_clear(request: HttpRequest, project: Project, axis: str) -> HttpResponse:
    try:
        services.meteo_override_clear(actor=request.user, project=project, axis=axis)
        messages.success(request, _("Back to the computed verdict."))
    except DomainError as error:
        _refusal(request, error)
    return _to_index(project)


class ThresholdsForm(forms.ModelForm):  # type: ignore[type-arg]
    version = VersionField(required=False)

    class Meta:
        model = SteeringSettings
        fields = SETTING_FIELDS


@project_page(METEO_CONFIGURE)
def thresholds(request: HttpRequest, project: Project) -> HttpResponse:
    cfg = meteo_settings(project)
    if request.method == "POST":
        form = ThresholdsForm(request.POST, instance=SteeringSettings(project=project))
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in SETTING_FIELDS}
            try:
                services.meteo_settings_update(
                    actor=request.user,
                    project=project,
                    data=data,
                    expected_version=form.cleaned_data.get("version") if cfg.pk else None,
                )
                messages.success(request, _("Météo thresholds saved."))
                return _to_index(project)
            except DomainError as error:
                apply_error(form, error)
    else:
        form = ThresholdsForm(instance=cfg, initial={"version": cfg.version})
    return render(
        request,
        "pilotage/thresholds.html",
        project_context(request, project, "pilotage", section="thresholds", form=form),
    )


def _flash_language(request: HttpRequest) -> str:
    """``?lang=fr|en``, else the page's language."""
    from django.utils.translation import get_language

    asked = request.GET.get("lang", "")
    if asked in ("fr", "en"):
        return asked
    return "en" if (get_language() or "fr").startswith("en") else "fr"


@project_page(PILOTAGE_VIEW)
def flash(request: HttpRequest, project: Project) -> HttpResponse:
    """The one-page flash report for the weekly COPROJ, as a PDF download."""
    from oeuvre.core.api import file_response
    from oeuvre.pilotage.flash import flash_filename, flash_pdf

    return file_response(flash_pdf(project, _flash_language(request)), flash_filename(project), "application/pdf")


urlpatterns: list[URLPattern] = [
    path("", index, name="index"),
    path("flash.pdf", flash, name="flash"),
    path("snapshots/", snapshots, name="snapshots"),
    path("snapshots/take/", snapshot_take, name="snapshot_take"),
    path("overrides/", override_set, name="override_set"),
    path("overrides/<slug:axis>/clear/", override_clear, name="override_clear"),
    path("thresholds/", thresholds, name="thresholds"),
]
