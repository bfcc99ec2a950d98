"""The shell on Bootstrap: sidebar with the stages, breadcrumbs, error pages in the frame, the guide."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django import forms
from django.template import Context, Template
from django.test import Client

pytestmark = pytest.mark.django_db


def test_it_lists_the_project_stages_in_the_sidebar_and_marks_the_current_page(personas: Any) -> None:
    page = personas.client(personas.moe).get(f"/p/{personas.project.code}/requirements/specifications/").text
    sidebar = page[page.index('id="sidebar"') : page.index("</nav>", page.index('id="sidebar"'))]
    assert "Exigences" in sidebar
    assert "Planning" in sidebar
    assert "Recette" in sidebar
    # The stage is the current location, the sub-page the current page; nothing else is marked.
    assert re.search(r'href="/p/alpha/requirements/"\s+aria-current="true"', sidebar)
    assert re.search(r'href="/p/alpha/requirements/specifications/"\s+aria-current="page"', sidebar)
    assert sidebar.count('aria-current="page"') == 1
    crumbs = page[page.index('class="crumbs"') : page.index("</nav>", page.index('class="crumbs"'))]
    assert "Portefeuille" in crumbs
    assert personas.project.name in crumbs
    assert "Exigences" in crumbs


def test_it_hides_from_the_sidebar_the_pages_a_role_cannot_open(personas: Any) -> None:
    reader = personas.client(personas.reader).get(f"/p/{personas.project.code}/requirements/").text
    amoa = personas.client(personas.amoa).get(f"/p/{personas.project.code}/requirements/").text
    assert "/requirements/import/" in amoa
    assert "/requirements/import/" not in reader


def test_it_loads_bootstrap_and_no_longer_pico(personas: Any) -> None:
    page = personas.client(personas.moa).get("/p/").text
    assert "vendor/bootstrap/bootstrap.min.css" in page
    assert "vendor/bootstrap/bootstrap.bundle.min.js" in page
    assert "pico" not in page


def test_it_says_viewing_is_not_acting_on_a_refused_page_and_action(personas: Any) -> None:
    client = personas.client(personas.reader)
    page = client.get(f"/p/{personas.project.code}/edit/")
    assert page.status_code == 403
    assert "Cette page n'est pas ouverte à votre rôle" in page.text
    assert "(Lecteur)" in page.text
    assert 'id="sidebar"' in page.text  # inside the application's frame
    assert f'href="/p/{personas.project.code}/"' in page.text  # the way back to the project
    action = client.post(f"/p/{personas.project.code}/phase/", {"phase": "recette", "version": 1})
    assert action.status_code == 403
    assert "Vous pouvez consulter ce projet, pas faire cette action" in action.text


def test_it_keeps_the_frame_on_a_missing_page(personas: Any) -> None:
    page = personas.client(personas.outsider).get(f"/p/{personas.project.code}/")
    assert page.status_code == 404
    assert 'id="sidebar"' in page.text
    assert "dont vous n'êtes pas membre" in page.text


def test_it_serves_the_user_guide_in_both_languages_without_login(client: Client) -> None:
    index = client.get("/help/")
    assert index.status_code == 200
    assert "/help/recette/" in index.text
    french = client.get("/help/recette/")
    assert "Exécuter" in french.text
    client.post("/i18n/setlang/", {"language": "en", "next": "/help/"})
    english = client.get("/help/recette/")
    assert "Run" in english.text
    assert "Exécuter" not in english.text
    assert client.get("/help/nothing-here/").status_code == 404
    assert client.get("/accessibility/").status_code == 200


def test_it_points_each_page_help_link_to_its_stage_guide(personas: Any) -> None:
    client = personas.client(personas.moe)
    assert 'href="/help/recette/" rel="help"' in client.get(f"/p/{personas.project.code}/recette/").text
    assert 'href="/help/projects/" rel="help"' in client.get(f"/p/{personas.project.code}/").text


def test_it_renders_the_shared_page_header_and_empty_state() -> None:
    template = Template(
        "{% load web_tags %}"
        "{% page_header title=title subtitle='2 items' %}<a class='btn' href='/new'>New</a>{% endpage_header %}"
        "{% empty_state text=empty %}<a href='/import'>Import</a>{% endempty_state %}"
    )
    html = template.render(Context({"title": "Risks <b>", "empty": "No risk yet."}))
    assert "<h1>Risks &lt;b&gt;</h1>" in html
    assert "<div class=\"page-actions\"><a class='btn' href='/new'>New</a></div>" in html
    assert "No risk yet." in html
    assert "<a href='/import'>Import</a>" in html


def test_it_gives_form_widgets_the_bootstrap_class_of_their_kind() -> None:
    class Sample(forms.Form):
        name = forms.CharField()
        kind = forms.ChoiceField(choices=[("a", "A")])
        tags = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")])
        done = forms.BooleanField(required=False)

    form = Sample(data={"kind": "a"})
    form.is_valid()
    html = Template("{% include 'web/_form.html' %}").render(Context({"form": form}))
    assert re.search(r'<input type="text" name="name" class="form-control is-invalid"', html)
    assert 'aria-invalid="true"' in html
    assert re.search(r'<select name="kind" class="form-select"', html)
    assert re.search(r'<select name="tags"[^>]*data-multi-select', html)
    assert re.search(r'<input type="checkbox" name="done" class="form-check-input"', html)
