"""Forge repositories, the deliveries they send, what those deliveries say, and outgoing webhooks.

``Repository`` and ``WebhookSubscription`` are settings people edit: versioned, with history. The rest are
logs written by machines (a delivery received, a commit seen, a delivery sent): they are append-only or
updated by later deliveries, and their record *is* the event log, so they carry no history table of their
own (a history row per commit would double the writes of the 1,000-push benchmark for no reader).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from oeuvre.core.models import VersionedModel


class ForgeKind(models.TextChoices):
    GITLAB = "gitlab", "GitLab"
    GITHUB = "github", "GitHub"
    GITEA = "gitea", "Gitea / Forgejo"


class FixPolicy(models.TextChoices):
    KEYWORD = "keyword", _("Only with a keyword (“Fixes ANO-007”)")
    REFERENCE = "reference", _("Any anomaly referenced by the merged request")
    NEVER = "never", _("Never")


def _hook_token() -> str:
    return secrets.token_urlsafe(24)


class Repository(VersionedModel):
    """A repository of a code forge whose webhook deliveries feed the project's chain."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="forge_repositories"
    )
    kind = models.CharField(_("forge"), max_length=10, choices=ForgeKind)
    name = models.CharField(_("name"), max_length=200)
    web_url = models.URLField(_("address on the forge"), blank=True)
    # The public part of the webhook's address: random, so that repository ids cannot be enumerated.
    hook_token = models.CharField(max_length=40, unique=True, default=_hook_token, editable=False)
    secret_encrypted = models.TextField(editable=False)
    fix_policy = models.CharField(
        _("a merged request delivers the anomaly's fix"), max_length=10, choices=FixPolicy, default=FixPolicy.KEYWORD
    )
    fix_release = models.CharField(
        _("release recorded on the fixed anomalies"),
        max_length=100,
        blank=True,
        help_text=_("Empty: the anomaly's “fixed in release” is left as it is."),
    )
    retention_days = models.PositiveIntegerField(
        _("days the raw deliveries are kept"), default=90, help_text=_("For replay and audit; 0 keeps them forever.")
    )
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moves anomalies in the name of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rejected_count = models.PositiveIntegerField(_("deliveries refused"), default=0, editable=False)
    last_rejected_at = models.DateTimeField(_("last refused delivery"), null=True, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["rejected_count", "last_rejected_at"])

    class Meta:
        verbose_name = _("forge repository")
        verbose_name_plural = _("forge repositories")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="forge_repository_name_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def webhook_path(self) -> str:
        return f"/api/forge/hooks/{self.hook_token}"


class EventStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    PROCESSED = "processed", _("Processed")
    IGNORED = "ignored", _("Not read")
    FAILED = "failed", _("Failed")


class ForgeEvent(models.Model):
    """One delivery accepted from a forge, with its raw body (kept ``retention_days`` for replay and audit)."""

    repository = models.ForeignKey(
        Repository, verbose_name=_("repository"), on_delete=models.CASCADE, related_name="events"
    )
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="+"
    )
    delivery_id = models.CharField(_("delivery"), max_length=100, blank=True)
    body_sha256 = models.CharField(max_length=64)
    event_name = models.CharField(_("event"), max_length=100, blank=True)
    event_type = models.CharField(_("kind"), max_length=20, blank=True)
    body = models.BinaryField(_("raw payload"), blank=True)
    purged = models.BooleanField(_("payload removed"), default=False)
    received_at = models.DateTimeField(_("received at"))
    status = models.CharField(_("status"), max_length=10, choices=EventStatus, default=EventStatus.QUEUED)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    error = models.TextField(_("error"), blank=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("forge event")
        verbose_name_plural = _("forge events")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["repository", "body_sha256"], name="forge_event_body_unique"),
            models.UniqueConstraint(
                fields=["repository", "delivery_id"],
                condition=~models.Q(delivery_id=""),
                name="forge_event_delivery_unique",
            ),
        ]
        indexes = [models.Index(fields=["project", "-received_at"], name="forge_event_recent")]

    def __str__(self) -> str:
        return f"{self.repository} #{self.pk} {self.event_type}"


class ChangeKind(models.TextChoices):
    COMMIT = "commit", _("Commit")
    MERGE_REQUEST = "merge_request", _("Merge request")
    PIPELINE = "pipeline", _("Pipeline")


class ChangeState(models.TextChoices):
    NONE = "", "—"
    OPENED = "opened", _("Open")
    MERGED = "merged", _("Merged")
    CLOSED = "closed", pgettext_lazy("merge request", "Closed")
    RUNNING = "running", _("Running")
    SUCCESS = "success", pgettext_lazy("pipeline", "Passed")
    FAILED = "failed", _("Failed")
    CANCELED = "canceled", _("Canceled")


class CodeChange(models.Model):
    """A commit, merge request or pipeline as the last delivery described it."""

    repository = models.ForeignKey(
        Repository, verbose_name=_("repository"), on_delete=models.CASCADE, related_name="changes"
    )
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ChangeKind)
    key = models.CharField(_("identifier"), max_length=64)
    title = models.CharField(_("title"), max_length=300, blank=True)
    url = models.URLField(_("address"), max_length=500, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=ChangeState, blank=True)
    branch = models.CharField(_("branch"), max_length=255, blank=True)
    sha = models.CharField(_("commit"), max_length=64, blank=True)
    author = models.CharField(_("author"), max_length=200, blank=True)
    occurred_at = models.DateTimeField(_("date"))
    event = models.ForeignKey(
        ForgeEvent, verbose_name=_("last delivery"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("code change")
        verbose_name_plural = _("code changes")
        ordering = ["-occurred_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["repository", "kind", "key"], name="forge_change_unique")]
        indexes = [models.Index(fields=["project", "kind", "-occurred_at"], name="forge_change_recent")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


class ChainLink(models.Model):
    """A code change that names an item of the chain (exigence, specification, component, task, anomaly)."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="+"
    )
    change = models.ForeignKey(CodeChange, verbose_name=_("change"), on_delete=models.CASCADE, related_name="links")
    reference = models.CharField(_("reference"), max_length=40)
    target_type = models.CharField(_("item type"), max_length=40)
    target_id = models.PositiveBigIntegerField(_("item"))
    fixes = models.BooleanField(_("declared as fixing it"), default=False)

    class Meta:
        verbose_name = _("link to the chain")
        verbose_name_plural = _("links to the chain")
        constraints = [models.UniqueConstraint(fields=["change", "reference"], name="forge_link_unique")]
        indexes = [
            models.Index(fields=["project", "reference"], name="forge_link_reference"),
            models.Index(fields=["project", "target_type", "target_id"], name="forge_link_target"),
        ]

    def __str__(self) -> str:
        return f"{self.change} → {self.reference}"


class WebhookSubscription(VersionedModel):
    """An address outside Œuvre that receives the project's events, signed with its secret."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="webhook_subscriptions"
    )
    url = models.URLField(_("address"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    description = models.CharField(_("description"), max_length=200, blank=True)
    secret_encrypted = models.TextField(editable=False)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("outgoing webhook")
        verbose_name_plural = _("outgoing webhooks")
        ordering = ["url", "pk"]

    def __str__(self) -> str:
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("webhook delivery", "Pending")
    SUCCEEDED = "succeeded", _("Delivered")
    RETRYING = "retrying", _("Will retry")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """One event sent (or to send) to one subscription: the delivery log, with each attempt's outcome."""

    subscription = models.ForeignKey(
        WebhookSubscription, verbose_name=_("webhook"), on_delete=models.CASCADE, related_name="deliveries"
    )
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="+"
    )
    uuid = models.UUIDField(_("delivery"), unique=True)
    event_name = models.CharField(_("event"), max_length=100)
    body = models.TextField(_("body"))
    status = models.CharField(_("status"), max_length=10, choices=DeliveryStatus, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    response_code = models.PositiveIntegerField(_("response code"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="forge_delivery_due")]

    def __str__(self) -> str:
        return f"{self.event_name} → {self.subscription}"
