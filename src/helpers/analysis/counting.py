"""Which figures count: the one set of rules every question of the collection applies.

Every question asked anywhere (two-way trade in a year, Iran's exports, Iran's share of Iraq's
imports, a category's share, the base and growth of the target, each claim's check) takes its
figures through these rules, in :mod:`helpers.analysis.volume`, :mod:`~helpers.analysis.import_share`,
:mod:`~helpers.analysis.composition` and :mod:`~helpers.analysis.claims`. Rows that do not count
are still shown (charts, pairing tables), marked; they never enter a series, a range or a check.

Rules, stated once:

1. **Status.** Only rows ``confirmed`` at their source count; ``unconfirmed`` rows are shown.
2. **One statement, one figure.** Rows sharing a ``statement_id`` (one statement carried by several
   outlets, or repeated by a second body) count once: the first in :data:`EVIDENCE_ORDER`.
3. **Quality of a total.** A total of Iraq's imports counts when its ``quality`` is ``ok``;
   ``suspect`` totals and totals with ``partial_coverage`` are shown, never counted.
4. **Coverage.** Figures pair only with figures of the same coverage (goods with goods).
5. **Period.** Annual questions use full years; year-to-date figures are never summed with
   anything. A check made at a date uses figures about periods that had ended by then.
6. **Bound.** ``bound`` says what the source says and feeds the comparison (:func:`compare`): an
   ``exact`` figure is compared as it is, an ``approx`` one within the claim's tolerance, a ``lower``
   one ("over", "more than") can only contradict a claim it already exceeds, an ``upper`` one
   ("nearly", "up to") only a claim above it. The bound never decides which figure is preferred.

Evidence order (who measured it, then coverage, then period): the preferred figure of a flow and
period, and the row kept for a repeated statement, is the first by (0) status, confirmed first;
(1) who measured it, in :data:`BODY_ORDER` (customs records before officials' statements,
statements before researchers, mirror data and media); (2) coverage, goods first; (3) the most
recently published page (a later release revises an earlier one); (4) the page, then the record id
(a stable tie-break).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Who measured a figure, best first.
BODY_ORDER = (
    "iranian_customs",
    "trade_promotion",
    "iranian_government",
    "chamber",
    "iraqi_government",
    "iraqi_research",
    "mirror_data",
    "international",
    "media",
)
COVERAGE_ORDER = ("goods", "unspecified", "goods_and_services")
COUNTED_STATUS = "confirmed"
COUNTED_QUALITY = "ok"
#: Labels of when a piece of evidence was published, relative to the date a claim is judged at.
BEFORE, AFTER, UNKNOWN = "before", "after", "date unknown"


def evidence_order(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` sorted best first by the evidence order of the module docstring."""
    if len(frame) <= 1:
        return frame
    zeros = np.zeros(len(frame), dtype=np.int64)

    def rank(column: str, order: tuple[str, ...]) -> np.ndarray:
        if column not in frame:
            return zeros
        ranks = {v: i for i, v in enumerate(order)}
        return np.array([ranks.get(v, len(order)) for v in frame[column].tolist()], dtype=np.int64)

    def text(column: str) -> np.ndarray:
        if column not in frame:
            return zeros
        return pd.factorize(frame[column].fillna("").astype(str).to_numpy(dtype=object), sort=True)[0]

    status = (frame["status"].to_numpy(dtype=object) != COUNTED_STATUS).astype(np.int64) if "status" in frame else zeros
    if "published" in frame:
        published = pd.to_datetime(frame["published"]).fillna(pd.Timestamp("1900-01-01"))
        days = -published.to_numpy(dtype="datetime64[D]").astype(np.int64)
    else:
        days = zeros
    keys = (
        text("record_id"),
        text("source_url"),
        days,
        rank("coverage", COVERAGE_ORDER),
        rank("stated_by", BODY_ORDER),
    )
    return frame.iloc[np.lexsort((*keys, status))]


def one_per_statement(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per ``statement_id``: the first in evidence order (rule 2); the input's row order kept."""
    if "statement_id" not in frame or frame.empty:
        return frame
    kept = evidence_order(frame).drop_duplicates("statement_id", keep="first").index
    return frame[frame.index.isin(kept)]


def repeats(frame: pd.DataFrame) -> pd.Series:
    """True for rows that repeat a statement another row of ``frame`` already carries (rule 2)."""
    if "statement_id" not in frame or frame.empty:
        return pd.Series(False, index=frame.index)
    return ~frame.index.isin(one_per_statement(frame).index)


def counted(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows that count (rules 1 and 2): confirmed, one per statement."""
    confirmed = frame[frame["status"] == COUNTED_STATUS] if "status" in frame else frame
    return one_per_statement(confirmed)


def published_label(published: pd.Series, as_of: pd.Timestamp) -> pd.Series:
    """'before', 'after' or 'date unknown': when each piece of evidence was published, against ``as_of``."""
    label = pd.Series(UNKNOWN, index=published.index, dtype="object")
    label[published.notna() & (published <= as_of)] = BEFORE
    label[published.notna() & (published > as_of)] = AFTER
    return label


def compare(value: float, bound: str, target: float, tolerance: float, claim: str = "equals") -> bool | None:
    """Does a figure (``value`` with its ``bound``) agree with a claim about ``target``?

    ``claim`` is ``"equals"`` (the figure should be ``target`` within ``tolerance``, in the claim's unit),
    ``"at_least"`` ("exceeds", "over") or ``"at_most"``. Returns True (agrees), False (contradicts) or
    None (the figure's bound cannot decide: "over $9bn" neither supports nor refutes "over $10bn").
    An ``approx`` figure gets ``tolerance`` either way; an ``exact`` one is compared as stated within
    the same tolerance only for ``"equals"`` (published figures are rounded).
    """
    low, high = target - tolerance, target + tolerance
    if claim == "at_least":
        if bound == "upper":
            return False if value < low else None
        if value >= target or (bound == "approx" and value >= low):
            return True
        return None if bound == "lower" else False
    if claim == "at_most":
        if bound == "lower":
            return False if value > high else None
        if value <= target or (bound == "approx" and value <= high):
            return True
        return None if bound == "upper" else False
    if bound == "lower":
        return False if value > high else None
    if bound == "upper":
        return False if value < low else None
    return low <= value <= high
