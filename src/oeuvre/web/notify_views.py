"""The bell, the notifications page, the e-mail preferences, and the comment threads under an object (thin)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from oeuvre.accounts.permissions import can, current_user
from oeuvre.core.errors import DomainError, ValidationFailed
from oeuvre.projects.models import Project
from oeuvre.web import comments as comment_services
from oeuvre.web import notifications as services
from oeuvre.web.decorators import project_page, user_page
from oeuvre.web.models import Comment, CommentAttachment, EmailMode, Notification, NotificationKind
from oeuvre.web.permissions import COMMENT_MODERATE, COMMENT_POST, COMMENT_VIEW

PAGE_SIZE = 50


@user_page
@require_GET
def bell(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    return render(request, "web/notifications/_bell.html", {"unread": services.unread_count(user)})


@user_page
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    unread_only = request.GET.get("show") == "unread"
    page = Paginator(services.notifications_of(user, unread_only=unread_only), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "unread_only": unread_only,
        "unread": services.unread_count(user),
        "nav": "notifications",
    }
    return render(request, "web/notifications/list.html", context)


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default


@user_page
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    try:
        notification = services.notification_mark_read(actor=user, pk=pk)
    except Notification.DoesNotExist:
        raise Http404("notification") from None
    if request.POST.get("open") and notification.url.startswith("/"):
        return redirect(notification.url)
    return redirect(_back(request, "web:notifications"))


@user_page
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(actor=current_user(request))
    messages.success(request, _("%(n)s notification(s) marked read.") % {"n": count})
    return redirect("web:notifications")


@user_page
@require_http_methods(["GET", "POST"])
def notification_preferences(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    pref = services.preference_of(user)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        email_mode = request.POST.get("email_mode", "")
        muted = [k for k in NotificationKind.values if k not in request.POST.getlist("emailed_kinds")]
        try:
            pref = services.preference_update(actor=user, email_mode=email_mode, muted_kinds=muted)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            messages.success(request, _("Your notification preferences are saved."))
            return redirect("web:notification_preferences")
    context = {
        "pref": pref,
        "modes": EmailMode.choices,
        "kinds": [(value, label, value not in (pref.muted_kinds or [])) for value, label in NotificationKind.choices],
        "errors": errors,
        "has_email": bool(user.email),
        "nav": "notifications",
    }
    return render(request, "web/notifications/preferences.html", context, status=422 if errors else 200)


# --- Comments ------------------------------------------------------------------------------------------------------


def _thread_context(request: HttpRequest, project: Project, object_type: str, object_id: str) -> dict[str, object]:
    user = current_user(request)
    return {
        "project": project,
        "object_type": object_type,
        "object_id": object_id,
        "threads": comment_services.comments_for(project, object_type, object_id),
        "may_post": can(user, project, COMMENT_POST),
        "may_moderate": can(user, project, COMMENT_MODERATE),
        "page_url": request.POST.get("page_url") or request.GET.get("page_url") or request.path,
    }


@project_page(COMMENT_VIEW)
@require_http_methods(["GET", "POST"])
def comment_thread(request: HttpRequest, project: Project, object_type: str, object_id: str) -> HttpResponse:
    """GET: the threads of one object (an htmx partial); POST: add a comment or a reply, then the threads."""
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        if not can(request.user, project, COMMENT_POST):
            raise PermissionDenied(_("Your role on this project does not allow this action."))
        parent = None
        if request.POST.get("parent"):
            parent = get_object_or_404(Comment, pk=request.POST["parent"], project=project)
        uploads = [comment_services.Upload(f.name or "", f.read()) for f in request.FILES.getlist("files")]
        try:
            comment_services.comment_post(
                actor=current_user(request), project=project, object_type=object_type, object_id=object_id,
                body=request.POST.get("body", ""), parent=parent, files=uploads,
                url=request.POST.get("page_url", ""),
            )  # fmt: skip
        except ValidationFailed as exc:
            errors, status = exc.errors, 422
        except DomainError as exc:
            errors, status = {"body": [str(exc.message)]}, 422
        if not request.htmx and not errors:  # type: ignore[attr-defined]
            return redirect(_back(request, request.path))
    else:
        try:
            comment_services.resolve_target(project, object_type, object_id)
        except DomainError:
            raise Http404("object") from None
    context = _thread_context(request, project, object_type, object_id)
    context["errors"] = errors
    context["body"] = request.POST.get("body", "") if errors else ""
    return render(request, "web/comments/_thread.html", context, status=status)


@project_page(COMMENT_VIEW)
@require_POST
def comment_delete(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    comment = get_object_or_404(Comment, pk=pk, project=project)
    comment_services.comment_delete(actor=current_user(request), comment=comment)
    if request.htmx:  # type: ignore[attr-defined]
        context = _thread_context(request, project, comment.object_type, comment.object_id)
        context["errors"] = {}
        return render(request, "web/comments/_thread.html", context)
    return redirect(_back(request, f"/p/{project.code}/"))


@project_page(COMMENT_VIEW)
@require_GET
def comment_attachment(request: HttpRequest, project: Project, pk: int) -> FileResponse:
    attachment = get_object_or_404(CommentAttachment.objects.select_related("comment"), pk=pk, comment__project=project)
    path = comment_services.attachment_path(attachment)
    if not path.is_file():
        raise Http404("attachment")
    inline = attachment.content_type in {"image/png", "image/jpeg", "image/gif", "application/pdf"}
    response = FileResponse(
        path.open("rb"), as_attachment=not inline, filename=attachment.original_name,
        content_type=attachment.content_type,
    )  # fmt: skip
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
