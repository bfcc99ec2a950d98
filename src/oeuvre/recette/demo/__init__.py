"""The recette stage's demo steps: one module per slice (test book and campaigns, anomalies, PV and timers).

Each module decorates its steps with ``@demo_step``; importing them here registers them.
"""

from __future__ import annotations

import importlib

_SLICES: tuple[str, ...] = ("testbook", "anomalies", "pv", "results")


for _name in _SLICES:
    importlib.import_module(f"oeuvre.recette.demo.{_name}")
