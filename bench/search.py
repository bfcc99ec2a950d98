"""Benchmark of the global search (issue 14): the full-text selector against the naive ``icontains`` query.

    OEUVRE_DATA_DIR=var/bench-search python bench/search.py [--rows 250000] [--projects 50]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oeuvre_search_bench python bench/search.py [--layouts]

The first run migrates the database and generates an index of ``--rows`` objects (exigences, anomalies, tasks…
with French titles and texts, spread over ``--projects`` projects); later runs reuse it. The searching user is
a member of 30 projects out of 50, so the permission filter does real work. Each query is timed through
:func:`oeuvre.web.selectors.search` (permissions, exact reference first, ranking, 20 results) and through the
naive approach an ORM loop would take: every word ``icontains`` in reference, title or body, OR-ed, newest
first, with the same permission filter. Targets: < 300 ms on SQLite, < 150 ms on PostgreSQL. ``--layouts`` (PostgreSQL)
then times the ranking on the narrow rows against the same ranking on wide rows, alternating (docs/search.md).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oeuvre.settings")

import django

django.setup()

from _common import machine  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.utils import timezone  # noqa: E402

from oeuvre.accounts.models import Organisation, User  # noqa: E402
from oeuvre.projects.models import Membership, Project  # noqa: E402
from oeuvre.web import fulltext  # noqa: E402
from oeuvre.web.models import SearchEntry  # noqa: E402
from oeuvre.web.searchable import reference_key  # noqa: E402
from oeuvre.web.selectors import search, search_scope  # noqa: E402

KINDS = [
    ("exigence", "EX", 0.30),
    ("specification", "SP", 0.10),
    ("component", "CMP", 0.04),
    ("task", "T", 0.20),
    ("test_case", "CT", 0.20),
    ("anomaly", "ANO", 0.10),
    ("deliverable", "LIV", 0.02),
    ("risk", "R", 0.02),
    ("incident", "INC", 0.02),
]
NOUNS = [
    "sécurité",
    "authentification",
    "export",
    "comptabilité",
    "facture",
    "usager",
    "agent",
    "dossier",
    "échange",
    "annuaire",
    "journalisation",
    "archivage",
    "habilitation",
    "profil",
    "tableau",
    "bord",
    "supervision",
    "flux",
    "données",
    "reprise",
    "interface",
    "portail",
    "paiement",
    "notification",
    "courriel",
    "signature",
    "document",
    "référentiel",
    "recherche",
    "performance",
    "disponibilité",
    "sauvegarde",
    "restauration",
    "migration",
    "formation",
    "habilitations",
    "rapport",
    "statistique",
    "calendrier",
    "planning",
    "budget",
    "contrat",
    "avenant",
    "recette",
    "anomalie",
    "correctif",
    "version",
    "déploiement",
    "production",
    "préproduction",
    "environnement",
    "serveur",
    "certificat",
    "chiffrement",
    "accès",
    "droit",
    "rôle",
    "équipe",
    "projet",
    "exigence",
    "spécification",
    "composant",
    "service",
]
VERBS = [
    "permettre",
    "afficher",
    "exporter",
    "calculer",
    "vérifier",
    "notifier",
    "archiver",
    "contrôler",
    "importer",
    "signer",
    "valider",
]
ADJECTIVES = [
    "fort",
    "sécurisé",
    "mensuel",
    "annuel",
    "obligatoire",
    "rapide",
    "complet",
    "partiel",
    "national",
    "régional",
]
USER = "bench-searcher"
STARTED = time.perf_counter()


def _sentence(rng: random.Random, words: int) -> str:
    parts = [rng.choice(VERBS), "le", rng.choice(NOUNS)]
    while len(parts) < words:
        parts += [rng.choice(["du", "de la", "des", "pour le", "avec"]), rng.choice(NOUNS), rng.choice(ADJECTIVES)]
    return " ".join(parts).capitalize()


def generate(rows: int, n_projects: int) -> None:
    """Projects, one searching user on 30 of them, and ``rows`` index entries (written in bulk: generated data)."""
    rng = random.Random(14)
    moa = Organisation.objects.get_or_create(name="Bench MOA")[0]
    moe = Organisation.objects.get_or_create(name="Bench MOE")[0]
    user = User.objects.get_or_create(username=USER, defaults={"first_name": "Bench", "last_name": "Searcher"})[0]
    projects = []
    for i in range(n_projects):
        project = Project.objects.get_or_create(
            code=f"bench-{i:02d}",
            defaults={"name": f"Projet de banc {i}", "moa_organisation": moa, "moe_organisation": moe},
        )[0]
        projects.append(project)
        if i % 5 < 3:  # 30 projects out of 50
            Membership.objects.get_or_create(project=project, user=user, defaults={"role": "moe"})
    now = timezone.now()
    batch: list[SearchEntry] = []
    counters: dict[tuple[int, str], int] = {}
    started = time.perf_counter()
    with transaction.atomic():
        SearchEntry.objects.filter(project__code__startswith="bench-").delete()
        for n in range(rows):
            kind, prefix, _share = rng.choices(KINDS, weights=[k[2] for k in KINDS])[0]
            project = projects[n % n_projects]
            number = counters[(project.pk, kind)] = counters.get((project.pk, kind), 0) + 1
            reference = f"{prefix}-{number:03d}"
            batch.append(
                SearchEntry(
                    kind=kind,
                    object_id=n + 1,
                    project=project,
                    reference=reference,
                    reference_key=reference_key(reference),
                    title=_sentence(rng, 6),
                    body=" ".join(_sentence(rng, 12) + "." for _ in range(rng.randint(1, 4))),
                    url=f"/p/{project.code}/{kind}/{n + 1}/",
                    updated=now,
                )
            )
            if len(batch) == 5000:
                SearchEntry.objects.bulk_create(batch)
                batch = []
        SearchEntry.objects.bulk_create(batch)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO web_searchentry_fts(web_searchentry_fts) VALUES ('optimize')")
            # Fold the generation's write-ahead log into the file: reads through a large WAL are slower.
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE web_searchentry")
    print(f"generated {rows:,} entries in {time.perf_counter() - started:.1f} s")


def naive(user: Any, q: str, limit: int = 20) -> list[Any]:
    """What a first version would do: each word icontains in any text column, with the same permissions."""
    allowed = fulltext.scope_q(search_scope(user))
    words = q.split()
    match = Q()
    for word in words:
        match &= Q(reference__icontains=word) | Q(title__icontains=word) | Q(body__icontains=word)
    return list(SearchEntry.objects.filter(allowed, match).select_related("project").order_by("-updated")[:limit])


_LAYOUT_SQL = """SELECT {id} FROM {table} WHERE kind = ANY(%s) AND project_id = ANY(%s)
    AND vector @@ (to_tsquery('oeuvre_fr', %s) || to_tsquery('oeuvre_en', %s))
    ORDER BY ts_rank('{{0.1,0.2,0.5,1}}'::real[], vector, to_tsquery('oeuvre_fr', %s) || to_tsquery('oeuvre_en', %s))
    DESC, updated DESC, {id} LIMIT 20"""


def compare_layouts(user: Any, runs: int) -> None:
    """PostgreSQL: the ranking on the narrow rows (``web_searchrankrow``, today's layout) against the same ranking
    on wide rows (a temporary copy of ``web_searchentry`` with the vector beside the display columns and its own
    GIN index, the layout before migration ``web.0007``), alternating query by query so both see the same load."""
    scope = search_scope(user)
    kinds = sorted(scope)
    project_ids = sorted({p for ids in scope.values() for p in ids})
    with connection.cursor() as cursor:
        # A plain table, not a temporary one: temporary tables live in small local buffers, not the shared cache.
        cursor.execute("DROP TABLE IF EXISTS bench_wide")
        cursor.execute(
            "CREATE TABLE bench_wide AS SELECT e.*, r.vector FROM web_searchentry e "
            "JOIN web_searchrankrow r ON r.entry_id = e.id"
        )
        cursor.execute("CREATE INDEX bench_wide_gin ON bench_wide USING gin (vector)")
        cursor.execute("VACUUM ANALYZE bench_wide")  # hint bits set, as on the long-lived narrow table
        layouts = {
            "wide rows (before)": _LAYOUT_SQL.format(id="id", table="bench_wide"),
            "narrow rows (now)": _LAYOUT_SQL.format(id="entry_id", table="web_searchrankrow"),
        }
        print(f"{'tsquery':<32}{'wide ms':>9}{'narrow ms':>11}{'ratio':>8}  same 20 ids")
        for tsquery in ["securit:*", "export:* & comptabilit:*", "authent:*", "habilit:* & profil:* & fort:*"]:
            times: dict[str, list[float]] = {name: [] for name in layouts}
            ids: dict[str, list[int]] = {}
            for run in range(runs + 1):
                order = list(layouts.items()) if run % 2 == 0 else list(reversed(layouts.items()))
                for name, sql in order:
                    t0 = time.perf_counter()
                    cursor.execute(sql, [kinds, project_ids, *[tsquery] * 4])
                    ids[name] = [row[0] for row in cursor.fetchall()]
                    if run:  # the first round warms both up
                        times[name].append((time.perf_counter() - t0) * 1000)
            wide, narrow = (statistics.median(times[name]) for name in layouts)
            same = len(set(map(tuple, ids.values()))) == 1
            print(f"{tsquery:<32}{wide:>9.1f}{narrow:>11.1f}{wide / narrow:>7.2f}x  {same}")
        cursor.execute("DROP TABLE bench_wide")


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    fn()  # warm-up
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=250_000)
    parser.add_argument("--projects", type=int, default=50)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument(
        "--layouts", action="store_true", help="PostgreSQL: also time the ranking on wide rows against narrow rows"
    )
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    present = SearchEntry.objects.filter(project__code__startswith="bench-").count()
    if args.regenerate or present != args.rows:
        generate(args.rows, args.projects)
    user = User.objects.get(username=USER)
    target = 300 if connection.vendor == "sqlite" else 150
    print(f"{connection.vendor}: {SearchEntry.objects.count():,} index rows, {args.projects} projects; {machine()}")
    print(
        f"{'query':<28}{'hits':>6}{'naive hits':>11}{'search ms':>11}{'naive ms':>10}{'ratio':>8}  target < {target} ms"
    )
    for q in ["ANO-042", "sécurité", "securite", "export comptabilité", "authent", "habilitations profil fort"]:
        ms, hits = timed(lambda q=q: search(user, q), args.runs)
        naive_ms, naive_hits = timed(lambda q=q: naive(user, q), max(1, args.runs // 2))
        verdict = "ok" if ms < target else "SLOW"
        print(
            f"{q:<28}{len(hits):>6}{len(naive_hits):>11}{ms:>11.1f}{naive_ms:>10.1f}{naive_ms / ms:>7.1f}x  {verdict}"
        )
    if args.layouts and connection.vendor == "postgresql":
        compare_layouts(user, args.runs)
    print(f"whole command: {time.perf_counter() - STARTED:.1f} s")


if __name__ == "__main__":
    main()
