from __future__ import annotations

from django.conf import settings
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
