"""Shared setup of the forge tests: a registered repository, items of the chain, posting over HTTP."""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import urlsplit

from oeuvre.core.jobs import execute_job
from oeuvre.core.models import Job
from oeuvre.forge.models import Repository
from oeuvre.forge.services.repositories import repository_create
from oeuvre.recette.models import Anomaly
from oeuvre.recette.services.anomalies import anomaly_create, anomaly_transition
from tests.forge.payloads import SECRET
from tests.requirements import helpers as h


def repository(personas: Any, kind: str = "gitlab", **fields: Any) -> Repository:
    return repository_create(
        actor=personas.moe, project=personas.project, kind=kind, name=f"moe/portail-{kind}", secret=SECRET, **fields
    )


def chain_items(personas: Any) -> dict[str, Any]:
    project = personas.project
    items: dict[str, Any] = {
        "exigence": h.exigence(project, "EX-001", "validee"),
        "component": h.component(project, "CMP-003"),
        "specification": h.specification(project, "SP-004"),
    }
    items["anomaly"] = anomaly_create(actor=personas.moa, project=project, title="Connexion impossible")
    return items


def anomaly_in_fix(personas: Any, anomaly: Anomaly) -> Anomaly:
    anomaly = anomaly_transition(actor=personas.moe, anomaly=anomaly, action="qualify", expected_version=None)
    return anomaly_transition(actor=personas.moe, anomaly=anomaly, action="start_fix", expected_version=None)


def post(base_url: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    """POST over a real HTTP connection, as the forge does."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    try:
        connection.request("POST", path, body=body, headers={"Content-Type": "application/json", **headers})
        response = connection.getresponse()
        data = response.read()
        return response.status, json.loads(data) if data else {}
    finally:
        connection.close()


def run_queued_jobs(kind: str = "forge.process_event") -> list[Job]:
    """What the worker does: run every queued job of ``kind``, oldest first."""
    done = []
    for job in Job.objects.filter(kind=kind, status=Job.Status.QUEUED).order_by("created_at"):
        done.append(execute_job(job))
    return done
