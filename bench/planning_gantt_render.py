"""Time to first render of the Gantt page on a 2,000-task plan, against the former Frappe Gantt page.

Usage: OEUVRE_DATA_DIR=<a data directory made by `oeuvre demo --no-serve`> python bench/planning_gantt_render.py
       [--tasks 2000] [--repeat 5] [--port 8299]

Target (issue 13): the Gantt of 2,000 tasks opens in < 1.5 s in Chromium.

The script adds (once) a project ``bench-gantt-<n>`` to the demo database: n tasks in lots of 100, each
task linked to the one before it and every fifth one to a task of the previous lot, with assignments
and a baseline, scheduled by the engine; the demo's ``moe`` account is its MOE. It then starts the
application (``oeuvre serve``) and opens, in Debian's Chromium driven by Playwright, alternately:

- the Gantt page (``/p/<code>/planning/gantt/``): DHTMLX Gantt with its task grid, rows rendered on
  demand; "rendered" is the ``gantt-rendered`` mark the page sets once the plan is drawn;
- the former page: the same data endpoint drawn by Frappe Gantt 1.2 with the options the page used
  (a page served by the script on the application's origin, so it fetches the same JSON with the same
  session; "rendered" is a mark set after ``new Gantt(...)`` returns and the bars are in the DOM).

Both times run from the start of the navigation (HTML, style sheets, scripts, the data request and
the drawing). The first visit of each is a warm-up (browser cache filled); the median of the next
``--repeat`` visits is reported, with the load average of the machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import socket
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from _common import machine

REPO = Path(__file__).resolve().parents[1]

FRAPPE_PAGE = """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Frappe Gantt</title>
<link rel="stylesheet" href="/static/vendor/frappe-gantt/frappe-gantt.css"></head><body>
<div id="gantt"></div>
<script src="/static/vendor/frappe-gantt/frappe-gantt.umd.js"></script>
<script>
fetch(%(source)r, {credentials: "same-origin", headers: {Accept: "application/json"}})
  .then(function (r) { return r.json(); })
  .then(function (data) {
    new window.Gantt(document.getElementById("gantt"), data.tasks, {
      view_mode: "Week", language: "fr", readonly: false, readonly_progress: true, move_dependencies: false,
      bar_height: 22, padding: 16, popup_on: "click", today_button: true, scroll_to: "start"
    });
    document.body.dataset.bars = String(document.querySelectorAll(".bar-wrapper").length);
    performance.mark("gantt-rendered");
  });
</script></body></html>"""


def build_plan(n: int) -> str:
    """The bench project with ``n`` tasks (created once; bulk inserts, then one engine run)."""
    from oeuvre.accounts.models import User
    from oeuvre.planning.models import Assignment, Dependency, Lot, Plan, Resource, Task
    from oeuvre.planning.services import baseline_take, reschedule
    from oeuvre.projects.models import Membership, Project

    code = f"bench-gantt-{n}"
    if Project.objects.filter(code=code).exists():
        return code
    moe = User.objects.get(username="moe")
    model = Project.objects.order_by("pk").first()
    assert model is not None, "the demo database has no project"
    start = dt.date(2026, 1, 5)
    project = Project.objects.create(
        code=code,
        name=f"Banc d'essai Gantt — {n} tâches",
        moa_organisation=model.moa_organisation,
        moe_organisation=model.moe_organisation,
        start_date=start,
    )
    Membership.objects.create(project=project, user=moe, role="moe", is_admin=True)
    plan = Plan.objects.create(project=project, status_date=start)
    # Bench data, written in bulk on purpose: no history, as a plan import of this size would not need one.
    lots = Lot.objects.bulk_create(
        Lot(project=project, code=f"L{k + 1:02d}", name=f"Lot {k + 1}", position=k) for k in range(n // 100)
    )
    tasks = Task.objects.bulk_create(
        Task(
            project=project,
            lot=lots[k // 100],
            code=f"T-{k + 1:04d}",
            name=f"Tâche {k + 1} du lot {k // 100 + 1}",
            position=k % 100,
            duration=1 + (k * 7) % 9,
            effort=Decimal(1 + (k * 7) % 9),
        )
        for k in range(n)
    )
    links = []
    for k in range(1, n):
        if k % 100:
            links.append(Dependency(project=project, predecessor=tasks[k - 1], successor=tasks[k]))
        if k >= 100 and k % 5 == 0:
            links.append(Dependency(project=project, predecessor=tasks[k - 100 + 3], successor=tasks[k]))
    Dependency.objects.bulk_create(links)
    people = Resource.objects.bulk_create(
        Resource(project=project, name=f"Personne {k + 1}", tjm=Decimal(600)) for k in range(20)
    )
    Assignment.objects.bulk_create(
        Assignment(task=task, resource=people[k % 20], units=Decimal(1)) for k, task in enumerate(tasks)
    )
    reschedule(project, plan)
    baseline_take(actor=moe, project=project, name="Référence")
    return code


def free_port(preferred: int) -> int:
    with socket.socket() as s:
        if s.connect_ex(("127.0.0.1", preferred)) != 0:
            return preferred
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, seconds: float = 120) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 (the local server started above)
                return
        except OSError:
            time.sleep(1)
    raise SystemExit(f"the application did not answer at {url}")


def rendered_at(page: Any) -> float:
    page.wait_for_function("() => performance.getEntriesByName('gantt-rendered').length > 0", timeout=120_000)
    return float(page.evaluate("performance.getEntriesByName('gantt-rendered')[0].startTime")) / 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--port", type=int, default=8299)
    args = ap.parse_args()
    if not os.environ.get("OEUVRE_DATA_DIR"):
        raise SystemExit("set OEUVRE_DATA_DIR to a data directory made by `oeuvre demo --no-serve`")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oeuvre.settings")
    import django

    django.setup()
    code = build_plan(args.tasks)
    print(f"machine: {machine()}")
    port = free_port(args.port)
    base = f"http://127.0.0.1:{port}"
    oeuvre = str(Path(sys.executable).with_name("oeuvre"))
    server = subprocess.Popen(
        [oeuvre, "serve", "--port", str(port), "--no-worker"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for(base + "/accounts/login/")
        run(base, code, args.repeat)
    finally:
        server.terminate()
        server.wait(timeout=30)


def run(base: str, code: str, repeat: int) -> None:
    from playwright.sync_api import sync_playwright

    page_url = f"/p/{code}/planning/gantt/"
    frappe_url = f"/p/{code}/planning/gantt/bench-frappe/"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        context = browser.new_context(base_url=base, viewport={"width": 1440, "height": 900}, locale="fr-FR")
        page = context.new_page()
        page.goto("/accounts/login/")
        page.get_by_label("Identifiant").fill("moe")
        page.get_by_label("Mot de passe").fill("oeuvre-demo")
        page.get_by_role("button", name="Connexion").click()
        page.wait_for_url("**/p/**")
        source = f"/p/{code}/planning/gantt/data/"
        page.route(
            "**" + frappe_url,
            lambda route: route.fulfill(body=FRAPPE_PAGE % {"source": source}, content_type="text/html"),
        )
        times: dict[str, list[float]] = {"dhtmlx": [], "frappe": []}
        rows = bars = 0
        for k in range(repeat + 1):  # the first visit of each warms the browser cache
            page.goto(page_url)
            t_new = rendered_at(page)
            rows = int(page.evaluate("window.gantt.getTaskCount()"))
            page.goto(frappe_url)
            t_old = rendered_at(page)
            bars = int(page.evaluate("document.body.dataset.bars"))
            if k:
                times["dhtmlx"].append(t_new)
                times["frappe"].append(t_old)
        browser.close()
    new, old = statistics.median(times["dhtmlx"]), statistics.median(times["frappe"])
    print(f"plan {code}: the Gantt page holds {rows} rows (tasks and lots); Frappe Gantt drew {bars} bars")
    print(f"median of {repeat} visits, from navigation start to the plan drawn, {machine()}")
    runs = {side: ", ".join(f"{t:.2f}" for t in values) for side, values in times.items()}
    print(f"  Gantt page (DHTMLX, grid, rows on demand): {new:.2f} s  (runs {runs['dhtmlx']})")
    print(f"  former page (Frappe Gantt, every bar):     {old:.2f} s  (runs {runs['frappe']})")
    print(f"  ratio former/new ×{old / new:.1f}; target < 1.5 s: {'met' if new < 1.5 else 'not met'}")


if __name__ == "__main__":
    main()
