"""XHTML from other tools, made safe and turned into Markdown; Markdown rendered to safe HTML.

ReqIF carries rich text as XHTML (``<xhtml:div>…``), written by DOORS, Polarion or Enterprise Architect.
It is sanitised with nh3 (an allow-list: no script, no event handler, no style, no external object)
before anything else reads it, then turned into the Markdown our exigences store.
"""

from __future__ import annotations

import html
import re

import markdown as md
import nh3
from lxml import etree
from lxml import html as lxml_html

__all__ = ["markdown_to_html", "markdown_to_xhtml", "sanitise_html", "xhtml_to_markdown"]

ALLOWED_TAGS = {
    "p", "div", "span", "br", "b", "strong", "i", "em", "u", "s", "sub", "sup", "ul", "ol", "li",
    "table", "thead", "tbody", "tr", "th", "td", "code", "pre", "blockquote", "h1", "h2", "h3", "h4",
    "h5", "h6", "a", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
_XHTML_PREFIX = re.compile(r"<(/?)(?:xhtml|reqif-xhtml|html):", re.IGNORECASE)
_XMLNS = re.compile(r"\s+xmlns(?::[\w-]+)?=\"[^\"]*\"")


def sanitise_html(fragment: str) -> str:
    """Keep only harmless markup; namespace prefixes (``xhtml:p``) are dropped first."""
    plain = _XMLNS.sub("", _XHTML_PREFIX.sub(r"<\1", fragment))
    return nh3.clean(
        plain,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def _inline(element: etree._Element) -> str:
    parts: list[str] = [html.unescape(element.text or "")]
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        inner = _inline(child)
        if tag in {"b", "strong"}:
            parts.append(f"**{inner.strip()}**" if inner.strip() else "")
        elif tag in {"i", "em"}:
            parts.append(f"*{inner.strip()}*" if inner.strip() else "")
        elif tag == "code":
            parts.append(f"`{inner}`")
        elif tag == "br":
            parts.append("  \n")
        elif tag == "a":
            href = child.get("href", "")
            parts.append(f"[{inner}]({href})" if href else inner)
        elif tag in {"p", "div", "ul", "ol", "table", "blockquote", "pre"} or (
            tag and tag[0] == "h" and tag[1:].isdigit()
        ):
            parts.append("\n\n" + _block(child).strip() + "\n\n")
        else:
            parts.append(inner)
        parts.append(html.unescape(child.tail or ""))
    return "".join(parts)


def _block(element: etree._Element) -> str:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in {"ul", "ol"}:
        lines = []
        for number, item in enumerate((c for c in element if c.tag == "li"), start=1):
            bullet = f"{number}." if tag == "ol" else "-"
            lines.append(f"{bullet} {' '.join(_inline(item).split())}")
        return "\n".join(lines)
    if tag == "table":
        rows = []
        for tr in element.iter("tr"):
            rows.append("| " + " | ".join(" ".join(_inline(td).split()) for td in tr if td.tag in {"td", "th"}) + " |")
        if rows:
            width = rows[0].count("|") - 1
            rows.insert(1, "|" + " --- |" * width)
        return "\n".join(rows)
    if tag and tag[0] == "h" and tag[1:].isdigit():
        return "#" * int(tag[1:]) + " " + " ".join(_inline(element).split())
    if tag == "pre":
        return "```\n" + "".join(element.itertext()) + "\n```"
    if tag == "blockquote":
        return "\n".join("> " + line for line in _inline(element).strip().splitlines())
    return _inline(element)


def xhtml_to_markdown(fragment: str) -> str:
    """Sanitise ``fragment`` then convert it to Markdown (paragraphs, lists, emphasis, tables, links)."""
    clean = sanitise_html(fragment)
    if not clean.strip():
        return ""
    root = lxml_html.fragment_fromstring(clean, create_parent="div")
    text = _block(root)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def markdown_to_html(text: str) -> str:
    """Render stored Markdown for a page: raw HTML in it is sanitised like any imported XHTML."""
    rendered = md.markdown(text or "", extensions=["tables", "sane_lists"], output_format="html")
    return sanitise_html(rendered)


def markdown_to_xhtml(text: str) -> str:
    """Markdown as a well-formed ``<xhtml:div>`` for ReqIF export."""
    body = markdown_to_html(text)
    # Round-trip through lxml's XML serialiser so that <br> becomes <br/> and entities are valid XML.
    root = lxml_html.fragment_fromstring(body or "", create_parent="div")
    xml = etree.tostring(root, method="xml", encoding="unicode")
    return re.sub(r"<(/?)([a-z][a-z0-9]*)", r"<\1xhtml:\2", xml)
