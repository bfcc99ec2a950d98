"""The DAT's diagram drawn without a browser: a real PNG with every box inside the image."""

from __future__ import annotations

import doctest
import io

from PIL import Image

from oeuvre.interop.reports import architecture_png as module
from oeuvre.interop.reports.architecture_png import Link, Node, architecture_png


def test_it_passes_its_doctests() -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0


def test_it_draws_components_and_partners_inside_the_image() -> None:
    nodes = [Node(f"c{i}", f"Composant numéro {i} à l'accent", "module") for i in range(15)]
    nodes += [Node("p1", "Service d'archivage électronique (SAE)", "partner"), Node("p2", "PayFiP", "partner")]
    links = [Link("c0", "c1", "IF-001"), Link("c3", "p1", "IF-002", external=True),
             Link("p2", "c4", "IF-003", both_ways=True, external=True), Link("c0", "ghost", "IF-004")]  # fmt: skip
    image = Image.open(io.BytesIO(architecture_png(nodes, links, width=1200, height=800)))
    assert image.size == (1200, 800)
    # Something is drawn near each edge's middle but the border stays white: no box is cut by the frame.
    pixels = image.convert("RGB").load()
    border = {pixels[x, 0] for x in range(1200)} | {pixels[x, 799] for x in range(1200)}
    border |= {pixels[0, y] for y in range(800)} | {pixels[1199, y] for y in range(800)}
    assert border == {(255, 255, 255)}
    assert len(image.convert("RGB").getcolors(maxcolors=100_000) or []) > 20
