"""The demo's search index: built last, once every stage has written its objects (many of them in bulk, which
per-row signals do not see)."""

from __future__ import annotations

from typing import Any

from oeuvre.demo.generator import DemoContext, demo_step
from oeuvre.web.searchable import reindex


@demo_step(99, "web: search index")
def search_index(ctx: DemoContext, project: Any) -> None:
    reindex(project_ids=[project.pk])
