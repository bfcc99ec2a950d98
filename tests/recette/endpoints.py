"""Recette endpoints for the role × endpoint matrix test: each slice lists its own in its module."""

from __future__ import annotations

from tests.matrix import Endpoint
from tests.recette import endpoints_anomalies, endpoints_pv, endpoints_testbook

ENDPOINTS: list[Endpoint] = [
    Endpoint("recette:index", "GET", lambda p: f"/p/{p.project.code}/recette/", "recette.view"),
    *endpoints_testbook.ENDPOINTS,
    *endpoints_anomalies.ENDPOINTS,
    *endpoints_pv.ENDPOINTS,
]
