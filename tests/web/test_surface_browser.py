"""The whole surface in a real browser: every page of the demo, visited by each persona of the main project.

One demo copy and one served application serve the module; the pages are driven through the session's Chromium
(the `browser` fixture: one sync Playwright per run, never a second one beside it). Each persona logs in and walks the
project from its home page, following the links it is shown (one page per view: the first URL met for it),
and on every page checks, at 1,440, 820 and 390 px (the viewport is resized, the page is not reloaded):

* no horizontal scroll of the page itself (a wide table scrolls inside its own box);
* no JavaScript error and no error in the console;
* no English word from the list of known leaks in the French interface;
* a stage page marks its current item in the stage's sub-navigation.

Each view is also audited once with axe-core (from the npm registry, read from ``node_modules``: it is
injected by the test, never served to users): no serious or critical violation (RGAA 4.1 / WCAG 2.1 AA).
A failing page leaves a full-page screenshot in the folder the failure message names.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve

from tests.conftest import _postgres_admin, _postgres_url

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
MAIN = "guichet-usagers"
PERSONAS = ["moa", "amoa", "moe", "amoe", "exploitation", "lecteur"]
WIDTHS = [1440, 820, 390]
MAX_PAGES = 120  # a bound on the walk; the demo has far fewer views
# Words that have leaked into the French interface before (issue 13); matched as whole words, case-sensitive.
KNOWN_LEAKS = [
    "Today",
    "tasks moved",
    "status",
    "severity",
    "Dec",
    "pv.decision",
    "reserve.lift",
    "None",
    "True",
    "False",
    "Save",
    "Cancel",
    "Delete",
    "Search",
    "Filter",
    "Open",
    "Closed",
    "Overview",
    "Settings",
    "Previous",
    "Next",
    "minutes ago",
]
# The Gantt page's internals belong to the Gantt work (its "Today" label and its date cells' contrast included).
LEAK_EXEMPT_VIEWS = {"planning:gantt"}
AXE_EXEMPT_VIEWS = {"planning:gantt"}
SKIPPED_PATH = re.compile(
    r"(/accounts/logout|/api/|/admin/|/static/|/media/|/download|/export|/evidence/|/files?/|/pdf/|"
    r"\.(csv|xlsx|pdf|docx|pptx|xml|reqif|reqifz|ics|zip|json)$)"
)


@dataclass
class Served:
    url: str
    screens: Path


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)
    audited: set[str] = field(default_factory=set)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served(demo_template: dict[str, Any], tmp_path_factory: Any) -> Iterator[Served]:
    """A private copy of the demo, served by ``oeuvre serve`` (no job worker) for the whole module."""
    folder = tmp_path_factory.mktemp("surface")
    data_dir = folder / "data"
    media = demo_template["data_dir"] / "media"
    if media.is_dir():
        shutil.copytree(media, data_dir / "media")
    data_dir.mkdir(exist_ok=True)
    if (demo_template["data_dir"] / "secret_key").exists():  # the sessions of every server process agree
        shutil.copyfile(demo_template["data_dir"] / "secret_key", data_dir / "secret_key")
    database = None
    if demo_template["engine"] == "sqlite":
        shutil.copyfile(demo_template["path"], folder / "demo.sqlite3")
        url = f"sqlite:///{folder / 'demo.sqlite3'}"
    else:
        database = f"{demo_template['name']}_surface_{os.getpid()}"[:63]
        with _postgres_admin(demo_template["settings"]) as admin:
            admin.execute(f'CREATE DATABASE "{database}" TEMPLATE "{demo_template["name"]}" STRATEGY FILE_COPY')
        url = _postgres_url(demo_template["settings"], database)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OEUVRE_", "DATABASE_URL", "DJANGO_"))}
    env |= {"DATABASE_URL": url, "OEUVRE_DATA_DIR": str(data_dir), "OEUVRE_ENV": "development", "LANGUAGE": "fr"}
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "oeuvre", "serve", "--port", str(port), "--no-worker", "--no-migrate", "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 300  # generous for a loaded machine; it starts in seconds
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    break
            except OSError:
                time.sleep(0.5)
        assert server.poll() is None, "the application did not start"
        screens = Path(os.environ.get("OEUVRE_SCREENSHOTS", folder / "screens"))
        yield Served(url=f"http://127.0.0.1:{port}", screens=screens)
    finally:
        server.terminate()
        try:
            server.wait(timeout=120)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if database is not None:
            with _postgres_admin(demo_template["settings"]) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture(scope="module")
def audit() -> Findings:
    """What axe-core already audited (one audit per view, whoever the persona) and what it found."""
    return Findings()


def _view(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def _wanted(url: str, origin: str) -> str | None:
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin or SKIPPED_PATH.search(parts.path):
        return None
    if "format=" in parts.query:
        return None
    inside = parts.path.startswith(
        (f"/p/{MAIN}/", "/help/", "/accessibility/", "/account/tokens/", "/roles/", "/pilotage/")
    )
    if not inside and parts.path != "/p/":
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


_SETTLE = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
_OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
_AXE_RUN = """async () => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
                                          resultTypes: ["violations"]});
  return result.violations.filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => v.id + " (" + v.impact + "): " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
}"""
_LINKS = "els => els.filter(a => !a.hasAttribute('download') && !a.closest('[hidden]')).map(a => a.href)"
_SUBNAV = """() => {
  const sub = document.querySelector('.sidebar-sub');
  if (!sub || !sub.querySelector('a')) return true;
  return !!sub.querySelector('a[aria-current]');
}"""


def _leaks(text: str) -> list[str]:
    return [word for word in KNOWN_LEAKS if re.search(rf"(?<![\w.-]){re.escape(word)}(?![\w-])", text)]


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_walks_every_page_without_sideways_scroll_errors_leaks_or_accessibility_violations(
    persona: str, served: Served, browser: Any, audit: Findings
) -> None:
    context = browser.new_context(locale="fr-FR", base_url=served.url, bypass_csp=True)
    context.set_default_timeout(60_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on("console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None)
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    page.goto("/accounts/login/")
    page.get_by_label("Identifiant").fill(persona)
    page.get_by_label("Mot de passe").fill("oeuvre-demo")
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url("**/p/**")

    problems: list[str] = []
    queue = [f"/p/{MAIN}/"]
    seen_views: set[str] = set()
    visited = 0
    while queue and visited < MAX_PAGES:
        path = queue.pop(0)
        view = _view(urlsplit(path).path)
        if view is None or view in seen_views:
            continue
        seen_views.add(view)
        visited += 1
        errors.clear()
        response = page.goto(path, wait_until="load")
        failed: list[str] = []
        if response is None or response.status >= 400:
            failed.append(f"HTTP {response.status if response else '—'}")
        if "/accounts/login" in page.url:
            failed.append("sent back to the login page")
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.evaluate(_SETTLE)
            overflow = page.evaluate(_OVERFLOW)
            if overflow > 1:
                failed.append(f"scrolls sideways by {overflow} px at {width} px")
                _screenshot(page, served.screens, persona, view, width)
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        page.evaluate(_SETTLE)
        if view not in LEAK_EXEMPT_VIEWS and (leaks := _leaks(page.inner_text("body"))):
            failed.append(f"English in French: {leaks}")
        if not page.evaluate(_SUBNAV):
            failed.append("no current item marked in the stage's sub-navigation")
        if view not in audit.audited and view not in AXE_EXEMPT_VIEWS:
            audit.audited.add(view)
            page.add_script_tag(path=str(AXE))
            if violations := page.evaluate(_AXE_RUN):
                failed.extend(f"axe: {v}" for v in violations)
        if errors:
            failed.extend(errors)
        if failed:
            _screenshot(page, served.screens, persona, view, WIDTHS[0])
            problems.append(f"{path} ({view}): " + "; ".join(failed))
        for link in page.eval_on_selector_all("a[href]", _LINKS):
            wanted = _wanted(link, served.url)
            if wanted is not None:
                queue.append(wanted)
    context.close()
    assert visited >= 10, f"{persona} reached only {visited} pages: the walk is broken"
    assert not problems, f"{persona}: {len(problems)} page(s) fail (screenshots in {served.screens}):\n" + "\n".join(
        problems
    )


def _screenshot(page: Any, folder: Path, persona: str, view: str, width: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{persona}-{view.replace(':', '-')}-{width}.png"), full_page=True)
