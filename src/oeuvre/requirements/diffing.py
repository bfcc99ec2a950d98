"""Word-level text diff for baseline comparisons (pure Python: difflib on word tokens)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

__all__ = ["Chunk", "word_diff"]

_TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Chunk:
    op: str  # "equal", "insert" or "delete"
    text: str


def word_diff(before: str, after: str) -> list[Chunk]:
    """The changes from ``before`` to ``after`` word by word; whitespace is kept so the text reads as written.

    >>> [(c.op, c.text) for c in word_diff("le délai est de 5 jours", "le délai est de 3 jours")]
    [('equal', 'le délai est de '), ('delete', '5'), ('insert', '3'), ('equal', ' jours')]
    """
    a = _TOKENS.findall(before or "")
    b = _TOKENS.findall(after or "")
    chunks: list[Chunk] = []

    def add(op: str, text: str) -> None:
        if not text:
            return
        if chunks and chunks[-1].op == op:
            chunks[-1] = Chunk(op, chunks[-1].text + text)
        else:
            chunks.append(Chunk(op, text))

    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("equal", "".join(a[i1:i2]))
        else:
            add("delete", "".join(a[i1:i2]))
            add("insert", "".join(b[j1:j2]))
    return chunks
