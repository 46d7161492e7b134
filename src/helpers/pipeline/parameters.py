"""Parameter sets: read YAML, check every name, type and value against the schema before any kernel starts.

The parameters themselves are declared once, in :mod:`helpers.pipeline.schema`. A parameter set
is a YAML mapping. Top-level keys are shared: each is passed to every notebook that declares it.
An optional ``notebooks:`` mapping holds per-notebook sections
(``notebooks: {01-trade-volume: {growth_window: 5}}``) that override the shared keys for that
notebook. papermill only warns about a misspelt name; here it is refused.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers.config import NOTEBOOK_DIR, ROOT, display_path
from helpers.errors import ParameterError
from helpers.pipeline import schema
from helpers.pipeline.schema import Param

RESERVED = ("notebooks",)


@dataclass(frozen=True)
class Declared:
    """A parameter declared in a notebook's ``parameters`` cell."""

    name: str
    type_name: str
    default: str
    help: str


def notebook_paths(folder: Path = NOTEBOOK_DIR) -> list[Path]:
    """The collection's notebooks, in their numbered order."""
    return sorted(p for p in folder.glob("[0-9][0-9]-*.ipynb"))


def declared_parameters(path: Path) -> dict[str, Declared]:
    """Parameters a notebook declares, read from its tagged ``parameters`` cell without a kernel."""
    import nbformat
    from papermill import inspect_notebook

    nb = nbformat.read(path, as_version=4)
    if not any("parameters" in c.get("metadata", {}).get("tags", []) for c in nb.cells):
        raise ParameterError(f"{display_path(path)} has no cell tagged 'parameters'")
    params = inspect_notebook(str(path))
    return {n: Declared(n, p["inferred_type_name"], p["default"], p["help"]) for n, p in params.items()}


def read_yaml(path: Path) -> dict[str, Any]:
    """Load a parameter file; syntax errors name the line and column."""
    import yaml

    shown = display_path(path)
    if not path.exists():
        raise ParameterError(f"parameter file {shown} not found")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ParameterError(f"{shown}: YAML does not parse{where}: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise ParameterError(f"{shown}: YAML does not parse: {exc}") from None
    except ValueError as exc:  # e.g. an impossible unquoted date such as 2024-02-30
        raise ParameterError(
            f"{shown}: a value does not parse ({exc}); quote text and write dates as YYYY-MM-DD"
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ParameterError(f"{shown}: a parameter set must be a mapping of names to values")
    return data


def _param_from_cell(decl: Declared, stem: str) -> Param:
    """A parameter the schema does not know, described by its cell alone (type, default, comment; no range)."""
    try:
        default = ast.literal_eval(decl.default)
    except (ValueError, SyntaxError):
        default = None
    return Param(decl.name, decl.type_name, default, decl.help, (stem,))


def accepted_parameters(path: Path) -> dict[str, Param]:
    """The parameters a notebook accepts, by name.

    For a notebook the schema describes, the schema's declarations (no kernel, no cell read: a test
    keeps the cell equal to the schema). For any other notebook (a draft, a test's), the names its
    ``parameters`` cell declares, each described by the schema when the schema knows the name.
    """
    described = schema.parameters_of(path.stem)
    if described:
        return {p.name: p for p in described}
    return {
        name: schema.BY_NAME.get(name) or _param_from_cell(decl, path.stem)
        for name, decl in declared_parameters(path).items()
    }


def default_values(path: Path) -> dict[str, Any]:
    """The values a notebook runs with when given none: the schema's defaults for a notebook it describes
    (a test keeps them equal to the cell), else its ``parameters`` cell's."""
    described = schema.parameters_of(path.stem)
    if described:
        return {p.name: p.default for p in described}
    return {name: _param_from_cell(decl, path.stem).default for name, decl in declared_parameters(path).items()}


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _type_problem(stem: str, param: Param, value: Any) -> str | None:
    """A message when ``value`` does not fit the parameter's declared type."""
    if schema.fits(param.type, value):
        return None
    hint = ""
    if isinstance(value, str) and _looks_numeric(value):
        hint = " (YAML reads numbers like 20e9 as text: write 20000000000 or 2.0e+10)"
    return (
        f"parameter '{param.name}' ({stem}) must be of type {param.type} "
        f"like its default {schema.literal(param.default)}; got {type(value).__name__} {value!r}{hint}"
    )


def _name_problems(
    shared: dict[str, Any], sections: dict[str, Any], declared: dict[str, dict[str, Param]]
) -> list[str]:
    """Messages for names no notebook declares, unknown notebook sections and malformed sections."""
    accepted = sorted({n for d in declared.values() for n in d})
    errors = [
        f"unknown parameter '{name}': no notebook declares it; accepted: {', '.join(accepted)}"
        for name in shared
        if name not in accepted
    ]
    for stem, section in sections.items():
        if stem not in declared:
            errors.append(f"unknown notebook section '{stem}'; notebooks: {', '.join(sorted(declared))}")
        elif not isinstance(section, dict):
            errors.append(f"section '{stem}' must be a mapping of parameter names to values")
        else:
            errors += [
                f"unknown parameter '{name}' for {stem}; accepted: {', '.join(sorted(declared[stem]))}"
                for name in section
                if name not in declared[stem]
            ]
    return errors


def _grouped(per_stem: dict[str, list[str]]) -> list[str]:
    """``stem: message`` lines, one per message, naming together the notebooks that share it."""
    stems_of: dict[str, list[str]] = {}
    for stem, messages in per_stem.items():
        for msg in messages:
            stems_of.setdefault(msg, []).append(stem)
    return [f"{', '.join(stems)}: {msg}" for msg, stems in stems_of.items()]


def resolve(raw: dict[str, Any], notebooks: list[Path], source: str = "parameters") -> dict[str, dict[str, Any]]:
    """Per-notebook parameters from a raw parameter set, checked against the schema before any kernel starts.

    Names, then types, then every value check and rule of :mod:`helpers.pipeline.schema`, for every
    notebook. Raises ParameterError naming the parameter and what it accepts.
    """
    declared = {p.stem: accepted_parameters(p) for p in notebooks}
    shared = {k: v for k, v in raw.items() if k not in RESERVED}
    sections = raw.get("notebooks") or {}
    if not isinstance(sections, dict):
        raise ParameterError(f"{source}: 'notebooks' must map notebook names to parameter sections")
    errors = _name_problems(shared, sections, declared)
    result: dict[str, dict[str, Any]] = {}
    for stem, decl in declared.items():
        values = {k: v for k, v in shared.items() if k in decl}
        if isinstance(sections.get(stem), dict):
            values.update({k: v for k, v in sections[stem].items() if k in decl})
        values = {k: decl[k].normalise(v) for k, v in values.items()}  # e.g. ' irn ' or 364 -> 'IRN'
        errors += [m for k, v in values.items() if (m := _type_problem(stem, decl[k], v))]
        result[stem] = {k: schema.coerce(decl[k].type, v) for k, v in values.items()}
    if not errors:
        errors = _grouped({stem: schema.problems(values, declared[stem]) for stem, values in result.items()})
    if errors:
        raise ParameterError(f"{source}: " + "\n".join(dict.fromkeys(errors)))
    return result


def load(
    path: Path | None, notebooks: list[Path], overrides: dict[str, Any] | None = None
) -> dict[str, dict[str, Any]]:
    """Read and check a parameter file (None = every notebook's defaults); ``overrides`` win over shared keys."""
    if path is None:
        return resolve(dict(overrides or {}), notebooks)
    if not path.is_absolute():
        # relative to the project root, as every path of the collection; a file relative to the
        # folder the command was typed in is still found when the root has none of that name
        path = ROOT / path if (ROOT / path).exists() or not (Path.cwd() / path).exists() else Path.cwd() / path
    raw = read_yaml(path)
    if overrides:
        raw = {**raw, **overrides}
        for section in (raw.get("notebooks") or {}).values():
            if isinstance(section, dict):
                for key in overrides:
                    section.pop(key, None)
    return resolve(raw, notebooks, display_path(path))
