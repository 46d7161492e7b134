"""Project paths, anchored to the package location rather than the working directory.

papermill runs kernels in the caller's directory and nbval in the notebook's, so a
relative path such as ``../data`` breaks in one of them; everything here is absolute.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Repository root: ``src/helpers/paths.py`` -> two levels up from ``src``.
ROOT: Path = Path(os.environ.get("IRAN_IRAQ_ROOT", Path(__file__).resolve().parents[2]))
DATA_DIR: Path = ROOT / "data"
NOTEBOOK_DIR: Path = ROOT / "notebooks"
PARAMS_DIR: Path = ROOT / "params"
REPORTS_DIR: Path = ROOT / "reports"
DATAPACKAGE: Path = DATA_DIR / "datapackage.json"


def data_file(name: str) -> Path:
    """Absolute path of a shipped data file, e.g. ``data_file("events.csv")``."""
    return DATA_DIR / name


def display_path(path: Path | str) -> str:
    """A path as shown to readers: relative to the repository when inside it.

    Stored notebook outputs and error messages must not carry machine paths.
    """
    p = Path(path).resolve()
    try:
        return p.relative_to(ROOT.resolve()).as_posix()
    except ValueError:
        return p.name if p.is_absolute() else str(path)


def user_cache_dir(*parts: str) -> Path | None:
    """``$XDG_CACHE_HOME/iran-iraq-trade/<parts>`` (``~/.cache`` when unset), or None when there is
    no usable home. A relative or empty ``XDG_CACHE_HOME`` is ignored, as the XDG rules say: caches
    must never land inside the working directory (kernels run in ``notebooks/``)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        try:
            base = str(Path.home() / ".cache")
        except (RuntimeError, KeyError, OSError):  # no HOME and no password entry (some containers)
            return None
        if not os.path.isabs(base):
            return None
    return Path(base, "iran-iraq-trade", *parts)


def configured_cache_dir(env: str, *parts: str) -> Path | None:
    """A cache folder a user can move or turn off: the folder named by the environment variable
    ``env``, None when it says ``off``, else :func:`user_cache_dir` of ``parts``."""
    configured = os.environ.get(env)
    if configured == "off":
        return None
    return Path(configured) if configured else user_cache_dir(*parts)
