"""The shell's own pages (user guide, accessibility statement, notifications) and the comments under objects."""

from __future__ import annotations

from typing import Any

from tests.matrix import Endpoint


def _exigence(p: Any) -> Any:
    from tests.requirements import helpers as h

    if not hasattr(p, "_comment_exigence"):
        p._comment_exigence = h.exigence(p.project, "EX-900")
    return p._comment_exigence


def _thread(p: Any) -> str:
    return f"/p/{p.project.code}/comments/requirements.exigence/{_exigence(p).pk}/"


def _comment(p: Any) -> Any:
    # Written by someone who is no member here: only moderation may delete it (authors are tested on their own).
    from oeuvre.web.models import Comment

    if not hasattr(p, "_comment"):
        p._comment = Comment.objects.create(
            project=p.project, object_type="requirements.exigence", object_id=str(_exigence(p).pk),
            author=p.outsider, body="Relu.",
        )  # fmt: skip
    return p._comment


def _attachment(p: Any) -> Any:
    from oeuvre.core.files import store_private
    from oeuvre.web.models import CommentAttachment

    if not hasattr(p, "_attachment"):
        name = store_private("comments", b"journal", ".txt")
        p._attachment = CommentAttachment.objects.create(
            comment=_comment(p), original_name="journal.txt", stored_name=name, content_type="text/plain", size=7,
            sha256="0" * 64,
        )  # fmt: skip
    return p._attachment


def _api_comment(p: Any) -> dict[str, Any]:
    return {"object_type": "requirements.exigence", "object_id": str(_exigence(p).pk), "body": "Vu @moe"}


ENDPOINTS: list[Endpoint] = [
    Endpoint("web:comments", "GET", _thread, "comment.view"),
    Endpoint("web:comments", "POST", _thread, "comment.post", data=lambda p: {"body": "D'accord."}, ok=(302,)),
    Endpoint(
        "web:comment_delete", "POST", lambda p: f"/p/{p.project.code}/comment/{_comment(p).pk}/delete/",
        "comment.moderate", ok=(302,),
    ),
    Endpoint(
        "web:comment_attachment", "GET", lambda p: f"/p/{p.project.code}/comment/file/{_attachment(p).pk}/",
        "comment.view",
    ),
    Endpoint(
        "api:GET /api/projects/{code}/comments", "GET",
        lambda p: f"/api/projects/{p.project.code}/comments?object_type=requirements.exigence"
        f"&object_id={_exigence(p).pk}",
        "comment.view", api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/comments", "POST", lambda p: f"/api/projects/{p.project.code}/comments",
        "comment.post", data=_api_comment, ok=(201,), api=True,
    ),
]  # fmt: skip

# Public pages: anyone may read the guide and the accessibility statement, logged in or not. The notifications
# belong to the signed-in person alone (tested in test_notifications).
NOT_PROJECT_SCOPED = {
    "web:help",
    "web:help_topic",
    "web:accessibility",
    "web:notifications",
    "web:bell",
    "web:notifications_read_all",
    "web:notification_preferences",
    "web:notification_read",
    "api:GET /api/notifications",
    "api:GET /api/notifications/count",
    "api:POST /api/notifications/read-all",
    "api:POST /api/notifications/{pk}/read",
}
# The signed-in user's own pages across projects: the search applies each project's permissions itself
# (tests/web/test_search.py), "My work" lists only the user's own waiting items.
NOT_PROJECT_SCOPED |= {"web:search", "web:my_work", "api:GET /api/search", "api:GET /api/me/work"}
# Saved searches belong to their owner alone (tests/web/test_saved_searches.py: another's is 404).
NOT_PROJECT_SCOPED |= {
    "web:saved_search_save",
    "web:saved_search_delete",
    "api:GET /api/me/saved-searches",
    "api:POST /api/me/saved-searches",
    "api:GET /api/me/saved-searches/{pk}/results",
    "api:DELETE /api/me/saved-searches/{pk}",
}
