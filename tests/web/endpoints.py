"""The shell's own pages (user guide, accessibility statement) and, later, the data tables' endpoints."""

from __future__ import annotations

from tests.matrix import Endpoint

ENDPOINTS: list[Endpoint] = []

# Public pages: anyone may read the guide and the accessibility statement, logged in or not.
NOT_PROJECT_SCOPED = {"web:help", "web:help_topic", "web:accessibility"}
