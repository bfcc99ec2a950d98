"""``{% comments_section obj %}`` under an object's detail page: its threads and the form to join them."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.context import Context
from django.utils.safestring import SafeString

from oeuvre.accounts.permissions import can
from oeuvre.web.comments import comments_for, render_comment
from oeuvre.web.permissions import COMMENT_MODERATE, COMMENT_POST, COMMENT_VIEW

register = template.Library()


@register.filter
def comment_html(body: str) -> SafeString:
    return render_comment(body)


@register.inclusion_tag("web/comments/_thread.html", takes_context=True)
def comments_section(context: Context, obj: Any) -> dict[str, Any]:
    """The discussion of ``obj`` (a domain object of the page's project), or nothing for someone who may not read it."""
    request = context["request"]
    project = context.get("project") or obj.project
    object_type, object_id = obj._meta.label_lower, str(obj.pk)
    visible = can(request.user, project, COMMENT_VIEW)
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "project": project,
        "object_type": object_type,
        "object_id": object_id,
        "threads": comments_for(project, object_type, object_id) if visible else [],
        "may_post": visible and can(request.user, project, COMMENT_POST),
        "may_moderate": can(request.user, project, COMMENT_MODERATE),
        "page_url": request.path,
        "errors": {},
    }
