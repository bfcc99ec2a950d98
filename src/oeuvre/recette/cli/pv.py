"""``oeuvre recette pv --project P`` (the PV with status and decision) and ``oeuvre recette timers --project P``
(the CCAG-TIC deadlines with the admission date). ``oeuvre verify --project P`` is its own command."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from oeuvre.recette import pv_words
from oeuvre.recette.cli.common import project_named
from oeuvre.recette.selectors import pv as selectors
from oeuvre.recette.selectors.timers import dashboard


def add_subcommands(sub: Any) -> None:
    pv = sub.add_parser("pv", help="list the PV de recette with their status and decision")
    pv.add_argument("--project", required=True, help="project code")
    pv.set_defaults(handler=_pv)
    timers = sub.add_parser("timers", help="CCAG-TIC deadlines and the admission date")
    timers.add_argument("--project", required=True, help="project code")
    timers.set_defaults(handler=_timers)


def _console(command: Any) -> Console:
    return Console(file=command.stdout, width=140, no_color=True)


def _pv(command: Any, options: dict[str, Any]) -> None:
    project = project_named(options["project"])
    table = Table("PV", "title", "status", "proposed", "decision", "réserves to lift", "final")
    for pv in selectors.pv_list(project):
        open_reserves = sum(1 for r in pv.reserves.all() if r.lifted_at is None)
        table.add_row(
            pv.reference,
            pv.title,
            str(pv.get_status_display()),
            pv_words.decision_label(pv.proposed_decision),
            pv_words.decision_label(pv.decision) or "—",
            str(open_reserves),
            pv.final_at.date().isoformat() if pv.final_at else ("provisional" if pv.status == "signe" else "—"),
        )
    _console(command).print(table)


def _timers(command: Any, options: dict[str, Any]) -> None:
    project = project_named(options["project"])
    board = dashboard(project)
    console = _console(command)
    if board["error"]:
        console.print(f"inconsistent dates: {board['error']}")
    table = Table("deadline", "from", "due", "status", "days left", "done on", "alert")
    for d in board["deadlines"]:
        table.add_row(
            d["label"],
            d["start"].isoformat(),
            d["due"].isoformat(),
            d["status_label"],
            str(d["days_left"]) if d["status"] == "due" else "",
            d["done_on"].isoformat() if d["done_on"] else "",
            "!" if d["alert"] else "",
        )
    console.print(table)
    if board["admission_date"]:
        tacit = " (tacit)" if board["admission_tacit"] else ""
        console.print(f"admission: {board['admission_date'].isoformat()}{tacit}")
    elif board["expected_admission"]:
        console.print(f"admission: tacit on {board['expected_admission'].isoformat()} unless the buyer decides before")
    else:
        console.print("admission: not yet")
    if board["garantie_end"]:
        console.print(f"warranty until: {board['garantie_end'].isoformat()}")
    for a in board["availability"]:
        verdict = "regular" if a["regular"] else "NOT regular"
        console.print(f"VSR {a['equipment']}: {a['percent']} % of {a['use_hours']} h ({verdict})")
