"""What the recette stage plugs into the rest of Œuvre, called once from ``RecetteConfig.ready()``.

Each slice of the stage (test book and executions, anomalies and dashboards, PV and timers) adds its hooks
here: jobs, home panels, the coverage and impact providers of the requirements stage.
"""

from __future__ import annotations


def register() -> None:
    """Register the stage's hooks (jobs, home panels, traceability providers)."""
    from oeuvre.design.hooks import register_results_provider, register_tests_provider
    from oeuvre.recette import home, home_pv
    from oeuvre.recette.selectors import coverage, results
    from oeuvre.recette.services import testbook as _testbook  # noqa: F401 — registers the JUnit import job
    from oeuvre.requirements.traces import register_coverage_provider, register_impact_provider

    home.register()
    home_pv.register()
    register_coverage_provider(coverage.exigence_test_coverage)
    register_impact_provider("recette.tests", coverage.tests_hanging_on)
    register_results_provider(results.criterion_history)
    register_tests_provider(results.criterion_tests)
