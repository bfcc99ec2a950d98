"""What the recette stage plugs into the rest of Œuvre, called once from ``RecetteConfig.ready()``.

Each slice of the stage (test book and executions, anomalies and dashboards, PV and timers) adds its hooks
here: jobs, home panels, the coverage and impact providers of the requirements stage.
"""

from __future__ import annotations


def register() -> None:
    """Register the stage's hooks (jobs, home panels, traceability providers)."""
    from oeuvre.recette import home_pv

    home_pv.register()
