"""The deployment pages: what runs where (staging ≠ production shown), releases, the go/no-go board."""

from __future__ import annotations

from typing import Any

from django.utils import translation

from oeuvre.mep import services
from oeuvre.mep.models import Environment, GoNoGoDecision
from oeuvre.requirements.models import Component
from tests.mep.builders import PASSWORD, release


def _components(p: Any, n: int) -> list[Component]:
    return [
        Component.objects.create(project=p.project, reference=f"CMP-{i}", number=i, name=f"Module {i}")
        for i in range(1, n + 1)
    ]


def test_it_shows_what_runs_where_and_flags_staging_differing_from_production(
    personas: Any, django_assert_max_num_queries: Any
) -> None:
    envs = [
        services.environment_create(actor=personas.moe, project=personas.project, kind=kind, name=name)
        for kind, name in (("recette", "REC"), ("preproduction", "PPR"), ("production", "PRD"))
    ]
    components = _components(personas, 6)
    for i, comp in enumerate(components):
        for env in envs:
            version = "1.1" if env.name != "PRD" or i != 2 else "1.0"
            services.deployment_set(actor=personas.exploitation, environment=env, component=comp, version_label=version)
    for n in range(5):
        release(personas, f"1.{n}")
    client = personas.client(personas.reader)
    with django_assert_max_num_queries(25):
        html = client.get(f"/p/{personas.project.code}/mep/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "1 composant tourne dans une version différente en préproduction et en production." in html
    assert html.count("préproduction ≠ production") == 1
    assert "CMP-3 Module 3" in html
    assert 'action="/p/alpha/mep/releases/new/"' not in html  # a reader sees, does not manage


def test_a_component_of_another_project_cannot_be_deployed(personas: Any) -> None:
    env = services.environment_create(actor=personas.moe, project=personas.project, kind="production", name="PRD")
    foreign = Component.objects.create(project=personas.other_project, reference="CMP-9", number=9, name="Autre")
    import pytest

    from oeuvre.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as caught:
        services.deployment_set(actor=personas.moe, environment=env, component=foreign, version_label="1")
    assert "component" in caught.value.errors
    assert not env.deployments.exists()


def test_the_release_page_explains_each_criterion_and_the_moa_signs_there(personas: Any) -> None:
    rel = release(personas, "2.0")
    url = f"/p/{personas.project.code}/mep/releases/{rel.pk}/"
    with translation.override("fr"):
        html = personas.client(personas.moe).get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Pas de PV de recette pour l’instant." in html
    assert 'id="decide"' not in html  # only the MOA decides
    client = personas.client(personas.moa)
    assert 'id="decide"' in client.get(url).content.decode()
    response = client.post(f"{url}gonogo/", {"decision": "go", "reason": "", "password": PASSWORD})
    assert response.status_code == 302
    assert not GoNoGoDecision.objects.exists()  # departing from the no-go proposal without a reason
    client.post(f"{url}gonogo/", {"decision": "go", "reason": "Reprise validée oralement", "password": PASSWORD})
    decision = GoNoGoDecision.objects.get()
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Reprise validée oralement" in html
    assert f"entrée n° {decision.ledger_entry.sequence}" in html


def test_environment_names_are_unique_per_project(personas: Any) -> None:
    services.environment_create(actor=personas.moe, project=personas.project, kind="production", name="PRD")
    response = personas.client(personas.moe).post(
        f"/p/{personas.project.code}/mep/environments/new/", {"kind": "production", "name": "PRD"}, follow=True
    )
    assert "Un environnement de ce projet porte déjà ce nom." in response.content.decode()
    assert Environment.objects.filter(project=personas.project).count() == 1
