"""Release notes from the release's computed content: Markdown and PDF, French and English; page, API and CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from oeuvre.accounts.services import token_create
from oeuvre.mep import release_notes
from oeuvre.pilotage.models import ChangeItem, ChangeRequest
from oeuvre.recette import models as rm
from oeuvre.recette.models import Anomaly, Campaign, Execution, Iteration, PlannedTest
from oeuvre.requirements.models import Exigence, Specification, TraceLink
from tests.mep.builders import release


def _exigence(p: Any, n: int, title: str) -> Exigence:
    return Exigence.objects.create(project=p.project, reference=f"EX-{n:03d}", number=n, title=title)


def _tested(p: Any, camp: Campaign, exigence: Exigence, status: str) -> None:
    """A test case covering ``exigence``, linked before it runs in ``camp`` with ``status``."""
    n = rm.TestCase.objects.filter(project=p.project).count() + 1
    case = rm.TestCase.objects.create(project=p.project, reference=f"CT-{n:03d}", number=n, title=f"Cas {n}")
    case.exigences.add(exigence)
    revision = rm.TestCaseRevision.objects.create(test_case=case, revision=1, content={})
    PlannedTest.objects.create(campaign=camp, test_case=case, position=n)
    Execution.objects.create(
        project=p.project,
        iteration=camp.iterations.get(),
        test_case=case,
        test_case_revision=revision,
        status=status,
        executed_at=timezone.now(),
    )


def _content(p: Any) -> Any:
    rel = release(p, "2.1", title="Portail <usagers>")
    delivered = _exigence(p, 1, "Déposer une demande en ligne")
    failing = _exigence(p, 2, "Payer par carte")
    fixed_on = _exigence(p, 3, "Recevoir un accusé de réception")
    camp = Campaign.objects.create(project=p.project, name="VABF lot 2", kind="vabf", release="2.1")
    Iteration.objects.create(campaign=camp, number=1)
    _tested(p, camp, delivered, "ok")
    _tested(p, camp, failing, "ko")
    Campaign.objects.create(project=p.project, name="VABF lot 1", kind="vabf", release="1.0")
    spec = Specification.objects.create(project=p.project, reference="SFD-010", number=10, title="Écran de dépôt")
    TraceLink.objects.create(project=p.project, kind="satisfies", src_specification=spec, dst_exigence=delivered)
    Specification.objects.create(project=p.project, reference="SFD-011", number=11, title="Écran de paiement")
    for n, (status, found, fixed, exigence) in enumerate(
        [
            ("verifiee", "2.0", "2.1", fixed_on),
            ("close", "2.0", "2.0", None),
            ("qualifiee", "2.1", "", None),
            ("close", "2.1", "", None),
        ],
        start=1,
    ):
        Anomaly.objects.create(
            project=p.project,
            reference=f"ANO-{n:03d}",
            number=n,
            title=f"Défaut *{n}*",
            severity="majeure",
            status=status,
            release_found=found,
            release_fixed=fixed,
            exigence=exigence,
            campaign=camp,
        )
    carried = ChangeRequest.objects.create(
        project=p.project, reference="DM-001", number=1, title="Dépôt en ligne", status="acceptee", avenant_number=1
    )
    ChangeItem.objects.create(change=carried, kind="modification", exigence=delivered)
    refused = ChangeRequest.objects.create(
        project=p.project, reference="DM-002", number=2, title="Refusée", status="refusee"
    )
    ChangeItem.objects.create(change=refused, kind="modification", exigence=delivered)
    return rel


def test_the_content_is_computed_from_the_other_stages(personas: Any) -> None:
    rel = _content(personas)
    content = release_notes.notes_content(rel)
    assert [a.reference for a in content.fixed_anomalies] == ["ANO-001"]
    # EX-001 passed in the release's campaign, EX-003 is the fixed anomaly's; EX-002 failed.
    assert [e.reference for e in content.exigences] == ["EX-001", "EX-003"]
    assert [s.reference for s in content.specifications] == ["SFD-010"]
    assert [c.reference for c in content.changes] == ["DM-001"]
    assert [c.name for c in content.campaigns] == ["VABF lot 2"]
    assert [a.reference for a in content.known_issues] == ["ANO-003"]


def test_markdown_in_french_and_english_escapes_what_it_quotes(personas: Any) -> None:
    rel = _content(personas)
    fr = release_notes.render_notes(rel, fmt="md", language="fr").decode()
    en = release_notes.render_notes(rel, fmt="md", language="en").decode()
    assert fr.startswith(f"# Notes de version — {personas.project.name} 2.1\n")
    assert "## Exigences livrées" in fr
    assert "- **DM-001** Dépôt en ligne (avenant n°\u00a01)" in fr
    assert "**Portail \\<usagers\\>**" in fr  # no HTML slips through
    assert "Défaut \\*1\\*" in fr
    assert "## Requirements delivered" in en
    assert "Anomalies fixed: 1 · requirements delivered: 2 · change requests carried: 1." in en
    assert "_No change request" not in en
    assert "_No campaign names this release._" not in en


def test_pdf_in_both_languages(personas: Any) -> None:
    rel = _content(personas)
    for language in ("fr", "en"):
        pdf = release_notes.render_notes(rel, fmt="pdf", language=language)
        assert pdf.startswith(b"%PDF-")


def test_page_api_and_cli_give_the_notes(personas: Any, tmp_path: Path) -> None:
    rel = _content(personas)
    client = personas.client(personas.reader)
    page = client.get(f"/p/alpha/mep/releases/{rel.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert f"/p/alpha/mep/releases/{rel.pk}/notes/?format=pdf&amp;lang=en" in page
    got = client.get(f"/p/alpha/mep/releases/{rel.pk}/notes/?format=md&lang=en")
    assert got["Content-Type"].startswith("text/markdown")
    assert "release-notes-alpha-2.1-en.md" in got["Content-Disposition"]
    assert b"## Anomalies fixed" in got.content
    assert client.get(f"/p/alpha/mep/releases/{rel.pk}/notes/?format=docx").status_code == 404

    _token, raw = token_create(user=personas.reader, name="ci")
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    url = f"/api/projects/alpha/mep/releases/{rel.pk}/notes"
    assert api.get(url, {"format": "pdf", "lang": "fr"}).content.startswith(b"%PDF-")
    assert api.get(url, {"format": "rtf"}).status_code == 422

    md = tmp_path / "notes.md"
    call_command("mep", "notes", "--project", "alpha", "--release", "2.1", "--lang", "en", "-o", str(md))
    assert "## Known issues" in md.read_text()
    pdf = tmp_path / "notes.pdf"
    call_command("mep", "release-notes", "--project", "alpha", "--release", "2.1", "-o", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF-")
