"""Where a run's figures come from: the reported figures shipped in ``data/`` (Iran–Iraq only),
or official statistics the user downloaded (UN Comtrade, CEPII BACI) for any country pair."""

from __future__ import annotations

import pandas as pd

from helpers.config import resolve_path
from helpers.errors import ParameterError


def load_official(source: str, data_path: str, reporter: str, partner: str) -> pd.DataFrame:
    """Flows between the pair from the user's download; the file's format must match ``source``."""
    from helpers import official

    if not data_path:
        raise ParameterError(f"source {source!r} needs data_path: the downloaded file or a folder of yearly files")
    path = resolve_path(data_path)
    flows = official.read_flows(path, reporter, partner, progress=False)
    found = set(flows["source"]) if len(flows) else set()
    wanted = {"comtrade": {"comtrade", "comtrade_legacy"}, "baci": {"baci"}}[source]
    if found and not found <= wanted:
        raise ParameterError(
            f"source is {source!r} but {data_path!r} holds {', '.join(sorted(found))} data; set source to match the files"
        )
    return flows
