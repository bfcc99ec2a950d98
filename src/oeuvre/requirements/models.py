"""The cahier des charges as a living model: exigences, specifications, DAT components, trace links,
CDC versions and their baselines, deliverables (livrables) with their RACI.

Other stages hang on these rows: planning links tasks to :class:`Specification` and :class:`Component`,
recette links test cases to :class:`Exigence`. Those relations are declared in their apps; this app
reads them through the providers of :mod:`oeuvre.requirements.traces`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from oeuvre.accounts.roles import Role
from oeuvre.core.models import VersionedModel

__all__ = [
    "BaselineEntry",
    "CdcVersion",
    "Component",
    "Deliverable",
    "DeliverableKind",
    "DeliverableRule",
    "Exigence",
    "RaciAssignment",
    "RequirementsSettings",
    "Specification",
    "TraceLink",
]

prefix_validator = RegexValidator(
    r"^[A-Z][A-Z0-9]{0,9}$", _("Use 1 to 10 capital letters or digits, starting with a letter (e.g. EX).")
)


class RequirementsSettings(VersionedModel):
    """Per-project configuration of the stage: reference prefixes and the next free numbers."""

    project = models.OneToOneField(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="requirements_settings"
    )
    exigence_prefix = models.CharField(
        _("requirement prefix"), max_length=10, default="EX", validators=[prefix_validator]
    )
    specification_prefix = models.CharField(
        _("specification prefix"), max_length=10, default="SP", validators=[prefix_validator]
    )
    component_prefix = models.CharField(
        _("component prefix"), max_length=10, default="CMP", validators=[prefix_validator]
    )
    reference_digits = models.PositiveSmallIntegerField(_("digits in references"), default=3)
    next_exigence_number = models.PositiveIntegerField(_("next requirement number"), default=1)
    next_specification_number = models.PositiveIntegerField(_("next specification number"), default=1)
    next_component_number = models.PositiveIntegerField(_("next component number"), default=1)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("requirements settings")
        verbose_name_plural = _("requirements settings")

    def __str__(self) -> str:
        return f"{self.project} — {self.exigence_prefix}"


class CdcVersion(VersionedModel):
    """A version of the cahier des charges. Freezing it records a baseline: every exigence as it stands."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="cdc_versions"
    )
    label = models.CharField(_("version"), max_length=40, help_text=_("For example V1.0."))
    title = models.CharField(_("title"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("frozen by"), null=True, blank=True, on_delete=models.SET_NULL
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("CDC version")
        verbose_name_plural = _("CDC versions")
        ordering = ["project", "created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["project", "label"], name="cdc_version_label_unique")]

    def __str__(self) -> str:
        return f"CDC {self.label}"

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None


class ExigenceType(models.TextChoices):
    FONCTIONNELLE = "fonctionnelle", _("Functional")
    TECHNIQUE = "technique", _("Technical")
    PERFORMANCE = "performance", _("Performance")
    SECURITE = "securite", _("Security")
    REGLEMENTAIRE = "reglementaire", _("Regulatory")
    EXPLOITABILITE = "exploitabilite", _("Operability")


class Priority(models.TextChoices):
    """MoSCoW."""

    MUST = "must", _("Must have")
    SHOULD = "should", _("Should have")
    COULD = "could", _("Could have")
    WONT = "wont", _("Won't have (this time)")


class ExigenceStatus(models.TextChoices):
    BROUILLON = "brouillon", _("Draft")
    SOUMISE = "soumise", _("Submitted")
    VALIDEE = "validee", _("Validated")
    REJETEE = "rejetee", _("Rejected")
    MODIFIEE = "modifiee", _("Modified")


class Exigence(VersionedModel):
    """A numbered statement of the cahier des charges (``EX-042``)."""

    Type = ExigenceType
    Priority = Priority
    Status = ExigenceStatus

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="exigences"
    )
    reference = models.CharField(_("reference"), max_length=40)
    number = models.PositiveIntegerField(_("number"), default=0, help_text=_("Sorts references naturally."))
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"), blank=True, help_text=_("Markdown."))
    type = models.CharField(_("type"), max_length=20, choices=ExigenceType, default=ExigenceType.FONCTIONNELLE)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority, default=Priority.MUST)
    source = models.CharField(_("source"), max_length=200, blank=True, help_text=_("Section of the CDC."))
    cdc_version = models.ForeignKey(
        CdcVersion,
        verbose_name=_("CDC version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="exigences",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_exigences",
    )
    status = models.CharField(_("status"), max_length=12, choices=ExigenceStatus, default=ExigenceStatus.BROUILLON)
    status_comment = models.TextField(_("decision comment"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    external_id = models.CharField(
        _("external identifier"), max_length=200, blank=True, help_text=_("Identifier in the tool it came from.")
    )
    extra_attributes = models.JSONField(_("extra attributes"), default=dict, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        ordering = ["project", "number", "reference"]
        constraints = [models.UniqueConstraint(fields=["project", "reference"], name="exigence_reference_unique")]
        indexes = [
            models.Index(fields=["project", "number"], name="exigence_project_number"),
            models.Index(fields=["project", "status"], name="exigence_project_status"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class SpecificationKind(models.TextChoices):
    SFG = "sfg", _("SFG — high-level functional")
    SFD = "sfd", _("SFD — detailed functional")
    STG = "stg", _("STG — high-level technical")
    STD = "std", _("STD — detailed technical")


class Specification(VersionedModel):
    """An item of a SFG/SFD/STG/STD that satisfies exigences."""

    Kind = SpecificationKind

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="specifications"
    )
    reference = models.CharField(_("reference"), max_length=40)
    number = models.PositiveIntegerField(_("number"), default=0)
    kind = models.CharField(_("kind"), max_length=3, choices=SpecificationKind, default=SpecificationKind.SFD)
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"), blank=True, help_text=_("Markdown."))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_specifications",
    )
    exigences = models.ManyToManyField(
        Exigence,
        verbose_name=_("satisfied requirements"),
        through="TraceLink",
        through_fields=("src_specification", "dst_exigence"),
        related_name="specifications",
        blank=True,
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("specification")
        verbose_name_plural = _("specifications")
        ordering = ["project", "number", "reference"]
        constraints = [models.UniqueConstraint(fields=["project", "reference"], name="specification_reference_unique")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class ComponentKind(models.TextChoices):
    MODULE = "module", _("Module")
    INTERFACE = "interface", _("Interface")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure")


class Component(VersionedModel):
    """A component of the DAT (dossier d'architecture technique) that realises specifications."""

    Kind = ComponentKind

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="components"
    )
    reference = models.CharField(_("reference"), max_length=40)
    number = models.PositiveIntegerField(_("number"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=ComponentKind, default=ComponentKind.MODULE)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_components",
    )
    performance_constraints = models.TextField(_("performance constraints"), blank=True)
    security_constraints = models.TextField(_("security constraints"), blank=True)
    specifications = models.ManyToManyField(
        Specification,
        verbose_name=_("realised specifications"),
        through="TraceLink",
        through_fields=("src_component", "dst_specification"),
        related_name="components",
        blank=True,
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("component")
        verbose_name_plural = _("components")
        ordering = ["project", "number", "reference"]
        constraints = [models.UniqueConstraint(fields=["project", "reference"], name="component_reference_unique")]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"

    @property
    def title(self) -> str:
        return self.name


class TraceKind(models.TextChoices):
    """Each kind links one type of item to another: ``source —kind→ target``."""

    SATISFIES = "satisfies", _("satisfies")  # specification → exigence
    REALISES = "realises", _("realises")  # component → specification
    REFINES = "refines", _("refines")  # exigence → exigence
    DERIVES = "derives", _("derives from")  # specification → specification
    ALLOCATED = "allocated", _("is allocated to")  # exigence → component (constraints carried by a component)
    DEPENDS = "depends", _("depends on")  # component → component


# kind -> (source type, target type); "verifies" (test → exigence) belongs to the recette stage.
TRACE_TYPES: dict[str, tuple[str, str]] = {
    TraceKind.SATISFIES: ("specification", "exigence"),
    TraceKind.REALISES: ("component", "specification"),
    TraceKind.REFINES: ("exigence", "exigence"),
    TraceKind.DERIVES: ("specification", "specification"),
    TraceKind.ALLOCATED: ("exigence", "component"),
    TraceKind.DEPENDS: ("component", "component"),
}
_ITEM_TYPES = ("exigence", "specification", "component")


def _only(prefix: str, item_type: str) -> Q:
    condition = Q()
    for other in _ITEM_TYPES:
        condition &= Q(**{f"{prefix}_{other}__isnull": other != item_type})
    return condition


def _trace_shape() -> Q:
    condition = Q(pk__in=[])
    for kind, (source, target) in TRACE_TYPES.items():
        condition |= Q(kind=kind) & _only("src", source) & _only("dst", target)
    return condition


class TraceLink(models.Model):
    """A typed link between two items of the chain; exactly one source and one target, of the kind's types."""

    Kind = TraceKind

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="trace_links"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=TraceKind)
    src_exigence = models.ForeignKey(
        Exigence, null=True, blank=True, on_delete=models.CASCADE, related_name="links_out"
    )
    src_specification = models.ForeignKey(
        Specification, null=True, blank=True, on_delete=models.CASCADE, related_name="links_out"
    )
    src_component = models.ForeignKey(
        Component, null=True, blank=True, on_delete=models.CASCADE, related_name="links_out"
    )
    dst_exigence = models.ForeignKey(Exigence, null=True, blank=True, on_delete=models.CASCADE, related_name="links_in")
    dst_specification = models.ForeignKey(
        Specification, null=True, blank=True, on_delete=models.CASCADE, related_name="links_in"
    )
    dst_component = models.ForeignKey(
        Component, null=True, blank=True, on_delete=models.CASCADE, related_name="links_in"
    )
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("trace link")
        verbose_name_plural = _("trace links")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=_trace_shape(), name="trace_link_shape"),
            *[
                models.UniqueConstraint(
                    fields=[f"src_{source}", f"dst_{target}"], condition=Q(kind=kind), name=f"trace_link_unique_{kind}"
                )
                for kind, (source, target) in TRACE_TYPES.items()
            ],
        ]
        indexes = [models.Index(fields=["project", "kind"], name="trace_link_project_kind")]

    def __str__(self) -> str:
        # Written on the fields alone (history records call it too), and safe while a cascade deletes an end.
        return f"{self._end('src')} {self.get_kind_display()} {self._end('dst')}"

    def _end(self, side: str) -> str:
        for item_type in _ITEM_TYPES:
            if getattr(self, f"{side}_{item_type}_id", None) is None:
                continue
            try:
                return str(getattr(getattr(self, f"{side}_{item_type}"), "reference", "?"))
            except ObjectDoesNotExist:
                return "?"
        return "?"

    @property
    def source(self) -> Exigence | Specification | Component | None:
        return self.src_exigence or self.src_specification or self.src_component

    @property
    def target(self) -> Exigence | Specification | Component | None:
        return self.dst_exigence or self.dst_specification or self.dst_component


class BaselineEntry(models.Model):
    """One exigence as it stood when its CDC version was frozen (never edited afterwards)."""

    cdc_version = models.ForeignKey(
        CdcVersion, verbose_name=_("CDC version"), on_delete=models.CASCADE, related_name="entries"
    )
    exigence = models.ForeignKey(
        Exigence, verbose_name=_("requirement"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reference = models.CharField(_("reference"), max_length=40)
    number = models.PositiveIntegerField(_("number"), default=0)
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"), blank=True)
    type = models.CharField(_("type"), max_length=20, choices=ExigenceType)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority)
    source = models.CharField(_("source"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ExigenceStatus)
    exigence_version = models.PositiveIntegerField(_("requirement version"), default=1)

    class Meta:
        verbose_name = _("baseline entry")
        verbose_name_plural = _("baseline entries")
        ordering = ["cdc_version", "number", "reference"]
        constraints = [models.UniqueConstraint(fields=["cdc_version", "reference"], name="baseline_entry_unique")]

    def __str__(self) -> str:
        return f"{self.cdc_version}: {self.reference}"


class DeliverableKind(models.TextChoices):
    EXPRESSION_BESOIN = "expression_besoin", _("Statement of needs")
    CDC = "cdc", _("Requirements specification (CDC)")
    PAQ = "paq", _("Quality assurance plan (PAQ)")
    SFG = "sfg", _("High-level functional specification (SFG)")
    SFD = "sfd", _("Detailed functional specification (SFD)")
    STG = "stg", _("High-level technical specification (STG)")
    STD = "std", _("Detailed technical specification (STD)")
    DAT = "dat", _("Technical architecture document (DAT)")
    PLAN_TESTS = "plan_tests", _("Test plan / factory acceptance")
    STRATEGIE_RECETTE = "strategie_recette", _("Acceptance strategy")
    CAHIER_RECETTE = "cahier_recette", _("Acceptance test book")
    PV_LIVRAISON = "pv_livraison", _("Delivery report (PV de livraison / MOM)")
    PLAN_MEP = "plan_mep", _("Go-live plan")
    PLAN_RETOUR_ARRIERE = "plan_retour_arriere", _("Rollback plan")
    AUTRE = "autre", _("Other")


# DOMAIN.md's defaults: who writes and who validates each deliverable, overridable per project.
DEFAULT_DELIVERABLE_RULES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    DeliverableKind.EXPRESSION_BESOIN: ((Role.MOA, Role.AMOA), (Role.MOA,)),
    DeliverableKind.CDC: ((Role.AMOA,), (Role.MOA,)),
    DeliverableKind.PAQ: ((Role.MOE,), (Role.MOA,)),
    DeliverableKind.SFG: ((Role.AMOA,), (Role.MOA,)),
    DeliverableKind.SFD: ((Role.MOE,), (Role.MOA,)),
    DeliverableKind.STG: ((Role.MOE, Role.AMOE), (Role.MOE,)),
    DeliverableKind.STD: ((Role.MOE, Role.AMOE), (Role.MOE,)),
    DeliverableKind.DAT: ((Role.AMOE,), (Role.MOE, Role.EXPLOITATION)),
    DeliverableKind.PLAN_TESTS: ((Role.MOE, Role.AMOE), (Role.MOE,)),
    DeliverableKind.STRATEGIE_RECETTE: ((Role.AMOA,), (Role.MOA,)),
    DeliverableKind.CAHIER_RECETTE: ((Role.AMOA,), (Role.MOA,)),
    DeliverableKind.PV_LIVRAISON: ((Role.MOE,), ()),
    DeliverableKind.PLAN_MEP: ((Role.MOE, Role.EXPLOITATION), (Role.MOA,)),
    DeliverableKind.PLAN_RETOUR_ARRIERE: ((Role.MOE, Role.EXPLOITATION), (Role.MOA,)),
    DeliverableKind.AUTRE: ((Role.MOE, Role.AMOE, Role.MOA, Role.AMOA), (Role.MOA,)),
}


class DeliverableRule(VersionedModel):
    """Who writes and who validates one kind of deliverable on one project (DOMAIN.md: configurable)."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="deliverable_rules"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=DeliverableKind)
    author_roles = models.JSONField(_("author roles"), default=list)
    validator_roles = models.JSONField(_("validator roles"), default=list)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("deliverable rule")
        verbose_name_plural = _("deliverable rules")
        ordering = ["project", "kind"]
        constraints = [models.UniqueConstraint(fields=["project", "kind"], name="deliverable_rule_unique")]

    def __str__(self) -> str:
        return f"{self.project}: {self.get_kind_display()}"


class DeliverableStatus(models.TextChoices):
    BROUILLON = "brouillon", pgettext_lazy("deliverable", "Draft")
    SOUMIS = "soumis", pgettext_lazy("deliverable", "Submitted")
    VALIDE = "valide", pgettext_lazy("deliverable", "Validated")
    REFUSE = "refuse", pgettext_lazy("deliverable", "Refused")


class Deliverable(VersionedModel):
    """A livrable: a document the project owes (CDC, SFD, DAT…) with its validation workflow and RACI."""

    Kind = DeliverableKind
    Status = DeliverableStatus

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="deliverables"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=DeliverableKind)
    title = models.CharField(_("title"), max_length=200)
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    document_version = models.CharField(_("document version"), max_length=20, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    link = models.URLField(_("link to the document"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="authored_deliverables",
    )
    validator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("validator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="validated_deliverables",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DeliverableStatus, default=DeliverableStatus.BROUILLON
    )
    status_comment = models.TextField(_("decision comment"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("deliverable")
        verbose_name_plural = _("deliverables")
        ordering = ["project", "due_date", "pk"]

    def __str__(self) -> str:
        return self.title


class RaciLetter(models.TextChoices):
    R = "R", _("Responsible (réalisateur)")
    A = "A", _("Accountable (approbateur)")
    C = "C", _("Consulted")
    I = "I", _("Informed")  # noqa: E741 — the RACI letter


class RaciAssignment(models.Model):
    """One person's letter on one deliverable. A deliverable has exactly one A (services enforce the
    "exactly"; the database refuses a second A)."""

    Letter = RaciLetter

    deliverable = models.ForeignKey(
        Deliverable, verbose_name=_("deliverable"), on_delete=models.CASCADE, related_name="raci"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE)
    letter = models.CharField(_("RACI"), max_length=1, choices=RaciLetter)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("RACI assignment")
        verbose_name_plural = _("RACI assignments")
        ordering = ["deliverable", "letter", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["deliverable", "user", "letter"], name="raci_unique"),
            models.UniqueConstraint(fields=["deliverable"], condition=Q(letter="A"), name="raci_one_accountable"),
        ]

    def __str__(self) -> str:
        return f"{self.letter}: {self.user}"
