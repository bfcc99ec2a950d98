"""The recette stage's REST API: one router per slice (testbook, anomalies, pv), gathered here."""

from __future__ import annotations

from ninja import Router

from oeuvre.recette.api.anomalies import router as anomalies_router

router = Router(tags=["recette"])
router.add_router("", anomalies_router)
