"""Questions the evidence cannot answer, said plainly instead of branched around.

A question a pair's evidence cannot answer (no reported figures for that pair, no download given,
no figure for the base year) returns an :class:`Unanswered` holding the reason. Every step a
notebook chains after it (analysis, chart, table, sentence) hands the same object on
(:func:`or_unanswered`), and showing it prints the reason once per notebook cell: in full in the
first cell that shows it, and as its first clause in later cells (:func:`again`), so that a reason
that stops several steps is read once. So a notebook reads as one straight sequence of calls whatever
the source of its data, and a gap stays a gap.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T", bound=type)

#: The names an Unanswered answers to: those of the frames, series and dicts it stands in for, and
#: those of the evidence classes registered with :func:`stands_in_for`. Any other name is a slip in
#: the calling code and raises, so a misspelt method fails on every pair, not only on Iran–Iraq.
_ANSWERS: set[str] = set()


def _known_names() -> set[str]:
    if not _ANSWERS:
        import pandas as pd

        for kind in (pd.DataFrame, pd.Series, dict):
            _ANSWERS.update(n for n in dir(kind) if not n.startswith("_"))
    return _ANSWERS


def stands_in_for(cls: T) -> T:
    """Register the public names of ``cls`` as names an :class:`Unanswered` may stand in for."""
    _known_names().update(n for n in dir(cls) if not n.startswith("_"))
    return cls


def _cell() -> tuple[str, str] | None:
    """(the cell being run, this run of it), or None outside a kernel. The run is its execute request's
    message id (new for every run, whether the notebook is run by papermill, nbval or JupyterLab, which
    do not all count executions). The cell is the cell's own id when the front end sends it (JupyterLab
    does), else its code: either way a cell run again, or a notebook run again top to bottom in the same
    kernel, is the same cell. (A cell run before the one above it, or edited since, may say "see above"
    of a reason shown below or no longer shown: restart the kernel to have every reason in order.)"""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return None
    shell = get_ipython()
    if shell is None:
        return None
    parent = getattr(getattr(shell, "kernel", None), "get_parent", lambda: {})() or {}
    run = parent.get("header", {}).get("msg_id") or str(shell.execution_count)
    code = (parent.get("content") or {}).get("code")
    cell = (parent.get("metadata") or {}).get("cellId") or (f"code:{hash(code)}" if code is not None else run)
    return cell, run


#: Reason -> (the cell that first showed it, every run of a cell that has shown it), in this kernel.
_SAID: dict[str, tuple[str, set[str]]] = {}
#: First words written in capitals only because they begin the reason.
_SENTENCE_STARTS = ("No", "The", "A", "An", "Every", "None", "Nothing", "Two-way")
#: Where a reason's first clause ends: a semicolon or colon, or a full stop before a capital or at the end
#: (so that "e.g. the" or "est. 2018" do not end it).
_CLAUSE_END = re.compile(r"[;:]\s|\.\s+(?=[A-Z])|\.$")


def again(reason: str) -> str:
    """What a later cell prints for a reason an earlier cell printed in full: its first clause (the
    whole reason when that clause is empty)."""
    clause = _CLAUSE_END.split(reason.strip(), maxsplit=1)[0].strip()
    if not clause:
        return reason
    first, _, rest = clause.partition(" ")
    if first in _SENTENCE_STARTS:
        clause = " ".join(filter(None, (first[0].lower() + first[1:], rest)))
    return f"Not answered here either: {clause} (see above)."


class Unanswered:
    """The answer to a question the evidence cannot give, with the reason why.

    It stands in for the frame, figure or sentence the question would have produced: attribute
    access, calls, indexing and iteration give back the same object (iteration gives nothing), so
    code written for the answer runs unchanged and ends by showing the reason.
    """

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def show(self) -> None:
        """Print the reason once per notebook cell: in full in the first cell that shows it, as
        :func:`again` in later ones (in full every time outside IPython)."""
        where = _cell()
        if where is None:
            print(self.reason)
            return
        cell, run = where
        first, runs = _SAID.setdefault(self.reason, (cell, set()))
        if run in runs:
            return
        runs.add(run)
        print(self.reason if cell == first else again(self.reason))

    def __getattr__(self, name: str) -> Unanswered:
        if name.startswith("_"):  # dunders and IPython's _repr_*_ hooks: not part of an answer
            raise AttributeError(name)
        if name not in _known_names():
            raise AttributeError(f"{name!r} is not a question or attribute of any answer (unanswered: {self.reason})")
        return self

    def __call__(self, *args: Any, **kwargs: Any) -> Unanswered:
        return self

    def __getitem__(self, key: Any) -> Unanswered:
        return self

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return f"Unanswered({self.reason!r})"

    def __str__(self) -> str:
        return self.reason


def is_answered(value: Any) -> bool:
    """False for an :class:`Unanswered`, True for anything else."""
    return not isinstance(value, Unanswered)


def first_unanswered(*values: Any) -> Unanswered | None:
    """The first :class:`Unanswered` among ``values``, or None when all are answers."""
    return next((v for v in values if isinstance(v, Unanswered)), None)


def or_unanswered(func: F) -> F:
    """Decorate a step so that an :class:`Unanswered` argument is handed on instead of processed."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        missing = first_unanswered(*args, *kwargs.values())
        return missing if missing is not None else func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def say_finding(line: Any) -> None:
    """Print a notebook's finding (the output of its cell tagged ``finding``, quoted alone on the index,
    in the page's description and in the README): an :class:`Unanswered` prints its whole reason, never
    the short form of a reason said above."""
    print(line.reason if isinstance(line, Unanswered) else line)


def say(*lines: Any) -> None:
    """Print each line; an :class:`Unanswered` prints its reason (once per cell); None prints nothing."""
    for line in lines:
        if line is None:
            continue
        if isinstance(line, Unanswered):
            line.show()
        else:
            print(line)
