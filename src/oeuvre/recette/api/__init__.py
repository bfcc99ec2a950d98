"""The recette stage's REST API: one router per slice (testbook, anomalies, pv), gathered here."""

from __future__ import annotations

from ninja import Router

from oeuvre.recette.api.anomalies import router as anomalies_router
from oeuvre.recette.api.pv import router as pv_router
from oeuvre.recette.api.results import router as results_router
from oeuvre.recette.api.testbook import router as testbook_router

router = Router(tags=["recette"])
router.add_router("", testbook_router)
router.add_router("", anomalies_router)
router.add_router("", pv_router)
router.add_router("", results_router)
