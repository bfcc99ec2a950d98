"""Notifications (the caller's own) and comments (on an object of a project) through the API (thin)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from oeuvre.accounts.permissions import current_user, require
from oeuvre.core.api import ErrorOut, Pagination, requires
from oeuvre.core.errors import DomainError, ValidationFailed
from oeuvre.projects.selectors import project_for
from oeuvre.web import comments as comment_services
from oeuvre.web import notifications as services
from oeuvre.web.models import Comment, Notification
from oeuvre.web.permissions import COMMENT_POST, COMMENT_VIEW

router = Router(tags=["notifications and comments"])


class NotificationOut(Schema):
    id: int
    kind: str
    event: str
    project: str | None
    object_type: str
    object_id: str
    reference: str
    title: str
    url: str
    created_at: datetime
    read_at: datetime | None

    @staticmethod
    def resolve_project(obj: Notification) -> str | None:
        return obj.project.code if obj.project else None


class CountOut(Schema):
    unread: int


class MarkedOut(Schema):
    marked: int


@router.get("/notifications", response=list[NotificationOut], summary="My notifications, newest first")
@paginate(Pagination)
def list_notifications(request: HttpRequest, unread: bool = False) -> Any:
    return services.notifications_of(current_user(request), unread_only=unread)


@router.get("/notifications/count", response=CountOut, summary="How many of my notifications are unread")
def count_notifications(request: HttpRequest) -> Any:
    return {"unread": services.unread_count(current_user(request))}


@router.post("/notifications/read-all", response=MarkedOut, summary="Mark all my notifications read")
def read_all(request: HttpRequest) -> Any:
    return {"marked": services.notifications_mark_all_read(actor=current_user(request))}


@router.post("/notifications/{pk}/read", response={200: NotificationOut, 404: ErrorOut}, summary="Mark read")
def read_one(request: HttpRequest, pk: int) -> Any:
    try:
        return services.notification_mark_read(actor=current_user(request), pk=pk)
    except Notification.DoesNotExist:
        return Status(404, {"detail": "Not found"})


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    content_type: str

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.original_name)


class CommentOut(Schema):
    id: int
    parent_id: int | None
    author: str | None
    body: str
    html: str
    mentions: list[str]
    created_at: datetime
    deleted: bool
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_author(obj: Comment) -> str | None:
        return obj.author.username if obj.author else None

    @staticmethod
    def resolve_html(obj: Comment) -> str:
        return str(comment_services.render_comment(obj.body)) if obj.body else ""

    @staticmethod
    def resolve_mentions(obj: Comment) -> list[str]:
        return [u.username for u in obj.mentions.all()]

    @staticmethod
    def resolve_deleted(obj: Comment) -> bool:
        return obj.deleted_at is not None

    @staticmethod
    def resolve_attachments(obj: Comment) -> list[Any]:
        return list(obj.attachments.all())


class CommentIn(Schema):
    object_type: str
    object_id: str
    body: str
    parent_id: int | None = None


@router.get(
    "/projects/{code}/comments",
    response={200: list[CommentOut], 403: ErrorOut, 404: ErrorOut},
    summary="The comments on one object (threads flattened: a reply names its parent)",
)
def list_comments(request: HttpRequest, code: str, object_type: str, object_id: str) -> Any:
    project = project_for(request.user, code)
    require(request.user, project, COMMENT_VIEW)
    try:
        comment_services.resolve_target(project, object_type, object_id)
    except DomainError:
        return Status(404, {"detail": "Not found"})
    out: list[Comment] = []
    for thread in comment_services.comments_for(project, object_type, object_id):
        out.append(thread)
        out.extend(thread.replies.all())
    return out


@router.post(
    "/projects/{code}/comments",
    response={201: CommentOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Comment on an object, or reply (parent_id); @username mentions a member",
)
@requires(COMMENT_POST)
def post_comment(request: HttpRequest, code: str, payload: CommentIn) -> Any:
    project = project_for(request.user, code)
    parent = get_object_or_404(Comment, pk=payload.parent_id, project=project) if payload.parent_id else None
    try:
        comment = comment_services.comment_post(
            actor=current_user(request), project=project, object_type=payload.object_type,
            object_id=payload.object_id, body=payload.body, parent=parent,
        )  # fmt: skip
    except ValidationFailed:
        raise
    except DomainError as exc:
        return Status(404, {"detail": str(exc.message)})
    return Status(201, comment)
