"""The deployment stage's models: environments and what runs there, releases, readiness and the go/no-go.

A release's content (fixed anomalies, campaigns that tested it) is computed from the recette stage through its
selectors, never stored here. The go/no-go proposal is computed by :mod:`oeuvre.engine.gonogo`; the MOA's
decision keeps the criteria as they were shown and is chained in the project's ledger like a PV signature.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from oeuvre.core.models import VersionedModel


class EnvironmentKind(models.TextChoices):
    DEVELOPPEMENT = "developpement", _("Development")
    INTEGRATION = "integration", _("Integration")
    RECETTE = "recette", _("Acceptance testing")
    PREPRODUCTION = "preproduction", _("Staging (préproduction)")
    PRODUCTION = "production", _("Production")
    FORMATION = "formation", _("Training")


class Environment(VersionedModel):
    """An environment of the project (DOMAIN.md): it holds deployed components at versions."""

    Kind = EnvironmentKind

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="mep_environments"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EnvironmentKind)
    name = models.CharField(_("name"), max_length=100)
    url = models.CharField(_("address"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("environment")
        verbose_name_plural = _("environments")
        ordering = ["project", "pk"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="mep_environment_name_unique")]

    def __str__(self) -> str:
        return self.name


class Deployment(VersionedModel):
    """One component of the DAT deployed in one environment at one version (what runs where)."""

    environment = models.ForeignKey(
        Environment, verbose_name=_("environment"), on_delete=models.CASCADE, related_name="deployments"
    )
    component = models.ForeignKey(
        "requirements.Component",
        verbose_name=_("component"),
        on_delete=models.CASCADE,
        related_name="mep_deployments",
    )
    version_label = models.CharField(_("deployed version"), max_length=60)
    deployed_on = models.DateField(_("deployed on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("deployment")
        verbose_name_plural = _("deployments")
        ordering = ["environment", "component"]
        constraints = [
            models.UniqueConstraint(fields=["environment", "component"], name="mep_deployment_component_unique")
        ]

    def __str__(self) -> str:
        return f"{self.component_id}@{self.version_label}"


class ReleaseStatus(models.TextChoices):
    PLANIFIEE = "planifiee", pgettext_lazy("release status", "Planned")
    EN_RECETTE = "en_recette", _("In acceptance testing")
    PRETE = "prete", _("Ready to go live")
    EN_PRODUCTION = "en_production", _("In production")
    ABANDONNEE = "abandonnee", _("Abandoned")


class Release(VersionedModel):
    """A version delivered together (DOMAIN.md); its content is computed from the other stages."""

    Status = ReleaseStatus

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="mep_releases"
    )
    number = models.CharField(_("number"), max_length=60, help_text=_("As the anomalies and campaigns name it."))
    title = models.CharField(_("title"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ReleaseStatus, default=ReleaseStatus.PLANIFIEE)
    planned_date = models.DateField(_("planned go-live date"), null=True, blank=True)
    actual_date = models.DateField(_("actual go-live date"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("release")
        verbose_name_plural = _("releases")
        ordering = ["project", "planned_date", "pk"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="mep_release_number_unique")]

    def __str__(self) -> str:
        return self.number


class GoNoGoSettings(VersionedModel):
    """Per project: which go/no-go criteria count and the anomaly thresholds (defaults of DOMAIN.md)."""

    project = models.OneToOneField(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="mep_gonogo_settings"
    )
    max_open_bloquantes = models.PositiveIntegerField(_("open blocking anomalies allowed"), default=0)
    max_open_majeures = models.PositiveIntegerField(_("open major anomalies allowed"), default=2)
    ignored_criteria = models.JSONField(
        _("criteria not applied"), default=list, blank=True, help_text=_("Codes of the criteria this project skips.")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("go/no-go settings")
        verbose_name_plural = _("go/no-go settings")

    def __str__(self) -> str:
        return str(self.project_id)


class ReadinessItem(models.TextChoices):
    """Criteria attested by a person with their evidence (the others are computed from the other stages)."""

    DATA_MIGRATION = "data_migration", _("Data migration (reprise de données) validated")
    OPERATING_PROCEDURES = "operating_procedures", _("Operating procedures validated")
    TRAINING = "training", _("Users trained")
    ROLLBACK_PLAN = "rollback_plan", _("Rollback plan approved and tested")
    DRY_RUN = "dry_run", _("Dry run (run à blanc) done")


class ReadinessCheck(VersionedModel):
    """A readiness criterion of a release attested (or withdrawn) by a member, with the evidence they point to."""

    release = models.ForeignKey(Release, verbose_name=_("release"), on_delete=models.CASCADE, related_name="checks")
    item = models.CharField(_("criterion"), max_length=30, choices=ReadinessItem)
    done = models.BooleanField(_("done"), default=False)
    evidence = models.TextField(_("evidence"), blank=True)
    attested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("attested by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    attested_at = models.DateTimeField(_("attested at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("readiness check")
        verbose_name_plural = _("readiness checks")
        constraints = [models.UniqueConstraint(fields=["release", "item"], name="mep_readiness_item_unique")]

    def __str__(self) -> str:
        return f"{self.release_id}:{self.item}"


class GoNoGoVerdict(models.TextChoices):
    GO = "go", _("Go")
    NO_GO = "no_go", _("No go")


class GoNoGoDecision(models.Model):
    """The MOA's go/no-go on a release, signed after re-authentication and chained in the project's ledger.

    ``criteria`` keeps the proposal's criteria exactly as they were shown; the row is never edited afterwards,
    and :func:`oeuvre.mep.verify.gonogo_verify` names any field changed since the chain entry.
    """

    release = models.ForeignKey(
        Release, verbose_name=_("release"), on_delete=models.PROTECT, related_name="gonogo_decisions"
    )
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="mep_gonogo_decisions"
    )
    proposal = models.CharField(_("proposal"), max_length=10, choices=GoNoGoVerdict)
    decision = models.CharField(_("decision"), max_length=10, choices=GoNoGoVerdict)
    reason = models.TextField(_("reason"), blank=True)
    criteria = models.JSONField(_("criteria"), default=list)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT, related_name="+"
    )
    decided_by_name = models.CharField(_("decided by (name)"), max_length=200)
    decided_at = models.DateTimeField(_("decided at"))
    reauthenticated_at = models.DateTimeField(_("re-authenticated at"))
    ledger_entry = models.OneToOneField(
        "recette.LedgerEntry", verbose_name=_("chain entry"), on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("go/no-go decision")
        verbose_name_plural = _("go/no-go decisions")
        ordering = ["release", "decided_at"]

    def __str__(self) -> str:
        return f"{self.release_id}:{self.decision}"


# --------------------------------------------------------------------------------------------------- incidents


class IncidentStatus(models.TextChoices):
    """ITIL statuses (DOMAIN.md), as GLPI names them."""

    NOUVEAU = "nouveau", pgettext_lazy("incident status", "New")
    PRIS_EN_CHARGE = "pris_en_charge", _("Taken in charge")
    EN_ATTENTE = "en_attente", _("Pending")
    RESOLU = "resolu", _("Resolved")
    CLOS = "clos", _("Closed")
    REJETE = "rejete", pgettext_lazy("mep status", "Rejected")


class ServiceLevelSettings(VersionedModel):
    """The support contract of a project: service hours and, per priority, the GTI and GTR in minutes."""

    project = models.OneToOneField(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="mep_service_levels"
    )
    service_start = models.TimeField(_("service hours start"), default="08:00")
    service_end = models.TimeField(_("service hours end"), default="18:00")
    always = models.BooleanField(_("round the clock (24/7)"), default=False)
    levels = models.JSONField(
        _("service levels"),
        default=dict,
        blank=True,
        help_text=_("Per priority (1 to 5): minutes to take charge (GTI) and to restore (GTR)."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("service levels")
        verbose_name_plural = _("service levels")

    def __str__(self) -> str:
        return str(self.project_id)


class Incident(VersionedModel):
    """An incident after go-live: priority from impact × urgency, GTI/GTR clocks on the contract's hours."""

    Status = IncidentStatus

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="mep_incidents"
    )
    reference = models.CharField(_("reference"), max_length=40)
    number = models.PositiveIntegerField(_("number"), default=0)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    environment = models.ForeignKey(
        Environment, verbose_name=_("environment"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    component = models.ForeignKey(
        "requirements.Component",
        verbose_name=_("component"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    anomaly = models.ForeignKey(
        "recette.Anomaly", verbose_name=_("anomaly"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    impact = models.PositiveSmallIntegerField(_("impact (1–5)"), default=3)
    urgency = models.PositiveSmallIntegerField(_("urgency (1–5)"), default=3)
    priority = models.PositiveSmallIntegerField(_("priority"), default=3)
    status = models.CharField(_("status"), max_length=20, choices=IncidentStatus, default=IncidentStatus.NOUVEAU)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reporter"), null=True, blank=True, on_delete=models.SET_NULL
    )
    opened_at = models.DateTimeField(_("opened at"))
    taken_at = models.DateTimeField(_("taken in charge at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    #: The ticket's identifier in the ITSM tool it was imported from (GLPI's « ID »); re-importing updates it.
    external_id = models.CharField(_("ITSM ticket ID"), max_length=100, blank=True, default="")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["project", "-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "reference"], name="mep_incident_reference_unique"),
            models.UniqueConstraint(
                fields=["project", "external_id"],
                condition=~models.Q(external_id=""),
                name="mep_incident_external_id_unique",
            ),
        ]
        indexes = [models.Index(fields=["project", "status"], name="mep_incident_status")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class IncidentPause(VersionedModel):
    """A period an incident waited on the client (status « en attente »): the GTR clock does not run during it."""

    incident = models.ForeignKey(Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="pauses")
    started_at = models.DateTimeField(_("waiting since"))
    ended_at = models.DateTimeField(_("waiting until"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("wait on the client")
        verbose_name_plural = _("waits on the client")
        ordering = ["incident", "started_at"]

    def __str__(self) -> str:
        return f"{self.incident_id}:{self.started_at:%Y-%m-%d %H:%M}"


# --------------------------------------------------------------------------------------------------- runbook


class RunbookStepStatus(models.TextChoices):
    # A context: other stages translate the same English words differently (a task "Done", a test "Failed").
    A_FAIRE = "a_faire", pgettext_lazy("runbook step", "To do")
    EN_COURS = "en_cours", pgettext_lazy("runbook step", "In progress")
    FAIT = "fait", pgettext_lazy("runbook step", "Done")
    ECHEC = "echec", pgettext_lazy("runbook step", "Failed")
    SAUTE = "saute", pgettext_lazy("runbook step", "Skipped")


class RunbookStep(VersionedModel):
    """One step of a release's cut-over runbook (bascule), planned then executed on the day on the live board.

    ``depends_on`` lists the ids of earlier steps of the same runbook that must be done (or skipped) before this
    one starts. A ``checkpoint`` step is a go/no-go point of the day; a ``point_of_no_return`` step, once done,
    means the rollback plan no longer applies. ``rollback`` says how to undo this step.
    """

    Status = RunbookStepStatus

    release = models.ForeignKey(
        Release, verbose_name=_("release"), on_delete=models.CASCADE, related_name="runbook_steps"
    )
    position = models.PositiveIntegerField(_("order"))
    title = models.CharField(_("step"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    planned_start = models.DateTimeField(_("planned start"), null=True, blank=True)
    planned_minutes = models.PositiveIntegerField(_("planned duration (minutes)"), default=30)
    depends_on = models.JSONField(_("depends on"), default=list, blank=True)
    checkpoint = models.BooleanField(_("go/no-go checkpoint"), default=False)
    point_of_no_return = models.BooleanField(_("point of no return"), default=False)
    rollback = models.TextField(_("rollback of this step"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=RunbookStepStatus, default=RunbookStepStatus.A_FAIRE)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("finished by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    failures = models.PositiveSmallIntegerField(_("failures"), default=0)
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("runbook step")
        verbose_name_plural = _("runbook steps")
        ordering = ["release", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["release", "position"], name="mep_runbook_step_position_unique")]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class RunbookRun(models.TextChoices):
    """The two runs of a runbook: the rehearsal in staging, then the real cut-over."""

    DRY = "dry", pgettext_lazy("runbook run", "Dry run (run à blanc)")
    CUTOVER = "cutover", pgettext_lazy("runbook run", "Cut-over")


class DryRunStep(VersionedModel):
    """What one runbook step did in the dry run (run à blanc, in staging): the plan stays on the step.

    The real cut-over's actuals stay on :class:`RunbookStep` itself; the dry run keeps the same actuals here, one
    row per step, created when the step is first acted on in the dry run.
    """

    step = models.OneToOneField(
        RunbookStep, verbose_name=_("runbook step"), on_delete=models.CASCADE, related_name="dry_run"
    )
    status = models.CharField(_("status"), max_length=20, choices=RunbookStepStatus, default=RunbookStepStatus.A_FAIRE)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("finished by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    failures = models.PositiveSmallIntegerField(_("failures"), default=0)
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dry run step")
        verbose_name_plural = _("dry run steps")

    def __str__(self) -> str:
        return f"{self.step_id}:{self.status}"


class RollbackPlan(VersionedModel):
    """The plan de retour arrière of a release: its steps, the criterion that triggers it, its longest duration."""

    release = models.OneToOneField(
        Release, verbose_name=_("release"), on_delete=models.CASCADE, related_name="rollback_plan"
    )
    steps = models.TextField(_("steps (one a line)"))
    decision_criterion = models.TextField(_("decision criterion"))
    max_minutes = models.PositiveIntegerField(_("longest duration (minutes)"))
    tested_on = models.DateField(_("tested on"), null=True, blank=True)
    test_result = models.TextField(_("test result"), blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rollback plan")
        verbose_name_plural = _("rollback plans")

    def __str__(self) -> str:
        return str(self.release_id)

    @property
    def step_lines(self) -> list[str]:
        return [line.strip() for line in self.steps.splitlines() if line.strip()]


# --------------------------------------------------------------------------------------------------- configuration


class ConfigItem(VersionedModel):
    """A configuration item of an environment: a plain value, or a reference to a secret kept elsewhere.

    The secret itself is never stored: ``secret_ref`` names where it lives (a vault path, a key name), and the
    service refuses a ``value`` that looks like a secret (:func:`oeuvre.engine.config_values.secret_reason`).
    """

    environment = models.ForeignKey(
        Environment, verbose_name=_("environment"), on_delete=models.CASCADE, related_name="config_items"
    )
    name = models.CharField(_("name"), max_length=120)
    value = models.CharField(_("value"), max_length=500, blank=True)
    secret_ref = models.CharField(
        _("secret reference"),
        max_length=300,
        blank=True,
        help_text=_("Where the secret is kept (a vault path, a key name); the secret itself is never stored."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    description = models.CharField(_("description"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("configuration item")
        verbose_name_plural = _("configuration items")
        ordering = ["environment", "name"]
        constraints = [models.UniqueConstraint(fields=["environment", "name"], name="mep_config_item_name_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_secret(self) -> bool:
        return bool(self.secret_ref)


# --------------------------------------------------------------------------------------------------- waves


class WaveStatus(models.TextChoices):
    # A context: « Planned », « Done » mean other things elsewhere.
    PLANIFIEE = "planifiee", pgettext_lazy("deployment wave", "Planned")
    PRETE = "prete", pgettext_lazy("deployment wave", "Ready")
    EN_COURS = "en_cours", pgettext_lazy("deployment wave", "Rolling out")
    DEPLOYEE = "deployee", pgettext_lazy("deployment wave", "Deployed")
    SUSPENDUE = "suspendue", pgettext_lazy("deployment wave", "Suspended")


class DeploymentWave(VersionedModel):
    """One wave of a release's deployment plan: a site or a population, its date, its users and its readiness.

    ``prerequisites`` lists what must hold before the wave starts (one a line); ``gonogo`` is the wave's own
    go/no-go (empty until decided), ``runbook_link`` points to its runbook or checklist.
    """

    Status = WaveStatus

    release = models.ForeignKey(Release, verbose_name=_("release"), on_delete=models.CASCADE, related_name="waves")
    position = models.PositiveIntegerField(_("order"))
    name = models.CharField(_("wave"), max_length=120)
    sites = models.CharField(_("sites or population"), max_length=300)
    planned_date = models.DateField(_("planned date"), null=True, blank=True)
    actual_date = models.DateField(_("actual date"), null=True, blank=True)
    users = models.PositiveIntegerField(_("number of users"), default=0)
    prerequisites = models.TextField(_("prerequisites (one a line)"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=WaveStatus, default=WaveStatus.PLANIFIEE)
    gonogo = models.CharField(_("go/no-go of the wave"), max_length=10, choices=GoNoGoVerdict, blank=True)
    gonogo_note = models.TextField(_("go/no-go note"), blank=True)
    gonogo_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("go/no-go by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    gonogo_at = models.DateTimeField(_("go/no-go at"), null=True, blank=True)
    runbook_link = models.CharField(_("runbook or checklist link"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("deployment wave")
        verbose_name_plural = _("deployment waves")
        ordering = ["release", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["release", "position"], name="mep_wave_position_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def prerequisite_lines(self) -> list[str]:
        return [line.strip() for line in self.prerequisites.splitlines() if line.strip()]


# --------------------------------------------------------------------------------------------------- training


class TrainingCourse(VersionedModel):
    """A course of a release's training plan (plan de formation): its audience, duration and materials.

    ``materials`` lists the ids of the project's deliverables used as training materials (supports de formation
    are deliverables, DOMAIN.md); they are read through the requirements stage's selector, never imported here.
    """

    release = models.ForeignKey(
        Release, verbose_name=_("release"), on_delete=models.CASCADE, related_name="training_courses"
    )
    title = models.CharField(_("title"), max_length=200)
    audience = models.CharField(_("audience (role or population)"), max_length=200)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=0)
    materials = models.JSONField(_("materials (deliverables)"), default=list, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("training course")
        verbose_name_plural = _("training courses")
        ordering = ["release", "title", "pk"]
        constraints = [models.UniqueConstraint(fields=["release", "title"], name="mep_training_course_title_unique")]

    def __str__(self) -> str:
        return self.title


class TrainingSession(VersionedModel):
    """One training session of a release's users: audience, trainer, date, place or link, capacity, attendance.

    ``attended`` stays empty until the attendance is recorded (from the sign-in sheet). A session with named
    attendees counts those marked present instead (``attended`` is then kept in step with them); a session
    without names keeps its plain count, as recorded before attendees existed.
    """

    release = models.ForeignKey(
        Release, verbose_name=_("release"), on_delete=models.CASCADE, related_name="training_sessions"
    )
    wave = models.ForeignKey(
        DeploymentWave,
        verbose_name=_("deployment wave"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="training_sessions",
    )
    course = models.ForeignKey(
        TrainingCourse,
        verbose_name=_("training course"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions",
    )
    audience = models.CharField(_("audience"), max_length=200)
    trainer = models.CharField(_("trainer"), max_length=120)
    date = models.DateField(_("date"))
    place = models.CharField(_("place or link"), max_length=300, blank=True)
    capacity = models.PositiveIntegerField(pgettext_lazy("mep training", "capacity"), default=0)
    attended = models.PositiveIntegerField(_("users trained"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["release", "date", "pk"]

    def __str__(self) -> str:
        return f"{self.audience} ({self.date})"


class Attendance(models.TextChoices):
    # A context: « Present », « Absent » are short labels other stages may translate differently.
    INSCRIT = "inscrit", pgettext_lazy("training attendance", "Registered")
    PRESENT = "present", pgettext_lazy("training attendance", "Present")
    ABSENT = "absent", pgettext_lazy("training attendance", "Absent")
    EXCUSE = "excuse", pgettext_lazy("training attendance", "Excused")


class TrainingAttendee(VersionedModel):
    """A named attendee of a training session: who (optionally a project member), their role and wave, whether
    they came, and the satisfaction score (1–5) they gave, if any."""

    session = models.ForeignKey(
        TrainingSession, verbose_name=_("training session"), on_delete=models.CASCADE, related_name="attendees"
    )
    name = models.CharField(_("name"), max_length=200)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("project member"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    role = models.CharField(_("role or population"), max_length=120, blank=True)
    wave = models.ForeignKey(
        DeploymentWave,
        verbose_name=_("deployment wave"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    attendance = models.CharField(_("attendance"), max_length=10, choices=Attendance, default=Attendance.INSCRIT)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction (1–5)"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("training attendee")
        verbose_name_plural = _("training attendees")
        ordering = ["session", "name", "pk"]
        constraints = [models.UniqueConstraint(fields=["session", "name"], name="mep_training_attendee_unique")]

    def __str__(self) -> str:
        return self.name
