"""The two full-text backends behind :func:`oeuvre.web.selectors.search`: SQLite FTS5 and PostgreSQL.

Both receive the words of the query already split and folded by :func:`terms`, and a permission scope (which
kinds in which projects the user may see); both answer the ids of matching index rows, best first.

- SQLite: the FTS5 table ``web_searchentry_fts`` (see migration ``web.0003``) is queried in SQL, because FTS5's
  ``MATCH`` and ``bm25()`` have no ORM expression — the one reason for raw SQL here (``tests/test_house_rules``).
  Each word is a prefix query (``"exigence"*``), accents are folded by the tokenizer.
- PostgreSQL: the ORM's ``SearchQuery``/``SearchRank`` on the narrow table ``SearchRankRow`` (scope, updated and
  the ``tsvector``, GIN index, kept by a trigger: migration ``web.0007``), a prefix ``tsquery`` in the French and
  the English configurations (each unaccent, then stemming).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Q

__all__ = ["Scope", "count_by_kind", "matching_ids", "scope_q", "terms"]

Scope = dict[str, list[int]]  # kind -> ids of the projects where the user may see it

_WORD = re.compile(r"[^\W_]+")
_MAX_TERMS = 8


def terms(q: str) -> list[str]:
    """The words of a query, lower-cased, with a French or English plural ``s``/``x`` dropped (« exigences »
    then finds « exigence » as a prefix, and « exigence » still finds « exigences »)."""
    found: list[str] = []
    for word in _WORD.findall(q.lower())[:_MAX_TERMS]:
        if len(word) > 3 and word[-1] in "sx" and not word.isdigit():
            word = word[:-1]
        found.append(word)
    return found


def _groups(scope: Scope) -> list[tuple[list[str], list[int]]]:
    """Kinds that share the same projects, together: usually one group (every member sees every kind)."""
    grouped: dict[tuple[int, ...], list[str]] = {}
    for kind, project_ids in scope.items():
        if project_ids:
            grouped.setdefault(tuple(sorted(project_ids)), []).append(kind)
    return [(sorted(kinds), list(ids)) for ids, kinds in grouped.items()]


def scope_q(scope: Scope) -> Q:
    q = Q(pk__in=[])
    for kinds, project_ids in _groups(scope):
        q |= Q(kind__in=kinds, project_id__in=project_ids)
    return q


def _scope_sql(scope: Scope) -> tuple[str, list[str | int]]:
    clauses: list[str] = []
    params: list[str | int] = []
    for kinds, project_ids in _groups(scope):
        kind_marks = ", ".join("%s" for _ in kinds)
        project_marks = ", ".join("%s" for _ in project_ids)
        clauses.append(f"(e.kind IN ({kind_marks}) AND e.project_id IN ({project_marks}))")
        params += [*kinds, *project_ids]
    return "(" + (" OR ".join(clauses) or "0") + ")", params


def _fts5_match(words: Sequence[str]) -> str:
    # Words hold letters and digits only (see ``terms``): quoting them keeps FTS5 operators out of user input.
    return " ".join(f'"{w}"*' for w in words)


def _tsquery(words: Sequence[str]) -> SearchQuery:
    raw = " & ".join(f"{w}:*" for w in words)
    return SearchQuery(raw, config="oeuvre_fr", search_type="raw") | SearchQuery(
        raw, config="oeuvre_en", search_type="raw"
    )


_JOIN = "FROM web_searchentry_fts JOIN web_searchentry e ON e.id = web_searchentry_fts.rowid "
_FROM = "SELECT e.id " + _JOIN
_COUNT = "SELECT e.kind, COUNT(*) " + _JOIN
_ORDER = "ORDER BY bm25(web_searchentry_fts, 10.0, 4.0, 1.0), e.updated DESC LIMIT %s OFFSET %s"


def matching_ids(words: Sequence[str], scope: Scope, limit: int, offset: int = 0) -> list[int]:
    """Ids of the index rows matching every word, best first (reference, then title, then body)."""
    if not words or not scope:
        return []
    if connection.vendor == "postgresql":
        from oeuvre.web.models import SearchRankRow

        # Filtered and ranked on the narrow rows (scope, updated, vector); the caller reads the winners' display
        # columns from the wide table.
        query = _tsquery(words)
        rows = (
            SearchRankRow.objects.filter(scope_q(scope), vector=query)
            .annotate(rank=SearchRank(F("vector"), query, weights=[0.1, 0.2, 0.5, 1.0]))
            .order_by("-rank", "-updated", "pk")
            .values_list("pk", flat=True)[offset : offset + limit]
        )
        return list(rows)
    where, params = _scope_sql(scope)
    # ``where`` holds placeholders only; every value goes as a parameter.
    sql = _FROM + f"WHERE web_searchentry_fts MATCH %s AND {where} " + _ORDER
    with connection.cursor() as cursor:
        cursor.execute(sql, [_fts5_match(words), *params, limit, offset])
        return [row[0] for row in cursor.fetchall()]


def count_by_kind(words: Sequence[str], scope: Scope) -> dict[str, int]:
    """How many rows of each kind match (the filters of the results page)."""
    if not words or not scope:
        return {}
    if connection.vendor == "postgresql":
        from django.db.models import Count

        from oeuvre.web.models import SearchRankRow

        rows = (
            SearchRankRow.objects.filter(scope_q(scope), vector=_tsquery(words))
            .values("kind")
            .annotate(n=Count("pk"))
            .order_by()
        )
        return {row["kind"]: row["n"] for row in rows}
    where, params = _scope_sql(scope)
    sql = _COUNT + f"WHERE web_searchentry_fts MATCH %s AND {where} GROUP BY e.kind"
    with connection.cursor() as cursor:
        cursor.execute(sql, [_fts5_match(words), *params])
        return dict(cursor.fetchall())
