"""Fixtures of the requirements stage's tests."""

from __future__ import annotations

from typing import Any

import pytest

from oeuvre.requirements import traces


@pytest.fixture
def without_test_stage(monkeypatch: Any) -> None:
    """The requirements stage on its own, as it works before any test stage registers its providers.

    With the recette stage installed the RTM gains test columns and "no test" gaps; the recette tests
    (``tests/recette/test_coverage.py``) check that side.
    """
    monkeypatch.setattr(traces, "_COVERAGE", [])
    monkeypatch.setattr(traces, "_IMPACT", {k: v for k, v in traces._IMPACT.items() if not k.startswith("recette")})
