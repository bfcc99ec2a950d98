"""The recette stage's REST API: one router per slice (testbook, anomalies, pv), gathered here."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["recette"])
