"""Template helpers of the layout: form widgets with Bootstrap classes, alert colours, the help link,
and the shared page header / empty state blocks that every stage's pages use."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django import template
from django.forms import BoundField
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.template.context import Context
from django.template.engine import Engine
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import conditional_escape, format_html, json_script
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

from oeuvre.web.help import guide_page, topic_for_nav

register = template.Library()

_ALERTS = {"error": "danger", "debug": "secondary", "info": "info", "success": "success", "warning": "warning"}


@register.filter
def alert_class(tags: str) -> str:
    """Django message tags (``error``, ``success``…) to a Bootstrap alert colour."""
    for tag in str(tags).split():
        if tag in _ALERTS:
            return _ALERTS[tag]
    return "secondary"


def widget_class(field: BoundField) -> str:
    kind = field.widget_type
    if kind in {"checkbox", "radioselect", "checkboxselectmultiple"}:
        return "form-check-input"
    if kind in {"select", "nullbooleanselect", "selectmultiple"}:
        return "form-select"
    if kind == "hidden":
        return ""
    return "form-control"


@register.filter
def bs(field: BoundField) -> Any:
    """Render a bound field's widget with the Bootstrap class of its kind and its error state."""
    if not isinstance(field, BoundField):
        return field
    attrs: dict[str, Any] = {}
    css = widget_class(field)
    existing = field.field.widget.attrs.get("class", "")
    if css:
        attrs["class"] = f"{existing} {css}".strip()
    if field.errors:
        attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{field.auto_id}_error"
    elif field.help_text:
        attrs["aria-describedby"] = f"{field.auto_id}_helptext"
    if field.widget_type == "selectmultiple":
        attrs["data-multi-select"] = ""
    return field.as_widget(attrs=attrs)


@register.simple_tag
def js_texts() -> str:
    """The few words the shared scripts show (multi-select, bulk bar), in the page's language."""
    return json_script(
        {
            "remove": gettext("Remove"),
            "clear": gettext("Clear the selection"),
            "search": gettext("Type to search…"),
            "no_results": gettext("No match"),
        },
        "oeuvre-i18n",
    )


@register.simple_tag(takes_context=True)
def help_url(context: Context) -> str:
    """The user guide of the stage the page belongs to (the guide's index elsewhere)."""
    topic = topic_for_nav(str(context.get("nav") or ""))
    if topic and guide_page(topic, get_language()) is not None:
        return reverse("web:help_topic", args=[topic])
    return reverse("web:help")


class _WrapNode(template.Node):
    """Render a partial with the tag's keyword arguments plus its body as ``body``."""

    def __init__(self, template_name: str, nodelist: NodeList, kwargs: dict[str, FilterExpression]) -> None:
        self.template_name = template_name
        self.nodelist = nodelist
        self.kwargs = kwargs

    def render(self, context: Context) -> str:
        values = {name: value.resolve(context) for name, value in self.kwargs.items()}
        values["body"] = mark_safe(self.nodelist.render(context).strip())  # noqa: S308 — rendered template output
        engine = context.template.engine if context.template is not None else Engine.get_default()
        partial = engine.get_template(self.template_name)
        with context.push(**values):
            return partial.render(context)


def _wrap_tag(parser: Parser, token: Token, template_name: str) -> _WrapNode:
    bits = token.split_contents()
    tag = bits[0]
    kwargs: dict[str, FilterExpression] = {}
    for bit in bits[1:]:
        name, sep, value = bit.partition("=")
        if not sep:
            raise template.TemplateSyntaxError(f"{tag} takes keyword arguments only, got {bit!r}")
        kwargs[name] = parser.compile_filter(value)
    nodelist = parser.parse((f"end{tag}",))
    parser.delete_first_token()
    return _WrapNode(template_name, nodelist, kwargs)


@register.tag
def page_header(parser: Parser, token: Token) -> _WrapNode:
    """``{% page_header title=… subtitle=… %}<a class="btn …">…</a>{% endpage_header %}``: title and actions."""
    return _wrap_tag(parser, token, "web/_page_header.html")


@register.tag
def empty_state(parser: Parser, token: Token) -> _WrapNode:
    """``{% empty_state text=… icon="bi-inbox" %}<a …>next action</a>{% endempty_state %}``."""
    return _wrap_tag(parser, token, "web/_empty_state.html")


@register.tag
def card(parser: Parser, token: Token) -> _WrapNode:
    """``{% card title=… %}…{% endcard %}``: a titled card for card grids."""
    return _wrap_tag(parser, token, "web/_card.html")


def cell_text(value: Any) -> str:
    """A value as a table cell shows it: dates and numbers in the page's locale, nothing as a dash."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, datetime):
        shown = timezone.localtime(value) if timezone.is_aware(value) else value
        return formats.date_format(shown, "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, (int, float, Decimal)):
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    return str(value)


@register.simple_tag(takes_context=True)
def cell(context: Context, column: Any, row: Any) -> str:
    """One data-table cell: the column's own partial, a link, or the formatted value."""
    if column.template:
        engine = context.template.engine if context.template is not None else Engine.get_default()
        with context.push(row=row, column=column):
            return engine.get_template(column.template).render(context)
    text = cell_text(column.value(row))
    if column.link is not None:
        url = column.link(row)
        if url:
            return format_html('<a href="{}">{}</a>', url, text)
    return conditional_escape(text)


@register.simple_tag
def row_url(table: Any, row: Any) -> str:
    return table.row_url(row) if table is not None and table.row_url is not None else ""


@register.filter
def row_label_of(table: Any, row: Any) -> str:
    return table.row_label(row) if table is not None else str(row)


@register.filter
def bulk_form(action: Any, project: Any) -> Any:
    """A bulk action's parameter fields (assignee, target status…), unbound."""
    return action.form(project)


@register.simple_tag(takes_context=True)
def item_panels(context: Context, item: Any) -> str:
    """The sections other stages add to ``item``'s page (see :func:`oeuvre.web.panels.register_item_panel`)."""
    from oeuvre.web.panels import item_panels as panels_of

    project, request = context.get("project"), context.get("request")
    if item is None or project is None or request is None:
        return ""
    granted = set(context.get("my_permissions") or ())
    engine = context.template.engine if context.template is not None else Engine.get_default()
    html = []
    for panel in panels_of(request, project, item, granted):
        with context.push(panel=panel["context"]):
            html.append(engine.get_template(panel["template"]).render(context))
    return mark_safe("".join(html))  # noqa: S308 — rendered template output
