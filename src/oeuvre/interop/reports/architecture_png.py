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


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A system font with accents (DejaVu or Liberation Sans), else Pillow's own (which lacks some of them)."""
    for name in ("DejaVuSans.ttf", "LiberationSans-Regular.ttf", "Arial.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


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


def architecture_png(nodes: list[Node], links: list[Link], width: int = 2000, height: int = 1200) -> bytes:
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
    font = _font(18)
    small = _font(14)
    boxes: dict[str, tuple[float, float]] = {}
    for node in nodes:
        left, top, right, bottom = draw.textbbox((0, 0), node.name, font=font)
        boxes[node.id] = ((right - left) / 2 + 14, (bottom - top) / 2 + 12)
    inner = [n for n in nodes if n.kind != "partner"]
    outer = [n for n in nodes if n.kind == "partner"]
    cx, cy = width / 2, height / 2
    widest = max((boxes[n.id][0] for n in nodes), default=0.0)
    tallest = max((boxes[n.id][1] for n in nodes), default=0.0)
    # Partners on an outer ellipse that keeps every box inside the image; components on one half as wide.
    rx_out, ry_out = max(cx - widest - 8, 10.0), max(cy - tallest - 8, 10.0)
    rx_in, ry_in = (rx_out * 0.6, ry_out * 0.6) if outer else (rx_out, ry_out)
    # Components on a grid in the middle (boxes of long names overlap on a circle), partners around it.
    columns = max(1, min(len(inner), math.ceil(math.sqrt(len(inner) * 0.6))))
    rows = max(1, math.ceil(len(inner) / columns))
    places: dict[str, tuple[float, float]] = {}
    angles: dict[str, float] = {}
    for i, node in enumerate(inner):
        row, column = divmod(i, columns)
        x = cx - rx_in + (column + 0.5) * 2 * rx_in / columns + (rx_in / columns / 2 if row % 2 else 0.0)
        y = cy - ry_in + (row + 0.5) * 2 * ry_in / rows
        places[node.id] = (x, y)
        angles[node.id] = math.atan2((y - cy) / max(ry_in, 1.0), (x - cx) / max(rx_in, 1.0))
    # A partner sits outside the component it exchanges with, so its flow is short and crosses little.
    neighbour: dict[str, str] = {}
    for link in links:
        for one, other in ((link.source, link.target), (link.target, link.source)):
            if one not in angles and other in angles:
                neighbour.setdefault(one, other)
    placed: list[tuple[float, float, float, float]] = []
    for i, node in enumerate(outer):
        near = neighbour.get(node.id)
        angle = angles[near] if near is not None else 2 * math.pi * i / max(len(outer), 1)
        hw, hh = boxes[node.id]
        for step in range(48):  # turn around the ellipse until the box overlaps no partner placed before
            turn = 0.09 * ((step + 1) // 2) * (1 if step % 2 else -1)
            x, y = cx + rx_out * math.cos(angle + turn), cy + ry_out * math.sin(angle + turn)
            if all(abs(x - px) > hw + pw + 6 or abs(y - py) > hh + ph + 6 for px, py, pw, ph in placed):
                break
        placed.append((x, y, hw, hh))
        places[node.id] = (x, y)
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
