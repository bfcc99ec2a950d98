"""Recette: the test book, campaigns and their executions, anomalies, the PV de recette with its réserves and
signatures, the per-project hash chain of signed records, and the CCAG-TIC acceptance timeline.

Vocabulary and rules: DOMAIN.md ("Acceptance under CCAG-TIC 2021", "Severity rules in recette"). The pure
rules (PV decision proposal, timers) live in :mod:`oeuvre.engine.acceptance`; this module only stores facts.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from oeuvre.core.models import VersionedModel

__all__ = [
    "AcceptanceTimeline",
    "Anomaly",
    "Campaign",
    "CriterionResult",
    "Evidence",
    "Execution",
    "Iteration",
    "JUnitMapping",
    "LedgerEntry",
    "Outage",
    "PlannedTest",
    "ProcesVerbal",
    "RecetteSettings",
    "Reserve",
    "SecurityFinding",
    "Signature",
    "StepResult",
    "TestCase",
    "TestCaseRevision",
    "TestFolder",
    "TestStep",
]

prefix_validator = RegexValidator(
    r"^[A-Z][A-Z0-9]{0,9}$", _("Use 1 to 10 capital letters or digits, starting with a letter (e.g. CT).")
)


class Severity(models.TextChoices):
    """Default labels; a project may relabel them (e.g. sévérité 1/2/3) in :class:`RecetteSettings`."""

    BLOQUANTE = "bloquante", _("Blocking")
    MAJEURE = "majeure", _("Major")
    MINEURE = "mineure", _("Minor")


class RecetteSettings(VersionedModel):
    """Per-project configuration: references, severity labels, PV decision thresholds, contract timers.

    Timer defaults are those of CCAG-TIC 2021 (DOMAIN.md); a contract may override each of them.
    """

    project = models.OneToOneField(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="recette_settings"
    )
    test_case_prefix = models.CharField(
        _("test case prefix"), max_length=10, default="CT", validators=[prefix_validator]
    )
    anomaly_prefix = models.CharField(_("anomaly prefix"), max_length=10, default="ANO", validators=[prefix_validator])
    pv_prefix = models.CharField(_("PV prefix"), max_length=10, default="PV", validators=[prefix_validator])
    reference_digits = models.PositiveSmallIntegerField(_("digits in references"), default=3)
    next_test_case_number = models.PositiveIntegerField(_("next test case number"), default=1)
    next_anomaly_number = models.PositiveIntegerField(_("next anomaly number"), default=1)
    next_pv_number = models.PositiveIntegerField(_("next PV number"), default=1)

    # Severity labels: blank means the default label, in the user's language.
    label_bloquante = models.CharField(_("label of blocking"), max_length=40, blank=True)
    label_majeure = models.CharField(_("label of major"), max_length=40, blank=True)
    label_mineure = models.CharField(_("label of minor"), max_length=40, blank=True)

    # PV decision thresholds (ANAP cahier de vérification; configurable per contract).
    max_majeures_with_reserves = models.PositiveIntegerField(
        _("major anomalies tolerated with réserves"),
        default=3,
        help_text=_("Above this number of open major anomalies the proposal is a rejection."),
    )
    min_execution_rate = models.DecimalField(
        _("minimum execution rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=100,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    min_pass_rate = models.DecimalField(
        _("minimum pass rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    correction_days = models.PositiveIntegerField(_("correction deadline after an ajournement (days)"), default=30)

    # CCAG-TIC timers.
    va_days = models.PositiveIntegerField(_("VA: days to run it and notify a decision"), default=30)
    vsr_days = models.PositiveIntegerField(_("VSR: observation days"), default=30)
    vsr_max_unavailability = models.DecimalField(
        _("VSR: maximum unavailability (%)"),
        max_digits=5,
        decimal_places=2,
        default=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    vsr_use_start = models.TimeField(_("VSR: use time starts"), default="08:00")
    vsr_use_end = models.TimeField(_("VSR: use time ends"), default="18:00")
    decision_days = models.PositiveIntegerField(_("days to decide after the VSR"), default=7)
    ajournement_days = models.PositiveIntegerField(_("extension after an ajournement (days)"), default=30)
    garantie_months = models.PositiveIntegerField(_("warranty (months)"), default=12)
    shift_to_working_day = models.BooleanField(
        _("a deadline falling on a non-working day moves to the next working day"), default=True
    )
    alert_days = models.PositiveIntegerField(_("warn this many days before a deadline"), default=7)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("recette settings")
        verbose_name_plural = _("recette settings")

    def __str__(self) -> str:
        return f"{self.project} — {self.test_case_prefix}"

    def severity_label(self, severity: str) -> str:
        custom = {
            Severity.BLOQUANTE: self.label_bloquante,
            Severity.MAJEURE: self.label_majeure,
            Severity.MINEURE: self.label_mineure,
        }.get(Severity(severity), "")
        return custom or str(Severity(severity).label)


# --------------------------------------------------------------------------------------------------- test book


class TestFolder(VersionedModel):
    """A folder (suite) of the test book; folders nest."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="test_folders"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent folder"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("test folder")
        verbose_name_plural = _("test folders")
        ordering = ["project", "position", "name", "pk"]

    def __str__(self) -> str:
        return self.name


class TestType(models.TextChoices):
    FONCTIONNEL = "fonctionnel", pgettext_lazy("test kind", "Functional")
    INTEGRATION = "integration", _("Integration")
    PERFORMANCE = "performance", _("Performance")
    SECURITE = "securite", _("Security")
    NON_REGRESSION = "non_regression", _("Regression")
    EXPLOITABILITE = "exploitabilite", _("Operability")
    ACCESSIBILITE = "accessibilite", _("Accessibility")


class TestPriority(models.TextChoices):
    HAUTE = "haute", _("High")
    MOYENNE = "moyenne", _("Medium")
    BASSE = "basse", _("Low")


class TestCaseStatus(models.TextChoices):
    BROUILLON = "brouillon", _("Draft")
    PRET = "pret", _("Ready")
    OBSOLETE = "obsolete", _("Obsolete")


class TestCase(VersionedModel):
    """A cas de test (``CT-042``): what to check, on which data, step by step, covering exigences.

    ``revision`` counts content changes (title, preconditions, data, steps); each one is frozen in a
    :class:`TestCaseRevision` so that an execution records exactly what it ran.
    """

    Type = TestType
    Priority = TestPriority
    Status = TestCaseStatus

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="test_cases"
    )
    folder = models.ForeignKey(
        TestFolder,
        verbose_name=_("folder"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="test_cases",
    )
    reference = models.CharField(_("reference"), max_length=40)
    number = models.PositiveIntegerField(_("number"), default=0)
    title = models.CharField(_("title"), max_length=300)
    objective = models.TextField(_("objective"), blank=True)
    preconditions = models.TextField(_("preconditions"), blank=True)
    data = models.TextField(_("test data"), blank=True)
    type = models.CharField(_("type"), max_length=20, choices=TestType, default=TestType.FONCTIONNEL)
    priority = models.CharField(_("priority"), max_length=10, choices=TestPriority, default=TestPriority.MOYENNE)
    status = models.CharField(_("status"), max_length=10, choices=TestCaseStatus, default=TestCaseStatus.BROUILLON)
    automated = models.BooleanField(_("automated"), default=False)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    exigences = models.ManyToManyField(
        "requirements.Exigence", verbose_name=_("requirements covered"), blank=True, related_name="test_cases"
    )
    criteria = models.ManyToManyField(
        "design.Criterion",
        verbose_name=_("criteria verified"),
        blank=True,
        related_name="test_cases",
        help_text=_("The performance or security criteria of the DAT this test measures."),
    )

    history = HistoricalRecords(m2m_fields=[exigences, criteria])

    class Meta:
        verbose_name = _("test case")
        verbose_name_plural = _("test cases")
        ordering = ["project", "number", "pk"]
        constraints = [models.UniqueConstraint(fields=["project", "reference"], name="test_case_reference_unique")]
        indexes = [models.Index(fields=["project", "number"])]

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"


class TestStep(models.Model):
    """One step of a test case: an action and its expected result (part of the case's content)."""

    test_case = models.ForeignKey(TestCase, verbose_name=_("test case"), on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField(_("position"))
    action = models.TextField(_("action"))
    expected = models.TextField(_("expected result"))
    data = models.TextField(_("data"), blank=True)

    class Meta:
        verbose_name = _("test step")
        verbose_name_plural = _("test steps")
        ordering = ["test_case", "position"]
        constraints = [models.UniqueConstraint(fields=["test_case", "position"], name="test_step_position_unique")]

    def __str__(self) -> str:
        return f"{self.position}. {self.action[:60]}"


class TestCaseRevision(models.Model):
    """The content of a test case as it stood at one revision (title, preconditions, data, steps)."""

    test_case = models.ForeignKey(
        TestCase, verbose_name=_("test case"), on_delete=models.CASCADE, related_name="revisions"
    )
    revision = models.PositiveIntegerField(_("revision"))
    content = models.JSONField(_("content"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("test case revision")
        verbose_name_plural = _("test case revisions")
        ordering = ["test_case", "revision"]
        constraints = [models.UniqueConstraint(fields=["test_case", "revision"], name="test_case_revision_unique")]

    def __str__(self) -> str:
        return f"{self.test_case_id} r{self.revision}"


# --------------------------------------------------------------------------------------------------- campaigns


class CampaignKind(models.TextChoices):
    RECETTE_USINE = "recette_usine", _("Factory acceptance (recette usine)")
    VABF = "vabf", _("Operational acceptance (VA/VABF)")
    VSR = "vsr", _("Service reliability verification (VSR)")
    NON_REGRESSION = "non_regression", _("Regression")
    PERFORMANCE = "performance", _("Performance")
    SECURITE = "securite", _("Security")


class CampaignStatus(models.TextChoices):
    PREPARATION = "preparation", _("In preparation")
    EN_COURS = "en_cours", _("In progress")
    TERMINEE = "terminee", _("Finished")


class Campaign(VersionedModel):
    """A campaign of a given kind, run in iterations against a release in an environment."""

    Kind = CampaignKind
    Status = CampaignStatus

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="campaigns"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=CampaignKind, default=CampaignKind.VABF)
    status = models.CharField(_("status"), max_length=20, choices=CampaignStatus, default=CampaignStatus.PREPARATION)
    description = models.TextField(_("description"), blank=True)
    environment = models.CharField(_("environment"), max_length=100, blank=True)
    release = models.CharField(_("release under test"), max_length=100, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["project", "starts_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="campaign_name_unique")]

    def __str__(self) -> str:
        return self.name


class Iteration(VersionedModel):
    """One pass of a campaign (iteration 1, 2…), usually on a new build of the release."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="iterations"
    )
    number = models.PositiveIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    release = models.CharField(_("build under test"), max_length=100, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("iteration")
        verbose_name_plural = _("iterations")
        ordering = ["campaign", "number"]
        constraints = [models.UniqueConstraint(fields=["campaign", "number"], name="iteration_number_unique")]

    def __str__(self) -> str:
        return self.name or f"{self.campaign} #{self.number}"


class PlannedTest(VersionedModel):
    """A test case planned in a campaign, with the tester assigned to it (versioned: two managers assigning
    testers at once are told, not overwritten)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="planned_tests"
    )
    test_case = models.ForeignKey(
        TestCase, verbose_name=_("test case"), on_delete=models.CASCADE, related_name="planned_in"
    )
    tester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tester"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("planned test")
        verbose_name_plural = _("planned tests")
        ordering = ["campaign", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["campaign", "test_case"], name="planned_test_unique")]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.test_case_id}"


class ExecutionStatus(models.TextChoices):
    OK = "ok", pgettext_lazy("execution status", "Passed")
    KO = "ko", pgettext_lazy("execution status", "Failed")
    BLOQUE = "bloque", pgettext_lazy("execution status", "Blocked")
    NON_EXECUTE = "non_execute", pgettext_lazy("execution status", "Not run")


class ExecutionSource(models.TextChoices):
    MANUAL = "manual", _("By hand")
    JUNIT = "junit", _("From CI (JUnit)")
    REPORT = "report", _("From a load test or a security scan")


class Execution(VersionedModel):
    """One run of a test case in an iteration; the latest run of a case in an iteration is its result."""

    Status = ExecutionStatus
    Source = ExecutionSource

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="executions"
    )
    iteration = models.ForeignKey(
        Iteration, verbose_name=_("iteration"), on_delete=models.CASCADE, related_name="executions"
    )
    test_case = models.ForeignKey(
        TestCase, verbose_name=_("test case"), on_delete=models.PROTECT, related_name="executions"
    )
    test_case_revision = models.ForeignKey(
        TestCaseRevision, verbose_name=_("revision run"), on_delete=models.PROTECT, related_name="executions"
    )
    status = models.CharField(_("status"), max_length=12, choices=ExecutionStatus, default=ExecutionStatus.NON_EXECUTE)
    source = models.CharField(_("source"), max_length=10, choices=ExecutionSource, default=ExecutionSource.MANUAL)
    tester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tester"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    executed_at = models.DateTimeField(_("executed at"), null=True, blank=True)
    duration = models.DurationField(_("duration"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    junit_name = models.CharField(_("JUnit name"), max_length=500, blank=True)
    message = models.TextField(_("failure message"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("execution")
        verbose_name_plural = _("executions")
        ordering = ["iteration", "test_case", "pk"]
        indexes = [
            models.Index(fields=["iteration", "test_case"]),
            models.Index(fields=["project", "status"]),
            models.Index(fields=["iteration", "executed_at"]),
            # The dashboards rank each case's runs by time within an iteration (burn-up, latest result):
            # in this order, with the status in the key, PostgreSQL reads them from the index alone.
            models.Index(
                fields=["iteration", "test_case", "executed_at", "id", "status"], name="execution_runs_in_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.test_case_id} @ {self.iteration_id}: {self.status}"


class StepResult(models.Model):
    """The status of one step in one execution, with what was actually observed."""

    execution = models.ForeignKey(
        Execution, verbose_name=_("execution"), on_delete=models.CASCADE, related_name="step_results"
    )
    position = models.PositiveIntegerField(_("step"))
    status = models.CharField(_("status"), max_length=12, choices=ExecutionStatus, default=ExecutionStatus.NON_EXECUTE)
    actual = models.TextField(_("actual result"), blank=True)

    class Meta:
        verbose_name = _("step result")
        verbose_name_plural = _("step results")
        ordering = ["execution", "position"]
        constraints = [models.UniqueConstraint(fields=["execution", "position"], name="step_result_unique")]

    def __str__(self) -> str:
        return f"{self.execution_id}#{self.position}: {self.status}"


class Evidence(models.Model):
    """A file attached to an execution (screenshot, log…), stored under a generated name, served as attachment."""

    execution = models.ForeignKey(
        Execution, verbose_name=_("execution"), on_delete=models.CASCADE, related_name="evidence"
    )
    step_position = models.PositiveIntegerField(_("step"), null=True, blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    stored_name = models.CharField(_("stored name"), max_length=100, unique=True, editable=False)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["execution", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class JUnitMapping(models.Model):
    """A saved mapping from a JUnit test name (as a CI tool writes it) to a test case of the book."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="junit_mappings"
    )
    junit_name = models.CharField(_("JUnit name"), max_length=500)
    test_case = models.ForeignKey(
        TestCase, verbose_name=_("test case"), on_delete=models.CASCADE, related_name="junit_mappings"
    )

    class Meta:
        verbose_name = _("JUnit mapping")
        verbose_name_plural = _("JUnit mappings")
        ordering = ["project", "junit_name"]
        constraints = [models.UniqueConstraint(fields=["project", "junit_name"], name="junit_mapping_unique")]

    def __str__(self) -> str:
        return f"{self.junit_name} → {self.test_case_id}"


# ---------------------------------------------------------------------------- performance and security results


class CriterionResult(models.Model):
    """A measured value of a DAT criterion in one execution (a load test or a scan), never edited afterwards.

    The results of a criterion across iterations are its history; the latest one says whether it is met.
    """

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="criterion_results"
    )
    criterion = models.ForeignKey(
        "design.Criterion", verbose_name=_("criterion"), on_delete=models.CASCADE, related_name="results"
    )
    execution = models.ForeignKey(
        Execution, verbose_name=_("execution"), on_delete=models.CASCADE, related_name="criterion_results"
    )
    value = models.CharField(_("measured value"), max_length=40)
    unit = models.CharField(_("unit"), max_length=10)
    met = models.BooleanField(_("met"))
    tool = models.CharField(_("tool"), max_length=40)
    tool_version = models.CharField(_("tool version"), max_length=60, blank=True)
    filename = models.CharField(_("file"), max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("criterion result")
        verbose_name_plural = _("criterion results")
        ordering = ["criterion", "recorded_at", "pk"]
        indexes = [models.Index(fields=["project", "criterion", "recorded_at"], name="criterion_result_history")]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.value} {self.unit} ({'met' if self.met else 'not met'})"


class SecurityFinding(models.Model):
    """A finding of a security scan, kept with the execution of the scan (one row per finding)."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="security_findings"
    )
    execution = models.ForeignKey(
        Execution, verbose_name=_("execution"), on_delete=models.CASCADE, related_name="security_findings"
    )
    rule_id = models.CharField(_("rule"), max_length=200)
    title = models.CharField(_("title"), max_length=500)
    severity = models.CharField(_("severity"), max_length=10)
    message = models.TextField(_("message"), blank=True)
    location = models.CharField(_("location"), max_length=500, blank=True)
    tool = models.CharField(_("tool"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("security finding")
        verbose_name_plural = _("security findings")
        ordering = ["execution", "pk"]

    def __str__(self) -> str:
        return f"{self.severity}: {self.title}"


# --------------------------------------------------------------------------------------------------- anomalies


class AnomalyKind(models.TextChoices):
    ANOMALIE = "anomalie", _("Defect")
    EVOLUTION = "evolution", pgettext_lazy("anomaly kind", "Change request")


class AnomalyPriority(models.TextChoices):
    """Urgency, separate from severity (DOMAIN.md)."""

    P1 = "p1", _("P1 — immediate")
    P2 = "p2", _("P2 — high")
    P3 = "p3", _("P3 — normal")
    P4 = "p4", _("P4 — low")


class AnomalyStatus(models.TextChoices):
    NOUVELLE = "nouvelle", _("New")
    QUALIFIEE = "qualifiee", _("Qualified")
    EN_CORRECTION = "en_correction", _("Being fixed")
    LIVREE = "livree", _("Fix delivered")
    VERIFIEE = "verifiee", _("Verified")
    # A context of its own: "Closed" of a project (clos) must not win over an anomaly's (close).
    CLOSE = "close", pgettext_lazy("anomaly status", "Closed")
    REJETEE = "rejetee", _("Rejected")


class Anomaly(VersionedModel):
    """An anomalie (``ANO-012``), usually raised from a KO; or, once reclassified, a demande d'évolution."""

    Kind = AnomalyKind
    Severity = Severity
    Priority = AnomalyPriority
    Status = AnomalyStatus

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="anomalies"
    )
    reference = models.CharField(_("reference"), max_length=40)
    number = models.PositiveIntegerField(_("number"), default=0)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=AnomalyKind, default=AnomalyKind.ANOMALIE)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity, default=Severity.MINEURE)
    priority = models.CharField(_("priority"), max_length=2, choices=AnomalyPriority, default=AnomalyPriority.P3)
    status = models.CharField(_("status"), max_length=15, choices=AnomalyStatus, default=AnomalyStatus.NOUVELLE)
    blocks_step_start = models.BooleanField(
        _("blocks the start of a test step"),
        default=False,
        help_text=_("A blocking anomaly found at the start of a test step leads to rejection (DOMAIN.md)."),
    )
    execution = models.ForeignKey(
        Execution,
        verbose_name=_("execution"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="anomalies",
    )
    step_position = models.PositiveIntegerField(_("failed step"), null=True, blank=True)
    test_case = models.ForeignKey(
        TestCase,
        verbose_name=_("test case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="anomalies",
    )
    exigence = models.ForeignKey(
        "requirements.Exigence",
        verbose_name=_("requirement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="anomalies",
    )
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), null=True, blank=True, on_delete=models.SET_NULL, related_name="anomalies"
    )
    release_found = models.CharField(_("found in release"), max_length=100, blank=True)
    release_fixed = models.CharField(_("fixed in release"), max_length=100, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_on = models.DateField(_("correction due on"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("anomaly")
        verbose_name_plural = _("anomalies")
        ordering = ["project", "number", "pk"]
        constraints = [models.UniqueConstraint(fields=["project", "reference"], name="anomaly_reference_unique")]
        indexes = [models.Index(fields=["project", "status", "severity"])]

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status not in {AnomalyStatus.CLOSE, AnomalyStatus.REJETEE}


# --------------------------------------------------------------------------------------------------- PV de recette


class PvDecision(models.TextChoices):
    """The four PV decisions of DOMAIN.md (values shared with :mod:`oeuvre.engine.acceptance`)."""

    SANS_RESERVE = "sans_reserve", _("Accepted without réserves")
    AVEC_RESERVES = "avec_reserves", _("Accepted with réserves")
    AJOURNEE = "ajournee", _("Deferred (ajournée)")
    REFUSEE = "refusee", _("Rejected (refusée)")


class PvStatus(models.TextChoices):
    BROUILLON = "brouillon", _("Draft")
    DECIDE = "decide", _("Decided")
    SIGNE_MOA = "signe_moa", _("Signed by the buyer")
    SIGNE = "signe", _("Signed and countersigned")


class ProcesVerbal(VersionedModel):
    """A PV de recette, built from one or several campaigns.

    The rules propose a decision; the MOA decides, with a written reason when departing from the proposal.
    Once signed, the PV is provisional while réserves remain and final when the last one is lifted.
    """

    Decision = PvDecision
    Status = PvStatus

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="proces_verbaux"
    )
    reference = models.CharField(_("reference"), max_length=40)
    number = models.PositiveIntegerField(_("number"), default=0)
    title = models.CharField(_("title"), max_length=300)
    campaigns = models.ManyToManyField(Campaign, verbose_name=_("campaigns"), related_name="proces_verbaux")
    status = models.CharField(_("status"), max_length=12, choices=PvStatus, default=PvStatus.BROUILLON)
    facts = models.JSONField(_("facts the proposal was computed from"), default=dict, blank=True)
    proposed_decision = models.CharField(_("proposed decision"), max_length=15, choices=PvDecision, blank=True)
    proposal_reasons = models.JSONField(_("reasons of the proposal"), default=list, blank=True)
    proposed_at = models.DateTimeField(_("proposed at"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=15, choices=PvDecision, blank=True)
    decision_reason = models.TextField(_("reason for departing from the proposal"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    correction_due_on = models.DateField(_("corrections due on"), null=True, blank=True)
    final_at = models.DateTimeField(_("final at"), null=True, blank=True)

    history = HistoricalRecords(m2m_fields=[campaigns])

    class Meta:
        verbose_name = _("PV de recette")
        verbose_name_plural = _("PV de recette")
        ordering = ["project", "number", "pk"]
        constraints = [models.UniqueConstraint(fields=["project", "reference"], name="pv_reference_unique")]

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"


class Reserve(VersionedModel):
    """A réserve listed on a PV: not an anomaly, though it usually points to one; lifted one by one."""

    pv = models.ForeignKey(ProcesVerbal, verbose_name=_("PV"), on_delete=models.CASCADE, related_name="reserves")
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="reserves"
    )
    number = models.PositiveIntegerField(_("number"))
    description = models.TextField(_("description"))
    anomaly = models.ForeignKey(
        Anomaly, verbose_name=_("anomaly"), null=True, blank=True, on_delete=models.SET_NULL, related_name="reserves"
    )
    due_on = models.DateField(_("to lift by"), null=True, blank=True)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lifted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lifting_comment = models.TextField(_("lifting comment"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("réserve")
        verbose_name_plural = _("réserves")
        ordering = ["pv", "number"]
        constraints = [models.UniqueConstraint(fields=["pv", "number"], name="reserve_number_unique")]

    def __str__(self) -> str:
        return f"R{self.number} — {self.description[:60]}"

    @property
    def is_lifted(self) -> bool:
        return self.lifted_at is not None


class SignatureRole(models.TextChoices):
    MOA = "moa", _("Buyer (MOA)")
    MOE = "moe", _("Contractor (MOE)")


class Signature(models.Model):
    """A signature of a PV: who, when, in which capacity and with which meaning, after re-authentication."""

    Role = SignatureRole

    pv = models.ForeignKey(ProcesVerbal, verbose_name=_("PV"), on_delete=models.PROTECT, related_name="signatures")
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="signatures"
    )
    role = models.CharField(_("capacity"), max_length=5, choices=SignatureRole)
    meaning = models.TextField(_("meaning of the signature"))
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("signer"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    signer_name = models.CharField(_("signer's name"), max_length=300)
    signed_at = models.DateTimeField(_("signed at"))
    reauthenticated_at = models.DateTimeField(_("re-authenticated at"))
    document_sha256 = models.CharField(_("SHA-256 of the signed document"), max_length=64)
    ledger_entry = models.OneToOneField(
        "LedgerEntry", verbose_name=_("ledger entry"), on_delete=models.PROTECT, related_name="signature"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["pv", "signed_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["pv", "role"], name="signature_role_unique")]

    def __str__(self) -> str:
        return f"{self.signer_name} ({self.role})"


class LedgerEntry(models.Model):
    """One link of the per-project hash chain of signed records (PV signatures, decisions, lifted réserves).

    ``entry_hash`` = SHA-256 over the previous entry's hash, the sequence, the kind, the subject and the
    canonical JSON of ``payload`` (the data snapshot) with ``document_sha256`` (the signed PDF); ``seal`` = the
    HMAC of the same under the ledger key. ``oeuvre verify`` recomputes both and compares each snapshot with
    the rows as they stand now.
    """

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="ledger_entries"
    )
    sequence = models.PositiveIntegerField(_("sequence"))
    kind = models.CharField(_("kind"), max_length=40)
    subject_type = models.CharField(_("subject type"), max_length=60)
    subject_id = models.PositiveBigIntegerField(_("subject id"))
    payload = models.JSONField(_("data snapshot"))
    document_name = models.CharField(_("stored document"), max_length=100, blank=True)
    document_sha256 = models.CharField(_("SHA-256 of the document"), max_length=64, blank=True)
    previous_hash = models.CharField(_("previous hash"), max_length=64)
    entry_hash = models.CharField(_("hash"), max_length=64, unique=True)
    # HMAC-SHA256 of the same content under the ledger key (kept outside the database): without the key,
    # nobody can recompute a chain that verifies. ``key_id`` names the key (not the key itself).
    seal = models.CharField(_("seal"), max_length=64, blank=True, default="")
    key_id = models.CharField(_("key id"), max_length=16, blank=True, default="")
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["project", "sequence"]
        constraints = [models.UniqueConstraint(fields=["project", "sequence"], name="ledger_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.project_id}#{self.sequence} {self.kind}"


# --------------------------------------------------------------------------------------------------- CCAG-TIC timers


class VaOutcome(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    AJOURNEMENT = "ajournement", _("Deferred (ajournement)")
    REJET = "rejet", _("Rejected (rejet)")


class VsrOutcome(models.TextChoices):
    REGULIERE = "reguliere", _("Regular service")
    NON_REGULIERE = "non_reguliere", _("Service not regular")


class AdmissionDecision(models.TextChoices):
    ADMISSION = "admission", _("Admission")
    REFACTION = "refaction", _("Admission with price reduction (réfaction)")
    AJOURNEMENT = "ajournement", _("Deferred (ajournement)")
    REJET = "rejet", _("Rejected (rejet)")


class AcceptanceTimeline(VersionedModel):
    """The dated facts of the CCAG-TIC acceptance of a project; the timers are computed from them.

    MOM → VA (30 days) → VSR (30 days, ≤ 2 % unavailability) → decision within 7 days (silence = tacit
    admission) → garantie (12 months, extended by any deprivation of use).
    """

    project = models.OneToOneField(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="acceptance_timeline"
    )
    mom_on = models.DateField(_("PV de MOM on"), null=True, blank=True)
    va_decided_on = models.DateField(_("VA decision notified on"), null=True, blank=True)
    va_outcome = models.CharField(_("VA outcome"), max_length=15, choices=VaOutcome, blank=True)
    vsr_started_on = models.DateField(_("VSR started on"), null=True, blank=True)
    vsr_ended_on = models.DateField(_("VSR ended on"), null=True, blank=True)
    vsr_outcome = models.CharField(_("VSR outcome"), max_length=15, choices=VsrOutcome, blank=True)
    admission_decided_on = models.DateField(_("decision after VSR notified on"), null=True, blank=True)
    admission_decision = models.CharField(_("decision after VSR"), max_length=15, choices=AdmissionDecision, blank=True)
    final_decided_on = models.DateField(_("decision after the extended VSR notified on"), null=True, blank=True)
    final_decision = models.CharField(
        _("decision after the extended VSR"), max_length=15, choices=AdmissionDecision, blank=True
    )
    refaction_percent = models.DecimalField(
        _("price reduction (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    deprivation_days = models.PositiveIntegerField(
        _("days the buyer was deprived of use (extend the warranty)"), default=0
    )
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("acceptance timeline")
        verbose_name_plural = _("acceptance timelines")

    def __str__(self) -> str:
        return f"{self.project} — MOM {self.mom_on:%d/%m/%Y}" if self.mom_on else str(self.project)


class Outage(models.Model):
    """An unavailability of one equipment during the VSR (counted against the 2 % rule on use time)."""

    timeline = models.ForeignKey(
        AcceptanceTimeline, verbose_name=_("timeline"), on_delete=models.CASCADE, related_name="outages"
    )
    equipment = models.CharField(_("equipment"), max_length=200)
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"))
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("outage")
        verbose_name_plural = _("outages")
        ordering = ["timeline", "started_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ended_at__gt=models.F("started_at")), name="outage_end_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.equipment} {self.started_at:%Y-%m-%d %H:%M}"
