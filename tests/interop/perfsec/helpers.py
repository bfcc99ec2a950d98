"""Where the report files of the tests are, and a JTL writer for generated runs."""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

FILES = Path(__file__).resolve().parent / "files"

JTL_HEADER = (
    "timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,"
    "sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect"
)


def read(name: str) -> bytes:
    return (FILES / name).read_bytes()


def jtl_line(ts: int, elapsed: int, label: str, ok: bool, threads: int = 1) -> str:
    code, message = ("200", "OK") if ok else ("500", "Internal Server Error")
    return (
        f"{ts},{elapsed},{label},{code},{message},Groupe 1-{threads},text,{'true' if ok else 'false'},,512,128,"
        f"{threads},{threads},https://portail.example.fr/{label},{elapsed},0,0"
    )


def jtl_csv(samples: Iterable[tuple[int, int, str, bool]], *, header: bool = True) -> bytes:
    lines = [JTL_HEADER] if header else []
    lines += [jtl_line(ts, elapsed, label, ok) for ts, elapsed, label, ok in samples]
    return ("\n".join(lines) + "\n").encode()


def jmeter_percentile(values: list[int], fraction: float) -> float:
    """JMeter's StatCalculator.getPercentPoint written out plainly: walk the sorted values until the count reaches
    Math.round(n × fraction)."""
    if fraction >= 1.0:
        return float(max(values))
    target = math.floor(len(values) * fraction + 0.5)
    for value in sorted(values):
        target -= 1
        if target <= 0:
            return float(value)
    raise AssertionError("unreachable")
