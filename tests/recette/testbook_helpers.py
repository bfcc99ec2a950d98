"""Builders for the test book tests: a small book, a campaign with a planned test, JUnit files."""

from __future__ import annotations

from typing import Any

from oeuvre.recette.models import Campaign, TestCase
from oeuvre.recette.services import testbook as services
from tests.requirements import helpers as req

STEPS = [
    {"action": "Ouvrir la page de connexion", "expected": "Le formulaire s'affiche", "data": ""},
    {
        "action": "Saisir l'identifiant et le mot de passe",
        "expected": "Les champs sont remplis",
        "data": "alice / secret",
    },
    {"action": "Valider", "expected": "Le tableau de bord s'affiche", "data": ""},
]


def make_case(personas: Any, title: str = "Connexion d'un usager", **fields: Any) -> TestCase:
    fields.setdefault("steps", STEPS)
    return services.test_case_create(actor=personas.amoa, project=personas.project, title=title, **fields)


def campaign(personas: Any, name: str = "VABF lot 1", cases: list[TestCase] | None = None) -> Campaign:
    found = Campaign.objects.filter(project=personas.project, name=name).first()
    if found is None:
        found = services.campaign_create(
            actor=personas.amoa, project=personas.project, name=name, kind="vabf", release="1.0"
        )
    if cases:
        services.planned_tests_add(actor=personas.amoa, campaign=found, test_cases=cases, tester=personas.contributor)
    return found


def exigence(personas: Any, reference: str = "EX-001") -> Any:
    return req.exigence(personas.project, reference, "validee")


def junit_xml(cases: list[tuple[str, str, str]], suite: str = "tests") -> bytes:
    """A pytest-like report: (classname, name, outcome) with outcome passed/failed/error/skipped."""
    body = []
    counts = {"failed": 0, "error": 0, "skipped": 0}
    for classname, name, outcome in cases:
        inner = ""
        if outcome == "failed":
            inner = '<failure message="assert 1 == 2">AssertionError: assert 1 == 2</failure>'
        elif outcome == "error":
            inner = '<error message="fixture crashed">RuntimeError</error>'
        elif outcome == "skipped":
            inner = '<skipped message="not on CI"/>'
        if outcome in counts:
            counts[outcome] += 1
        body.append(f'<testcase classname="{classname}" name="{name}" time="0.25">{inner}</testcase>')
    head = (
        f'<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="{suite}" tests="{len(cases)}" '
        f'failures="{counts["failed"]}" errors="{counts["error"]}" skipped="{counts["skipped"]}">'
    )
    return (head + "".join(body) + "</testsuite></testsuites>").encode()
