"""The GLPI ticket CSV import: mapping, dry run, a bad row named, nothing half-written, re-import, CLI, page.

The samples under ``tests/mep/glpi/`` were written by hand, no GLPI was run: they follow GLPI 10.x's
``src/Search/Output/CSVSearchOutput.php`` and ``ExportSearchOutput.php`` (glpi-project/glpi) — BOM, ``;`` after
every value, every value quoted, ``"`` written ``''``, « Demandeur - Demandeur » — and the status and priority
names of ``Ticket::getAllStatusArray`` / ``CommonITILObject::getPriorityName`` (see ``glpi/README.md``).
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone, translation

from oeuvre.core.errors import DomainError
from oeuvre.mep import glpi_import as glpi
from oeuvre.mep.models import Incident, IncidentPause

SAMPLES = Path(__file__).parent / "glpi"
FR = (SAMPLES / "tickets_fr.csv").read_bytes()
EN = (SAMPLES / "tickets_en.csv").read_bytes()


def _at(text: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(text))


def _plan(personas: Any, data: bytes) -> tuple[Any, dict[str, str], glpi.ImportPlan]:
    table = glpi.read_export(data)
    mapping = glpi.suggest_mapping(table.columns)
    return table, mapping, glpi.plan_import(personas.project, table, mapping)


def test_the_columns_are_recognised_in_french_and_in_english() -> None:
    fr = glpi.suggest_mapping(glpi.read_export(FR).columns)
    en = glpi.suggest_mapping(glpi.read_export(EN).columns)
    expected = ["external_id", "title", "status", "opened_at", "priority", "urgency", "impact", "reporter", "",
                "resolved_at", "closed_at", "description"]  # fmt: skip
    assert list(fr.values()) == expected  # the empty column after the last « ; » is dropped
    assert list(en.values()) == expected
    assert fr["Demandeur - Demandeur"] == "reporter"
    assert en["Catégorie" if "Catégorie" in en else "Category"] == ""


def test_the_french_sample_imports_with_statuses_priorities_and_dates(personas: Any) -> None:
    table, mapping, plan = _plan(personas, FR)
    assert plan.ok, plan.summary()
    assert Incident.objects.count() == 0  # the dry run wrote nothing
    assert (plan.count("create"), plan.count("update")) == (7, 0)
    glpi.apply_import(actor=personas.exploitation, project=personas.project, table=table, mapping=mapping)
    found = {i.external_id: i for i in Incident.objects.filter(project=personas.project)}
    assert sorted(found) == ["1041", "1042", "1043", "1044", "1045", "1046", "1047"]
    closed = found["1041"]
    assert (closed.status, closed.priority, closed.urgency, closed.impact) == ("clos", 1, 5, 4)
    assert closed.opened_at == _at("2026-11-02T08:12")  # Paris time, as GLPI showed it
    assert closed.opened_at.astimezone(dt.UTC).hour == 7
    assert (closed.resolved_at, closed.closed_at) == (_at("2026-11-02T10:40"), _at("2026-11-03T09:00"))
    assert closed.reporter == personas.moe
    assert closed.description == "Erreur 502 sur la page d'accueil.\nTous les usagers."
    assert found["1042"].title == "Export ''CSV'' des demandes vide"  # GLPI wrote the quotes as ''
    assert found["1042"].reporter is None  # « Dupont Marie » is not a member: a warning, not an error
    assert [(i.status, i.priority) for i in (found["1043"], found["1044"], found["1046"], found["1047"])] == [
        ("pris_en_charge", 2), ("pris_en_charge", 4), ("nouveau", 5), ("clos", 1),
    ]  # fmt: skip
    assert found["1043"].taken_at is not None
    assert found["1046"].taken_at is None
    pending = found["1045"]
    assert pending.status == "en_attente"
    assert IncidentPause.objects.filter(incident=pending, ended_at__isnull=True).count() == 1
    assert closed.history.first().history_change_reason == "GLPI import"


def test_the_english_sample_imports(personas: Any) -> None:
    table, mapping, plan = _plan(personas, EN)
    assert plan.ok
    assert plan.count("create") == 5
    glpi.apply_import(actor=personas.moe, project=personas.project, table=table, mapping=mapping)
    statuses = dict(Incident.objects.values_list("external_id", "status"))
    assert statuses == {"2001": "clos", "2002": "resolu", "2003": "pris_en_charge", "2004": "en_attente",
                        "2005": "nouveau"}  # fmt: skip


def test_reimporting_updates_and_does_not_duplicate(personas: Any) -> None:
    table, mapping, _plan0 = _plan(personas, FR)
    glpi.apply_import(actor=personas.exploitation, project=personas.project, table=table, mapping=mapping)
    references = dict(Incident.objects.values_list("external_id", "reference"))
    again = glpi.plan_import(personas.project, table, mapping)
    assert (again.count("create"), again.count("update"), again.count("unchanged")) == (0, 0, 7)
    # GLPI moved on: 1043 is solved now, 1045 is back in progress.
    changed = FR.replace(
        '"1043";"Lenteur de la recherche";"En cours (Attribué)"'.encode(),
        '"1043";"Lenteur de la recherche";"Résolu"'.encode(),
    ).replace(b'"Application";"";"";"Plus de 10 s', b'"Application";"2026-11-04 11:00";"";"Plus de 10 s')
    account = '"1045";"Compte bloqué après changement de mot de passe";'
    changed = changed.replace(f'{account}"En attente"'.encode(), f'{account}"En cours (Attribué)"'.encode())
    table2 = glpi.read_export(changed)
    plan = glpi.apply_import(actor=personas.exploitation, project=personas.project, table=table2, mapping=mapping)
    assert (plan.count("create"), plan.count("update"), plan.count("unchanged")) == (0, 2, 5)
    assert Incident.objects.count() == 7
    assert dict(Incident.objects.values_list("external_id", "reference")) == references
    solved = Incident.objects.get(external_id="1043")
    assert (solved.status, solved.resolved_at) == ("resolu", _at("2026-11-04T11:00"))
    assert not IncidentPause.objects.filter(incident__external_id="1045", ended_at__isnull=True).exists()


def test_a_bad_row_is_named_by_line_and_column_and_nothing_is_written(personas: Any) -> None:
    lowest = '"Très basse";"Très basse";"Très basse"'.encode()
    bad = FR.replace(b'"2026-11-04 16:45"', b'"le 4 novembre"')
    bad = bad.replace(lowest, '"Très basse";"Urgentissime";"Très basse"'.encode())
    table = glpi.read_export(bad)
    mapping = glpi.suggest_mapping(table.columns)
    with translation.override("en"):
        plan = glpi.plan_import(personas.project, table, mapping)
    errors = [(o.row, column) for o in plan.outcomes for column, _m in o.errors]
    assert errors == [(5, "Date d'ouverture"), (7, "Urgence")]  # file lines: the header is line 1
    assert "le 4 novembre" in plan.outcomes[3].errors[0][1]
    with pytest.raises(DomainError, match="2 line"), translation.override("en"):
        glpi.apply_import(actor=personas.exploitation, project=personas.project, table=table, mapping=mapping)
    assert Incident.objects.count() == 0


def test_a_mapping_can_be_overridden_and_is_checked(personas: Any) -> None:
    table = glpi.read_export(EN)
    mapping = glpi.suggest_mapping(table.columns)
    mapping["Priority"] = ""  # ignore GLPI's priority: ours comes from impact × urgency
    plan = glpi.plan_import(personas.project, table, mapping)
    assert plan.values[4]["urgency"] == 4
    assert "priority" not in plan.values[4]
    glpi.apply_import(actor=personas.moe, project=personas.project, table=table, mapping=mapping)
    assert Incident.objects.get(external_id="2003").priority == 3  # impact 3 × urgency 4 in our matrix
    with pytest.raises(DomainError):
        glpi.plan_import(personas.project, table, {**mapping, "Title": "", "Description": "title"} | {"ID": ""})


def test_only_who_handles_incidents_imports(personas: Any) -> None:
    table, mapping, _p = _plan(personas, EN)
    for who in (personas.reader, personas.moa, personas.contributor):
        with pytest.raises(PermissionDenied):
            glpi.apply_import(actor=who, project=personas.project, table=table, mapping=mapping)
    assert Incident.objects.count() == 0


def test_the_command_line_dry_run_then_import(personas: Any, tmp_path: Path) -> None:
    path = tmp_path / "glpi.csv"
    path.write_bytes(FR)
    out = io.StringIO()
    call_command("mep", "incidents", "import", str(path), "--project", "alpha", "--user", "exploitation",
                 "--dry-run", stdout=out)  # fmt: skip
    assert "7" in out.getvalue()
    assert Incident.objects.count() == 0
    call_command("mep", "incidents", "import", str(path), "--project", "alpha", "--user", "exploitation", stdout=out)
    assert Incident.objects.count() == 7
    path.write_bytes(FR.replace(b'"2026-11-04 16:45"', b'"demain"'))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("mep", "incidents", "import", str(path), "--project", "alpha", "--user", "exploitation",
                     stdout=err)  # fmt: skip
    assert "5" in err.getvalue()
    assert "Date d'ouverture" in err.getvalue()
    with pytest.raises(CommandError):
        call_command("mep", "incidents", "import", str(path), "--project", "alpha", "--user", "reader", stdout=err)


def test_the_page_previews_then_imports(client: Any, personas: Any) -> None:
    url = reverse("mep:incident_import", args=["alpha"])
    client.force_login(personas.reader)
    assert client.get(url).status_code == 403
    client.force_login(personas.exploitation)
    assert client.get(url).status_code == 200
    upload = io.BytesIO(FR)
    upload.name = "glpi.csv"
    preview = client.post(url, {"file": upload})
    assert preview.status_code == 200
    body = preview.content.decode()
    assert "Portail usagers inaccessible" in body
    assert Incident.objects.count() == 0
    form = preview.context["form_data"]
    done = client.post(url, {**form, "confirm": "1"})
    assert done.status_code == 302
    assert Incident.objects.count() == 7
    image = io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    image.name = "glpi.csv"
    refused = client.post(url, {"file": image})
    assert refused.status_code == 200
    assert Incident.objects.count() == 7
    assert refused.context["error"]
