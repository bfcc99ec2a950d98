from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from oeuvre.core.models import VersionedModel


class SavedView(VersionedModel):
    """A named state of a data table (filters, sort, columns, page size), the owner's own or shared with the
    project's members."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="saved_views"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("saved view", "owner"),
        on_delete=models.CASCADE,
        related_name="saved_views",
    )
    table = models.CharField(_("table"), max_length=100)
    name = models.CharField(_("name"), max_length=100)
    params = models.TextField(_("parameters"), blank=True)
    shared = models.BooleanField(_("shared with the project"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        constraints = [
            models.UniqueConstraint(fields=["project", "owner", "table", "name"], name="saved_view_unique_name")
        ]
        indexes = [models.Index(fields=["project", "table"])]

    def __str__(self) -> str:
        return self.name


class SavedSearch(VersionedModel):
    """A search a person keeps to run again (words, and optionally a kind and a project): their own only.

    Running it searches again with the runner's permissions of the moment, so it never shows more than the
    search box would.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("saved view", "owner"),
        on_delete=models.CASCADE,
        related_name="saved_searches",
    )
    name = models.CharField(_("name"), max_length=100)
    q = models.CharField(_("words or reference"), max_length=200)
    kind = models.CharField(_("kind"), max_length=40, blank=True)
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="saved_search_unique_name")]

    def __str__(self) -> str:
        return self.name


class SearchEntry(models.Model):
    """One searchable object of a stage (an exigence, an anomaly, a PV…): what the search box reads.

    Derived data, rebuilt by ``oeuvre search reindex``: no history of its own (the object it points to has one).
    The full-text side lives beside it: an FTS5 table kept by triggers on SQLite, the narrow table
    :class:`SearchRankRow` kept by a trigger, with a GIN index, on PostgreSQL (both created by this app's migrations).
    """

    kind = models.CharField(_("kind"), max_length=40)
    object_id = models.PositiveBigIntegerField(_("object"))
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="+"
    )
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    # The reference folded for an exact match: lower case, numbers without leading zeros (ANO-042 = ano-42).
    reference_key = models.CharField(max_length=60, blank=True, editable=False)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("address"), max_length=300)
    updated = models.DateTimeField(_("updated"))

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_unique_object")]
        indexes = [
            models.Index(fields=["project", "kind"], name="search_entry_project_kind"),
            models.Index(fields=["reference_key"], name="search_entry_reference"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}".strip()


class SearchRankRow(models.Model):
    """PostgreSQL only: the narrow side of :class:`SearchEntry` that the full-text search filters and ranks.

    One row per entry (same id), holding only what the ranking reads: the permission scope (kind, project), the
    tie-breaker (updated) and the ``tsvector``. Ranking ~40,000 matches of a common word reads these rows, not the
    wide ones with the display columns; the 20 winners are then read from :class:`SearchEntry`. A database trigger
    on ``web_searchentry`` writes and deletes these rows (migration ``web.0007``), which also holds the GIN index;
    the table stays empty on SQLite, which ranks through its FTS5 table. Never written by Django.
    """

    entry = models.OneToOneField(
        SearchEntry, primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    project = models.ForeignKey(
        "projects.Project", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    kind = models.CharField(max_length=40)
    updated = models.DateTimeField()
    vector = SearchVectorField()

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.kind} {self.entry_id}"


class NotificationKind(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned to me")
    VALIDATION = "validation", _("Waiting for my validation")
    SIGNATURE = "signature", _("Waiting for my signature")
    STATUS = "status", _("Status of something of mine")
    MENTION = "mention", _("Mention")
    DEADLINE = "deadline", _("Deadline approaching")


class Notification(models.Model):
    """One thing one person is told about. ``key`` names the event (or the deadline) it comes from, so a job
    run twice never tells the same person twice."""

    Kind = NotificationKind

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind)
    event = models.CharField(_("event"), max_length=80, blank=True)
    key = models.CharField(_("key"), max_length=200)
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    title = models.CharField(_("title"), max_length=300)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_recipient")]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["emailed_at", "recipient"], name="notification_to_mail"),
        ]

    def __str__(self) -> str:
        return self.title


class EmailMode(models.TextChoices):
    NONE = "none", _("No e-mail")
    IMMEDIATE = "immediate", _("One e-mail per notification")
    DIGEST = "digest", _("A daily digest")


class NotificationPreference(models.Model):
    """How a person wants to be told by e-mail; without a row, the daily digest."""

    Mode = EmailMode

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    email_mode = models.CharField(_("e-mail"), max_length=10, choices=EmailMode, default=EmailMode.DIGEST)
    muted_kinds = models.JSONField(_("kinds never e-mailed"), default=list, blank=True)
    last_digest_at = models.DateTimeField(_("last digest sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user}: {self.email_mode}"


class Comment(models.Model):
    """A comment on any domain object of a project (named by its model label and primary key), with one level of
    replies. A deleted comment keeps its place in the thread, without its text."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="comments"
    )
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    parent = models.ForeignKey(
        "self", verbose_name=_("reply to"), null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("text"))
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("mentioned people"), blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["mentions"])

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["project", "object_type", "object_id"], name="comment_target")]

    def __str__(self) -> str:
        return self.body[:60]


class CommentAttachment(models.Model):
    """A file attached to a comment, checked by the shared upload guard and kept in the private files."""

    comment = models.ForeignKey(
        Comment, verbose_name=_("comment"), on_delete=models.CASCADE, related_name="attachments"
    )
    original_name = models.CharField(_("file name"), max_length=200)
    stored_name = models.CharField(_("stored name"), max_length=60, unique=True)
    content_type = models.CharField(_("content type"), max_length=60)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("comment attachment")
        verbose_name_plural = _("comment attachments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name
