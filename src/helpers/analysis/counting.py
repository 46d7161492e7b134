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


def order_keys(frame: pd.DataFrame) -> tuple[np.ndarray, ...]:
    """The sort keys of the evidence order, one array per key over ``frame``'s rows, least significant first
    (for :func:`numpy.lexsort`). Text keys are ranks among the frame's values, so the keys of any subset of
    rows sort that subset as the subset's own keys would."""
    zeros = np.zeros(len(frame), dtype=np.int64)

    def rank(column: str, order: tuple[str, ...]) -> np.ndarray:
        if column not in frame:
            return zeros
        ranks = {v: i for i, v in enumerate(order)}
        return np.array([ranks.get(v, len(order)) for v in frame[column].tolist()], dtype=np.int64)

    def text(column: str) -> np.ndarray:
        if column not in frame:
            return zeros
        values = frame[column]
        if isinstance(values.dtype, pd.StringDtype):  # the same ranks, without converting the column
            strings = [v if isinstance(v, str) else "" for v in values.tolist()]
            ranks = {v: i for i, v in enumerate(sorted(set(strings)))}
            return np.array([ranks[v] for v in strings], dtype=np.intp)
        return pd.factorize(values.fillna("").astype(str).to_numpy(dtype=object), sort=True)[0]

    status = (frame["status"].to_numpy(dtype=object) != COUNTED_STATUS).astype(np.int64) if "status" in frame else zeros
    if "published" in frame and isinstance(frame["published"].dtype, np.dtype) and frame["published"].dtype.kind == "M":
        published = frame["published"].to_numpy()
        days = published.astype("datetime64[D]").astype(np.int64)
        days[np.isnat(published)] = np.datetime64("1900-01-01", "D").astype(np.int64)
        days = -days
    elif "published" in frame:
        published = pd.to_datetime(frame["published"]).fillna(pd.Timestamp("1900-01-01"))
        days = -published.to_numpy(dtype="datetime64[D]").astype(np.int64)
    else:
        days = zeros
    return (
        text("record_id"),
        text("source_url"),
        days,
        rank("coverage", COVERAGE_ORDER),
        rank("stated_by", BODY_ORDER),
        status,
    )


def ordered(keys: tuple[np.ndarray, ...], positions: np.ndarray) -> np.ndarray:
    """``positions`` (rows of the frame ``keys`` are of, see :func:`order_keys`) sorted best first by the
    evidence order; ties keep the order given."""
    if len(positions) <= 1:
        return positions
    return positions[np.lexsort(tuple(k[positions] for k in keys))]


def evidence_order(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` sorted best first by the evidence order of the module docstring."""
    if len(frame) <= 1:
        return frame
    return frame.iloc[ordered(order_keys(frame), np.arange(len(frame)))]


#: Stands for every missing statement id of a text column (they count as one statement, as in ``duplicated``).
_MISSING = object()


def _kept(frame: pd.DataFrame, positions: np.ndarray, keys: tuple[np.ndarray, ...] | None) -> np.ndarray:
    """Of the rows at ``positions`` in ``frame`` (as a frame in that order), those :func:`one_per_statement`
    keeps (one per ``statement_id``, the first in evidence order, and every row of a label kept), as a mask
    over ``frame``'s rows."""
    best_first = ordered(order_keys(frame) if keys is None else keys, positions)
    statements = frame["statement_id"]
    if isinstance(statements.dtype, pd.StringDtype):
        # the first row of each statement, every missing id counting as one (as ``duplicated`` does for text)
        ids, seen, first = statements.tolist(), set(), []
        for p in best_first.tolist():
            key = _MISSING if pd.isna(ids[p]) else ids[p]
            if key not in seen:
                seen.add(key)
                first.append(p)
    else:
        first = best_first[~statements.take(best_first).duplicated(keep="first").to_numpy()]
    if frame.index.is_unique:
        kept = np.zeros(len(frame), dtype=bool)
        kept[first] = True
    else:
        kept = frame.index.isin(frame.index[first])
    if len(positions) < len(frame):
        among = np.zeros(len(frame), dtype=bool)
        among[positions] = True
        kept &= among
    return kept


def one_per_statement(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per ``statement_id``: the first in evidence order (rule 2); the input's row order kept."""
    if "statement_id" not in frame or frame.empty:
        return frame
    return frame[_kept(frame, np.arange(len(frame)), None)]


def repeats(frame: pd.DataFrame) -> pd.Series:
    """True for rows that repeat a statement another row of ``frame`` already carries (rule 2)."""
    if "statement_id" not in frame or frame.empty:
        return pd.Series(False, index=frame.index)
    return ~_kept(frame, np.arange(len(frame)), None)


def repeats_at(frame: pd.DataFrame, positions: np.ndarray) -> np.ndarray:
    """:func:`repeats` of ``frame.iloc[positions]``, as an array in the order of ``positions``."""
    if "statement_id" not in frame or not len(positions):
        return np.zeros(len(positions), dtype=bool)
    return ~_kept(frame, positions, None)[positions]


def counted_positions(
    frame: pd.DataFrame, positions: np.ndarray, keys: tuple[np.ndarray, ...] | None = None
) -> np.ndarray:
    """Of the rows at ``positions`` in ``frame``, those :func:`counted` keeps of ``frame.iloc[positions]``,
    in the order given (``keys``: :func:`order_keys` of ``frame``, when already computed)."""
    if "status" in frame:
        positions = positions[mask(frame["status"] == COUNTED_STATUS)[positions]]
    if "statement_id" not in frame or not len(positions):
        return positions
    return positions[_kept(frame, positions, keys)[positions]]


def counted(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows that count (rules 1 and 2): confirmed, one per statement."""
    if "status" not in frame:
        return one_per_statement(frame)
    return frame.iloc[counted_positions(frame, np.arange(len(frame)))]


def sort_positions(
    frame: pd.DataFrame, positions: np.ndarray, by: list[str], ascending: bool | list[bool] = True
) -> np.ndarray:
    """``positions`` (rows of ``frame``) in the order ``frame.iloc[positions].sort_values(by, ascending=...)``
    gives them, without building the frame (see :func:`sort_order`)."""
    return positions[sort_order([values_at(frame[c], positions) for c in by], ascending)]


def sort_order(columns: list, ascending: bool | list[bool] = True) -> np.ndarray:
    """The positions that sort rows made of ``columns`` (arrays of the same length, as :func:`values_at`
    gives them) as ``DataFrame.sort_values`` sorts such a frame, missing values last: several keys stably
    by each key's sorted codes, as pandas does; one key by pandas itself, on that column alone."""
    if len(columns) == 1:
        asc = ascending[0] if isinstance(ascending, (list, tuple)) else ascending
        return pd.Series(columns[0], copy=False).sort_values(ascending=asc).index.to_numpy()
    orders = ascending if isinstance(ascending, (list, tuple)) else [ascending] * len(columns)
    labels = []
    for values, asc in zip(reversed(columns), reversed(orders)):
        if isinstance(values, (pd.Series, pd.arrays.NumpyExtensionArray)):
            values = values.to_numpy()  # what pandas sorts a column held by numpy by
        codes, uniques = pd.factorize(values, sort=True)
        missing = codes == -1
        n = len(uniques)
        codes = np.where(missing, n, codes)
        if not asc:
            codes = np.where(missing, codes, n - codes - 1)
        labels.append(codes)
    return np.lexsort(labels) if len(columns[0]) else np.zeros(0, dtype=np.intp)


def mask(condition: pd.Series) -> np.ndarray:
    """A boolean condition as the mask ``frame[condition]`` selects by (a missing value selects nothing)."""
    return condition.to_numpy(dtype=bool, na_value=False)


def values_at(column: pd.Series, positions: np.ndarray):
    """``column``'s values at ``positions``, in a form a frame or a series built from them keeps as they are
    (values held as Python objects stay objects: a frame built from an array of them would infer text)."""
    values = column.array.take(positions)
    return pd.Series(values, dtype=object, copy=False) if column.dtype == object else values


def rows_at(frame: pd.DataFrame, positions: np.ndarray, columns: list[str]) -> pd.DataFrame:
    """``frame.iloc[positions][columns].reset_index(drop=True)``, built column by column (cheaper on small frames)."""
    return pd.DataFrame({c: values_at(frame[c], positions) for c in columns}, columns=columns, copy=False)


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
