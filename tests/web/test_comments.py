"""Comments on domain objects: threads, mentions told through the worker, safe Markdown, guarded attachments,
permissions, history, and the partial's query count."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from oeuvre.core.activity import project_activity
from oeuvre.core.errors import DomainError, ValidationFailed
from oeuvre.core.jobs import execute_job
from oeuvre.core.models import Job
from oeuvre.web import notifications
from oeuvre.web.comments import Upload, comment_delete, comment_post, comments_for, parse_mentions, render_comment
from oeuvre.web.models import Comment, CommentAttachment, Notification
from tests.requirements import helpers as h

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _post(personas: Any, target: Any, body: str, **kwargs: Any) -> Comment:
    return comment_post(
        actor=kwargs.pop("actor", personas.moe), project=personas.project, object_type=target._meta.label_lower,
        object_id=str(target.pk), body=body, **kwargs,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("@moa peux-tu valider ? cc @Moe.", ["moa", "moe"]),
        ("écrire à marie@example.org", []),
        ("(@amoa) et @amoa encore", ["amoa"]),
        ("le code `@moa` et\n```\n@moe\n```\nfin", []),
        ("@jean-luc.dupont-", ["jean-luc.dupont"]),
    ],
)
def test_it_parses_mentions(text: str, names: list[str]) -> None:
    assert parse_mentions(text) == names


def test_it_strips_scripts_and_javascript_links_from_markdown() -> None:
    html = str(render_comment('<script>alert(1)</script> **gras** [x](javascript:alert(1)) <img src=x onerror="y">'))
    assert "<script" not in html
    assert "javascript:" not in html
    assert "onerror" not in html
    assert "<strong>gras</strong>" in html


def test_it_tells_mentioned_members_through_the_worker_and_nobody_outside(
    personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    exigence = h.exigence(personas.project, "EX-010")
    with django_capture_on_commit_callbacks(execute=True):
        comment = _post(personas, exigence, "@moa @outsider @nobody merci de relire", url="/p/alpha/requirements/")
    assert {u.username for u in comment.mentions.all()} == {"moa"}
    for job in Job.objects.filter(kind=notifications.NOTIFY_JOB):
        execute_job(job)
    [notification] = Notification.objects.all()
    assert notification.recipient == personas.moa
    assert notification.kind == "mention"
    assert notification.reference == "EX-010"
    assert notification.url == "/p/alpha/requirements/"


def test_it_keeps_one_level_of_replies(personas: Any) -> None:
    exigence = h.exigence(personas.project, "EX-011")
    root = _post(personas, exigence, "Question")
    reply = _post(personas, exigence, "Réponse", parent=root, actor=personas.moa)
    reply_to_reply = _post(personas, exigence, "Précision", parent=reply)
    assert reply_to_reply.parent == root
    [thread] = comments_for(personas.project, "requirements.exigence", str(exigence.pk))
    assert [c.body for c in thread.replies.all()] == ["Réponse", "Précision"]


def test_it_refuses_an_object_of_another_project(personas: Any) -> None:
    foreign = h.exigence(personas.other_project, "EX-099")
    with pytest.raises(DomainError):
        _post(personas, foreign, "fuite ?")
    with pytest.raises(DomainError):
        comment_post(actor=personas.moe, project=personas.project, object_type="accounts.user", object_id="1", body="x")


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("page.txt", b"<html><script>alert(1)</script></html>"),
        ("outil.exe", b"MZ\x90\x00\x03\x00\x00\x00"),
        ("photo.pdf", PNG),
        ("vide.txt", b""),
    ],
)
def test_it_refuses_an_attachment_the_guard_refuses(personas: Any, name: str, data: bytes) -> None:
    exigence = h.exigence(personas.project, "EX-012")
    with pytest.raises(ValidationFailed) as refused:
        _post(personas, exigence, "pièce jointe", files=[Upload(name, data)])
    assert "file" in refused.value.errors
    assert not Comment.objects.exists()


def test_it_stores_an_accepted_attachment_and_serves_it_to_members_only(personas: Any) -> None:
    exigence = h.exigence(personas.project, "EX-013")
    comment = _post(personas, exigence, "capture", files=[Upload("../écran.png", PNG)])
    [attachment] = comment.attachments.all()
    assert attachment.original_name == "écran.png"
    assert attachment.content_type == "image/png"
    url = f"/p/alpha/comment/file/{attachment.pk}/"
    response = personas.client(personas.reader).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["X-Content-Type-Options"] == "nosniff"
    assert personas.client(personas.outsider).get(url).status_code == 404


def test_it_lets_the_author_and_the_administrator_delete_but_nobody_else(personas: Any) -> None:
    exigence = h.exigence(personas.project, "EX-014")
    comment = _post(personas, exigence, "à retirer", files=[Upload("log.txt", b"trace")])
    with pytest.raises(PermissionDenied):
        comment_delete(actor=personas.moa, comment=comment)
    comment_delete(actor=personas.moe, comment=comment)
    comment.refresh_from_db()
    assert comment.body == ""
    assert comment.deleted_at is not None
    assert not CommentAttachment.objects.exists()
    other = _post(personas, exigence, "autre")
    comment_delete(actor=personas.admin, comment=other)


def test_it_shows_comments_in_the_project_activity(personas: Any) -> None:
    exigence = h.exigence(personas.project, "EX-015")
    _post(personas, exigence, "Vu en comité")
    entries = project_activity(personas.project)
    assert ("+", "Vu en comité") in [(e.action, e.object_label) for e in entries]


def test_it_posts_through_the_page_and_renders_the_thread(personas: Any) -> None:
    exigence = h.exigence(personas.project, "EX-016")
    url = f"/p/alpha/comments/requirements.exigence/{exigence.pk}/"
    client = personas.client(personas.contributor)
    response = client.post(url, {"body": "Un **avis**", "page_url": "/p/alpha/"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<strong>avis</strong>" in response.content.decode()
    refused = client.post(url, {"body": "   "}, headers={"HX-Request": "true"})
    assert refused.status_code == 422
    assert "Écrivez quelque chose" in refused.content.decode()


def test_it_renders_the_thread_in_a_fixed_number_of_queries(personas: Any, django_assert_num_queries: Any) -> None:
    exigence = h.exigence(personas.project, "EX-017")
    url = f"/p/alpha/comments/requirements.exigence/{exigence.pk}/"
    client = personas.client(personas.moe)
    root = _post(personas, exigence, "premier", files=[Upload("a.txt", b"a")])
    _post(personas, exigence, "réponse x", parent=root)
    client.get(url)
    with django_assert_num_queries(9) as few:
        client.get(url)
    for n in range(6):
        reply = _post(personas, exigence, f"réponse {n}", parent=root, files=[Upload("b.txt", b"b")])
        _post(personas, exigence, f"fil {n} @moa", actor=personas.moa)
        assert reply.pk
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("réponse ") == 7


def test_it_lists_and_posts_comments_through_the_api(personas: Any) -> None:
    from django.test import Client

    from oeuvre.accounts.services import token_create

    exigence = h.exigence(personas.project, "EX-018")
    _token, raw = token_create(user=personas.amoa, name="t")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    created = client.post(
        "/api/projects/alpha/comments",
        {"object_type": "requirements.exigence", "object_id": str(exigence.pk), "body": "Vu @moe"},
        content_type="application/json",
    )
    assert created.status_code == 201
    assert created.json()["mentions"] == ["moe"]
    listed = client.get(f"/api/projects/alpha/comments?object_type=requirements.exigence&object_id={exigence.pk}")
    assert [c["body"] for c in listed.json()] == ["Vu @moe"]
    missing = client.get("/api/projects/alpha/comments?object_type=requirements.exigence&object_id=999999")
    assert missing.status_code == 404


def test_it_labels_the_attachment_input_in_the_pages_language(personas: Any) -> None:
    import re

    exigence = h.exigence(personas.project, "EX-017")
    client = personas.client(personas.contributor)
    comment_post(
        actor=personas.moe, project=personas.project, object_type="requirements.exigence",
        object_id=str(exigence.pk), body="Premier avis",
    )  # fmt: skip
    page = client.get(f"/p/alpha/requirements/{exigence.pk}/").content.decode()
    # The browser's own « Choose Files » would follow its language: a label of the page's language names the input.
    inputs = re.findall(r'<input id="(comment-files-[^"]+)" class="file-picker-input" type="file"', page)
    assert len(inputs) == 2  # the new comment and the reply to the first one
    assert len(set(inputs)) == 2
    for input_id in inputs:
        assert f'<label for="{input_id}"' in page
    assert "Joindre des fichiers" in page
    assert "Aucun fichier choisi" in page
    with translation.override("fr"):  # the English request's language must not outlive this test
        client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        page = client.get(f"/p/alpha/requirements/{exigence.pk}/").content.decode()
    assert "Attach files" in page
    assert "No file chosen" in page
