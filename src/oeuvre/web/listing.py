"""Filter, sort, page and export any list page the same way.

A view describes its columns once; :func:`build_listing` reads ``?q=``, ``?sort=``, ``?page=`` and the
declared filters from the query string, and :func:`export_csv` writes the same rows to CSV with cells
that spreadsheet programs cannot mistake for formulas.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise

__all__ = ["Column", "Listing", "build_listing", "export_csv", "safe_cell"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formula injection: text starting with = + - @ gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    value: Callable[[Any], Any]
    sort: str | None = None  # ORM ordering expression, None if the column cannot be sorted


@dataclass
class Listing:
    page: Page[Any]
    columns: Sequence[Column]
    sort: str
    query: str
    filters: dict[str, str]
    params: dict[str, str] = field(default_factory=dict)

    def url_with(self, **changes: Any) -> str:
        params = {**self.params, **{k: str(v) for k, v in changes.items() if v not in (None, "")}}
        for key, value in changes.items():
            if value in (None, ""):
                params.pop(key, None)
        return "?" + urlencode(params)

    def sort_url(self, column: Column) -> str:
        if column.sort is None:
            return ""
        target = column.key if self.sort != column.key else f"-{column.key}"
        return self.url_with(sort=target, page=None)

    @property
    def header(self) -> list[dict[str, Any]]:
        return [{"label": c.label, "url": self.sort_url(c), "aria_sort": self.sort_state(c)} for c in self.columns]

    @property
    def prev_url(self) -> str:
        return self.url_with(page=self.page.previous_page_number()) if self.page.has_previous() else ""

    @property
    def next_url(self) -> str:
        return self.url_with(page=self.page.next_page_number()) if self.page.has_next() else ""

    @property
    def export_url(self) -> str:
        return self.url_with(format="csv", page=None)

    @property
    def wants_csv(self) -> bool:
        return self.params.get("format") == "csv"

    def sort_state(self, column: Column) -> str:
        """``ascending``/``descending``/``none`` for aria-sort."""
        if self.sort == column.key:
            return "ascending"
        if self.sort == f"-{column.key}":
            return "descending"
        return "none"


def build_listing(
    request: HttpRequest,
    queryset: QuerySet[Any],
    columns: Sequence[Column],
    *,
    search: Iterable[str] = (),
    filters: dict[str, str] | None = None,
    default_sort: str,
    per_page: int = 50,
) -> Listing:
    """``filters`` maps a query-string name to an ORM lookup, e.g. ``{"phase": "phase"}``."""
    params: dict[str, str] = {k: str(v) for k, v in request.GET.items() if v != ""}
    query = params.get("q", "").strip()
    if query and search:
        condition = Q()
        for lookup in search:
            condition |= Q(**{f"{lookup}__icontains": query})
        queryset = queryset.filter(condition)
    active: dict[str, str] = {}
    for name, lookup in (filters or {}).items():
        value = params.get(name)
        if value:
            queryset = queryset.filter(**{lookup: value})
            active[name] = value
    by_key = {c.key: c for c in columns if c.sort}
    sort = params.get("sort", default_sort)
    column = by_key.get(sort.removeprefix("-"))
    if column is None:
        sort = default_sort
        column = by_key[sort.removeprefix("-")]
    assert column.sort is not None
    ordering = column.sort if not sort.startswith("-") else f"-{column.sort}"
    queryset = queryset.order_by(ordering, "pk")
    paginator = Paginator(queryset, per_page)
    page = paginator.get_page(params.get("page"))
    return Listing(page=page, columns=columns, sort=sort, query=query, filters=active, params=params)


def export_csv(filename: str, columns: Sequence[Column], rows: Iterable[Any]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # A BOM lets Excel open the UTF-8 file with accents intact; ';' is the separator French Excel expects.
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow([str(c.label) for c in columns])
    for row in rows:
        writer.writerow([safe_cell("" if (v := c.value(row)) is None else str(v)) for c in columns])
    return response
