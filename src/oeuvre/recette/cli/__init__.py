"""``oeuvre recette …``: each slice's module adds its subcommands (see :func:`oeuvre.recette.cli.common.register`).

A slice module defines ``add_subcommands(sub)``, which adds parsers to ``sub`` (an argparse subparsers
object) and sets ``handler=fn`` on each with ``set_defaults``; ``fn(command, options)`` does the work by
calling services and selectors, printing with ``command.stdout``.
"""

from __future__ import annotations

SLICES: tuple[str, ...] = ("testbook", "results", "anomalies", "pv")
