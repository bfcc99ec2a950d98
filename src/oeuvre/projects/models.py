from __future__ import annotations

from itertools import pairwise

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from oeuvre.accounts.roles import Role
from oeuvre.core.models import VersionedModel


class Phase(models.TextChoices):
    """The life cycle of DOMAIN.md, in order."""

    CADRAGE = "cadrage", _("Scoping")
    CONCEPTION = "conception", _("Design")
    REALISATION = "realisation", _("Build")
    RECETTE = "recette", _("Acceptance testing")
    DEPLOIEMENT = "deploiement", _("Deployment")
    MEP = "mep", _("Go-live")
    GARANTIE = "garantie", _("Warranty")
    CLOS = "clos", _("Closed")


class Regime(models.TextChoices):
    CCAG_TIC = "ccag_tic", _("Public contract (CCAG-TIC 2021)")
    PRIVATE = "private", _("Private contract")


class Pricing(models.TextChoices):
    FORFAIT = "forfait", _("Fixed price (forfait)")
    REGIE = "regie", _("Time and materials (régie)")


class HolidayZone(models.TextChoices):
    NONE = "none", _("No public holidays")
    FRANCE = "france", _("France (metropolitan)")
    ALSACE_MOSELLE = "alsace_moselle", _("France, Alsace-Moselle")


def default_working_days() -> list[int]:
    return [0, 1, 2, 3, 4]


class Project(VersionedModel):
    code = models.SlugField(
        _("code"), max_length=40, unique=True, help_text=_("Short identifier used in addresses and commands.")
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    moa_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("MOA organisation (client)"),
        on_delete=models.PROTECT,
        related_name="projects_as_moa",
    )
    moe_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("MOE organisation (contractor)"),
        on_delete=models.PROTECT,
        related_name="projects_as_moe",
    )
    phase = models.CharField(_("phase"), max_length=20, choices=Phase, default=Phase.CADRAGE)
    regime = models.CharField(_("contract regime"), max_length=20, choices=Regime, default=Regime.CCAG_TIC)
    pricing = models.CharField(_("pricing"), max_length=20, choices=Pricing, default=Pricing.FORFAIT)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    delivery_date = models.DateField(_("contractual delivery date"), null=True, blank=True)
    golive_date = models.DateField(_("target go-live date"), null=True, blank=True)
    end_date = models.DateField(_("planned end date"), null=True, blank=True)
    budget_amount = models.DecimalField(
        _("budget (€ excl. VAT)"), max_digits=14, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    budget_effort = models.DecimalField(
        _("sold effort (person-days)"), max_digits=10, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    working_days = models.JSONField(_("working days"), default=default_working_days)
    holiday_zone = models.CharField(
        _("public holidays"), max_length=20, choices=HolidayZone, default=HolidayZone.FRANCE
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if (
            not isinstance(self.working_days, list)
            or not self.working_days
            or any(not isinstance(d, int) or isinstance(d, bool) or not 0 <= d <= 6 for d in self.working_days)
        ):
            errors["working_days"] = str(_("Give at least one weekday, as numbers 0 (Monday) to 6 (Sunday)."))
        ordered = [
            ("start_date", self.start_date),
            ("delivery_date", self.delivery_date),
            ("golive_date", self.golive_date),
            ("end_date", self.end_date),
        ]
        known = [(name, value) for name, value in ordered if value is not None]
        for (_name_a, a), (name_b, b) in pairwise(known):
            if b < a:
                errors[name_b] = str(
                    _("This date comes before %(field)s.") % {"field": self._meta.get_field(_name_a).verbose_name}  # type: ignore[union-attr]
                )
        if self.moa_organisation_id and self.moa_organisation_id == self.moe_organisation_id:
            errors["moe_organisation"] = str(_("The MOE organisation must differ from the MOA organisation."))
        if errors:
            raise ValidationError(errors)


class Membership(VersionedModel):
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role)
    is_admin = models.BooleanField(_("project administrator"), default=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("organisation"), null=True, blank=True, on_delete=models.SET_NULL
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="one_membership_per_user_and_project")]
        ordering = ["role", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"


class Closure(VersionedModel):
    """A period when the project does not work (e.g. the August closure), beyond public holidays."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="closures")
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    label = models.CharField(_("label"), max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="closure_end_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.label or _('Closure')} {self.start:%d/%m/%Y}–{self.end:%d/%m/%Y}"
