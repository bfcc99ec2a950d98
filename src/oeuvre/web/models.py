from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from oeuvre.core.models import VersionedModel


class SavedView(VersionedModel):
    """A named state of a data table (filters, sort, columns, page size), the owner's own or shared with the
    project's members."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="saved_views"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="saved_views"
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


class SearchEntry(models.Model):
    """One searchable object of a stage (an exigence, an anomaly, a PV…): what the search box reads.

    Derived data, rebuilt by ``oeuvre search reindex``: no history of its own (the object it points to has one).
    The full-text side lives beside it: an FTS5 table kept by triggers on SQLite, a ``tsvector`` column kept by
    a trigger and a GIN index on PostgreSQL (both created by this app's migrations).
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
    # PostgreSQL only: filled by a database trigger (French and English configurations, accents folded) and
    # read through a GIN index; an unused NULL column on SQLite, which uses its FTS5 table instead.
    vector = SearchVectorField(null=True, editable=False)

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
