"""``--set KEY=VALUE`` values from the command line, read without the parameter schema.

Kept apart from :mod:`helpers.pipeline.parameters` (which imports the schema, and through it pandas)
so that a rebuild that finds nothing to do stays light (see :mod:`helpers.pipeline.executions`).
"""

from __future__ import annotations

from typing import Any

from helpers.errors import ParameterError


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
