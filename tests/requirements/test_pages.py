"""Pages: query counts, inline editing with conflict detection, the RTM and its exports, the import flow."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest

from oeuvre.requirements import traces
from oeuvre.requirements.models import Exigence, TraceLink
from tests.requirements import helpers as h


def _many(project: Any, n: int = 30) -> None:
    specs = [h.specification(project, f"SP-{i:03d}") for i in range(1, n + 1)]
    comps = [h.component(project, f"CMP-{i:03d}") for i in range(1, 4)]
    for i in range(1, n + 1):
        ex = h.exigence(project, f"EX-{i:03d}", owner=None)
        if i % 5:
            h.link(project, "satisfies", specs[i - 1], ex)
        if i % 7:
            h.link(project, "realises", comps[i % 3], specs[i - 1])


@pytest.fixture
def filled(personas: Any) -> Any:
    _many(personas.project)
    return personas


def _url(p: Any, suffix: str = "") -> str:
    return f"/p/{p.project.code}/requirements/{suffix}"


@pytest.mark.parametrize(
    "suffix",
    ["", "specifications/", "components/", "rtm/", "rtm/?gap=any", "deliverables/", "baselines/"],
)
def test_it_keeps_list_pages_flat_in_queries(filled: Any, suffix: str, django_assert_max_num_queries: Any) -> None:
    client = filled.client(filled.amoe)
    with django_assert_max_num_queries(16):
        response = client.get(_url(filled, suffix))
    assert response.status_code == 200


def test_it_keeps_the_detail_page_flat_in_queries(filled: Any, django_assert_max_num_queries: Any) -> None:
    exigence = Exigence.objects.get(project=filled.project, reference="EX-001")
    for i in range(2, 12):
        spec = h.specification(filled.project, f"SP-{i:03d}")
        h.link(filled.project, "satisfies", spec, exigence)
    client = filled.client(filled.moa)
    # 28: the design stage's interfaces and criteria reached by the exigence (impact providers) add a fixed four.
    with django_assert_max_num_queries(28):
        response = client.get(_url(filled, f"{exigence.pk}/"))
    assert response.status_code == 200
    assert response.content.decode().count("/specifications/") >= 11


@pytest.mark.usefixtures("without_test_stage")
def test_it_shows_the_gaps_in_the_rtm(personas: Any) -> None:
    h.chain(personas.project)
    page = personas.client(personas.reader).get(_url(personas, "rtm/?gap=any")).content.decode()
    assert "EX-002" in page  # its specification has no component
    assert "EX-003" in page  # no specification
    assert "EX-001" not in page.split("<tbody>")[1]  # fully traced
    assert "aucune spécification" in page


@pytest.mark.usefixtures("without_test_stage")
def test_it_exports_the_rtm_with_gap_colours(personas: Any) -> None:
    h.chain(personas.project)
    response = personas.client(personas.reader).get(_url(personas, "rtm/?format=xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:H4"
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert rows["EX-003"][5].fill.fgColor.rgb.endswith("FFC7CE")  # no specification
    assert rows["EX-002"][6].fill.fgColor.rgb.endswith("FFC7CE")  # specification without component
    assert rows["EX-001"][7].value in (None, "")  # no gap
    csv_text = personas.client(personas.reader).get(_url(personas, "rtm/?format=csv")).content.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("Exigence;Titre")


def test_it_saves_an_inline_edit(personas: Any) -> None:
    exigence = h.exigence(personas.project, "EX-001")
    client = personas.client(personas.amoa)
    form = client.get(_url(personas, f"{exigence.pk}/edit/"), headers={"HX-Request": "true"}).content.decode()
    assert 'hx-post="' in form
    assert "<html" not in form  # a fragment for htmx
    data = {"version": exigence.version, "reference": "EX-001", "title": "Titre revu", "text": "", "type": "technique",
            "priority": "should", "source": "", "cdc_version": "", "owner": ""}  # fmt: skip
    response = client.post(_url(personas, f"{exigence.pk}/edit/"), data, headers={"HX-Request": "true"})
    assert "Titre revu" in response.content.decode()
    exigence.refresh_from_db()
    assert (exigence.title, exigence.type, exigence.version) == ("Titre revu", "technique", 2)


def test_it_detects_a_conflict_and_keeps_the_users_input(personas: Any) -> None:
    exigence = h.exigence(personas.project, "EX-001", title="Original")
    stale_version = exigence.version
    Exigence.objects.filter(pk=exigence.pk).update(title="Changé par la MOA", version=stale_version + 1)
    client = personas.client(personas.amoa)
    data = {"version": stale_version, "reference": "EX-001", "title": "Ma version", "text": "Mon texte",
            "type": "fonctionnelle", "priority": "must", "source": "", "cdc_version": "", "owner": ""}  # fmt: skip
    page = client.post(_url(personas, f"{exigence.pk}/edit/"), data, headers={"HX-Request": "true"}).content.decode()
    assert "Quelqu’un d’autre" in page or "Quelqu'un d'autre" in page or "entre-temps" in page
    assert "Changé par la MOA" in page  # what is saved now
    assert 'value="Ma version"' in page  # what the user typed, not lost
    assert f'name="version" value="{stale_version + 1}"' in page  # the next save is based on the current version
    assert Exigence.objects.get(pk=exigence.pk).title == "Changé par la MOA"


def test_it_offers_validation_only_to_the_moa(personas: Any) -> None:
    exigence = h.exigence(personas.project, "EX-001", "soumise")
    assert "Valider" in personas.client(personas.moa).get(_url(personas, f"{exigence.pk}/")).content.decode()
    page = personas.client(personas.amoa).get(_url(personas, f"{exigence.pk}/")).content.decode()
    assert 'value="validate"' not in page
    response = personas.client(personas.moa).post(
        _url(personas, f"{exigence.pk}/decide/"), {"version": exigence.version, "action": "reject", "comment": ""}
    )
    assert response.status_code == 302
    exigence.refresh_from_db()
    assert exigence.status == "soumise"  # a rejection needs a comment


def test_it_shows_the_coverage_summary_on_the_project_home(personas: Any) -> None:
    h.chain(personas.project)
    page = personas.client(personas.reader).get(f"/p/{personas.project.code}/").content.decode()
    assert "Couverture des exigences" in page
    assert "67 %" in page  # 2 of 3 exigences have a specification
    assert "50 %" in page  # 1 of 2 specifications has a component


def test_it_imports_through_the_mapping_screen(
    personas: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    client = personas.client(personas.amoa)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("cdc.xlsx", h.cdc_workbook(3))
    response = client.post(_url(personas, "import/"), {"file": upload})
    assert response.status_code == 302
    mapping_url = response["Location"]
    page = client.get(mapping_url).content.decode()
    assert "Classification / Priorité" in page
    assert '<option value="priority" selected>' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            mapping_url,
            {"map-0": "reference", "map-1": "title", "map-2": "text", "map-3": "type", "map-4": "priority",
             "map-5": "extra", "action": "dry_run"},
        )  # fmt: skip
    preview = client.get(response["Location"]).content.decode()
    assert "3 à créer" in preview
    assert Exigence.objects.count() == 0
    commit_url = mapping_url.rstrip("/") + "/commit/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(commit_url)
    done = client.get(response["Location"]).content.decode()
    assert "3 créées" in done
    assert Exigence.objects.filter(project=personas.project).count() == 3


def test_it_refuses_a_hostile_upload_with_a_clear_message(personas: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.requirements.reqif_samples import XXE

    client = personas.client(personas.amoa)
    response = client.post(_url(personas, "import/"), {"file": SimpleUploadedFile("cctp.reqif", XXE.encode())})
    assert response.status_code == 422
    assert "entités externes" in response.content.decode()


@pytest.fixture
def with_tests() -> Iterator[dict[int, traces.TestCoverage]]:
    """A stand-in for the recette stage: the coverage it would register."""
    known: dict[int, traces.TestCoverage] = {}
    saved = traces._reset_for_tests()
    traces.register_coverage_provider(lambda project, ids: {i: c for i, c in known.items() if ids is None or i in ids})
    traces.register_impact_provider(
        "recette.tests",
        lambda query: [
            traces.HangingItem("tests", f"CT-{i}", "Cas de test", via=("EX",))
            for i in sorted(query.exigence_ids)
            if i in known
        ],
    )
    yield known
    traces._restore_for_tests(saved)


def test_it_fills_the_test_columns_when_a_stage_provides_coverage(personas: Any, with_tests: Any) -> None:
    c = h.chain(personas.project)
    with_tests[c["ex1"].pk] = traces.TestCoverage(tests=("CT-001", "CT-002"), executed=2, passed=1)
    client = personas.client(personas.reader)
    page = client.get(_url(personas, "rtm/?gap=no_test")).content.decode()
    body = page.split("<tbody>")[1]
    assert "EX-001" not in body
    assert "EX-002" in body
    assert "EX-003" in body
    full = client.get(_url(personas, "rtm/")).content.decode()
    assert "CT-001, CT-002" in full
    assert "2 exécutés, 1 réussi" in full
    impact = client.get(_url(personas, f"{c['ex1'].pk}/impact/")).content.decode()
    assert f"CT-{c['ex1'].pk}" in impact
    home = client.get(f"/p/{personas.project.code}/").content.decode()
    assert "33 %" in home  # 1 of 3 exigences covered by a test
    assert TraceLink.objects.count() == 3


def test_it_offers_deliverable_actions_to_the_roles_of_the_projects_rule(personas: Any) -> None:
    dat = h.deliverable(personas.project, kind="dat", users=[personas.moe])
    url = _url(personas, f"deliverables/{dat.pk}/")
    assert "Soumettre" in personas.client(personas.amoe).get(url).content.decode()  # the DAT's author role
    assert "Soumettre" not in personas.client(personas.moa).get(url).content.decode()
