"""The project's own error types: one readable message each, no pandas traceback needed."""

from __future__ import annotations

from dataclasses import dataclass


class CollectionError(Exception):
    """Base class of every error the collection raises on purpose."""


@dataclass
class Problem:
    """One broken rule at one place of a file."""

    rule: str
    line: int | None = None
    column: str | None = None
    value: str | None = None

    def describe(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        got = "" if self.value is None else f" (got {self.value!r})"
        prefix = ", ".join(where)
        return f"{prefix}: {self.rule}{got}" if prefix else f"{self.rule}{got}"


class DataError(CollectionError, ValueError):
    """A data file breaks a rule. The message names file, line, column and rule."""

    max_listed = 8

    def __init__(self, file: str, problems: list[Problem] | Problem):
        self.file = file
        self.problems = problems if isinstance(problems, list) else [problems]
        shown = self.problems[: self.max_listed]
        lines = [f"{file}: {p.describe()}" for p in shown]
        more = len(self.problems) - len(shown)
        if more > 0:
            lines.append(f"... and {more} more problem(s) in {file}")
        super().__init__("\n".join(lines))


class CountryNotInDownload(DataError):
    """A download cannot hold a country asked about: its code file (a BACI release's ``country_codes_V*.csv``)
    lists no such country. ``country`` is the ISO3 code asked about; the run's check of the parameters
    turns it into one message naming the countries the download does hold."""

    def __init__(self, file: str, country: str, rule: str):
        self.country = country
        super().__init__(file, Problem(rule))


class ParameterError(CollectionError, ValueError):
    """A run parameter is unknown, of the wrong type or out of range."""


class RunError(CollectionError, RuntimeError):
    """A notebook failed while the runner executed it."""
