"""The shell's own pages (user guide, accessibility statement) and, later, the data tables' endpoints."""

from __future__ import annotations

from tests.matrix import Endpoint

ENDPOINTS: list[Endpoint] = []

# Public pages: anyone may read the guide and the accessibility statement, logged in or not.
NOT_PROJECT_SCOPED = {"web:help", "web:help_topic", "web:accessibility"}
# The signed-in user's own pages across projects: the search applies each project's permissions itself
# (tests/web/test_search.py), "My work" lists only the user's own waiting items.
NOT_PROJECT_SCOPED |= {"web:search", "web:my_work", "api:GET /api/search", "api:GET /api/me/work"}
