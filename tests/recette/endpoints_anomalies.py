"""Endpoints of the recette anomalies slice for the matrix test."""

from __future__ import annotations

from tests.matrix import Endpoint

ENDPOINTS: list[Endpoint] = []
