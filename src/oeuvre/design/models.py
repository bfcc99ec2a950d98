"""The DAT as a model: interfaces between components (or with a partner system) and measurable criteria.

Components live in the requirements stage (:class:`oeuvre.requirements.models.Component`); this stage adds the
flows between them and the performance and security constraints as criteria a tool's result can prove
(:mod:`oeuvre.engine.criteria`). The measured results belong to the recette stage, which runs the campaigns; it
shows them here through :mod:`oeuvre.design.results`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from oeuvre.core.models import VersionedModel
from oeuvre.engine.criteria import OPERATORS
from oeuvre.interop.perfsec import ALL, Metric

__all__ = ["Criterion", "Interface"]


class Protocol(models.TextChoices):
    REST = "rest", _("REST / HTTP API")
    SOAP = "soap", _("SOAP web service")
    FILE = "file", _("File drop")
    QUEUE = "queue", _("Message queue")
    DATABASE = "database", _("Database link")
    OTHER = "other", _("Other")


class Direction(models.TextChoices):
    OUTBOUND = "outbound", _("Source to target")
    INBOUND = "inbound", _("Target to source")
    BOTH = "both", _("Both ways")


class IntegrationStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("interface status", "Planned")
    IN_PROGRESS = "in_progress", _("Being built")
    INTEGRATED = "integrated", _("Integrated")
    TESTED = "tested", pgettext_lazy("interface status", "Tested")
    IN_PRODUCTION = "in_production", _("In production")


class Interface(VersionedModel):
    """A flow between two components of the DAT, or between a component and an external partner system."""

    Protocol = Protocol
    Direction = Direction
    Status = IntegrationStatus

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="interfaces"
    )
    reference = models.CharField(_("reference"), max_length=40)
    number = models.PositiveIntegerField(_("number"), default=0)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    source = models.ForeignKey(
        "requirements.Component",
        verbose_name=_("source component"),
        on_delete=models.CASCADE,
        related_name="interfaces_out",
    )
    target = models.ForeignKey(
        "requirements.Component",
        verbose_name=_("target component"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="interfaces_in",
    )
    partner = models.CharField(
        _("partner system"), max_length=200, blank=True, help_text=_("The external system, when there is no target.")
    )
    protocol = models.CharField(_("protocol"), max_length=10, choices=Protocol, default=Protocol.REST)
    data_format = models.CharField(_("format"), max_length=100, blank=True, help_text=_("For example JSON, XML."))
    direction = models.CharField(_("direction"), max_length=10, choices=Direction, default=Direction.OUTBOUND)
    volume = models.CharField(_("volume"), max_length=100, blank=True, help_text=_("For example 20,000 messages."))
    frequency = models.CharField(_("frequency"), max_length=100, blank=True, help_text=_("For example real time."))
    authentication = models.CharField(_("authentication"), max_length=100, blank=True)
    encryption = models.CharField(_("encryption"), max_length=100, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_interfaces",
    )
    status = models.CharField(
        _("integration status"), max_length=15, choices=IntegrationStatus, default=IntegrationStatus.PLANNED
    )
    exigences = models.ManyToManyField(
        "requirements.Exigence", verbose_name=_("requirements"), blank=True, related_name="interfaces"
    )
    specifications = models.ManyToManyField(
        "requirements.Specification", verbose_name=_("specifications"), blank=True, related_name="interfaces"
    )

    history = HistoricalRecords(m2m_fields=[exigences, specifications])

    class Meta:
        verbose_name = _("interface")
        verbose_name_plural = _("interfaces")
        ordering = ["project", "number", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["project", "reference"], name="interface_reference_unique"),
            models.CheckConstraint(
                condition=Q(target__isnull=False) | ~Q(partner=""), name="interface_has_a_target_or_partner"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"

    @property
    def title(self) -> str:
        return self.name

    @property
    def external(self) -> bool:
        return self.target_id is None


class Criterion(VersionedModel):
    """A measurable constraint of a component or an interface: ``metric operator threshold unit``."""

    OPERATOR_CHOICES = [(op, op.replace("<=", "≤").replace(">=", "≥")) for op in OPERATORS]

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="criteria"
    )
    reference = models.CharField(_("reference"), max_length=40)
    number = models.PositiveIntegerField(_("number"), default=0)
    title = models.CharField(_("title"), max_length=300, blank=True)
    component = models.ForeignKey(
        "requirements.Component",
        verbose_name=_("component"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="criteria",
    )
    interface = models.ForeignKey(
        Interface, verbose_name=_("interface"), null=True, blank=True, on_delete=models.CASCADE, related_name="criteria"
    )
    metric = models.CharField(_("metric"), max_length=40, choices=[(m.value, m.value) for m in Metric])
    operator = models.CharField(_("operator"), max_length=2, choices=OPERATOR_CHOICES, default="<=")
    threshold = models.CharField(_("threshold"), max_length=40, help_text=_("A number, or a version such as 1.2."))
    unit = models.CharField(_("unit"), max_length=10)
    label = models.CharField(
        _("transaction"),
        max_length=300,
        default=ALL,
        help_text=_("The request or transaction it applies to, as the tool names it; * for the whole run."),
    )
    exigences = models.ManyToManyField(
        "requirements.Exigence", verbose_name=_("requirements"), blank=True, related_name="criteria"
    )

    history = HistoricalRecords(m2m_fields=[exigences])

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["project", "number", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["project", "reference"], name="criterion_reference_unique"),
            models.CheckConstraint(
                condition=Q(component__isnull=False, interface__isnull=True)
                | Q(component__isnull=True, interface__isnull=False),
                name="criterion_on_a_component_or_an_interface",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.describe()}"

    @property
    def subject(self) -> object:
        return self.interface if self.interface_id else self.component

    def describe(self) -> str:
        operator = dict(self.OPERATOR_CHOICES).get(self.operator, self.operator)
        unit = "" if self.unit in {"version", "count"} else f" {self.unit}"
        where = "" if self.label == ALL else f" [{self.label}]"
        return f"{self.metric} {operator} {self.threshold}{unit}{where}"
