"""The web shell: pages, forms with conflict detection, language switch, errors, query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client

from oeuvre.accounts.services import token_create
from oeuvre.projects.models import Project
from tests.factories import MembershipFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_it_sends_anonymous_visitors_to_the_login_page(client: Client) -> None:
    response = client.get("/p/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/")


def test_it_speaks_french_by_default_and_english_after_the_switch(personas: Any) -> None:
    client = personas.client(personas.moa)
    page = client.get(f"/p/{personas.project.code}/", headers={"Accept-Language": "en-US,en"})
    assert 'lang="fr"' in page.text
    assert "Vos actions" in page.text
    client.post("/i18n/setlang/", {"language": "en", "next": "/p/"})
    page = client.get(f"/p/{personas.project.code}/")
    assert 'lang="en"' in page.text
    assert "Your actions" in page.text


def test_it_shows_each_role_its_own_actions(personas: Any) -> None:
    moa = personas.client(personas.moa).get(f"/p/{personas.project.code}/").text
    amoe = personas.client(personas.amoe).get(f"/p/{personas.project.code}/").text
    admin = personas.client(personas.admin).get(f"/p/{personas.project.code}/").text
    assert "Changer de phase" in moa
    assert "Modifier le projet" in moa
    assert "Changer de phase" not in amoe
    assert "Modifier le projet" not in amoe
    assert "Gérer les membres" in admin
    assert "Gérer les membres" not in moa
    reader = personas.client(personas.reader).get(f"/p/{personas.project.code}/").text
    assert "Charge vendue" in amoe
    assert "Charge vendue" not in reader


def test_it_saves_the_project_form_and_detects_a_concurrent_edit(personas: Any) -> None:
    client = personas.client(personas.moe)
    project = personas.project
    form = client.get(f"/p/{project.code}/edit/")
    assert form.status_code == 200
    data = {
        "version": project.version,
        "name": "Portail refondu",
        "description": "",
        "moa_organisation": project.moa_organisation_id,
        "moe_organisation": project.moe_organisation_id,
        "regime": "ccag_tic",
        "pricing": "forfait",
        "start_date": "2026-01-05",
        "delivery_date": "2026-09-30",
        "golive_date": "",
        "end_date": "",
        "budget_amount": "600000",
        "budget_effort": "900",
        "working_days": ["0", "1", "2", "3", "4"],
        "holiday_zone": "france",
    }
    assert client.post(f"/p/{project.code}/edit/", data).status_code == 302
    project.refresh_from_db()
    assert (project.name, project.version) == ("Portail refondu", 2)
    # Someone else saved version 2 meanwhile: the second submit based on version 1 is refused, input kept.
    stale = client.post(f"/p/{project.code}/edit/", {**data, "name": "Autre nom"})
    assert stale.status_code == 200
    assert "Quelqu&#x27;un d&#x27;autre a enregistré" in stale.text
    assert 'value="Autre nom"' in stale.text
    assert 'name="version" value="2"' in stale.text
    project.refresh_from_db()
    assert project.name == "Portail refondu"


def test_it_names_the_field_in_error_and_changes_nothing(personas: Any) -> None:
    client = personas.client(personas.moe)
    project = personas.project
    data = {
        "version": project.version,
        "name": "X",
        "moa_organisation": project.moa_organisation_id,
        "moe_organisation": project.moa_organisation_id,
        "regime": "ccag_tic",
        "pricing": "forfait",
        "start_date": "2026-05-01",
        "delivery_date": "2026-01-01",
        "budget_amount": "1",
        "budget_effort": "1",
        "working_days": ["0"],
        "holiday_zone": "france",
    }
    response = client.post(f"/p/{project.code}/edit/", data)
    assert response.status_code == 200
    assert 'id="id_delivery_date_error"' in response.text
    assert 'id="id_moe_organisation_error"' in response.text
    project.refresh_from_db()
    assert project.version == 1


def test_it_lists_filters_sorts_pages_and_exports_the_portfolio(django_assert_max_num_queries: Any) -> None:
    user = UserFactory()
    for i in range(30):
        MembershipFactory(
            project=ProjectFactory(code=f"prj-{i:02d}", phase="recette" if i % 3 else "cadrage"), user=user
        )
    client = Client()
    client.force_login(user)
    with django_assert_max_num_queries(8):
        page = client.get("/p/?sort=-code")
    assert page.status_code == 200
    assert page.text.index("prj-29") < page.text.index("prj-28")
    assert "Page 1 sur 2" in page.text
    filtered = client.get("/p/?phase=cadrage")
    assert "prj-03" in filtered.text
    assert "prj-04" not in filtered.text
    export = client.get("/p/?phase=cadrage&format=csv")
    assert export["Content-Type"].startswith("text/csv")
    rows = export.content.decode("utf-8-sig").splitlines()
    assert rows[0].startswith("Code;Projet;MOA;MOE;Phase")
    assert len(rows) == 1 + 10


def test_it_neutralises_formulas_in_csv_exports(personas: Any) -> None:
    Project.objects.filter(pk=personas.project.pk).update(name='=HYPERLINK("http://evil")')
    export = personas.client(personas.moa).get("/p/?format=csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in export


# The project home carries one panel per delivered stage (coverage, schedule, recette, timers…), each a
# few queries that do not depend on the number of rows.
@pytest.mark.parametrize(
    ("path", "budget"),
    [
        ("/p/{code}/", 52),  # eight panels since forge, MEP and pilotage added theirs; waves and portfolio (session 5)
        ("/p/{code}/members/", 14),
        ("/p/{code}/activity/", 14),
        ("/roles/", 14),
        ("/account/tokens/", 14),
    ],
)
def test_it_keeps_query_counts_flat(personas: Any, path: str, budget: int, django_assert_max_num_queries: Any) -> None:
    for i in range(20):
        MembershipFactory(project=personas.project, user=UserFactory(username=f"extra{i}"), role="contributor")
        token_create(user=personas.admin, name=f"t{i}")
    client = personas.client(personas.admin)
    with django_assert_max_num_queries(budget):
        response = client.get(path.format(code=personas.project.code))
    assert response.status_code == 200


def test_it_records_who_changed_what_in_the_activity_page(personas: Any) -> None:
    client = personas.client(personas.moa)
    client.post(f"/p/{personas.project.code}/phase/", {"phase": "recette", "version": personas.project.version})
    page = client.get(f"/p/{personas.project.code}/activity/").text
    assert str(personas.moa) in page
    assert "a modifié" in page
    assert "phase" in page


def test_it_shows_the_permission_matrix_in_both_languages(personas: Any) -> None:
    client = personas.client(personas.reader)
    page = client.get("/roles/").text
    assert "Voir le budget" in page
    assert "MOA — maîtrise d&#x27;ouvrage" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/roles/"})
    page = client.get("/roles/").text
    assert "See the budget" in page
    assert "MOA — project owner" in page


def test_it_hides_error_details(client: Client, personas: Any, settings: Any) -> None:
    settings.DEBUG = False
    response = personas.client(personas.outsider).get(f"/p/{personas.project.code}/")
    assert response.status_code == 404
    assert "Traceback" not in response.text
    assert "urlpatterns" not in response.text
    assert "Page introuvable" in response.text


def test_it_sends_security_headers(client: Client) -> None:
    response = client.get("/accounts/login/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "geolocation=()" in response.headers["Permissions-Policy"]


def test_it_reports_health_with_the_database_check(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"


def test_it_creates_shows_once_and_revokes_a_token_from_the_account_page(personas: Any) -> None:
    client = personas.client(personas.reader)
    page = client.post("/account/tokens/", {"name": "Mon script"})
    assert "oeu_" in page.text
    token = personas.reader.api_tokens.get()
    assert client.get("/account/tokens/").text.count(f"oeu_{token.prefix}_") == 1  # prefix only, not the secret
    client.post(f"/account/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_it_deletes_a_project_with_its_members_and_its_activity(personas: Any) -> None:
    from oeuvre.core.models import ActivityEvent

    project = personas.other_project
    assert ActivityEvent.objects.filter(project_id=project.pk).exists()
    project.delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what COMMIT would check
    assert not ActivityEvent.objects.filter(project_id=project.pk).exists()
    assert ActivityEvent.objects.filter(project_id=personas.project.pk).exists()
