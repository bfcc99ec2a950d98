"""Deterministic demo data: the same seed and reference date give the same data, row for row.

The foundation creates organisations, people, projects and memberships. Each later stage adds its
own data with :func:`demo_step`; a step gets a random generator seeded by (seed, project, step name),
so adding a stage never changes what the others generate.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _
from simple_history.models import HistoricalRecords

from oeuvre.accounts.models import Organisation, User
from oeuvre.accounts.roles import Role
from oeuvre.core.errors import DomainError
from oeuvre.projects.models import Closure, HolidayZone, Membership, Phase, Pricing, Project, Regime

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_USERS",
    "MAIN_PROJECT",
    "DemoContext",
    "demo_step",
    "generate",
    "is_demo_database",
]

DEMO_PASSWORD = "oeuvre-demo"  # noqa: S105 — printed at start; demo mode only
MAIN_PROJECT = "guichet-usagers"
SIZES = {"small": 1, "large": 50}

# username, first name, last name, organisation key, role on the main project, admin flag
DEMO_USERS: list[tuple[str, str, str, str, Role, bool]] = [
    ("moa", "Claire", "Martin", "moa", Role.MOA, False),
    ("amoa", "Julien", "Bernard", "amoa", Role.AMOA, False),
    ("moe", "Sophie", "Durand", "moe", Role.MOE, True),
    ("amoe", "Karim", "Haddad", "moe", Role.AMOE, False),
    ("exploitation", "Nathalie", "Petit", "moa", Role.EXPLOITATION, False),
    ("lecteur", "Paul", "Roux", "audit", Role.READER, False),
]

ORGANISATIONS = {
    "moa": ("Communauté d'agglomération du Val-de-Loirette", Organisation.Kind.PUBLIC_BODY, "Loirette-sur-Cher"),
    "amoa": ("Cabinet Aubier Conseil", Organisation.Kind.CONSULTANCY, "Tours"),
    "moe": ("Numéria Services", Organisation.Kind.ESN, "Nantes"),
    "audit": ("Inspection générale du Val-de-Loirette", Organisation.Kind.PUBLIC_BODY, "Loirette-sur-Cher"),
}

_FIRST = [
    "Camille",
    "Lucas",
    "Léa",
    "Hugo",
    "Chloé",
    "Louis",
    "Manon",
    "Gabriel",
    "Inès",
    "Arthur",
    "Emma",
    "Jules",
    "Sarah",
    "Adam",
    "Zoé",
    "Nathan",
    "Alice",
    "Théo",
    "Lina",
    "Raphaël",
]
_LAST = [
    "Lefebvre",
    "Moreau",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guerin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
    "Morin",
    "Mathieu",
    "Clement",
    "Gauthier",
    "Dumont",
    "Lopez",
    "Fontaine",
    "Chevalier",
]
_BODIES = [
    "Département du Haut-Vernois",
    "Ville de Saint-Aubrac",
    "Région Armorique-Sud",
    "Syndicat mixte Numérique 41",
    "Centre hospitalier de Belval",
    "Université de Montclair",
    "Métropole de Rivebelle",
    "Caisse de retraite CRAPL",
]
_ESNS = ["Logivia", "Datacité", "Infraneo", "Codexis", "Opale Informatique", "Sextant Digital"]
_SUBJECTS = [
    "Refonte du SI RH",
    "Portail citoyen",
    "Dématérialisation du courrier",
    "Gestion des subventions",
    "Système d'information géographique",
    "Plateforme de données",
    "Gestion financière",
    "Billetterie en ligne",
    "Dossier patient informatisé",
    "Gestion des marchés publics",
]


@dataclass
class DemoContext:
    size: str
    seed: int
    today: date
    organisations: dict[str, Organisation] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    projects: list[Project] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # stages share what they created here

    def rng(self, *keys: object) -> random.Random:
        return random.Random(":".join(str(k) for k in (self.seed, *keys)))  # noqa: S311 — not for security

    @property
    def main_project(self) -> Project:
        return self.projects[0]


Step = Callable[[DemoContext, Project], None]
_STEPS: list[tuple[int, str, Step]] = []


def demo_step(order: int, name: str) -> Callable[[Step], Step]:
    """Register ``fn(ctx, project)``, run for every demo project in ``order``."""

    def register(fn: Step) -> Step:
        if all(existing != name for _o, existing, _f in _STEPS):
            _STEPS.append((order, name, fn))
            _STEPS.sort(key=lambda s: s[0])
        return fn

    return register


def demo_steps() -> list[tuple[int, str, Step]]:
    """Every stage's steps, in order.

    Each app's ``demo`` module registers its steps when imported. They are imported here, when a demo is
    built, not when the apps start: the steps pull in the scheduling engine and every stage's services,
    which every command would otherwise pay for at start-up.
    """
    autodiscover_modules("demo")
    return list(_STEPS)


def is_demo_database() -> bool:
    """True when the database is empty or holds only demo data, so the demo may replace it."""
    usernames = {u[0] for u in DEMO_USERS} | {"admin"}
    others = User.objects.exclude(username__in=usernames).exclude(username__startswith="demo-")
    return not others.exists()


def generate(
    *, size: str, seed: int, today: date, progress: Any = None, stages: Collection[str] | None = None
) -> DemoContext:
    """Create the demo's people and projects, then run every stage's step (or only ``stages``, by name)."""
    if size not in SIZES:
        raise DomainError(_("The demo size must be one of: %(sizes)s.") % {"sizes": ", ".join(sorted(SIZES))})
    steps = [s for s in demo_steps() if stages is None or s[1] in stages]
    ctx = DemoContext(size=size, seed=seed, today=today)
    with transaction.atomic():
        _people(ctx)
        with _authored_by(ctx.users["admin"]):
            _projects(ctx)
        total = len(ctx.projects) * len(steps)
        if progress is not None:
            progress.start(total, "projects")
        for project in ctx.projects:
            for _order, name, step in steps:
                with _authored_by(ctx.users[_step_author(name)]):
                    step(ctx, project)
                if progress is not None:
                    progress.advance(1, f"{project.code}: {name}")
    return ctx


def _step_author(step_name: str) -> str:
    """Who does a step's work when it does not name the actor: the AMOA writes the requirements and runs the
    recette, the MOE plans and delivers (the demo's activity feed then says who did what)."""
    return "amoa" if step_name.startswith(("requirements", "recette")) else "moe"


@contextmanager
def _authored_by(user: Any) -> Iterator[None]:
    """Records of history written without an explicit actor are signed by ``user`` (as a request's user would)."""
    context = HistoricalRecords.context
    previous = getattr(context, "request", None)
    context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if previous is None:
            del context.request
        else:
            context.request = previous


def _people(ctx: DemoContext) -> None:
    # One hash for every demo account: argon2 is deliberately slow, and the password is the same.
    password = make_password(DEMO_PASSWORD)
    for key, (name, kind, city) in ORGANISATIONS.items():
        ctx.organisations[key], _ = Organisation.objects.get_or_create(name=name, defaults={"kind": kind, "city": city})
    for username, first, last, _org, _role, _admin in DEMO_USERS:
        ctx.users[username] = User.objects.create(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@demo.oeuvre.example",
            password=password,
        )
    ctx.users["admin"] = User.objects.create(
        username="admin",
        first_name="Admin",
        last_name="Œuvre",
        email="admin@demo.oeuvre.example",
        password=password,
        is_staff=True,
        is_superuser=True,
    )
    if ctx.size == "large":
        rng = ctx.rng("people")
        for name in _BODIES:
            ctx.organisations[name] = Organisation.objects.create(name=name, kind=Organisation.Kind.PUBLIC_BODY)
        for name in _ESNS:
            ctx.organisations[name] = Organisation.objects.create(name=name, kind=Organisation.Kind.ESN)
        people = [
            User(
                username=f"demo-{i:03d}",
                first_name=rng.choice(_FIRST),
                last_name=rng.choice(_LAST),
                email=f"demo-{i:03d}@demo.oeuvre.example",
                password=password,
            )
            for i in range(1, 151)
        ]
        for person in User.objects.bulk_create(people):
            ctx.users[person.username] = person


def _projects(ctx: DemoContext) -> None:
    today = ctx.today
    main = Project.objects.create(
        code=MAIN_PROJECT,
        name="Guichet usagers — portail de démarches en ligne",
        description=(
            "Dématérialisation des démarches des habitants de l'agglomération (état civil, inscriptions "
            "scolaires, collecte des déchets, stationnement résident) : portail usagers, back-office des "
            "agents, interfaces avec le SI financier et FranceConnect. Marché public à prix forfaitaire, "
            "CCAG-TIC 2021."
        ),
        moa_organisation=ctx.organisations["moa"],
        moe_organisation=ctx.organisations["moe"],
        phase=Phase.RECETTE,
        regime=Regime.CCAG_TIC,
        pricing=Pricing.FORFAIT,
        start_date=today - timedelta(days=150),
        delivery_date=today + timedelta(days=45),
        golive_date=today + timedelta(days=90),
        end_date=today + timedelta(days=90 + 365),
        budget_amount=Decimal("1240000.00"),
        budget_effort=Decimal("1650.0"),
        holiday_zone=HolidayZone.FRANCE,
    )
    Closure.objects.create(
        project=main, start=date(today.year, 12, 24), end=date(today.year, 12, 31), label="Fermeture de fin d'année"
    )
    for username, _first, _last, org, role, admin in DEMO_USERS:
        Membership.objects.create(
            project=main, user=ctx.users[username], role=role, is_admin=admin, organisation=ctx.organisations[org]
        )
    ctx.projects.append(main)
    if ctx.size != "large":
        return
    rng = ctx.rng("projects")
    bodies = [ctx.organisations[n] for n in _BODIES]
    esns = [ctx.organisations[n] for n in _ESNS]
    pool = [u for name, u in ctx.users.items() if name.startswith("demo-")]
    phases = list(Phase.values)
    for i in range(1, SIZES["large"]):
        start = today - timedelta(days=rng.randint(30, 700))
        body = rng.choice(bodies)
        project = Project.objects.create(
            code=f"demo-{i:02d}",
            name=f"{rng.choice(_SUBJECTS)} — {body.name}",
            moa_organisation=body,
            moe_organisation=rng.choice(esns),
            phase=rng.choice(phases),
            regime=rng.choice([Regime.CCAG_TIC, Regime.CCAG_TIC, Regime.PRIVATE]),
            pricing=rng.choice([Pricing.FORFAIT, Pricing.REGIE]),
            start_date=start,
            delivery_date=start + timedelta(days=rng.randint(180, 400)),
            golive_date=start + timedelta(days=rng.randint(410, 500)),
            end_date=start + timedelta(days=rng.randint(800, 900)),
            budget_amount=Decimal(rng.randrange(150_000, 4_000_000, 10_000)),
            budget_effort=Decimal(rng.randrange(200, 5000, 10)),
        )
        team = rng.sample(pool, 8)
        roles = [
            Role.MOA,
            Role.AMOA,
            Role.MOE,
            Role.AMOE,
            Role.EXPLOITATION,
            Role.CONTRIBUTOR,
            Role.CONTRIBUTOR,
            Role.READER,
        ]
        Membership.objects.bulk_create(
            [
                Membership(project=project, user=u, role=r, is_admin=(r == Role.MOE))
                for u, r in zip(team, roles, strict=True)
            ]
        )
        # The demo personas sit on some large projects too, so a benchmark can log in as them.
        for username, *_rest, role, _admin in DEMO_USERS:
            if rng.random() < 0.3:
                Membership.objects.create(project=project, user=ctx.users[username], role=role)
        ctx.projects.append(project)
