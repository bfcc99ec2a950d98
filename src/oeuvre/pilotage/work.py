"""The steering stage's part of "Mon travail": the open actions and risk mitigations the user owns."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oeuvre.pilotage.selectors.committees import my_actions
from oeuvre.web.work import WorkItem, WorkSource, register_work_source


def _actions(user: Any) -> list[WorkItem]:
    items = []
    for row in my_actions(user)["rows"]:
        project = row["project"]
        if row["kind"] == "action":
            url = reverse("pilotage:actions", args=[project.code])
        else:
            url = reverse("pilotage:risk_detail", args=[project.code, row["risk_id"]])
        items.append(
            WorkItem(
                project.code,
                project.name,
                row["origin"],
                row["label"],
                url,
                row["status"],
                row["due_on"],
                row["overdue"],
            )
        )
    return items


def register() -> None:
    register_work_source(WorkSource("actions", _("My actions"), _actions, 60, "bi-check2-square"))
