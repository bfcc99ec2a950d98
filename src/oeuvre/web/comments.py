"""Comments on any domain object: threads of one level of replies, Markdown made safe, @mentions, attachments.

An object may be commented on when its stage tracks it in the activity feed (``register_activity``): the model
label and primary key name it, its project path proves that it belongs to the project of the page. Mentions
(``@username``) are resolved among the project's members and told through the notifications; attachments go
through the shared upload guard and the private files, like execution evidence.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oeuvre.accounts.models import User
from oeuvre.accounts.permissions import can, require
from oeuvre.core.activity import tracked_model
from oeuvre.core.errors import DomainError, ValidationFailed
from oeuvre.core.events import Event, declare_event, emit
from oeuvre.core.files import check_upload, private_path, register_private_area, remove_private, store_private
from oeuvre.core.services import save_with_history
from oeuvre.interop.xhtml import markdown_to_html
from oeuvre.projects.models import Membership, Project
from oeuvre.web.models import Comment, CommentAttachment, NotificationKind
from oeuvre.web.notifications import Recipient, register_recipients
from oeuvre.web.permissions import COMMENT_MODERATE, COMMENT_POST

__all__ = [
    "AREA",
    "COMMENT_POSTED",
    "Upload",
    "attachment_path",
    "comment_delete",
    "comment_post",
    "comments_for",
    "parse_mentions",
    "render_comment",
    "resolve_target",
]

AREA = "comments"
COMMENT_POSTED = declare_event("comment.posted", gettext_lazy("Comment posted"))
MAX_BODY = 20_000
MAX_FILES = 5
MAX_BYTES = 10 * 1024 * 1024

# ``@`` preceded by a space, a line start or an opening mark (not an e-mail address), then a username.
_MENTION = re.compile(r"(?:(?<=^)|(?<=[\s(\[{>\"'«]))@([A-Za-z0-9_][\w.+-]{0,149})", re.MULTILINE)


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


def parse_mentions(text: str) -> list[str]:
    """The usernames mentioned in ``text`` (``@marie.dupont``), once each, in order; a final dot is punctuation.

    Mentions inside code (``` `@x` ``` or fenced blocks) are not mentions.
    """
    without_code = re.sub(r"```.*?```|`[^`\n]*`", " ", text or "", flags=re.DOTALL)
    seen: dict[str, None] = {}
    for match in _MENTION.finditer(without_code):
        name = match.group(1).rstrip(".-+")
        if name:
            seen.setdefault(name.lower(), None)
    return list(seen)


def render_comment(body: str) -> SafeString:
    """Markdown to HTML through the allow-list sanitiser (no script, no event handler, http(s)/mailto links)."""
    return mark_safe(markdown_to_html(body))  # noqa: S308 -- sanitised by nh3 in markdown_to_html


def resolve_target(project: Project, object_type: str, object_id: str) -> models.Model:
    """The object of ``project`` named by ``object_type`` and ``object_id``, or a refusal (never another project's)."""
    tracked = tracked_model(object_type)
    if tracked is None:
        raise DomainError(_("This kind of object cannot be commented on."))
    model, path = tracked
    lookup = "pk" if path in {"id", "pk"} else f"{path}_id"
    found = None
    try:
        pk = model._meta.pk.to_python(object_id) if model._meta.pk is not None else None
        found = model._default_manager.filter(pk=pk, **{lookup: project.pk}).first()
    except (ValueError, TypeError, ValidationError):
        found = None
    if found is None:
        raise DomainError(_("This object does not exist in this project."))
    return found


def comments_for(project: Project, object_type: str, object_id: str) -> list[Comment]:
    """The threads on one object, oldest first, replies and attachments loaded (four queries whatever the size)."""
    replies = Comment.objects.select_related("author").prefetch_related("attachments").order_by("created_at", "pk")
    return list(
        Comment.objects.filter(project=project, object_type=object_type, object_id=str(object_id), parent=None)
        .select_related("author")
        .prefetch_related("attachments", Prefetch("replies", queryset=replies))
    )


def comment_count(project: Project, object_type: str, object_id: str) -> int:
    return Comment.objects.filter(
        project=project, object_type=object_type, object_id=str(object_id), deleted_at=None
    ).count()


def _members_named(project: Project, usernames: Sequence[str]) -> list[User]:
    if not usernames:
        return []
    members = User.objects.filter(
        pk__in=Membership.objects.filter(project=project).values("user_id"), is_active=True
    ).only("pk", "username")
    wanted = set(usernames)
    return [u for u in members if u.username.lower() in wanted]


def _safe_url(project: Project, url: str) -> str:
    # The page the comment was posted from, for the notification's link: only a path of this project.
    prefix = f"/p/{project.code}/"
    return url if url.startswith(prefix) and "//" not in url and "\\" not in url else prefix


@transaction.atomic
def comment_post(
    *,
    actor: User,
    project: Project,
    object_type: str,
    object_id: str,
    body: str,
    parent: Comment | None = None,
    files: Iterable[Upload] = (),
    url: str = "",
) -> Comment:
    """Post a comment (or a reply) on an object of ``project``; mentioned members are notified by the worker."""
    require(actor, project, COMMENT_POST)
    target = resolve_target(project, object_type, object_id)
    text = (body or "").strip()
    uploads = list(files)
    if not text and not uploads:
        raise ValidationFailed({"body": [_("Write something or attach a file.")]})
    if len(text) > MAX_BODY:
        raise ValidationFailed({"body": [_("A comment is at most %(n)s characters long.") % {"n": MAX_BODY}]})
    if len(uploads) > MAX_FILES:
        raise ValidationFailed({"file": [_("Attach at most %(n)s files to one comment.") % {"n": MAX_FILES}]})
    if parent is not None:
        if parent.project_id != project.pk or (parent.object_type, parent.object_id) != (object_type, str(target.pk)):
            raise ValidationFailed({"parent": [_("You can only reply to a comment on the same object.")]})
        if parent.parent_id is not None:
            parent = parent.parent  # one level of replies: a reply to a reply joins the thread
    checked = [(check_upload(u.name, u.data, MAX_BYTES), u.data) for u in uploads]  # all refused before any write
    comment = Comment(
        project=project, object_type=object_type, object_id=str(target.pk), parent=parent, author=actor, body=text
    )
    save_with_history(comment, actor=actor, reason="comment")
    mentioned = _members_named(project, parse_mentions(text))
    if mentioned:
        comment.mentions.set(mentioned)
    stored: list[str] = []
    try:
        for upload, data in checked:
            name = store_private(AREA, data, upload.suffix)
            stored.append(name)
            CommentAttachment.objects.create(
                comment=comment, original_name=upload.name, stored_name=name, content_type=upload.content_type,
                size=len(data), sha256=hashlib.sha256(data).hexdigest(),
            )  # fmt: skip
    except Exception:
        for name in stored:
            remove_private(AREA, name)
        raise
    emit(
        COMMENT_POSTED,
        project=project,
        obj=comment,
        actor=actor,
        reference=str(getattr(target, "reference", "") or ""),
        data={
            "target_type": object_type,
            "target_id": str(target.pk),
            "target": str(target)[:200],
            "author": actor.get_full_name() or actor.username,
            "mentions": [u.pk for u in mentioned],
            "url": _safe_url(project, url),
        },
    )
    return comment


@transaction.atomic
def comment_delete(*, actor: User, comment: Comment) -> Comment:
    """Withdraw a comment: its author may, and whoever moderates the project; the thread keeps its place."""
    if comment.author_id != actor.pk and not can(actor, comment.project, COMMENT_MODERATE):
        raise PermissionDenied(_("Only its author or a project administrator can delete a comment."))
    if comment.deleted_at is not None:
        return comment
    names = list(comment.attachments.values_list("stored_name", flat=True))
    comment.attachments.all().delete()
    comment.body = ""
    comment.deleted_at = timezone.now()
    save_with_history(comment, actor=actor, reason="deleted", update_fields=["body", "deleted_at"])

    def remove_files() -> None:
        for name in names:
            remove_private(AREA, name)

    transaction.on_commit(remove_files)
    return comment


def attachment_path(attachment: CommentAttachment) -> Any:
    return private_path(AREA, attachment.stored_name)


def _referenced() -> QuerySet[Any]:
    return CommentAttachment.objects.values_list("stored_name", flat=True)


register_private_area(AREA, _referenced)


# --- Mentions are notifications ---------------------------------------------------------------------------------


def _mentioned(event: Event) -> list[Recipient]:
    return [Recipient(int(pk), NotificationKind.MENTION) for pk in event.data.get("mentions", [])]


def _mention_title(event: Event) -> str:
    what = event.reference or event.data.get("target", "")
    return _("%(who)s mentioned you on %(what)s") % {"who": event.data.get("author", ""), "what": what}


register_recipients(COMMENT_POSTED, _mentioned, title=_mention_title, url=lambda e: str(e.data.get("url", "")))
