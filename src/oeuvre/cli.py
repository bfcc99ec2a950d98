"""The ``oeuvre`` command: every Django management command, plus the engine's own CLI.

``oeuvre engine …`` runs without Django (the engine is usable on its own); everything else runs
with the project's settings, and a configuration error is one line on stderr, not a traceback.
"""

from __future__ import annotations

import os
import sys

__all__ = ["main"]

HELP = """Œuvre — the delivery team's workbench.

Common commands:
  oeuvre demo [--no-serve] [--size small|large]   load the demo, print the logins, serve it
  oeuvre serve [--host H] [--port P]              migrate, then serve (with a job worker)
  oeuvre worker                                   run a job worker
  oeuvre token create USERNAME                    print a new API token
  oeuvre backup FILE | oeuvre restore FILE        consistent snapshot of database and files
  oeuvre engine schedule|level|risk|evm …         the scheduling engine, without a server

Every Django command works too: oeuvre help lists them all.
"""


def main(argv: list[str] | None = None) -> int:
    try:
        return _run(list(sys.argv[1:] if argv is None else argv))
    except BrokenPipeError:
        # The reader went away (``oeuvre … --json | head``): it has what it wanted, so stop quietly and
        # successfully (as ``oeuvre engine`` does, and so ``set -o pipefail`` scripts do not fail). Python would
        # otherwise print a traceback, then a second error when it flushes stdout at exit, so stdout is
        # pointed at /dev/null first.
        _silence_stdout()
        return 0


def _silence_stdout() -> None:
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a real file (a test's capture): nothing will be flushed to a closed pipe
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


def _run(args: list[str]) -> int:
    if args and args[0] == "engine":
        from oeuvre.engine.cli import main as engine_main

        return int(engine_main(args[1:]))
    if not args or args[0] in {"-h", "--help"}:
        print(HELP)
        return 0
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oeuvre.settings")
    from django.core.exceptions import ImproperlyConfigured

    try:
        import django

        django.setup()
    except ImproperlyConfigured as exc:
        print(f"oeuvre: configuration error: {exc}", file=sys.stderr)
        return 2
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["oeuvre", *args])
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
