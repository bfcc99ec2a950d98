"""The COPIL deck as PowerPoint: plain data in (already worded in the reader's language), ``.pptx`` bytes out.

Charts are native PowerPoint charts (editable in PowerPoint or LibreOffice), not pictures. A project may supply
its own template: its first layout is used for the title slide and its "title only" layout (the sixth of the
default master, or the last one) for the others.

Examples
--------
>>> deck = DeckData(title="COPIL", subtitle="Projet", labels=DeckLabels())
>>> build_deck(deck)[:2]
b'PK'
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.util import Inches, Pt

__all__ = ["DeckData", "DeckLabels", "Series", "TableData", "build_deck"]

WEATHER_COLOURS = {"sun": "2E7D32", "cloud": "0288D1", "rain": "F9A825", "storm": "C62828"}


@dataclass(frozen=True)
class DeckLabels:
    """Every fixed word of the deck, in the reader's language (English defaults for tests and notebooks)."""

    meteo: str = "Project weather"
    trend: str = "Weather trend"
    milestones: str = "Milestones"
    evm: str = "Earned value (S-curves)"
    recette: str = "Acceptance testing"
    risks: str = "Risks"
    changes: str = "Change requests"
    decisions: str = "Decision log"
    actions: str = "Actions and decisions to take"
    no_data: str = "No data yet."


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]


@dataclass(frozen=True)
class TableData:
    headers: Sequence[str]
    rows: Sequence[Sequence[str]]
    tones: Sequence[str | None] = ()  # a fill per row (hex colour) or None


@dataclass
class DeckData:
    title: str
    subtitle: str
    labels: DeckLabels
    meteo: TableData | None = None
    meteo_tones: Sequence[str] = ()  # weather of each météo row, to colour its cell
    trend_categories: Sequence[str] = ()
    trend_series: Sequence[Series] = ()
    trend_axis: str = ""
    milestones: TableData | None = None
    evm_categories: Sequence[str] = ()
    evm_series: Sequence[Series] = ()
    recette_categories: Sequence[str] = ()
    recette_series: Sequence[Series] = ()
    recette_notes: Sequence[str] = ()
    heat: TableData | None = None
    heat_tones: Sequence[Sequence[str]] = ()
    risks: TableData | None = None
    changes: TableData | None = None
    decisions: TableData | None = None
    actions: TableData | None = None
    extra: dict[str, str] = field(default_factory=dict)


def _layout(prs: object, index: int) -> object:
    layouts = prs.slide_layouts  # type: ignore[attr-defined]
    return layouts[min(index, len(layouts) - 1)]


def _slide(prs: object, title: str) -> object:
    slide = prs.slides.add_slide(_layout(prs, 5))  # type: ignore[attr-defined]
    if slide.shapes.title is not None:
        slide.shapes.title.text = title
    return slide


def _table(slide: object, data: TableData, top: int, height: int, fill: Callable[[int, int], str | None]) -> None:
    rows, cols = len(data.rows) + 1, len(data.headers)
    shape = slide.shapes.add_table(rows, cols, Inches(0.4), top, Inches(9.2), height)  # type: ignore[attr-defined]
    table = shape.table
    for c, header in enumerate(data.headers):
        table.cell(0, c).text = header
    for r, row in enumerate(data.rows, start=1):
        for c, value in enumerate(row):
            cell = table.cell(r, c)
            cell.text = value
            for paragraph in cell.text_frame.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(11)
            colour = fill(r - 1, c)
            if colour:
                cell.fill.solid()
                cell.fill.fore_color.rgb = RGBColor.from_string(colour)  # type: ignore[no-untyped-call]


def _chart(slide: object, kind: object, categories: Sequence[str], series: Sequence[Series], top: int) -> None:
    chart_data = CategoryChartData()  # type: ignore[no-untyped-call]
    chart_data.categories = list(categories)
    for s in series:
        chart_data.add_series(s.name, list(s.values))  # type: ignore[no-untyped-call]
    frame = slide.shapes.add_chart(kind, Inches(0.5), top, Inches(9), Inches(4.6), chart_data)  # type: ignore[attr-defined]
    chart = frame.chart
    chart.has_legend = len(series) > 1
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False


def _note(slide: object, text: str, top: int) -> None:
    box = slide.shapes.add_textbox(Inches(0.5), top, Inches(9), Inches(0.5))  # type: ignore[attr-defined]
    box.text_frame.text = text


def build_deck(deck: DeckData, template: bytes | None = None) -> bytes:
    """Write the deck; ``template`` is a project's own ``.pptx`` whose layouts are used."""
    prs = Presentation(io.BytesIO(template)) if template else Presentation()
    title_slide = prs.slides.add_slide(_layout(prs, 0))
    title_slide.shapes.title.text = deck.title
    if len(title_slide.placeholders) > 1:
        title_slide.placeholders[1].text = deck.subtitle
    top = Inches(1.5)
    labels = deck.labels

    slide = _slide(prs, labels.meteo)
    if deck.meteo is not None:
        weather: list[str] = list(deck.meteo_tones)
        _table(
            slide,
            deck.meteo,
            top,
            Inches(0.4) * (len(deck.meteo.rows) + 1),
            lambda r, c: WEATHER_COLOURS.get(weather[r]) if c == 1 and r < len(weather) else None,
        )

    slide = _slide(prs, labels.trend)
    if deck.trend_categories:
        _chart(slide, XL_CHART_TYPE.LINE_MARKERS, deck.trend_categories, deck.trend_series, top)
        if deck.trend_axis:
            _note(slide, deck.trend_axis, Inches(6.3))
    else:
        _note(slide, labels.no_data, top)

    slide = _slide(prs, labels.milestones)
    if deck.milestones is not None and deck.milestones.rows:
        _table(slide, deck.milestones, top, Inches(0.35) * (len(deck.milestones.rows) + 1), lambda r, c: None)
    else:
        _note(slide, labels.no_data, top)

    slide = _slide(prs, labels.evm)
    if deck.evm_categories:
        _chart(slide, XL_CHART_TYPE.LINE, deck.evm_categories, deck.evm_series, top)
    else:
        _note(slide, labels.no_data, top)

    slide = _slide(prs, labels.recette)
    if deck.recette_categories:
        _chart(slide, XL_CHART_TYPE.COLUMN_CLUSTERED, deck.recette_categories, deck.recette_series, top)
    for k, text in enumerate(deck.recette_notes):
        _note(slide, text, Inches(6.2) + Inches(0.35) * k)

    slide = _slide(prs, labels.risks)
    if deck.heat is not None:
        heat_tones = [list(row) for row in deck.heat_tones]
        _table(
            slide,
            deck.heat,
            top,
            Inches(0.4) * (len(deck.heat.rows) + 1),
            lambda r, c: heat_tones[r][c] if r < len(heat_tones) and c < len(heat_tones[r]) else None,
        )
    if deck.risks is not None and deck.risks.rows:
        _table(slide, deck.risks, Inches(4.0), Inches(0.3) * (len(deck.risks.rows) + 1), lambda r, c: None)

    slide = _slide(prs, labels.changes)
    if deck.changes is not None and deck.changes.rows:
        _table(slide, deck.changes, top, Inches(0.3) * (len(deck.changes.rows) + 1), lambda r, c: None)
    else:
        _note(slide, labels.no_data, top)

    slide = _slide(prs, labels.decisions)
    if deck.decisions is not None and deck.decisions.rows:
        _table(slide, deck.decisions, top, Inches(0.3) * (len(deck.decisions.rows) + 1), lambda r, c: None)
    else:
        _note(slide, labels.no_data, top)

    slide = _slide(prs, labels.actions)
    if deck.actions is not None and deck.actions.rows:
        fills: list[str | None] = list(deck.actions.tones)
        _table(
            slide,
            deck.actions,
            top,
            Inches(0.3) * (len(deck.actions.rows) + 1),
            lambda r, c: fills[r] if r < len(fills) else None,
        )
    else:
        _note(slide, labels.no_data, top)

    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
