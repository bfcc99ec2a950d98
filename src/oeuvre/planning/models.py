"""The MOE's plan and what it really costs: lots (WBS), tasks and milestones, dependencies, resources with
their TJM, assignments, time entries (imputations), dated RAF re-estimates and baselines.

Dates computed by the engine (early/late start and finish, floats, critical flag) live on the task but
are not part of its history or its version: they change with every reschedule, not with an edit.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from oeuvre.core.models import VersionedModel

# Fields the scheduler writes: kept out of history (see the module docstring).
COMPUTED_TASK_FIELDS = [
    "early_start",
    "early_finish",
    "late_start",
    "late_finish",
    "total_float",
    "free_float",
    "is_critical",
]


class LinkType(models.TextChoices):
    FS = "FS", _("Finish to start (FS)")
    SS = "SS", _("Start to start (SS)")
    FF = "FF", _("Finish to finish (FF)")
    SF = "SF", _("Start to finish (SF)")


class ConstraintType(models.TextChoices):
    ASAP = "ASAP", _("As soon as possible")
    SNET = "SNET", _("Start no earlier than")
    FNLT = "FNLT", _("Finish no later than")
    MSO = "MSO", _("Must start on")


class TaskKind(models.TextChoices):
    TASK = "task", _("Task")
    MILESTONE = "milestone", _("Milestone")


class MilestoneType(models.TextChoices):
    NONE = "", _("—")
    CONTRACTUAL = "contractual", _("Contractual")
    INTERNAL = "internal", _("Internal")


class ResourceKind(models.TextChoices):
    PERSON = "person", _("Person")
    PROFILE = "profile", _("Profile")


class Plan(VersionedModel):
    """The plan's settings and its last schedule (one per project)."""

    project = models.OneToOneField(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="plan"
    )
    status_date = models.DateField(
        _("status date"),
        null=True,
        blank=True,
        help_text=_("Date the progress is measured at; empty means today."),
    )
    baseline = models.ForeignKey(
        "planning.Baseline",
        verbose_name=_("reference baseline"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    timesheet_closed_until = models.DateField(
        _("time entries closed until"),
        null=True,
        blank=True,
        help_text=_("Time entries on or before this date can no longer be changed."),
    )
    default_tjm = models.DecimalField(
        _("default day rate (€)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Costs unassigned effort; empty means the project budget divided by the sold effort."),
    )
    optimistic_factor = models.DecimalField(
        _("default optimistic duration (× duration)"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.90"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    pessimistic_factor = models.DecimalField(
        _("default pessimistic duration (× duration)"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.30"),
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    # Written by the scheduler with queryset updates, so they stay out of history.
    revision = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    finish = models.DateField(_("forecast finish"), null=True, blank=True, editable=False)
    scheduled_at = models.DateTimeField(_("scheduled at"), null=True, blank=True, editable=False)
    scheduled_revision = models.PositiveIntegerField(default=0, editable=False)
    schedule_warnings = models.JSONField(default=list, blank=True, editable=False)
    critical_path = models.JSONField(default=list, blank=True, editable=False)

    history = HistoricalRecords(
        excluded_fields=[
            "revision",
            "finish",
            "scheduled_at",
            "scheduled_revision",
            "schedule_warnings",
            "critical_path",
        ]
    )

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self) -> str:
        return str(_("Plan of %(project)s") % {"project": self.project})

    @property
    def up_to_date(self) -> bool:
        return self.scheduled_revision >= self.revision and self.scheduled_at is not None


class Lot(VersionedModel):
    """A work package of the WBS; lots nest."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="lots"
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("parent lot"), null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    budget_effort = models.DecimalField(
        _("sold effort (person-days)"),
        max_digits=10,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    budget_amount = models.DecimalField(
        _("sold amount (€)"), max_digits=14, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        ordering = ["position", "code"]
        constraints = [models.UniqueConstraint(fields=["project", "code"], name="lot_code_unique_in_project")]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class Task(VersionedModel):
    """A task or a milestone (``kind``); durations in working days, effort in person-days."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="tasks"
    )
    lot = models.ForeignKey(Lot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="tasks")
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=12, choices=TaskKind, default=TaskKind.TASK)
    milestone_type = models.CharField(
        _("milestone type"), max_length=12, choices=MilestoneType, default=MilestoneType.NONE, blank=True
    )
    duration = models.PositiveIntegerField(_("duration (working days)"), default=1)
    effort = models.DecimalField(
        _("effort (person-days)"), max_digits=10, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    optimistic_duration = models.PositiveIntegerField(_("optimistic duration"), null=True, blank=True)
    pessimistic_duration = models.PositiveIntegerField(_("pessimistic duration"), null=True, blank=True)
    constraint_type = models.CharField(
        _("date constraint"), max_length=4, choices=ConstraintType, default=ConstraintType.ASAP
    )
    constraint_date = models.DateField(_("constraint date"), null=True, blank=True)
    levelling_start = models.DateField(
        _("start set by levelling"),
        null=True,
        blank=True,
        help_text=_("Applied from a levelling proposal; the task starts no earlier than this."),
    )
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_finish = models.DateField(_("actual finish"), null=True, blank=True)
    progress_override = models.DecimalField(
        _("progress override (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Empty: progress = actuals ÷ (actuals + remaining effort)."),
    )
    # Computed by the engine.
    early_start = models.DateField(_("early start"), null=True, blank=True, editable=False)
    early_finish = models.DateField(_("early finish"), null=True, blank=True, editable=False)
    late_start = models.DateField(_("late start"), null=True, blank=True, editable=False)
    late_finish = models.DateField(_("late finish"), null=True, blank=True, editable=False)
    total_float = models.IntegerField(_("total float (days)"), null=True, blank=True, editable=False)
    free_float = models.IntegerField(_("free float (days)"), null=True, blank=True, editable=False)
    is_critical = models.BooleanField(_("critical"), default=False, editable=False)
    # Traceability from the requirements stage: what this task implements.
    specifications = models.ManyToManyField(
        "requirements.Specification", verbose_name=_("specifications"), related_name="tasks", blank=True
    )
    components = models.ManyToManyField(
        "requirements.Component", verbose_name=_("components"), related_name="tasks", blank=True
    )

    history = HistoricalRecords(excluded_fields=COMPUTED_TASK_FIELDS, m2m_fields=["specifications", "components"])

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["lot__position", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["project", "code"], name="task_code_unique_in_project")]
        indexes = [models.Index(fields=["project", "position"], name="task_project_position")]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    @property
    def is_milestone(self) -> bool:
        return self.kind == TaskKind.MILESTONE


class Dependency(VersionedModel):
    """``successor`` depends on ``predecessor``: FS/SS/FF/SF with a lag (negative = lead)."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="dependencies"
    )
    predecessor = models.ForeignKey(
        Task, verbose_name=_("predecessor"), on_delete=models.CASCADE, related_name="successor_links"
    )
    successor = models.ForeignKey(
        Task, verbose_name=_("successor"), on_delete=models.CASCADE, related_name="predecessor_links"
    )
    type = models.CharField(_("type"), max_length=2, choices=LinkType, default=LinkType.FS)
    lag = models.IntegerField(
        _("lag (days)"),
        default=0,
        validators=[MinValueValidator(-999), MaxValueValidator(999)],
        help_text=_("Negative for a lead."),
    )
    lag_calendar_days = models.BooleanField(_("lag in calendar days"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dependency")
        verbose_name_plural = _("dependencies")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="one_link_per_task_pair"),
            models.CheckConstraint(condition=~models.Q(predecessor=models.F("successor")), name="no_self_link"),
        ]

    def __str__(self) -> str:
        lag = f"{self.lag:+d}" if self.lag else ""
        return f"{self.predecessor.code} → {self.successor.code} ({self.type}{lag})"


class Resource(VersionedModel):
    """A person or a profile, with a day rate (TJM), a capacity (full-time units) and a calendar."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="resources"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=ResourceKind, default=ResourceKind.PERSON)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="planning_resources",
        help_text=_("The person's account, so they can fill their own timesheet."),
    )
    tjm = models.DecimalField(
        _("day rate (TJM, €)"), max_digits=10, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    capacity = models.DecimalField(
        _("capacity (full-time units)"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(0), MaxValueValidator(1000)],
    )
    working_days = models.JSONField(
        _("working days"), null=True, blank=True, help_text=_("Empty: the project's working days.")
    )
    active = models.BooleanField(pgettext_lazy("resource", "active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="resource_name_unique_in_project"),
            models.UniqueConstraint(
                fields=["project", "user"], condition=models.Q(user__isnull=False), name="one_resource_per_account"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Absence(VersionedModel):
    """Days a resource does not work (leave, training): part of the resource's calendar."""

    resource = models.ForeignKey(
        Resource, verbose_name=_("resource"), on_delete=models.CASCADE, related_name="absences"
    )
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    label = models.CharField(_("label"), max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="absence_end_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.resource}: {self.start:%d/%m/%Y}–{self.end:%d/%m/%Y}"


class Assignment(VersionedModel):
    """A resource on a task: ``units`` of its capacity while the task runs; effort defaults to a share."""

    task = models.ForeignKey(Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="assignments")
    resource = models.ForeignKey(
        Resource, verbose_name=_("resource"), on_delete=models.PROTECT, related_name="assignments"
    )
    units = models.DecimalField(
        _("units (1 = full time)"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(1000)],
    )
    effort = models.DecimalField(
        _("effort (person-days)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Empty: the task's effort shared in proportion to units."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [models.UniqueConstraint(fields=["task", "resource"], name="one_assignment_per_resource")]

    def __str__(self) -> str:
        return f"{self.resource} @ {self.task.code} ({self.units:g})"


class TimeEntry(VersionedModel):
    """An imputation: a person, a task, a day, an effort in person-days."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="time_entries"
    )
    resource = models.ForeignKey(
        Resource, verbose_name=_("person"), on_delete=models.PROTECT, related_name="time_entries"
    )
    task = models.ForeignKey(Task, verbose_name=_("task"), on_delete=models.PROTECT, related_name="time_entries")
    date = models.DateField(_("date"))
    effort = models.DecimalField(
        _("effort (person-days)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(2)],
    )
    comment = models.CharField(_("comment"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("time entry")
        verbose_name_plural = _("time entries")
        ordering = ["date", "resource__name"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "task", "date"], name="one_entry_per_person_task_day")
        ]
        indexes = [
            models.Index(fields=["project", "date"], name="time_project_date"),
            models.Index(fields=["task", "date"], name="time_task_date"),
        ]

    def __str__(self) -> str:
        return f"{self.resource} · {self.task.code} · {self.date:%d/%m/%Y} · {self.effort:g}"


class RafEstimate(VersionedModel):
    """A dated re-estimate of a task's remaining effort (reste à faire); the latest one counts."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="raf_estimates"
    )
    task = models.ForeignKey(Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="raf_estimates")
    date = models.DateField(_("as of"))
    raf = models.DecimalField(
        _("remaining effort (person-days)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, blank=True, on_delete=models.SET_NULL
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("remaining-effort estimate")
        verbose_name_plural = _("remaining-effort estimates")
        ordering = ["-date", "-pk"]
        constraints = [models.UniqueConstraint(fields=["task", "date"], name="one_raf_per_task_and_day")]

    def __str__(self) -> str:
        return f"{self.task.code} · {self.date:%d/%m/%Y} · RAF {self.raf:g}"


class Baseline(VersionedModel):
    """A frozen copy of the plan (dates, durations, effort, cost) to measure slippage and earned value."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="baselines"
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    start = models.DateField(_("start"), null=True, blank=True)
    finish = models.DateField(_("finish"), null=True, blank=True)
    effort = models.DecimalField(_("effort (person-days)"), max_digits=12, decimal_places=2, default=0)
    cost = models.DecimalField(_("cost (€)"), max_digits=14, decimal_places=2, default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("baseline")
        verbose_name_plural = _("baselines")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class BaselineTask(models.Model):
    """One task of a baseline, copied when the baseline is taken and never edited afterwards."""

    baseline = models.ForeignKey(Baseline, verbose_name=_("baseline"), on_delete=models.CASCADE, related_name="tasks")
    task = models.ForeignKey(
        Task, verbose_name=_("task"), null=True, blank=True, on_delete=models.SET_NULL, related_name="baseline_rows"
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=300)
    lot_code = models.CharField(_("lot"), max_length=40)
    is_milestone = models.BooleanField(_("milestone"), default=False)
    start = models.DateField(_("start"), null=True, blank=True)
    finish = models.DateField(_("finish"), null=True, blank=True)
    duration = models.PositiveIntegerField(_("duration (working days)"), default=0)
    effort = models.DecimalField(_("effort (person-days)"), max_digits=10, decimal_places=2, default=0)
    cost = models.DecimalField(_("cost (€)"), max_digits=14, decimal_places=2, default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("baseline task")
        verbose_name_plural = _("baseline tasks")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["baseline", "task"], condition=models.Q(task__isnull=False), name="one_row_per_task"
            )
        ]

    def __str__(self) -> str:
        return f"{self.baseline}: {self.code}"
