"""Domain exceptions raised by :mod:`oeuvre.engine`.

Every error carries enough context for an edge (CLI, API, web page) to print one clear
message without a traceback: the activities of a cycle, the activity and resource that
cannot be scheduled, or the line and field of a bad input file.
"""

from __future__ import annotations

__all__ = ["CycleError", "EngineError", "InfeasibleError", "InputError"]


class EngineError(Exception):
    """Base class of every error raised on purpose by the engine.

    Examples
    --------
    >>> issubclass(CycleError, EngineError)
    True
    """


class CycleError(EngineError):
    """The precedence links form a cycle; ``cycle`` lists its activities in link order.

    Parameters
    ----------
    cycle : list of str
        Activity ids along the cycle; the last one links back to the first.

    Examples
    --------
    >>> err = CycleError(["A", "B", "C"])
    >>> str(err)
    'precedence cycle: A -> B -> C -> A'
    >>> err.cycle
    ['A', 'B', 'C']
    """

    def __init__(self, cycle: list[str]) -> None:
        self.cycle = list(cycle)
        path = " -> ".join([*self.cycle, self.cycle[0]]) if self.cycle else "(empty)"
        super().__init__(f"precedence cycle: {path}")


class InfeasibleError(EngineError):
    """No schedule exists: typically a demand above a resource's capacity.

    Parameters
    ----------
    message : str
        Human-readable reason.
    activity : str, optional
        The activity that cannot be scheduled.
    resource : str, optional
        The resource whose capacity is exceeded.
    chain : tuple of str
        The activities that make it so (a chain of links pushing a deadline, or the work that
        must be done before it on a resource that is too small).
    proven : bool
        ``False`` when no schedule was found within the time limit without proof that none exists.

    Examples
    --------
    >>> err = InfeasibleError("demand 5 exceeds capacity 3", activity="A", resource="dev")
    >>> (err.activity, err.resource)
    ('A', 'dev')
    """

    def __init__(
        self,
        message: str,
        *,
        activity: str | None = None,
        resource: str | None = None,
        chain: tuple[str, ...] = (),
        proven: bool = True,
    ) -> None:
        self.activity = activity
        self.resource = resource
        self.chain = tuple(chain)
        self.proven = proven
        super().__init__(message)


class InputError(EngineError, ValueError):
    """Bad input data; names the source, line (or row) and field when known.

    Parameters
    ----------
    message : str
        What is wrong.
    line : int, optional
        1-based line (or row) number in the source.
    field : str, optional
        Column or key that holds the bad value.
    source : str, optional
        File name or other description of the input.

    Examples
    --------
    >>> str(InputError("unknown predecessor 'Z'", line=4, field="predecessors", source="plan.csv"))
    "plan.csv, line 4, field 'predecessors': unknown predecessor 'Z'"
    """

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        field: str | None = None,
        source: str | None = None,
    ) -> None:
        self.message = message
        self.line = line
        self.field = field
        self.source = source
        where = []
        if source:
            where.append(source)
        if line is not None:
            where.append(f"line {line}")
        if field:
            where.append(f"field {field!r}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)
