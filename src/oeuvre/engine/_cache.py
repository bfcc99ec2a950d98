"""Where the compiled kernels are cached on disk (set before numba is imported).

numba writes a kernel compiled with ``cache=True`` beside its source file by default, which an
installed package may not be allowed to do, and a fresh process would then compile every kernel
again (about 9 s). The engine points numba's cache at the data directory instead:
``$NUMBA_CACHE_DIR`` if set, else ``$OEUVRE_DATA_DIR/cache/numba``, else the user's cache
directory (``$XDG_CACHE_HOME/oeuvre/numba`` or ``~/.cache/oeuvre/numba``).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__: list[str] = []


def cache_dir() -> Path:
    """The directory numba caches the engine's kernels in (see the module docstring)."""
    explicit = os.environ.get("NUMBA_CACHE_DIR")
    if explicit:
        return Path(explicit)
    data = os.environ.get("OEUVRE_DATA_DIR")
    if data:
        return Path(data) / "cache" / "numba"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "oeuvre" / "numba"


def configure() -> Path:
    """Set ``NUMBA_CACHE_DIR`` (unless the user did) and create the directory; returns it."""
    path = cache_dir()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return path  # numba falls back to its own locations; the kernels still run
    os.environ.setdefault("NUMBA_CACHE_DIR", str(path))
    return path
