"""The user guide: one short Markdown page per stage and language, kept in ``docs/guide/<lang>/``.

The wheel carries the guide inside the package (``oeuvre/web/guide``); a checkout reads it from ``docs/``.
A page's help link opens the guide of the stage it belongs to (``nav``), the index elsewhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from oeuvre.interop.xhtml import markdown_to_html

__all__ = ["GuidePage", "guide_page", "guide_pages", "topic_for_nav"]

_CANDIDATES = (
    Path(__file__).resolve().parent / "guide",
    Path(__file__).resolve().parents[3] / "docs" / "guide",
)
_SLUG = re.compile(r"^[a-z][a-z0-9-]*$")
# Pages that belong to no stage open the guide of the project pages.
_GENERAL_NAV = {"home", "members", "activity", "portfolio", "matrix", "account", ""}


@dataclass(frozen=True)
class GuidePage:
    slug: str
    title: str
    order: int
    html: str


def _root() -> Path | None:
    return next((p for p in _CANDIDATES if p.is_dir()), None)


def _language_dir(language: str) -> Path | None:
    root = _root()
    if root is None:
        return None
    for candidate in (language.split("-")[0], "fr"):
        if (root / candidate).is_dir():
            return root / candidate
    return None


@cache
def _parse(path: Path, mtime: float) -> GuidePage:
    text = path.read_text(encoding="utf-8")
    order = 100
    # Optional first line "<!-- order: 10 -->" sorts the index.
    if match := re.match(r"<!--\s*order:\s*(\d+)\s*-->\s*\n", text):
        order = int(match.group(1))
        text = text[match.end() :]
    title_match = re.search(r"^# (.+)$", text, flags=re.MULTILINE)
    title = title_match.group(1).strip() if title_match else path.stem
    body = re.sub(r"^# .+\n", "", text, count=1, flags=re.MULTILINE)
    return GuidePage(slug=path.stem, title=title, order=order, html=markdown_to_html(body))


def guide_pages(language: str) -> list[GuidePage]:
    folder = _language_dir(language)
    if folder is None:
        return []
    pages = [_parse(p, p.stat().st_mtime) for p in folder.glob("*.md") if _SLUG.match(p.stem)]
    return sorted(pages, key=lambda p: (p.order, p.title))


def guide_page(slug: str, language: str) -> GuidePage | None:
    if not _SLUG.match(slug):
        return None
    folder = _language_dir(language)
    if folder is None or not (folder / f"{slug}.md").is_file():
        return None
    path = folder / f"{slug}.md"
    return _parse(path, path.stat().st_mtime)


def topic_for_nav(nav: str) -> str:
    """The guide page of a navigation key: the stage's own page, ``projects`` for the project pages."""
    return "projects" if nav in _GENERAL_NAV else nav
