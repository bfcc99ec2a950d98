"""The forge stage's pages: integration overview, repositories with their deliveries (thin)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from oeuvre.accounts.permissions import can, current_user
from oeuvre.core.errors import DomainError
from oeuvre.core.events import EVENT_TYPES
from oeuvre.forge import selectors
from oeuvre.forge.models import DeliveryStatus, EventStatus, FixPolicy, ForgeKind
from oeuvre.forge.permissions import FORGE_MANAGE, FORGE_VIEW, WEBHOOKS_MANAGE
from oeuvre.forge.services import events as event_services
from oeuvre.forge.services import repositories as services
from oeuvre.forge.services import webhooks as webhook_services
from oeuvre.projects.models import Project
from oeuvre.web.context import project_context
from oeuvre.web.decorators import project_page
from oeuvre.web.forms import VersionField, apply_error
from oeuvre.web.listing import Column, build_listing


class RepositoryForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Forge"), choices=ForgeKind.choices)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200, help_text=gettext_lazy("e.g. group/project"))
    web_url = forms.URLField(label=gettext_lazy("Address on the forge"), required=False, assume_scheme="https")
    secret = forms.CharField(
        label=gettext_lazy("Webhook secret"),
        widget=forms.PasswordInput(render_value=False),
        help_text=gettext_lazy("At least 16 characters; type the same secret in the forge's webhook settings."),
    )
    fix_policy = forms.ChoiceField(
        label=gettext_lazy("A merged request delivers the anomaly's fix"), choices=FixPolicy.choices
    )
    fix_release = forms.CharField(label=gettext_lazy("Release recorded on the fixed anomalies"), required=False)
    retention_days = forms.IntegerField(
        label=gettext_lazy("Days the raw deliveries are kept"), min_value=0, max_value=3650, initial=90
    )


class RepositoryEditForm(RepositoryForm):
    version = VersionField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["kind"]
        self.fields["secret"].required = False
        self.fields["secret"].help_text = gettext_lazy("Leave empty to keep the current secret.")


def _repository_url(project: Project, pk: int) -> str:
    return reverse("forge:repository", args=[project.code, pk])


@project_page(FORGE_VIEW)
def index(request: HttpRequest, project: Project) -> HttpResponse:
    statuses = selectors.component_statuses(project)
    show = request.GET.get("show", "todo")
    shown = statuses if show == "all" else [s for s in statuses if not s.integrated or s.pipeline_failed]
    return render(
        request,
        "forge/index.html",
        project_context(
            request,
            project,
            "forge",
            repositories=list(selectors.repositories_for(project).order_by("name")),
            can_manage=can(request.user, project, FORGE_MANAGE),
            section="overview",
            summary=selectors.integration_summary(project, statuses),
            components=shown,
            show=show,
        ),
    )


@project_page(FORGE_MANAGE)
def repository_new(request: HttpRequest, project: Project) -> HttpResponse:
    form = RepositoryForm(request.POST or None, initial={"fix_policy": FixPolicy.KEYWORD, "retention_days": 90})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            repository = services.repository_create(
                actor=current_user(request),
                project=project,
                kind=data.pop("kind"),
                name=data.pop("name"),
                secret=data.pop("secret"),
                **data,
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Repository registered: copy its webhook address into the forge."))
            return HttpResponseRedirect(_repository_url(project, repository.pk))
    return render(
        request,
        "forge/repository_form.html",
        project_context(request, project, "forge", form=form, repository=None, section="overview"),
    )


_EVENT_COLUMNS = [
    Column("received_at", gettext_lazy("Received"), lambda e: e.received_at, "received_at"),
    Column("event", gettext_lazy("Event"), lambda e: e.event_name, "event_name"),
    Column("status", gettext_lazy("Status"), lambda e: e.get_status_display(), "status"),
    Column("summary", gettext_lazy("Summary"), lambda e: e.summary or e.error),
]


@project_page(FORGE_VIEW)
def repository_detail(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    repository = selectors.repository_of(project, pk)
    listing = build_listing(
        request,
        selectors.events_of(repository),
        _EVENT_COLUMNS,
        search=("event_name", "summary", "delivery_id"),
        filters={"status": "status"},
        default_sort="-received_at",
    )
    return render(
        request,
        "forge/repository.html",
        project_context(
            request,
            project,
            "forge",
            section="overview",  # a repository belongs to the Integration item of the sub-navigation
            repository=repository,
            webhook_url=request.build_absolute_uri(repository.webhook_path),
            listing=listing,
            statuses=EventStatus.choices,
            can_manage=can(request.user, project, FORGE_MANAGE),
        ),
    )


@project_page(FORGE_MANAGE)
def repository_edit(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    repository = selectors.repository_of(project, pk)
    initial = {
        "name": repository.name,
        "web_url": repository.web_url,
        "fix_policy": repository.fix_policy,
        "fix_release": repository.fix_release,
        "retention_days": repository.retention_days,
        "version": repository.version,
    }
    form = RepositoryEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version, secret = data.pop("version"), data.pop("secret") or ""
        try:
            services.repository_update(
                actor=current_user(request), repository=repository, expected_version=version, secret=secret, **data
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Repository saved."))
            return HttpResponseRedirect(_repository_url(project, repository.pk))
    return render(
        request,
        "forge/repository_form.html",
        project_context(request, project, "forge", form=form, repository=repository, section="overview"),
    )


@require_POST
@project_page(FORGE_MANAGE)
def repository_delete(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    repository = selectors.repository_of(project, pk)
    services.repository_delete(actor=current_user(request), repository=repository)
    messages.success(request, _("Repository %(name)s removed.") % {"name": repository.name})
    return HttpResponseRedirect(reverse("forge:index", args=[project.code]))


@require_POST
@project_page(FORGE_MANAGE)
def event_replay(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    event = selectors.event_of(pk, project)
    try:
        event_services.event_replay(actor=current_user(request), event=event)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Delivery #%(id)d queued to be processed again.") % {"id": event.pk})
    return HttpResponseRedirect(_repository_url(project, event.repository_id))


# --- Outgoing webhooks ---------------------------------------------------------------------------------


class SubscriptionForm(forms.Form):
    url = forms.URLField(label=gettext_lazy("Address"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(label=gettext_lazy("Events"), widget=forms.CheckboxSelectMultiple)
    description = forms.CharField(label=gettext_lazy("Description"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        events = self.fields["events"]
        assert isinstance(events, forms.MultipleChoiceField)
        labelled: list[tuple[str, str]] = sorted(((str(v), k) for k, v in EVENT_TYPES.items()))
        events.choices = [(key, label) for label, key in labelled]


@project_page(WEBHOOKS_MANAGE)
def webhooks(request: HttpRequest, project: Project) -> HttpResponse:
    form = SubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            subscription, secret = webhook_services.subscription_create(
                actor=current_user(request), project=project, **form.cleaned_data
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(
                request,
                _("Webhook registered. Its secret, shown only now: %(secret)s") % {"secret": secret},
            )
            return HttpResponseRedirect(reverse("forge:webhook", args=[project.code, subscription.pk]))
    labels = {k: str(v) for k, v in EVENT_TYPES.items()}
    return render(
        request,
        "forge/webhooks.html",
        project_context(
            request,
            project,
            "forge",
            section="webhooks",
            form=form,
            subscriptions=list(selectors.subscriptions_for(project)),
            labels=labels,
        ),
    )


_DELIVERY_COLUMNS = [
    Column("created_at", pgettext_lazy("forge", "Created"), lambda d: d.created_at, "created_at"),
    Column("event", gettext_lazy("Event"), lambda d: d.event_name, "event_name"),
    Column("status", gettext_lazy("Status"), lambda d: d.get_status_display(), "status"),
    Column("attempts", gettext_lazy("Attempts"), lambda d: d.attempts, "attempts"),
    Column("code", gettext_lazy("Response"), lambda d: d.response_code, "response_code"),
    Column("duration", gettext_lazy("Duration (ms)"), lambda d: d.duration_ms, "duration_ms"),
    Column("error", gettext_lazy("Error"), lambda d: d.error),
]


@project_page(WEBHOOKS_MANAGE)
def webhook_detail(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    subscription = selectors.subscription_of(project, pk)
    listing = build_listing(
        request,
        selectors.deliveries_of(subscription),
        _DELIVERY_COLUMNS,
        search=("event_name", "error"),
        filters={"status": "status"},
        default_sort="-created_at",
    )
    labels = {k: str(v) for k, v in EVENT_TYPES.items()}
    return render(
        request,
        "forge/webhook.html",
        project_context(
            request,
            project,
            "forge",
            section="webhooks",
            subscription=subscription,
            events=[labels.get(name, name) for name in subscription.events],
            listing=listing,
            statuses=DeliveryStatus.choices,
        ),
    )


@require_POST
@project_page(WEBHOOKS_MANAGE)
def webhook_test(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    subscription = selectors.subscription_of(project, pk)
    try:
        delivery = webhook_services.subscription_test(actor=current_user(request), subscription=subscription)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        if delivery.status == DeliveryStatus.SUCCEEDED:
            messages.success(request, _("Test delivered (HTTP %(code)s).") % {"code": delivery.response_code})
        else:
            messages.error(request, _("Test not delivered: %(error)s") % {"error": delivery.error})
    return HttpResponseRedirect(reverse("forge:webhook", args=[project.code, pk]))


@require_POST
@project_page(WEBHOOKS_MANAGE)
def webhook_delete(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    subscription = selectors.subscription_of(project, pk)
    webhook_services.subscription_delete(actor=current_user(request), subscription=subscription)
    messages.success(request, _("Webhook removed."))
    return HttpResponseRedirect(reverse("forge:webhooks", args=[project.code]))


@require_POST
@project_page(WEBHOOKS_MANAGE)
def delivery_redeliver(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    delivery = selectors.delivery_of(project, pk)
    webhook_services.delivery_redeliver(actor=current_user(request), delivery=delivery)
    messages.success(request, _("Delivery queued to be sent again."))
    return HttpResponseRedirect(reverse("forge:webhook", args=[project.code, delivery.subscription_id]))
