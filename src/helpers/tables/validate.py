"""Step 2 of checking a curated table: the pandera schema built from its specification.

Rules applied here, on the typed frame that :mod:`helpers.tables.parse` builds:

- the columns are exactly the specification's, in its order, each of its kind's dtype; a required
  column has no missing value;
- an enum column holds only its listed values; a column with ``min``/``max`` stays in range (a
  minimum of 0 is worded "no negative values");
- no two rows share the key: every row of a duplicated key is reported, at the key's first column;
- every row rule of the specification holds, and a row that breaks one is reported once, at the
  rule's column, with that row's value.

pandera's failures become :class:`helpers.errors.Problem` entries (line = the frame's index, the
file line), sorted by line and column, in one :class:`helpers.errors.DataError`. pandera is
imported only when a table is checked: that import and the schema are what the store of checked
tables saves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from helpers.errors import DataError, Problem
from helpers.tables.specs import DTYPES, Col, TableSpec

if TYPE_CHECKING:
    import pandera.errors
    import pandera.pandas


def _column_checks(col: Col) -> list[Any]:
    """The pandera checks of one column: its allowed values and its range."""
    import pandera.pandas as pa

    checks = []
    if col.kind == "enum":
        checks.append(pa.Check.isin(list(col.values), error=f"must be one of: {', '.join(col.values)}"))
    if col.min is not None:
        checks.append(
            pa.Check.ge(
                col.min, error=f"must be at least {col.min:g}" + (" (no negative values)" if col.min == 0 else "")
            )
        )
    if col.max is not None:
        checks.append(pa.Check.le(col.max, error=f"must be at most {col.max:g}"))
    return checks


def _frame_checks(spec: TableSpec) -> list[Any]:
    """The pandera checks across columns: the unique key, then the specification's row rules."""
    import pandera.pandas as pa

    checks = [
        pa.Check(
            lambda df, key=spec.key: ~df[list(key)].astype("string").fillna("").duplicated(keep=False),
            error=f"duplicate key: another row has the same ({', '.join(spec.key)})",
        )
    ]
    checks += [pa.Check(rule.test, error=rule.name) for rule in spec.rules]
    return checks


def build_schema(spec: TableSpec) -> pandera.pandas.DataFrameSchema:
    """The pandera schema of ``spec``: strict and ordered columns, column checks, key and row rules."""
    import pandera.pandas as pa

    columns = {
        col.name: pa.Column(DTYPES[col.kind], checks=_column_checks(col), nullable=not col.required)
        for col in spec.columns
    }
    return pa.DataFrameSchema(columns, checks=_frame_checks(spec), strict=True, ordered=True)


#: Built schemas by spec identity (the spec is kept with its schema, so an id is never reused).
_SCHEMAS: dict[int, tuple[TableSpec, Any]] = {}


def schema(spec: TableSpec) -> pandera.pandas.DataFrameSchema:
    """The schema of ``spec``, built once per specification object."""
    entry = _SCHEMAS.get(id(spec))
    if entry is None or entry[0] is not spec:
        entry = _SCHEMAS[id(spec)] = (spec, build_schema(spec))
    return entry[1]


def validate(frame: pd.DataFrame, spec: TableSpec, shown: str) -> pd.DataFrame:
    """Apply the pandera schema of ``spec``; translate failures into one DataError naming ``shown``."""
    import pandera.errors as pe

    try:
        return schema(spec).validate(frame, lazy=True)
    except pe.SchemaErrors as err:
        raise DataError(shown, problems_from_pandera(err, spec, frame)) from None


def problems_from_pandera(err: pandera.errors.SchemaErrors, spec: TableSpec, frame: pd.DataFrame) -> list[Problem]:
    """One Problem per failing value, or per failing row and rule, sorted by line and column."""
    problems = []
    seen: set[tuple[object, str]] = set()
    for case in err.failure_cases.itertuples(index=False):
        problem = _problem(case, spec, frame)
        if case.schema_context == "DataFrameSchema":
            # pandera lists a failing row once per column; report it once, at the rule's column
            if (problem.line, problem.rule) in seen:
                continue
            seen.add((problem.line, problem.rule))
        problems.append(problem)
    problems.sort(key=lambda p: (p.line or 0, p.column or ""))
    return problems


def _problem(case: Any, spec: TableSpec, frame: pd.DataFrame) -> Problem:
    """The Problem of one of pandera's failure cases (a row of ``failure_cases``).

    A rule across columns (or a failure pandera names no column for) is reported at the rule's
    column, a duplicate key at the key's first column, with the row's value there.
    """
    line = None if pd.isna(case.index) else int(case.index)
    column = case.column if isinstance(case.column, str) else None
    rule = str(case.check)
    if case.schema_context != "DataFrameSchema" and column is not None:
        return Problem(rule, line=line, column=column, value=_shown(case.failure_case))
    rule_columns = {r.name: r.column for r in spec.rules}
    column = rule_columns.get(rule, spec.key[0] if rule.startswith("duplicate key") else None)
    value = _shown(frame.at[line, column]) if line is not None and column in frame.columns else None
    return Problem(rule, line=line, column=column, value=value)


def _shown(value: object) -> str | None:
    """A failing value as a message shows it: whole floats without ``.0``, dates as ``YYYY-MM-DD``."""
    if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)
