#!/usr/bin/env python3
"""Set up, run the demo, or run every check, on a fresh machine with Python >= 3.12 and Node.js.

    python3 dev.py demo [ARGS…]   install everything, load the demo, print the logins, serve it
    python3 dev.py test [ARGS…]   install everything, run lint, types, migrations check and the tests
                                  on SQLite, then on PostgreSQL (ARGS go to pytest)
    python3 dev.py messages [APP…] refresh every app's (or the named apps') French catalogue
                                  (locale/fr/…/django.po) and compile it; needs GNU gettext
    python3 dev.py setup          install everything (Python packages from uv.lock, npm packages
                                  from package-lock.json, copied into the static files)

Only the standard library is used here: this script is what installs the rest.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENDOR = ROOT / "src" / "oeuvre" / "web" / "static" / "vendor"
# node_modules path -> path under static/vendor/
ASSETS = {
    "htmx.org/dist/htmx.min.js": "htmx/htmx.min.js",
    "echarts/dist/echarts.min.js": "echarts/echarts.min.js",
    "frappe-gantt/dist/frappe-gantt.umd.js": "frappe-gantt/frappe-gantt.umd.js",
    "frappe-gantt/dist/frappe-gantt.css": "frappe-gantt/frappe-gantt.css",
    "dhtmlx-gantt/codebase/dhtmlxgantt.js": "dhtmlx-gantt/dhtmlxgantt.js",
    "dhtmlx-gantt/codebase/dhtmlxgantt.css": "dhtmlx-gantt/dhtmlxgantt.css",
    "bootstrap/dist/css/bootstrap.min.css": "bootstrap/bootstrap.min.css",
    "bootstrap/dist/js/bootstrap.bundle.min.js": "bootstrap/bootstrap.bundle.min.js",
    "bootstrap-icons/font/bootstrap-icons.min.css": "bootstrap-icons/bootstrap-icons.min.css",
    "bootstrap-icons/font/fonts/bootstrap-icons.woff2": "bootstrap-icons/fonts/bootstrap-icons.woff2",
    "bootstrap-icons/font/fonts/bootstrap-icons.woff": "bootstrap-icons/fonts/bootstrap-icons.woff",
    "tom-select/dist/js/tom-select.complete.min.js": "tom-select/tom-select.complete.min.js",
    "tom-select/dist/css/tom-select.bootstrap5.min.css": "tom-select/tom-select.bootstrap5.min.css",
}
POSTGRES_URL = os.environ.get("OEUVRE_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/oeuvre")
CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def say(message: str) -> None:
    print(f"\033[1;34m==>\033[0m {message}", flush=True)


def run(*command: str, env: dict[str, str] | None = None) -> None:
    result = subprocess.run(command, cwd=ROOT, env={**os.environ, **(env or {})}, check=False)
    if result.returncode != 0:
        print(f"\033[1;31mfailed ({result.returncode}):\033[0m {' '.join(command)}", file=sys.stderr)
        raise SystemExit(result.returncode)


def uv() -> list[str]:
    found = shutil.which("uv")
    if found:
        return [found]
    probe = subprocess.run([sys.executable, "-m", "uv", "--version"], capture_output=True, check=False)
    if probe.returncode == 0:
        return [sys.executable, "-m", "uv"]
    say("installing uv")
    tools = ROOT / ".cache" / "bootstrap"
    if not (tools / "bin" / "uv").exists():
        subprocess.run([sys.executable, "-m", "venv", str(tools)], check=True)
        subprocess.run([str(tools / "bin" / "pip"), "install", "--quiet", "uv"], check=True)
    return [str(tools / "bin" / "uv")]


def setup() -> list[str]:
    uv_cmd = uv()
    say("Python packages (uv.lock)")
    # Bytecode compiled once here: where the environment sets PYTHONDONTWRITEBYTECODE (containers, CI
    # images often do) Python would otherwise compile every module from source in every command, every
    # test worker and every server process (seconds each).
    run(*uv_cmd, "sync", "--frozen", "--no-progress", "--compile-bytecode", "--extra", "mpp")
    run(*uv_cmd, "run", "--frozen", "--no-sync", "python", "-m", "compileall", "-q", "-j", "0", "src")
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm was not found: install Node.js (it brings npm), then run this again")
    lock = ROOT / "package-lock.json"
    stamp = ROOT / "node_modules" / ".package-lock.json"
    if not stamp.exists() or stamp.stat().st_mtime < lock.stat().st_mtime:
        say("front-end packages (package-lock.json)")
        run(npm, "ci", "--no-audit", "--no-fund", "--loglevel=error")
    for source, target in ASSETS.items():
        src = ROOT / "node_modules" / source
        dst = VENDOR / target
        if not src.exists():
            raise SystemExit(f"{source} is missing from node_modules: run npm ci")
        if not dst.exists() or dst.stat().st_mtime < src.stat().st_mtime:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
            if dst.suffix == ".css":
                strip_remote_fonts(dst)
    return uv_cmd


def strip_remote_fonts(css: Path) -> None:
    """Drop @font-face rules that fetch fonts from a third party (the CSP refuses them, and the pages use
    the system fonts): a vendored style sheet must not make the browser call another site."""
    text = css.read_text(encoding="utf-8")
    kept = re.sub(r"@font-face\{[^}]*url\(https?://[^}]*\}", "", text)
    if kept != text:
        css.write_text(kept, encoding="utf-8")


def semgrep_tool() -> str | None:
    """Semgrep in its own environment (tools/semgrep/requirements.txt, hash-pinned), for the test that runs it to
    write a real SARIF file; installed again only when that file changes. CI cannot do without it."""
    lock = ROOT / "tools" / "semgrep" / "requirements.txt"
    venv = ROOT / ".cache" / "tools" / "semgrep"
    binary = venv / "bin" / "semgrep"
    stamp = venv / "installed-from"
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()
    if binary.exists() and stamp.exists() and stamp.read_text() == digest:
        return str(binary)
    say("Semgrep for the SARIF test (tools/semgrep/requirements.txt)")
    shutil.rmtree(venv, ignore_errors=True)
    steps = [
        [sys.executable, "-m", "venv", str(venv)],
        [str(venv / "bin" / "pip"), "install", "-qq", "--require-hashes", "--no-deps", "-r", str(lock)],
    ]
    for step in steps:
        if subprocess.run(step, cwd=ROOT, check=False).returncode != 0:
            if CI:
                raise SystemExit("installing Semgrep failed, and CI runs the test that needs it")
            say("\033[1;33mSemgrep could not be installed: its test will be skipped\033[0m")
            return None
    stamp.write_text(digest)
    return str(binary)


def postgres_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=2):
            return True
    except OSError:
        return False


def test_workers(pytest_args: list[str]) -> list[str]:
    """Spread the tests over the machine's cores (pytest-xdist) unless the caller chose ``-n``."""
    if any(arg.startswith(("-n", "--numprocesses")) for arg in pytest_args):
        return []
    workers = os.environ.get("OEUVRE_TEST_WORKERS") or str(max(1, min(os.cpu_count() or 1, 4)))
    return [] if workers in {"0", "1"} else ["-n", workers]


def test(pytest_args: list[str]) -> None:
    uv_cmd = setup()
    pytest_args = [*test_workers(pytest_args), "--durations=10", *pytest_args]
    runner = [*uv_cmd, "run", "--frozen", "--no-sync"]
    started = time.monotonic()
    say("ruff")
    run(*runner, "ruff", "check", ".")
    run(*runner, "ruff", "format", "--check", ".")
    say("mypy")
    run(*runner, "mypy")
    say("migrations are up to date")
    run(
        *runner,
        "oeuvre",
        "makemigrations",
        "--check",
        "--dry-run",
        env={"OEUVRE_DATA_DIR": str(ROOT / ".cache" / "check")},
    )
    semgrep = semgrep_tool()
    say("tests on SQLite")
    run(*runner, "pytest", *pytest_args, env={"DATABASE_URL": "", **({"OEUVRE_SEMGREP": semgrep} if semgrep else {})})
    if postgres_reachable():
        say("tests on PostgreSQL")
        # Tests that use no database ran in the SQLite pass; this one runs every test that touches one.
        run(*runner, "pytest", *pytest_args, env={"DATABASE_URL": POSTGRES_URL, "OEUVRE_TEST_DATABASE_ONLY": "1"})
    elif CI:
        raise SystemExit("PostgreSQL is not reachable on 127.0.0.1:5432, and CI requires it")
    else:
        say("\033[1;33mPostgreSQL is not reachable on 127.0.0.1:5432: the PostgreSQL run was skipped\033[0m")
    say(f"all checks passed in {time.monotonic() - started:.0f} s")


def demo(args: list[str]) -> None:
    uv_cmd = setup()
    os.chdir(ROOT)
    command = [*uv_cmd, "run", "--frozen", "--no-sync", "oeuvre", "demo", *args]
    os.execvp(command[0], command)  # noqa: S606 — hand the terminal to the server


def messages(only: list[str]) -> None:
    """Each app keeps its own catalogue, so stages can be translated (and merged) independently."""
    uv_cmd = setup()
    django_admin = [*uv_cmd, "run", "--frozen", "--no-sync", "django-admin"]
    for app in sorted((ROOT / "src" / "oeuvre").iterdir()):
        if not (app / "apps.py").exists() or (only and app.name not in only):
            continue
        (app / "locale").mkdir(exist_ok=True)
        say(f"messages: {app.name}")
        result = subprocess.run(
            [*django_admin, "makemessages", "-l", "fr", "--no-obsolete", "--no-location", "--ignore", "static/*"],
            cwd=app,
            check=False,
        )
        if result.returncode != 0:
            raise SystemExit(result.returncode)
        subprocess.run([*django_admin, "compilemessages", "-l", "fr"], cwd=app, check=True)


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in {"setup", "test", "demo", "messages"}:
        print(__doc__)
        raise SystemExit(2)
    action, rest = sys.argv[1], sys.argv[2:]
    if action == "setup":
        setup()
    elif action == "test":
        test(rest)
    elif action == "messages":
        messages(rest)
    else:
        demo(rest)


if __name__ == "__main__":
    main()
