"""The component and flow diagram of the DAT as a PNG image, drawn without a browser (for the DOCX document).

Plain data in (nodes and directed links), PNG bytes out. Components sit on a circle, partner systems on a wider
one, each flow is an arrow labelled with its reference; a flow both ways has an arrow at each end.

Examples
--------
>>> png = architecture_png([Node("a", "Portail"), Node("b", "Back-office")], [Link("a", "b", "IF-001")])
>>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
True
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

__all__ = ["Link", "Node", "architecture_png"]

_COLOURS = {"module": "#2563eb", "interface": "#7c3aed", "infrastructure": "#64748b", "partner": "#d97706"}


@dataclass(frozen=True)
class Node:
    id: str
    name: str
    kind: str = "module"  # module, interface, infrastructure or partner


@dataclass(frozen=True)
class Link:
    source: str
    target: str
    label: str = ""
    both_ways: bool = False
    external: bool = False


def _arrow(draw: ImageDraw.ImageDraw, start: tuple[float, float], end: tuple[float, float], colour: str) -> None:
    angle = math.atan2(end[1] - start[1], end[0] - start[0])
    size = 12
    left = (end[0] - size * math.cos(angle - 0.4), end[1] - size * math.sin(angle - 0.4))
    right = (end[0] - size * math.cos(angle + 0.4), end[1] - size * math.sin(angle + 0.4))
    draw.polygon([end, left, right], fill=colour)


def _clip(centre: tuple[float, float], other: tuple[float, float], half: tuple[float, float]) -> tuple[float, float]:
    """Where the segment from ``centre`` towards ``other`` leaves the box of half-size ``half``."""
    dx, dy = other[0] - centre[0], other[1] - centre[1]
    if dx == 0 and dy == 0:
        return centre
    scale = min(half[0] / abs(dx) if dx else math.inf, half[1] / abs(dy) if dy else math.inf)
    return centre[0] + dx * scale, centre[1] + dy * scale


def architecture_png(nodes: list[Node], links: list[Link], width: int = 1600, height: int = 1000) -> bytes:
    """Draw ``nodes`` and ``links`` and return PNG bytes.

    Parameters
    ----------
    nodes : list of Node
        Components (``kind`` module, interface or infrastructure) and partner systems (``kind`` partner).
    links : list of Link
        Directed flows between node ids; links to unknown ids are left out.
    width, height : int
        Size of the image in pixels.

    Examples
    --------
    >>> len(architecture_png([], [])) > 100
    True
    """
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=18)
    small = ImageFont.load_default(size=14)
    inner = [n for n in nodes if n.kind != "partner"]
    outer = [n for n in nodes if n.kind == "partner"]
    cx, cy = width / 2, height / 2
    places: dict[str, tuple[float, float]] = {}
    for ring, radius in ((inner, 0.30), (outer, 0.44)):
        for i, node in enumerate(ring):
            angle = 2 * math.pi * i / max(len(ring), 1) - math.pi / 2 + (0.3 if ring is outer else 0.0)
            places[node.id] = (cx + radius * width * math.cos(angle), cy + radius * height * math.sin(angle) * 1.05)
    boxes: dict[str, tuple[float, float]] = {}
    for node in nodes:
        left, top, right, bottom = draw.textbbox((0, 0), node.name, font=font)
        boxes[node.id] = ((right - left) / 2 + 14, (bottom - top) / 2 + 12)
    for link in links:
        if link.source not in places or link.target not in places:
            continue
        a, b = places[link.source], places[link.target]
        start = _clip(a, b, boxes[link.source])
        end = _clip(b, a, boxes[link.target])
        colour = "#b45309" if link.external else "#334155"
        draw.line([start, end], fill=colour, width=2)
        _arrow(draw, start, end, colour)
        if link.both_ways:
            _arrow(draw, end, start, colour)
        if link.label:
            mid = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
            x0, y0, x1, y1 = draw.textbbox(mid, link.label, font=small, anchor="mm")
            draw.rectangle((x0 - 3, y0 - 2, x1 + 3, y1 + 2), fill="white")
            draw.text(mid, link.label, fill=colour, font=small, anchor="mm")
    for node in nodes:
        x, y = places[node.id]
        hw, hh = boxes[node.id]
        colour = _COLOURS.get(node.kind, _COLOURS["module"])
        draw.rounded_rectangle((x - hw, y - hh, x + hw, y + hh), radius=10, fill=colour)
        draw.text((x, y), node.name, fill="white", font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
