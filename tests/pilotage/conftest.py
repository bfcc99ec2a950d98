"""Pilotage fixtures: the planning stage's small plan, for the change requests' what-if."""

from __future__ import annotations

from tests.planning.conftest import small_plan

__all__ = ["small_plan"]
