"""The deployment stage's demo steps (registered from ``MepConfig.ready()``)."""

from __future__ import annotations


def register() -> None:
    """Importing this module registers its ``@demo_step`` functions."""
