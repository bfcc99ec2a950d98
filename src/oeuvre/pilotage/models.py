"""Steering records: the météo thresholds of a project, the MOE's overrides and the dated météo snapshots."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from oeuvre.core.models import VersionedModel


class Weather(models.TextChoices):
    """Values shared with :class:`oeuvre.engine.health.Weather` (its ``label``)."""

    SUN = "sun", _("Sunny")
    CLOUD = "cloud", _("Cloudy")
    RAIN = "rain", _("Rainy")
    STORM = "storm", _("Stormy")


class Axis(models.TextChoices):
    OVERALL = "overall", _("Overall")
    QUALITY = "quality", _("Quality")
    COST = "cost", pgettext_lazy("QCD axis", "Cost")
    SCHEDULE = "schedule", pgettext_lazy("QCD axis", "Schedule")
    SCOPE = "scope", _("Scope")


_RATIO = [MinValueValidator(0), MaxValueValidator(5)]
_PERCENT = [MinValueValidator(0), MaxValueValidator(1000)]


class SteeringSettings(VersionedModel):
    """The steering settings of one project: météo thresholds (DOMAIN.md's defaults until the MOE changes them)."""

    project = models.OneToOneField(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="steering_settings"
    )
    spi_sun = models.FloatField(_("SPI: sunny from"), default=0.95, validators=_RATIO)
    spi_cloud = models.FloatField(_("SPI: cloudy from"), default=0.90, validators=_RATIO)
    spi_rain = models.FloatField(_("SPI: rainy from (stormy below)"), default=0.80, validators=_RATIO)
    cpi_sun = models.FloatField(_("CPI: sunny from"), default=0.95, validators=_RATIO)
    cpi_cloud = models.FloatField(_("CPI: cloudy from"), default=0.90, validators=_RATIO)
    cpi_rain = models.FloatField(_("CPI: rainy from (stormy below)"), default=0.80, validators=_RATIO)
    slip_cloud_days = models.PositiveIntegerField(_("milestone slippage: cloudy up to (working days)"), default=5)
    slip_rain_days = models.PositiveIntegerField(_("milestone slippage: rainy up to (working days)"), default=15)
    landing_cloud_percent = models.FloatField(
        _("atterrissage over sold: cloudy up to (%)"), default=5.0, validators=_PERCENT
    )
    landing_rain_percent = models.FloatField(
        _("atterrissage over sold: rainy up to (%)"), default=15.0, validators=_PERCENT
    )
    coverage_min_percent = models.FloatField(_("minimum test coverage (%)"), default=95.0, validators=_PERCENT)
    pass_rate_min_percent = models.FloatField(_("minimum pass rate (%)"), default=90.0, validators=_PERCENT)
    bloquante_storm_days = models.PositiveIntegerField(_("stormy when a bloquante is open for (days)"), default=5)
    change_wait_days = models.PositiveIntegerField(_("rainy when a change request waits more than (days)"), default=30)
    critical_risks_cloud = models.PositiveIntegerField(
        _("cloudy from this many critical open risks (0: never)"), default=1
    )
    risk_scale = models.PositiveSmallIntegerField(
        _("scale of probability and impact (4 or 5)"), default=4, choices=[(4, "1–4"), (5, "1–5")]
    )
    risk_critical = models.PositiveSmallIntegerField(
        _("a risk is critical from this criticality (P × I)"), default=9, validators=[MinValueValidator(1)]
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("steering settings")
        verbose_name_plural = _("steering settings")

    def __str__(self) -> str:
        return f"météo settings of {self.project_id}"


class MeteoOverride(VersionedModel):
    """The MOE's verdict on one axis (or overall) replacing the computed one, with its written reason.

    The computed verdict is never overwritten: pages, the API and snapshots show both.
    """

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="meteo_overrides"
    )
    axis = models.CharField(_("axis"), max_length=10, choices=Axis)
    verdict = models.CharField(_("verdict"), max_length=5, choices=Weather)
    reason = models.TextField(_("reason"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("météo override")
        verbose_name_plural = _("météo overrides")
        constraints = [models.UniqueConstraint(fields=["project", "axis"], name="meteo_override_axis_unique")]

    def __str__(self) -> str:
        return f"{self.axis}: {self.verdict}"


class SnapshotKind(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MANUAL = "manual", _("On demand")


class MeteoSnapshot(VersionedModel):
    """The météo of one day, with its reasons and key figures, so the trend can be drawn and the past replayed.

    ``axes`` holds, per axis, ``{"verdict", "computed", "reasons", "override_reason"}``; ``figures`` the
    inputs of the rules (SPI, CPI, atterrissage, coverage…) as plain JSON.
    """

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="meteo_snapshots"
    )
    taken_on = models.DateField(_("taken on"))
    kind = models.CharField(_("kind"), max_length=10, choices=SnapshotKind, default=SnapshotKind.MANUAL)
    overall = models.CharField(_("overall verdict"), max_length=5, choices=Weather)
    computed_overall = models.CharField(_("computed overall verdict"), max_length=5, choices=Weather)
    axes = models.JSONField(_("verdicts per axis"), default=dict)
    figures = models.JSONField(_("figures"), default=dict)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("météo snapshot")
        verbose_name_plural = _("météo snapshots")
        ordering = ["project", "-taken_on"]
        constraints = [models.UniqueConstraint(fields=["project", "taken_on"], name="meteo_snapshot_day_unique")]
        indexes = [models.Index(fields=["project", "-taken_on"])]

    def __str__(self) -> str:
        return f"{self.taken_on}: {self.overall}"


# --------------------------------------------------------------------------------------------------- risk register


class RiskKind(models.TextChoices):
    RISQUE = "risque", _("Risk")
    OPPORTUNITE = "opportunite", _("Opportunity")


class RiskStatus(models.TextChoices):
    """DOMAIN.md: identifié → en traitement → clos; an open risk that happens is survenu (it becomes an issue)."""

    IDENTIFIE = "identifie", _("Identified")
    EN_TRAITEMENT = "en_traitement", _("Being treated")
    CLOS = "clos", _("Closed")
    SURVENU = "survenu", _("Occurred")


OPEN_RISK_STATUSES = (RiskStatus.IDENTIFIE, RiskStatus.EN_TRAITEMENT)


class Risk(VersionedModel):
    """One entry of the risk register: cause → event → consequence, scored probability × impact."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="risks"
    )
    reference = models.CharField(_("reference"), max_length=40)
    number = models.PositiveIntegerField(_("number"), default=0)
    kind = models.CharField(_("kind"), max_length=12, choices=RiskKind, default=RiskKind.RISQUE)
    title = models.CharField(_("title"), max_length=300)
    cause = models.TextField(_("cause"), blank=True)
    event = models.TextField(_("event"), blank=True)
    consequence = models.TextField(_("consequence"), blank=True)
    probability = models.PositiveSmallIntegerField(_("probability"), validators=[MinValueValidator(1)])
    impact = models.PositiveSmallIntegerField(_("impact"), validators=[MinValueValidator(1)])
    residual_probability = models.PositiveSmallIntegerField(
        _("residual probability"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    residual_impact = models.PositiveSmallIntegerField(
        _("residual impact"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=15, choices=RiskStatus, default=RiskStatus.IDENTIFIE)
    review_on = models.DateField(_("next review"), null=True, blank=True)
    schedule_days_min = models.FloatField(_("extra working days (minimum)"), null=True, blank=True)
    schedule_days_likely = models.FloatField(_("extra working days (most likely)"), null=True, blank=True)
    schedule_days_max = models.FloatField(_("extra working days (maximum)"), null=True, blank=True)
    schedule_scope = models.CharField(
        _("tasks or lot affected"),
        max_length=300,
        blank=True,
        help_text=_("Codes of tasks or lots of the plan, separated by commas."),
    )
    schedule_probability = models.PositiveSmallIntegerField(
        _("chance of the schedule impact (%)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_("Left blank, the middle of the probability's band on the scale."),
    )
    cost_impact = models.DecimalField(_("cost impact (€)"), max_digits=14, decimal_places=2, null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        ordering = ["project", "number", "pk"]
        constraints = [models.UniqueConstraint(fields=["project", "reference"], name="risk_reference_unique")]
        indexes = [models.Index(fields=["project", "status"])]

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"

    @property
    def criticality(self) -> int:
        return self.probability * self.impact

    @property
    def residual_criticality(self) -> int | None:
        if self.residual_probability is None or self.residual_impact is None:
            return None
        return self.residual_probability * self.residual_impact

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_RISK_STATUSES

    def schedule_chance(self, scale: int) -> float:
        """The chance (0..1) that the schedule impact happens: the one typed, else the middle of the
        probability's band when the scale splits 0..100 % in equal bands (2 of 4 → 37.5 %)."""
        if self.schedule_probability is not None:
            return min(self.schedule_probability, 100) / 100
        return (min(self.probability, scale) - 0.5) / scale


class RiskActionStatus(models.TextChoices):
    A_FAIRE = "a_faire", _("To do")
    EN_COURS = "en_cours", _("In progress")
    FAIT = "fait", _("Done")


class RiskAction(VersionedModel):
    """A mitigation action of a risk, with its owner and due date."""

    risk = models.ForeignKey(Risk, verbose_name=_("risk"), on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RiskActionStatus, default=RiskActionStatus.A_FAIRE)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mitigation action")
        verbose_name_plural = _("mitigation actions")
        ordering = ["risk", "due_on", "pk"]

    def __str__(self) -> str:
        return self.title


# --------------------------------------------------------------------------------------------------- committees


class CommitteeKind(models.TextChoices):
    COPIL = "copil", _("Steering committee (COPIL)")
    COPROJ = "coproj", _("Project committee (COPROJ)")
    AUTRE = "autre", _("Other committee")


class CommitteeStatus(models.TextChoices):
    PREPARATION = "preparation", _("In preparation")
    CLOS = "clos", _("Closed")


class Committee(VersionedModel):
    """A COPIL, COPROJ or other committee: its date, attendees and agenda; closing it seals its decisions."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="committees"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=CommitteeKind, default=CommitteeKind.COPIL)
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("date"))
    location = models.CharField(_("place"), max_length=200, blank=True)
    attendees = models.TextField(_("attendees (one per line: name — role)"), blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=CommitteeStatus, default=CommitteeStatus.PREPARATION)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("committees")
        ordering = ["project", "-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on})"

    @property
    def is_closed(self) -> bool:
        return self.status == CommitteeStatus.CLOS


class Decision(VersionedModel):
    """One numbered decision of a committee's relevé de décisions, linked to what it decides."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="decisions"
    )
    committee = models.ForeignKey(
        Committee, verbose_name=_("committee"), on_delete=models.CASCADE, related_name="decisions"
    )
    number = models.PositiveIntegerField(_("number"))
    text = models.TextField(_("decision"))
    risk = models.ForeignKey(
        Risk, verbose_name=_("risk decided"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.CharField(
        _("what it decides (deliverable, go/no-go, change request…)"), max_length=200, blank=True
    )
    change = models.ForeignKey(
        "pilotage.ChangeRequest",
        verbose_name=_("change request decided"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decisions",
    )
    chain_sequence = models.PositiveIntegerField(_("hash chain entry"), null=True, blank=True)
    chain_hash = models.CharField(_("hash"), max_length=64, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["project", "number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="decision_number_unique")]

    def __str__(self) -> str:
        return f"D{self.number}"


class ActionStatus(models.TextChoices):
    A_FAIRE = "a_faire", _("To do")
    EN_COURS = "en_cours", _("In progress")
    FAIT = "fait", _("Done")
    ABANDONNE = "abandonne", _("Dropped")


OPEN_ACTION_STATUSES = (ActionStatus.A_FAIRE, ActionStatus.EN_COURS)


class Action(VersionedModel):
    """An entry of the plan d'actions: owner, due date, status, and where it comes from (committee, decision)."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="steering_actions"
    )
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ActionStatus, default=ActionStatus.A_FAIRE)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    committee = models.ForeignKey(
        Committee, verbose_name=_("committee"), null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    decision = models.ForeignKey(
        Decision, verbose_name=_("decision"), null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["project", "number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="action_number_unique")]
        indexes = [models.Index(fields=["owner", "status"])]

    def __str__(self) -> str:
        return f"A{self.number} {self.title}"


# --------------------------------------------------------------------------------------------------- change requests


class ChangeOrigin(models.TextChoices):
    MOA = "moa", _("Requested by the buyer (MOA)")
    MOE = "moe", _("Proposed by the project management (MOE)")
    RECETTE = "recette", _("Raised in acceptance (demande d'évolution)")


class ChangeStatus(models.TextChoices):
    """DOMAIN.md: requested in writing, analysed by the MOE, decided by the MOA (or withdrawn). The MOA may also
    defer (ajourner) a request with a reason and a date to review it; a deferred request can be submitted again."""

    BROUILLON = "brouillon", _("Draft")
    SOUMISE = "soumise", _("Submitted")
    ANALYSEE = "analysee", _("Impact analysed")
    ACCEPTEE = "acceptee", _("Accepted")
    REFUSEE = "refusee", pgettext_lazy("change request", "Refused")
    AJOURNEE = "ajournee", pgettext_lazy("change request status", "Deferred")
    RETIREE = "retiree", _("Withdrawn")


WAITING_CHANGE_STATUSES = (ChangeStatus.SOUMISE, ChangeStatus.ANALYSEE)


class ChangeRequest(VersionedModel):
    """A demande de modification of the contracted scope, its MOE impact analysis and the MOA's decision.

    The analysis figures (effort, cost, delay, what is reached) are computed by the analysis service, never
    typed: the delay comes from rescheduling a copy of the plan with the change applied.
    """

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="change_requests"
    )
    reference = models.CharField(_("reference"), max_length=40)
    number = models.PositiveIntegerField(_("number"), default=0)
    title = models.CharField(_("title"), max_length=300)
    justification = models.TextField(_("justification"), blank=True)
    origin = models.CharField(_("origin"), max_length=10, choices=ChangeOrigin, default=ChangeOrigin.MOA)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=10, choices=ChangeStatus, default=ChangeStatus.BROUILLON)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    analysed_at = models.DateTimeField(_("analysed at"), null=True, blank=True)
    analysed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("analysed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    analysis_note = models.TextField(_("analysis note"), blank=True)
    extra_effort = models.DecimalField(_("extra effort (days)"), max_digits=10, decimal_places=2, null=True, blank=True)
    day_rate = models.DecimalField(_("day rate (€)"), max_digits=10, decimal_places=2, null=True, blank=True)
    extra_cost = models.DecimalField(_("extra cost (€)"), max_digits=14, decimal_places=2, null=True, blank=True)
    delay_days = models.IntegerField(_("delay (working days)"), null=True, blank=True)
    finish_before = models.DateField(_("plan finish before the change"), null=True, blank=True)
    finish_after = models.DateField(_("plan finish with the change"), null=True, blank=True)
    reach = models.JSONField(_("what the change reaches"), default=dict, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_reason = models.TextField(_("reason of the decision"), blank=True)
    review_on = models.DateField(_("to review on (deferred request)"), null=True, blank=True)
    avenant_number = models.PositiveIntegerField(_("avenant number"), null=True, blank=True)
    avenant_signed_on = models.DateField(_("avenant signed on"), null=True, blank=True)
    baseline = models.ForeignKey(
        "planning.Baseline",
        verbose_name=_("plan baseline of the change"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cdc_version = models.ForeignKey(
        "requirements.CdcVersion",
        verbose_name=_("CDC baseline of the change"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    applied = models.JSONField(
        _("what the acceptance applied to the exigences"),
        default=list,
        blank=True,
        help_text=_("One line per item: the exigence and what was done to it, or why it could not be applied."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        ordering = ["project", "number", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "reference"], name="change_reference_unique"),
            models.UniqueConstraint(
                fields=["project", "avenant_number"],
                condition=models.Q(avenant_number__isnull=False),
                name="change_avenant_unique",
            ),
        ]
        indexes = [models.Index(fields=["project", "status"])]

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"

    @property
    def is_waiting(self) -> bool:
        return self.status in WAITING_CHANGE_STATUSES

    @property
    def needs_avenant(self) -> bool:
        """An accepted change that alters price or deadlines needs an avenant before it is built (DOMAIN.md)."""
        return bool((self.extra_cost or 0) > 0 or (self.delay_days or 0) > 0)


class ChangeItemKind(models.TextChoices):
    AJOUT = "ajout", _("Exigence added")
    MODIFICATION = "modification", _("Exigence changed")
    SUPPRESSION = "suppression", _("Exigence removed")


class ChangeItem(VersionedModel):
    """What a change request changes: one exigence added (a new statement), changed or removed (a link)."""

    change = models.ForeignKey(
        ChangeRequest, verbose_name=_("change request"), on_delete=models.CASCADE, related_name="items"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ChangeItemKind)
    exigence = models.ForeignKey(
        "requirements.Exigence",
        verbose_name=_("exigence"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField(_("what changes"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("change item")
        verbose_name_plural = _("change items")
        ordering = ["change", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.exigence_id or ''}"


class ChangeTaskImpact(VersionedModel):
    """The MOE's estimate for one task of the plan: extra working days and extra effort (days)."""

    change = models.ForeignKey(
        ChangeRequest, verbose_name=_("change request"), on_delete=models.CASCADE, related_name="task_impacts"
    )
    task = models.ForeignKey("planning.Task", verbose_name=_("task"), on_delete=models.CASCADE, related_name="+")
    extra_days = models.PositiveIntegerField(_("extra working days"), default=0)
    extra_effort = models.DecimalField(
        _("extra effort (days)"), max_digits=10, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("task impact")
        verbose_name_plural = _("task impacts")
        ordering = ["change", "pk"]
        constraints = [models.UniqueConstraint(fields=["change", "task"], name="change_task_unique")]

    def __str__(self) -> str:
        return f"{self.task_id}: +{self.extra_days}"
