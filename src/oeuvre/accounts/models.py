from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from oeuvre.core.models import VersionedModel


class User(AbstractUser):
    language = models.CharField(
        _("language"), max_length=8, blank=True, choices=settings.LANGUAGES, help_text=_("Leave empty for French.")
    )

    history = HistoricalRecords()

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")  # type: ignore[assignment]
        verbose_name_plural = _("users")  # type: ignore[assignment]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Organisation(VersionedModel):
    class Kind(models.TextChoices):
        PUBLIC_BODY = "public", _("Public body")
        COMPANY = "company", _("Company")
        ESN = "esn", _("IT services company (ESN)")
        CONSULTANCY = "consultancy", _("Consultancy")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.COMPANY)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 digest is stored; the token is shown once, at creation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, unique=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["last_used_at"])

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
