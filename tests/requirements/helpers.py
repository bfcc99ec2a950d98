"""Builders for the requirements tests: a small chain on a project, files made on the fly."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from oeuvre.requirements.models import (
    Component,
    Deliverable,
    DeliverableRule,
    Exigence,
    RaciAssignment,
    Specification,
    TraceLink,
)


def exigence(project: Any, reference: str = "EX-001", status: str = "brouillon", **fields: Any) -> Exigence:
    number = int(reference.rsplit("-", 1)[-1]) if reference.rsplit("-", 1)[-1].isdigit() else 0
    defaults = {
        "title": f"Exigence {reference}",
        "text": "Le portail permet de se connecter.",
        "status": status,
        **fields,
    }
    found, _ = Exigence.objects.get_or_create(
        project=project, reference=reference, defaults={"number": number, **defaults}
    )
    return found


def specification(project: Any, reference: str = "SP-001", **fields: Any) -> Specification:
    found, _ = Specification.objects.get_or_create(
        project=project, reference=reference, defaults={"title": f"Spécification {reference}", **fields}
    )
    return found


def component(project: Any, reference: str = "CMP-001", **fields: Any) -> Component:
    found, _ = Component.objects.get_or_create(
        project=project, reference=reference, defaults={"name": f"Composant {reference}", **fields}
    )
    return found


def link(project: Any, kind: str, source: Any, target: Any) -> TraceLink:
    src = {Exigence: "src_exigence", Specification: "src_specification", Component: "src_component"}[type(source)]
    dst = {Exigence: "dst_exigence", Specification: "dst_specification", Component: "dst_component"}[type(target)]
    found, _ = TraceLink.objects.get_or_create(project=project, kind=kind, **{src: source, dst: target})
    return found


def chain(project: Any) -> dict[str, Any]:
    """EX-001 ← SP-001 ← CMP-001, EX-002 ← SP-002 (no component), EX-003 alone."""
    ex1, ex2, ex3 = (exigence(project, f"EX-00{i}") for i in (1, 2, 3))
    sp1, sp2 = specification(project, "SP-001"), specification(project, "SP-002")
    cmp1 = component(project, "CMP-001")
    link(project, "satisfies", sp1, ex1)
    link(project, "satisfies", sp2, ex2)
    link(project, "realises", cmp1, sp1)
    return {"ex1": ex1, "ex2": ex2, "ex3": ex3, "sp1": sp1, "sp2": sp2, "cmp1": cmp1}


def deliverable(
    project: Any, *, status: str = "brouillon", kind: str = "autre", users: list[Any] | None = None
) -> Deliverable:
    found, created = Deliverable.objects.get_or_create(
        project=project, kind=kind, title=f"Livrable {kind} {status}", defaults={"status": status}
    )
    if created and users:
        RaciAssignment.objects.create(deliverable=found, user=users[0], letter="A")
        for user in users[1:]:
            RaciAssignment.objects.create(deliverable=found, user=user, letter="R")
    return found


def open_rule(project: Any, kind: str = "autre") -> None:
    """Let every role that the matrix allows author and validate ``kind`` (for matrix cells)."""
    roles = ["moa", "amoa", "moe", "amoe", "exploitation"]
    DeliverableRule.objects.update_or_create(
        project=project, kind=kind, defaults={"author_roles": roles, "validator_roles": roles}
    )


def xlsx(rows: list[list[Any]], *, merges: list[str] = (), sheet: str = "Exigences") -> bytes:  # type: ignore[assignment]
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    for cells in merges:
        ws.merge_cells(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def cdc_workbook(n: int = 3) -> bytes:
    """A realistic CDC sheet: a merged title, a two-row header with merged cells, an empty row, dates."""
    rows: list[list[Any]] = [
        ["Cahier des charges — Guichet usagers", None, None, None, None, None],
        ["Version 1.2 du 12/01/2026", None, None, None, None, None],
        ["Référence", "Exigence", None, "Classification", None, "Date de création"],
        [None, "Titre", "Description", "Type", "Priorité", None],
    ]
    for i in range(1, n + 1):
        if i == 2:
            rows.append([None] * 6)  # an empty row between chapters
        rows.append([
            f"EX-{i:03d}",
            f"Exigence importée {i}",
            f"Texte de l'exigence {i}.",
            ["Fonctionnelle", "Sécurité", "Performance"][i % 3],
            ["Must", "Should", "Could"][i % 3],
            date(2026, 1, i % 28 + 1),
        ])  # fmt: skip
    return xlsx(rows, merges=["A1:F1", "A2:F2", "A3:A4", "B3:C3", "D3:E3", "F3:F4"])
