"""Parameter sets: read YAML, check every name and type against the notebooks before any kernel starts.

A parameter set is a YAML mapping. Top-level keys are shared: each is passed to every notebook
that declares it in its ``parameters`` cell. An optional ``notebooks:`` mapping holds
per-notebook sections (``notebooks: {01-trade-volume: {growth_window: 5}}``) that override
the shared keys for that notebook. papermill only warns about a misspelt name; here it is refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers.config import NOTEBOOK_DIR, ROOT, display_path
from helpers.errors import ParameterError

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


def _type_ok(type_name: str, value: Any) -> bool:
    """Does ``value`` fit the type papermill inferred from the default (or its annotation)?"""
    t = type_name.lower().replace(" ", "")
    if t in ("none", "", "any"):
        return True
    if t.startswith("optional[") or t.endswith("|none"):
        if value is None:
            return True
        t = t.removeprefix("optional[").removesuffix("]").removesuffix("|none")
    if t in ("float",):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if t in ("int",):
        return isinstance(value, int) and not isinstance(value, bool)
    if t in ("bool",):
        return isinstance(value, bool)
    if t in ("str",):
        return isinstance(value, (str, dt.date))  # YAML reads an unquoted 2020-01-01 as a date
    if t.startswith("list"):
        if not isinstance(value, list):
            return False
        inner = t[5:-1] if t.startswith("list[") else ""
        return all(_type_ok(inner, v) for v in value) if inner else True
    if t.startswith("dict"):
        return isinstance(value, dict)
    return True


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _coerce(type_name: str, value: Any) -> Any:
    """An int given for a float parameter becomes a float, so the injected cell keeps the type."""
    if type_name.lower() == "float" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if type_name.lower() == "str" and isinstance(value, dt.date):
        return value.isoformat()
    return value


def resolve(raw: dict[str, Any], notebooks: list[Path], source: str = "parameters") -> dict[str, dict[str, Any]]:
    """Per-notebook parameters from a raw parameter set, checked against what each notebook declares.

    Raises ParameterError naming the parameter and the accepted names (or the expected type).
    """
    declared = {p.stem: declared_parameters(p) for p in notebooks}
    accepted = sorted({n for d in declared.values() for n in d})
    shared = {k: v for k, v in raw.items() if k not in RESERVED}
    sections = raw.get("notebooks") or {}
    if not isinstance(sections, dict):
        raise ParameterError(f"{source}: 'notebooks' must map notebook names to parameter sections")
    errors: list[str] = []
    for name in shared:
        if name not in accepted:
            errors.append(f"unknown parameter '{name}': no notebook declares it; accepted: {', '.join(accepted)}")
    for stem, section in sections.items():
        if stem not in declared:
            errors.append(f"unknown notebook section '{stem}'; notebooks: {', '.join(sorted(declared))}")
            continue
        if not isinstance(section, dict):
            errors.append(f"section '{stem}' must be a mapping of parameter names to values")
            continue
        for name in section:
            if name not in declared[stem]:
                errors.append(f"unknown parameter '{name}' for {stem}; accepted: {', '.join(sorted(declared[stem]))}")
    result: dict[str, dict[str, Any]] = {}
    for stem, decl in declared.items():
        values = {k: v for k, v in shared.items() if k in decl}
        if isinstance(sections.get(stem), dict):
            values.update({k: v for k, v in sections[stem].items() if k in decl})
        for name, value in values.items():
            if not _type_ok(decl[name].type_name, value):
                hint = ""
                if isinstance(value, str) and _looks_numeric(value):
                    hint = " (YAML reads numbers like 20e9 as text: write 20000000000 or 2.0e+10)"
                errors.append(
                    f"parameter '{name}' ({stem}) must be of type {decl[name].type_name} "
                    f"like its default {decl[name].default}; got {type(value).__name__} {value!r}{hint}"
                )
        result[stem] = {k: _coerce(decl[k].type_name, v) for k, v in values.items()}
    if not errors:
        from helpers.pipeline import rules

        for stem, values in result.items():
            defaults = {k: d.default for k, d in declared[stem].items()}
            errors += [f"{stem}: {msg}" for msg in rules.check(values, defaults)]
    if errors:
        raise ParameterError(f"{source}: " + "\n".join(dict.fromkeys(errors)))
    return result


def parse_overrides(items: list[str] | None) -> dict[str, Any]:
    """``KEY=VALUE`` pairs from the command line; values are read as YAML (``2030`` is an int, ``[a, b]`` a list)."""
    import yaml

    out: dict[str, Any] = {}
    for item in items or []:
        if "=" not in item:
            raise ParameterError(f"--set takes KEY=VALUE; got {item!r}")
        key, text = item.split("=", 1)
        try:
            out[key.strip()] = yaml.safe_load(text)
        except (yaml.YAMLError, ValueError) as exc:
            raise ParameterError(f"--set {key}: value does not parse ({exc}); write dates as YYYY-MM-DD") from None
    return out


def load(
    path: Path | None, notebooks: list[Path], overrides: dict[str, Any] | None = None
) -> dict[str, dict[str, Any]]:
    """Read and check a parameter file (None = every notebook's defaults); ``overrides`` win over shared keys."""
    if path is None:
        return resolve(dict(overrides or {}), notebooks)
    path = path if path.is_absolute() else (Path.cwd() / path)
    if not path.exists() and (ROOT / path.name).exists():
        path = ROOT / path.name
    raw = read_yaml(path)
    if overrides:
        raw = {**raw, **overrides}
        for section in (raw.get("notebooks") or {}).values():
            if isinstance(section, dict):
                for key in overrides:
                    section.pop(key, None)
    return resolve(raw, notebooks, display_path(path))
