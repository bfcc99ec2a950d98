"""The PV de recette as a PDF (WeasyPrint, from an HTML template), produced at each signature.

The document shows the project and both organisations, the campaigns and their results, the proposal and
the decision with its reasons, the réserves, every signature so far (name, date and time, capacity,
meaning) and its position in the project's hash chain with the previous entry's hash.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from oeuvre.recette import pv_words
from oeuvre.recette.models import ProcesVerbal, Signature

__all__ = ["pv_document_context", "render_pv_pdf"]


def pv_document_context(
    pv: ProcesVerbal, *, pending: Signature | None, previous_hash: str, sequence: int
) -> dict[str, Any]:
    signatures = list(pv.signatures.order_by("signed_at", "pk"))
    if pending is not None:
        signatures.append(pending)
    return {
        "pv": pv,
        "project": pv.project,
        "facts": pv.facts,
        "campaigns": pv.facts.get("campaigns", []),
        "totals": pv.facts.get("totals", {}),
        "reasons": [pv_words.reason_text(r) for r in pv.proposal_reasons],
        "proposed_label": pv_words.decision_label(pv.proposed_decision),
        "decision_label": pv_words.decision_label(pv.decision),
        "reserves": list(pv.reserves.select_related("anomaly").order_by("number")),
        "signatures": signatures,
        "previous_hash": previous_hash,
        "sequence": sequence,
        "generated_at": timezone.now(),
    }


def render_pv_pdf(pv: ProcesVerbal, *, pending: Signature | None, previous_hash: str, sequence: int) -> bytes:
    """The PDF bytes of the PV as it stands, with ``pending`` (the signature being made) listed last."""
    from weasyprint import HTML

    html = render_to_string(
        "recette/pv/pdf.html", pv_document_context(pv, pending=pending, previous_hash=previous_hash, sequence=sequence)
    )
    pdf = HTML(string=html).write_pdf()
    assert isinstance(pdf, bytes)
    return pdf
