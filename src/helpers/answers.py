"""Questions the evidence cannot answer, said plainly instead of branched around.

A question a pair's evidence cannot answer (no reported figures for that pair, no download given,
no figure for the base year) returns an :class:`Unanswered` holding the reason. Every step a
notebook chains after it (analysis, chart, table, sentence) hands the same object on
(:func:`or_unanswered`), and showing it prints the reason once per notebook cell. So a notebook
reads as one straight sequence of calls whatever the source of its data, and a gap stays a gap.
"""

from __future__ import annotations

import functools
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


def _cell() -> str | None:
    """An id of the cell being run: its execute request's message id (new for every cell, whether the
    notebook is run by papermill, nbval or JupyterLab, which do not all count executions), or None
    outside a kernel."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return None
    shell = get_ipython()
    if shell is None:
        return None
    header = getattr(getattr(shell, "kernel", None), "get_parent", lambda: {})()
    msg_id = (header or {}).get("header", {}).get("msg_id")
    return msg_id if msg_id else str(shell.execution_count)


class Unanswered:
    """The answer to a question the evidence cannot give, with the reason why.

    It stands in for the frame, figure or sentence the question would have produced: attribute
    access, calls, indexing and iteration give back the same object (iteration gives nothing), so
    code written for the answer runs unchanged and ends by showing the reason.
    """

    def __init__(self, reason: str) -> None:
        self.reason = reason
        self._shown_in: int | None = None
        self._shown = False

    def show(self) -> None:
        """Print the reason, once per notebook cell (every time outside IPython)."""
        cell = _cell()
        if self._shown and cell is not None and cell == self._shown_in:
            return
        print(self.reason)
        self._shown, self._shown_in = True, cell

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


def say(*lines: Any) -> None:
    """Print each line; an :class:`Unanswered` prints its reason (once per cell); None prints nothing."""
    for line in lines:
        if line is None:
            continue
        if isinstance(line, Unanswered):
            line.show()
        else:
            print(line)
