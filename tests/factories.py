from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from oeuvre.accounts.models import Organisation, User
from oeuvre.projects.models import Membership, Project


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct-horse-battery")


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.COMPANY


class ProjectFactory(DjangoModelFactory):
    class Meta:
        model = Project

    code = factory.Sequence(lambda n: f"projet-{n}")
    name = factory.Sequence(lambda n: f"Projet {n}")
    moa_organisation = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.PUBLIC_BODY)
    moe_organisation = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.ESN)
    start_date = date(2026, 1, 5)
    delivery_date = date(2026, 9, 30)
    budget_amount = Decimal("500000")
    budget_effort = Decimal("800")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(UserFactory)
    role = "reader"
    is_admin = False


def local_days_ago(days: int) -> datetime:
    """Noon, ``days`` local calendar days ago: « now minus N × 24 h » is N − 1 local days for an hour of the day
    when a summer-time change lies between (tests that count days failed between 22:00 and 23:00 UTC)."""
    return timezone.make_aware(datetime.combine(timezone.localdate() - timedelta(days=days), time(12)))
