"""Every user-visible string exists in French: catalogues complete, compiled, and in step with the code."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import polib
import pytest

from tests.conftest import IN_CI, REPO

APPS = sorted(p.parent for p in (REPO / "src" / "oeuvre").glob("*/apps.py"))


def _catalogue(app: Path) -> Path:
    return app / "locale" / "fr" / "LC_MESSAGES" / "django.po"


@pytest.mark.parametrize("app", APPS, ids=lambda p: p.name)
def test_it_translates_every_message_into_french(app: Path) -> None:
    po_path = _catalogue(app)
    if not po_path.exists():
        pytest.skip(f"{app.name} has no translatable strings")
    catalogue = polib.pofile(str(po_path))
    untranslated = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert not untranslated, f"{app.name}: untranslated {untranslated[:10]}"
    assert not fuzzy, f"{app.name}: fuzzy {fuzzy[:10]}"
    # French plurals have as many forms as the header says (three with Django's current French rule):
    # a missing form silently falls back to English for the counts that use it ("10 days late").
    match = re.search(r"nplurals=(\d+)", catalogue.metadata.get("Plural-Forms", ""))
    forms = int(match.group(1)) if match else 2
    incomplete = [
        e.msgid for e in catalogue if e.msgid_plural and sum(1 for v in e.msgstr_plural.values() if v) < forms
    ]
    assert not incomplete, f"{app.name}: plural forms missing (need {forms}) for {incomplete[:10]}"


@pytest.mark.parametrize("app", APPS, ids=lambda p: p.name)
def test_it_ships_the_compiled_catalogue_in_step_with_its_source(app: Path) -> None:
    po_path = _catalogue(app)
    if not po_path.exists():
        pytest.skip(f"{app.name} has no translatable strings")
    compiled = polib.mofile(str(po_path.with_suffix(".mo")))
    source = polib.pofile(str(po_path))
    as_compiled = {(e.msgid, e.msgstr) for e in compiled if e.msgid}
    as_written = {(e.msgid, e.msgstr) for e in source if not e.obsolete and e.msgid}
    assert as_written <= as_compiled, f"{app.name}: run `python3 dev.py messages` to recompile"


@pytest.mark.parametrize("app", APPS, ids=lambda p: p.name)
def test_it_has_every_string_of_the_code_in_its_catalogue(app: Path, tmp_path: Path) -> None:
    """makemessages on a copy of the app must find no msgid that the committed catalogue lacks."""
    if shutil.which("xgettext") is None:
        if IN_CI:
            pytest.fail("GNU gettext is required in CI (apt-get install gettext)")
        pytest.skip("GNU gettext is not installed")
    copy = tmp_path / app.name
    shutil.copytree(app, copy, ignore=shutil.ignore_patterns("static", "__pycache__", "*.mo"))
    (copy / "locale").mkdir(exist_ok=True)
    django_admin = shutil.which("django-admin") or str(Path(__import__("sys").executable).parent / "django-admin")
    subprocess.run(
        [django_admin, "makemessages", "-l", "fr", "--no-location", "--no-obsolete"],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    fresh = _catalogue(copy)
    if not fresh.exists():
        assert not _catalogue(app).exists() or not polib.pofile(str(_catalogue(app)))
        return
    found = {e.msgid for e in polib.pofile(str(fresh)) if e.msgid}
    committed = {e.msgid for e in polib.pofile(str(_catalogue(app)))} if _catalogue(app).exists() else set()
    missing = sorted(found - committed)
    assert not missing, f"{app.name}: run `python3 dev.py messages`, then translate {missing[:10]}"


def test_it_gives_one_message_one_french_text_across_apps() -> None:
    """Django merges every app's catalogue and the first app in INSTALLED_APPS wins, silently: the same English
    message translated two ways in two apps shows one app's French in the other (« Nouvelle » for an incident,
    « Demande d'évolution » for a change request). A short label that needs another French text in another app
    takes a context (`pgettext`, `{% translate … context … %}`)."""
    texts: dict[tuple[str | None, str], dict[str, str]] = {}
    for app in APPS:
        if not _catalogue(app).exists():
            continue
        for entry in polib.pofile(str(_catalogue(app))):
            if entry.obsolete or not entry.msgid:
                continue
            text = repr(sorted(entry.msgstr_plural.items())) if entry.msgid_plural else entry.msgstr
            texts.setdefault((entry.msgctxt, entry.msgid), {})[app.name] = text
    clashes = {key: by_app for key, by_app in texts.items() if len(set(by_app.values())) > 1}
    assert not clashes, f"{len(clashes)} messages with two French texts: {list(clashes.items())[:5]}"


def test_it_shows_each_stage_its_own_french_for_a_shared_label() -> None:
    from django.utils import translation

    from oeuvre.mep.models import IncidentStatus
    from oeuvre.pilotage.models import Axis
    from oeuvre.recette.models import AnomalyStatus

    with translation.override("fr"):
        assert str(IncidentStatus.NOUVEAU.label) == "Nouveau"
        assert str(AnomalyStatus.NOUVELLE.label) == "Nouvelle"
        assert str(Axis.SCHEDULE.label) == "Délais"
        assert translation.pgettext("date range", "From") == "Du"
        assert translation.gettext("From") == "De"
