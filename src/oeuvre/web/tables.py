"""Data tables: one definition per list, one partial to render it, the same behaviour everywhere.

A stage declares a :class:`Table` (its columns, filters, search fields and bulk actions, each action calling the
stage's own service) and its list view calls :func:`datatable`. The query string drives the view
(``q``, ``sort``, ``page``, ``size``, ``col`` repeated for the chosen columns, one name per filter, ``view`` for a
saved view, ``export=csv|xlsx`` for the export of the filtered rows). Anything unknown in it (a column, a filter
value, a page size) is refused with a 400 naming it, rather than silently showing another list.

Bulk actions are POSTed to the same URL. The whole request is validated first (action, parameters, rows of this
project); then each ticked row goes through the same service as one by one, inside its own savepoint: a row the
service refuses (workflow, permission, stale version) is listed with its reason and the others are applied. Any
other failure rolls the whole request back.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from oeuvre.accounts.permissions import current_user, permissions_of
from oeuvre.core.errors import DomainError, ValidationFailed
from oeuvre.projects.models import Project
from oeuvre.web import saved_views
from oeuvre.web.listing import safe_cell
from oeuvre.web.templatetags.web_tags import cell_text

__all__ = [
    "PAGE_SIZES",
    "BulkAction",
    "Col",
    "Filter",
    "Param",
    "Table",
    "TableError",
    "TableView",
    "datatable",
    "render_row",
    "row_columns",
    "row_width",
]

PAGE_SIZES = (25, 50, 100, 200)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Query-string names the table itself reads; filters use their own keys.
RESERVED = frozenset({"q", "sort", "page", "size", "col", "view", "export"})
Choices = Callable[[Project], Sequence[tuple[str, str]]]


class TableError(Exception):
    """A query string or bulk request the table cannot honour; shown as a 400 with this message."""


@dataclass(frozen=True)
class Col:
    """One column: ``value`` gives the plain value (cell text and exports), ``html`` an optional richer cell."""

    key: str
    label: str | Promise
    value: Callable[[Any], Any]
    sort: str | None = None  # ORM ordering expression; None if the column cannot be sorted
    link: bool = False  # the cell links to the row's page
    html: Callable[[Any], str] | None = None
    num: bool = False
    visible: bool = True  # shown until the user chooses otherwise


@dataclass(frozen=True)
class Filter:
    """A choice filter: ``?key=value`` keeps the rows where ``lookup`` equals the value (one of ``choices``)."""

    key: str
    label: str | Promise
    lookup: str
    choices: Choices
    apply: Callable[[QuerySet[Any], str], QuerySet[Any]] | None = None  # instead of ``lookup`` (e.g. "unassigned")


@dataclass(frozen=True)
class Param:
    """A parameter a bulk action asks for (a person, a status, a reason…)."""

    name: str
    label: str | Promise
    choices: Choices | None = None  # None: free text
    required: bool = True


@dataclass(frozen=True)
class BulkAction:
    """``apply(actor, row, version, values)`` calls the stage's service for one row; it raises what it raises
    one by one (``DomainError``, ``PermissionDenied``), which becomes that row's error.

    ``permissions``: the action is offered to holders of any of them (the service checks again per row).
    ``prepare(project, raw)`` turns the validated parameter strings into objects once for all rows."""

    key: str
    label: str | Promise
    permissions: frozenset[str]
    apply: Callable[[Any, Any, int | None, dict[str, Any]], Any]
    params: Sequence[Param] = ()
    prepare: Callable[[Project, dict[str, str]], dict[str, Any]] | None = None
    danger: bool = False
    # ``batch(project, actor)``: a context around all rows (e.g. reschedule a plan once, not after every row).
    batch: Callable[[Project, Any], AbstractContextManager[Any]] | None = None


@dataclass(frozen=True)
class Table:
    key: str  # unique across the application, e.g. "requirements.exigences" (saved views are stored under it)
    permission: str  # needed to see the table (the page's own permission)
    queryset: Callable[[Project], QuerySet[Any]]  # a selector, with its joins
    columns: Sequence[Col]
    default_sort: str
    export_name: str
    row_url: Callable[[Project, Any], str] | None = None
    search: Sequence[str] = ()
    search_hint: str | Promise = ""
    filters: Sequence[Filter] = ()
    actions: Sequence[BulkAction] = ()
    decorate: Callable[[Project, Sequence[Any]], None] | None = None  # attach computed values to a page of rows
    row_class: Callable[[Any], str] | None = None  # a CSS class for a row (e.g. the critical tasks)

    def column(self, key: str) -> Col | None:
        return next((c for c in self.columns if c.key == key), None)


@dataclass
class Row:
    obj: Any
    pk: Any
    version: int | None
    url: str
    cells: list[tuple[SafeString | str, bool]]
    label: str = ""
    css: str = ""


@dataclass
class TableView:
    """What the partial renders: the page of rows, the state of the controls and the URLs that change it."""

    table: Table
    project: Project
    page: Page[Any]
    rows: list[Row]
    columns: list[Col]
    params: dict[str, Any]
    sort: str
    size: int
    query: str
    active_filters: dict[str, str]
    filter_choices: list[tuple[Filter, Sequence[tuple[str, str]], str]]
    actions: list[tuple[BulkAction, list[tuple[Param, Sequence[tuple[str, str]] | None]]]]
    saved: list[Any]
    current_view: Any = None
    path: str = ""
    page_sizes: Sequence[int] = PAGE_SIZES
    all_columns: Sequence[Col] = field(default_factory=list)

    def url_with(self, **changes: Any) -> str:
        params: dict[str, Any] = {**self.params}
        for key, value in changes.items():
            if value in (None, "", []):
                params.pop(key, None)
            else:
                params[key] = value
        return "?" + urlencode(params, doseq=True)

    @property
    def querystring(self) -> str:
        return urlencode(self.params, doseq=True)

    @property
    def header(self) -> list[dict[str, Any]]:
        result = []
        for c in self.columns:
            state = "ascending" if self.sort == c.key else "descending" if self.sort == f"-{c.key}" else "none"
            url = ""
            if c.sort is not None:
                url = self.url_with(sort=c.key if self.sort != c.key else f"-{c.key}", page=None)
            result.append({"key": c.key, "label": c.label, "url": url, "aria_sort": state, "num": c.num})
        return result

    @property
    def visible_keys(self) -> set[str]:
        return {c.key for c in self.columns}

    @property
    def prev_url(self) -> str:
        return self.url_with(page=self.page.previous_page_number()) if self.page.has_previous() else ""

    @property
    def next_url(self) -> str:
        return self.url_with(page=self.page.next_page_number()) if self.page.has_next() else ""

    @property
    def csv_url(self) -> str:
        return self.url_with(export="csv", page=None)

    @property
    def xlsx_url(self) -> str:
        return self.url_with(export="xlsx", page=None)

    @property
    def reset_url(self) -> str:
        return "?"

    @property
    def hidden_state(self) -> list[tuple[str, str]]:
        """The state a control form must carry (sort, size, columns) besides what it edits itself."""
        pairs: list[tuple[str, str]] = []
        for key in ("sort", "size"):
            if key in self.params:
                pairs.append((key, str(self.params[key])))
        return pairs

    @property
    def dom_id(self) -> str:
        return _dom_id(self.table)

    @property
    def size_links(self) -> list[tuple[int, str]]:
        return [(s, self.url_with(size=s, page=None)) for s in self.page_sizes]

    @property
    def filtered(self) -> bool:
        return bool(self.query or self.active_filters)


def _plain(value: Any) -> Any:
    return "" if value is None else value


def _cell(col: Col, obj: Any, url: str) -> tuple[SafeString | str, bool]:
    if col.html is not None:
        return SafeString(col.html(obj)), col.num
    text = cell_text(col.value(obj))
    if col.link and url and text != "—":
        return format_html('<a href="{}">{}</a>', url, text), col.num
    return text, col.num


def _params(source: QueryDict) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for key in source:
        if key == "col":
            values = [v for v in source.getlist(key) if v]
            if values:
                params[key] = values
        elif key not in ("csrfmiddlewaretoken", "table_op"):
            value = source.get(key, "")
            if value != "":
                params[key] = value
    return params


def _resolve(table: Table, project: Project, user: Any, raw: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """Merge a saved view (``?view=``) under the explicit parameters."""
    view_id = raw.get("view")
    if not view_id:
        return raw, None
    if not str(view_id).isdigit():
        raise TableError(_("Unknown saved view “%(view)s”.") % {"view": view_id})
    view = saved_views.visible_view(user, project, table.key, int(view_id))
    if view is None:
        raise TableError(_("Unknown saved view “%(view)s”.") % {"view": view_id})
    stored = _params(QueryDict(view.params))
    merged = {**stored, **{k: v for k, v in raw.items() if k != "view"}}
    merged["view"] = str(view.pk)
    return merged, view


def _filter_rows(
    table: Table, project: Project, params: dict[str, Any]
) -> tuple[QuerySet[Any], str, dict[str, str], list[tuple[Filter, Sequence[tuple[str, str]], str]]]:
    queryset = table.queryset(project)
    query = str(params.get("q", "")).strip()
    if query and table.search:
        condition = Q()
        for lookup in table.search:
            condition |= Q(**{f"{lookup}__icontains": query})
        queryset = queryset.filter(condition)
    active: dict[str, str] = {}
    filter_choices: list[tuple[Filter, Sequence[tuple[str, str]], str]] = []
    for f in table.filters:
        choices = list(f.choices(project))
        value = params.get(f.key)
        filter_choices.append((f, choices, str(value or "")))
        if value:
            if value not in {str(v) for v, _label in choices}:
                raise TableError(
                    _("“%(value)s” is not a value of the filter “%(filter)s”.") % {"value": value, "filter": f.label}
                )
            queryset = f.apply(queryset, str(value)) if f.apply else queryset.filter(**{f.lookup: value})
            active[f.key] = str(value)
    return queryset, query, active, filter_choices


def _columns(table: Table, params: dict[str, Any]) -> list[Col]:
    chosen = params.get("col")
    if not chosen:
        return [c for c in table.columns if c.visible]
    keys = chosen if isinstance(chosen, list) else [chosen]
    unknown = [k for k in keys if table.column(k) is None]
    if unknown:
        raise TableError(_("Unknown column “%(column)s”.") % {"column": unknown[0]})
    return [c for c in table.columns if c.key in keys]


def _order(table: Table, queryset: QuerySet[Any], params: dict[str, Any]) -> tuple[QuerySet[Any], str]:
    sort = str(params.get("sort") or table.default_sort)
    column = table.column(sort.removeprefix("-"))
    if column is None:
        raise TableError(_("Unknown column “%(column)s”: the list cannot be sorted by it.") % {"column": sort})
    if column.sort is None:
        raise TableError(_("The column “%(column)s” cannot be sorted.") % {"column": column.label})
    ordering = f"-{column.sort}" if sort.startswith("-") else column.sort
    return queryset.order_by(ordering, "pk"), sort


def _size(params: dict[str, Any]) -> int:
    raw = params.get("size")
    if raw is None:
        return 50
    if not str(raw).isdigit() or int(raw) not in PAGE_SIZES:
        raise TableError(
            _("A page holds %(sizes)s rows, not “%(size)s”.")
            % {"sizes": ", ".join(str(s) for s in PAGE_SIZES), "size": raw}
        )
    return int(raw)


def export_rows(table: Table, project: Project, columns: Sequence[Col], rows: Iterable[Any], fmt: str) -> HttpResponse:
    """The filtered rows (every page) with the chosen columns, as CSV (``;``, BOM for French Excel) or XLSX."""
    filename = f"{table.export_name}-{project.code}"
    rows = list(rows)
    if table.decorate is not None:
        table.decorate(project, rows)
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=str(table.export_name)[:31])
        sheet.append([str(c.label) for c in columns])
        for row in rows:
            values = []
            for c in columns:
                value = _plain(c.value(row))
                values.append(safe_cell(value if isinstance(value, int | float) else str(value)))
            sheet.append(values)
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";")
    writer.writerow([str(c.label) for c in columns])
    for row in rows:
        writer.writerow([safe_cell(str(_plain(c.value(row)))) for c in columns])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _row(table: Table, project: Project, columns: Sequence[Col], obj: Any) -> Row:
    url = table.row_url(project, obj) if table.row_url else ""
    cells = [_cell(c, obj, url) for c in columns]
    css = table.row_class(obj) if table.row_class else ""
    return Row(obj, obj.pk, getattr(obj, "version", None), url, cells, label_of(obj), css)


def render_row(request: HttpRequest, project: Project, table: Table, pk: Any, **context: Any) -> str:
    """One row of the table as its page shows it, for a row swapped in place (after an in-place edit, say).

    The columns are those of the page the request comes from (htmx sends its URL in ``HX-Current-URL``, saved
    view included); a row of another project is a 404 (``DoesNotExist``)."""
    columns = row_columns(request, project, table)
    obj = table.queryset(project).get(pk=pk)
    if table.decorate is not None:
        table.decorate(project, [obj])
    holder = SimpleNamespace(table=table, actions=_offered(table, project, request.user), dom_id=_dom_id(table))
    return render_to_string(
        "web/_datatable_row.html",
        {"table": holder, "row": _row(table, project, columns, obj), "project": project, **context},
        request=request,
    )


def row_columns(request: HttpRequest, project: Project, table: Table) -> list[Col]:
    """The columns shown on the page an htmx request comes from (``HX-Current-URL``, saved view included); the
    default ones if it names none, or names what the table does not know."""
    source = QueryDict(urlsplit(request.headers.get("HX-Current-URL", "")).query)
    try:
        params, _view = _resolve(table, project, request.user, _params(source))
        return _columns(table, params)
    except TableError:
        return _columns(table, {})


def row_width(request: HttpRequest, project: Project, table: Table, *, tools: bool = False) -> int:
    """How many cells a row of the page the request comes from has: its columns, the tick box when the user is
    offered bulk actions, and the row's tools column (``tools``); for a form swapped in place of a row."""
    ticks = 1 if _offered(table, project, request.user) else 0
    return len(row_columns(request, project, table)) + ticks + (1 if tools else 0)


def _dom_id(table: Table) -> str:
    return "dt-" + table.key.replace(".", "-").replace("_", "-")


def _offered(
    table: Table, project: Project, user: Any
) -> list[tuple[BulkAction, list[tuple[Param, Sequence[tuple[str, str]] | None]]]]:
    granted = permissions_of(user, project)
    return [
        (a, [(p, list(p.choices(project)) if p.choices else None) for p in a.params])
        for a in table.actions
        if a.permissions & granted
    ]


def build_view(request: HttpRequest, project: Project, table: Table) -> TableView | HttpResponse:
    """Read the query string; return the page to render or, for ``export=``, the export."""
    user = request.user
    params, current = _resolve(table, project, user, _params(request.GET))
    queryset, query, active, filter_choices = _filter_rows(table, project, params)
    columns = _columns(table, params)
    queryset, sort = _order(table, queryset, params)
    size = _size(params)
    # ``format=csv`` is the older spelling of ``export=csv``, kept for bookmarks and scripts.
    fmt = params.get("export") or ("csv" if params.get("format") == "csv" else None)
    if fmt in ("csv", "xlsx"):
        return export_rows(table, project, columns, queryset, str(fmt))
    if fmt:
        raise TableError(_("Unknown export format “%(format)s”: choose csv or xlsx.") % {"format": fmt})
    page = Paginator(queryset, size).get_page(params.get("page"))
    objects = list(page.object_list)
    if table.decorate is not None:
        table.decorate(project, objects)
    rows = [_row(table, project, columns, obj) for obj in objects]
    actions = _offered(table, project, user)
    return TableView(
        table=table,
        project=project,
        page=page,
        rows=rows,
        columns=columns,
        params={k: v for k, v in params.items() if k not in ("export", "format")},
        sort=sort,
        size=size,
        query=query,
        active_filters=active,
        filter_choices=filter_choices,
        actions=actions,
        saved=saved_views.views_for(user, project, table.key),
        current_view=current,
        path=request.path,
        all_columns=table.columns,
    )


# --- POST: bulk actions and saved views ---------------------------------------------------------------------


def _ids(post: QueryDict) -> list[tuple[int, int | None]]:
    result = []
    for raw in post.getlist("ids"):
        pk, _sep, version = raw.partition(":")
        if not pk.isdigit() or (version and not version.isdigit()):
            raise TableError(_("“%(value)s” is not a row of this list.") % {"value": raw})
        result.append((int(pk), int(version) if version else None))
    return result


def _bulk_values(action: BulkAction, project: Project, post: QueryDict) -> dict[str, Any]:
    raw: dict[str, str] = {}
    for p in action.params:
        value = (post.get(f"{action.key}-{p.name}") or "").strip()
        if not value and p.required:
            raise TableError(_("“%(action)s” needs “%(param)s”.") % {"action": action.label, "param": p.label})
        if value and p.choices is not None and value not in {str(v) for v, _label in p.choices(project)}:
            raise TableError(_("“%(value)s” is not a choice of “%(param)s”.") % {"value": value, "param": p.label})
        raw[p.name] = value
    return action.prepare(project, raw) if action.prepare else raw


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationFailed):
        return " ".join(m for msgs in error.errors.values() for m in msgs)
    return str(error) or _("Refused.")


def label_of(obj: Any) -> str:
    return str(getattr(obj, "reference", None) or getattr(obj, "code", None) or obj)


@dataclass
class BulkResult:
    applied: list[str]
    refused: list[tuple[str, str]]


def run_bulk(request: HttpRequest, project: Project, table: Table) -> BulkResult:
    post = request.POST
    action = next((a for a in table.actions if a.key == post.get("action")), None)
    if action is None:
        raise TableError(_("Choose an action among those offered."))
    wanted = _ids(post)
    if not wanted:
        raise TableError(_("Tick at least one row."))
    values = _bulk_values(action, project, post)
    model: type[Model] = table.queryset(project).model
    found = {o.pk: o for o in model._default_manager.filter(pk__in=[pk for pk, _v in wanted], project=project)}
    missing = [pk for pk, _v in wanted if pk not in found]
    if missing:
        raise TableError(_("Row %(pk)s is not in this project's list.") % {"pk": missing[0]})
    actor = current_user(request)
    result = BulkResult([], [])
    batch = action.batch(project, actor) if action.batch else nullcontext()
    with transaction.atomic(), batch:
        for pk, version in wanted:
            obj = found[pk]
            try:
                with transaction.atomic():
                    action.apply(actor, obj, version, values)
            except (DomainError, PermissionDenied) as error:
                result.refused.append((label_of(obj), _error_text(error)))
            else:
                result.applied.append(label_of(obj))
    return result


def _report(request: HttpRequest, action_label: Any, result: BulkResult) -> None:
    if result.applied:
        messages.success(
            request,
            ngettext(
                "%(action)s: applied to %(count)d row (%(rows)s).",
                "%(action)s: applied to %(count)d rows (%(rows)s).",
                len(result.applied),
            )
            % {"action": action_label, "count": len(result.applied), "rows": ", ".join(result.applied)},
        )
    for label, reason in result.refused:
        messages.error(request, _("%(row)s not changed: %(reason)s") % {"row": label, "reason": reason})


def _handle_post(request: HttpRequest, project: Project, table: Table) -> HttpResponse:
    op = request.POST.get("table_op")
    back = request.get_full_path()
    if op == "bulk":
        result = run_bulk(request, project, table)
        action = next(a for a in table.actions if a.key == request.POST.get("action"))
        _report(request, action.label, result)
        return HttpResponseRedirect(back)
    actor = current_user(request)
    if op == "save_view":
        params = _params(request.GET)
        params.pop("view", None)
        params.pop("page", None)
        try:
            view = saved_views.saved_view_save(
                actor=actor,
                project=project,
                table=table.key,
                permission=table.permission,
                name=request.POST.get("name", ""),
                params=urlencode(params, doseq=True),
                shared=request.POST.get("shared") == "1",
            )
        except ValidationFailed as error:
            raise TableError(_error_text(error)) from error
        messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
        return HttpResponseRedirect(f"{request.path}?view={view.pk}")
    if op == "delete_view":
        raw = request.POST.get("view_id", "")
        found = saved_views.visible_view(actor, project, table.key, int(raw)) if raw.isdigit() else None
        if found is None:
            raise TableError(_("Unknown saved view “%(view)s”.") % {"view": raw})
        try:
            saved_views.saved_view_delete(actor=actor, view=found)
        except DomainError as error:
            raise TableError(str(error)) from error
        messages.success(request, _("View “%(name)s” deleted.") % {"name": found.name})
        return HttpResponseRedirect(request.path)
    raise TableError(_("Unknown table operation “%(op)s”.") % {"op": op or ""})


def bad_request(request: HttpRequest, message: str) -> HttpResponse:
    body = render_to_string("400.html", {"message": message}, request=request)
    return HttpResponse(body, status=400)


def datatable(request: HttpRequest, project: Project, table: Table) -> TableView | HttpResponse:
    """The whole behaviour of a list page: returns the :class:`TableView` to render as ``table``, or a response
    (an export, the redirect after a POST, a 400 naming what was wrong)."""
    try:
        if request.method == "POST":
            return _handle_post(request, project, table)
        return build_view(request, project, table)
    except TableError as error:
        return bad_request(request, str(error))


def choices_of(enum: Any) -> Choices:
    """Filter choices from a Django ``TextChoices``."""
    return lambda _project: [(str(v), str(label)) for v, label in enum.choices]


def badge(text: Any, css: str) -> str:
    return format_html('<span class="{}">{}</span>', css, text)
