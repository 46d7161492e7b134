"""Claims check: each checkable statement of the report rated as written, against the evidence in ``data/``.

Rating rules, stated once (also printed by :func:`rules_table`)
-----------------------------------------------------------------
Each claim is checked in one or more *readings*. The first is the **literal reading**: the
sentence as published, with every number, qualifier and scope it has. Each reading gets a result:
``consistent`` (every piece of evidence that decides it agrees), ``inconsistent`` (every one
contradicts it), ``mixed`` (they disagree) or ``unverifiable`` (none decides it). The literal reading
alone decides the claim's **rating**, on a fixed scale mapped to schema.org ClaimReview:

* ``consistent`` (True): the evidence agrees with the literal reading;
* ``misleading`` (Misleading): the literal reading fails, and the same figure is right about a
  different measure (another reading that some evidence supports), which the reason names;
* ``inconsistent`` (False): the literal reading fails, and no other measure explains the figure;
* ``mixed`` (Mixture): the evidence on the literal reading conflicts;
* ``unverifiable`` (Unproven): no evidence decides the literal reading.

Every other reading is reported with its own result beside the rating, never in its place. Which
figures count is decided by :mod:`helpers.analysis.counting` (status, one per statement, quality
of totals, coverage, period, bound); a bound in the source ("over", "about") is a bound in the
comparison (:func:`helpers.analysis.counting.compare`). Every tolerance is named in
:data:`TOLERANCES`.

Dates: a claim is checked at ``as_of`` (the report's date) against figures about periods that had
ended by then; each piece of evidence is labelled as published before or after ``as_of``, or "date
unknown". A claim about a scheduled event is checked against what happened, labelled "after".

Robustness (:func:`robustness`): each rating is recomputed with each publisher of its evidence left
out in turn, then each stating body, then with every tolerance halved and doubled.

A claim with no checking rule here (e.g. a claims file for another country pair) is unverifiable.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import re
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pandas as pd

from helpers.analysis import counting, official
from helpers.answers import Unanswered, is_answered, or_unanswered
from helpers.present import bound_prefix, counted

#: The rating scale, mapped to schema.org ClaimReview: rating -> (ClaimReview ``alternateName``, ``ratingValue``).
#: Numeric scale from WORST_RATING (false) to BEST_RATING (true); "unproven" sits at the midpoint because the
#: evidence neither supports nor contradicts the claim, "mixture" above it because some evidence supports it.
RATING_SCALE = {
    "consistent": ("True", 5),
    "mixed": ("Mixture", 4),
    "unverifiable": ("Unproven", 3),
    "misleading": ("Misleading", 2),
    "inconsistent": ("False", 1),
}
WORST_RATING, BEST_RATING = 1, 5
RATINGS = tuple(RATING_SCALE)
#: Results a reading can have (a reading is never "misleading": that compares readings).
RESULTS = ("consistent", "inconsistent", "mixed", "unverifiable")
RATING_RULES = {
    "consistent": "the evidence agrees with the literal reading of the claim",
    "misleading": "the literal reading fails, and the same figure is right about a different measure (named)",
    "inconsistent": "the literal reading fails, and no other measure explains the figure",
    "mixed": "the evidence on the literal reading conflicts",
    "unverifiable": "no evidence decides the literal reading",
}
#: Every tolerance a check uses: name -> (value, what it allows).
TOLERANCES = {
    "about_level": (0.05, "an 'about' figure supports a level up to 5% above it (relative)"),
    "share_points": (0.05, "a share of imports agrees within 5 percentage points"),
    "category_points": (0.03, "a category's share agrees within 3 percentage points"),
    "roughly_ratio": (0.15, "'roughly' doubling: the ratio within 15% of the stated one"),
    "count_relative": (0.25, "a count agrees within 25% of the stated count"),
    "growth_multiple": (2.0, "'grew significantly': later trade at least this many times the level around 2003"),
}


def default_tolerances() -> dict[str, float]:
    """Every tolerance's value by name (see :data:`TOLERANCES`)."""
    return {k: v for k, (v, _) in TOLERANCES.items()}


#: The seed report's publication date: the default date claims are judged at.
REPORT_DATE = "2024-09-03"


class _Deferred:
    """A field whose value may be given as a function of no arguments that makes it, called when the field is
    first read: a check gives its evidence rows (and a costly reason) this way, so a robustness rerun, which
    reads only results, never builds them. ``default``: the field's default (none when MISSING)."""

    def __init__(self, default=dataclasses.MISSING) -> None:
        self.default = default

    def __set_name__(self, owner, name: str) -> None:
        self.attribute = f"_{name}"

    def __get__(self, obj, owner=None):
        if obj is None:
            return self.default
        value = obj.__dict__[self.attribute]
        if callable(value):
            value = obj.__dict__[self.attribute] = value()
        return value

    def __set__(self, obj, value) -> None:
        obj.__dict__[self.attribute] = value


@dataclass
class Reading:
    """One way of reading a claim, with its result, the reason and the evidence rows (the reason and the rows
    may be given as functions of no arguments that make them when first read)."""

    name: str
    result: str
    reason: str = _Deferred()  # type: ignore[assignment]
    evidence: pd.DataFrame = _Deferred(pd.DataFrame)  # type: ignore[assignment]  # default: no rows
    literal: bool = False

    def __post_init__(self) -> None:
        if self.result not in RESULTS:
            raise ValueError(f"unknown result {self.result!r} (one of {', '.join(RESULTS)})")


@dataclass
class Check:
    """A claim, its readings (the literal one first) and its robustness once computed."""

    claim_id: str
    claim: str
    value: float | None
    unit: str | None
    readings: list[Reading]
    robustness: str = ""

    @property
    def literal(self) -> Reading:
        return next((r for r in self.readings if r.literal), self.readings[0])

    @property
    def others(self) -> list[Reading]:
        return [r for r in self.readings if r is not self.literal]

    @property
    def explained_by(self) -> Reading | None:
        """The other reading the figure is right about, when the literal one fails (consistent first)."""
        if self.literal.result != "inconsistent":
            return None
        for wanted in ("consistent", "mixed"):
            hit = next((r for r in self.others if r.result == wanted), None)
            if hit is not None:
                return hit
        return None

    @property
    def rating(self) -> str:
        return rate(self.literal.result, [r.result for r in self.others])

    @property
    def deciding(self) -> list[Reading]:
        """The readings the rating rests on: the literal one, and the one that makes it misleading."""
        other = self.explained_by
        return [self.literal] + ([other] if other is not None else [])

    @property
    def evidence_after_as_of(self) -> int:
        """How many pieces of evidence the rating uses were published after the date it is judged at."""
        return sum(
            int((r.evidence.get("published_vs_report", pd.Series(dtype=object)) == "after").sum())
            for r in self.deciding
        )

    @property
    def reason(self) -> str:
        lit = self.literal
        text = f"As written ({lit.name}): {lit.result}. {lit.reason}"
        other = self.explained_by
        if other is not None:
            # said in so many words: the badge reads "misleading" beside a literal reading that fails
            text += f" It is right about a different measure: {other.name} ({other.result}), hence misleading."
        rest = " ".join(f"[{r.name}: {r.result}] {r.reason}" for r in self.others)
        return f"{text} Other readings: {rest}" if rest else text


def rate(literal: str, others: list[str]) -> str:
    """The claim's rating from its literal reading's result and the other readings' results."""
    if literal != "inconsistent":
        return literal
    return "misleading" if any(r in ("consistent", "mixed") for r in others) else "inconsistent"


def judge(agrees: list[bool | None]) -> str:
    """Result of one reading from whether each piece of evidence agrees (None: it cannot decide)."""
    decided = [a for a in agrees if a is not None]
    if not decided:
        return "unverifiable"
    if all(decided):
        return "consistent"
    if not any(decided):
        return "inconsistent"
    return "mixed"


@dataclass
class Evidence:
    """Everything the checks may use, loaded once; ``as_of`` is the date the claims are judged at."""

    # each frame may be given as a function of no arguments that makes it when first read (a variant's frames)
    trade: pd.DataFrame = _Deferred()  # type: ignore[assignment]
    imports: pd.DataFrame = _Deferred()  # type: ignore[assignment]
    targets: pd.DataFrame = _Deferred()  # type: ignore[assignment]
    events: pd.DataFrame = _Deferred()  # type: ignore[assignment]
    composition: pd.DataFrame = _Deferred()  # type: ignore[assignment]
    as_of: pd.Timestamp = field()
    #: Every event, also after ``as_of``: a claim about a scheduled event is checked against what happened.
    events_all: pd.DataFrame | None = _Deferred(None)  # type: ignore[assignment]
    tolerances: dict[str, float] = field(default_factory=lambda: default_tolerances())
    #: Variants made by :meth:`without` and :meth:`scaled`, kept so that the claims sharing a source
    #: share its variant and the series derived from it (robustness reruns).
    _variants: dict[tuple, "Evidence"] = field(default_factory=dict, init=False, repr=False, compare=False)
    #: Series derived from the frames, by the rows they are computed from (see :meth:`_derived`); shared by an
    #: evidence and its variants, whose frames are its own with rows left out.
    _series: dict[tuple, pd.DataFrame] = field(default_factory=dict, init=False, repr=False, compare=False)
    #: The values of the columns rows were left out by (see :meth:`without`), by frame and column.
    _values: dict[tuple, set | None] = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def judged_at(
        cls,
        as_of: str,
        trade: pd.DataFrame,
        imports: pd.DataFrame,
        targets: pd.DataFrame,
        events: pd.DataFrame,
        composition: pd.DataFrame,
    ) -> "Evidence":
        """The evidence about what had happened by ``as_of``: figures about periods that had ended by
        then (period-less statements made by then), events and statements dated by then. Figures
        published later about those periods are kept and labelled (see :func:`label_dates`)."""
        when = pd.Timestamp(as_of)
        trade, imports, targets, events, composition = map(
            _python_strings, (trade, imports, targets, events, composition)
        )

        def ended(frame: pd.DataFrame) -> pd.DataFrame:
            # a period-less statement is placed at its publication, or when unknown at the end of its year
            periodless = frame["calendar"] == "unstated"
            placed = frame["published"].fillna(frame["end"])
            return frame[(~periodless & (frame["end"] <= when)) | (periodless & (placed <= when))]

        return cls(
            trade=ended(trade),
            imports=imports[imports["year"] < when.year],
            targets=targets[targets["date"] <= when],  # undated statements cannot be placed before the date
            events=events[events["date"] <= when],
            composition=ended(composition),
            as_of=when,
            events_all=events,
        )

    def without(self, column: str, value: str) -> "Evidence":
        """The same evidence with every row whose ``column`` is ``value`` left out (robustness)."""
        if ("without", column, value) in self._variants:
            return self._variants[("without", column, value)]
        frames = ("trade", "imports", "targets", "events", "composition", "events_all")
        # each frame is made when a check first reads it
        made = {name: functools.partial(self._without, name, column, value) for name in frames}
        variant = dataclasses.replace(self, **made)
        variant._series = self._series
        self._variants[("without", column, value)] = variant
        return variant

    def _without(self, name: str, column: str, value: str) -> pd.DataFrame | None:
        """Frame ``name`` without the rows whose ``column`` is ``value`` (see :meth:`without`)."""
        frame = getattr(self, name)
        if frame is None or column not in frame:
            return frame
        present = self._present(name, column)
        if present is not None and value not in present:
            return frame  # no row to leave out
        kept = frame[frame[column] != value]
        return frame if len(kept) == len(frame) else kept  # the same object: its derived series stay valid

    def _present(self, name: str, column: str) -> set | None:
        """The values of ``column`` in frame ``name`` (None when some are missing, or cannot be collected)."""
        key = (name, column)
        if key not in self._values:
            values = getattr(self, name)[column]
            try:
                self._values[key] = None if values.isna().any() else set(values.tolist())
            except TypeError:  # values that cannot be collected in a set
                self._values[key] = None
        return self._values[key]

    def scaled(self, factor: float) -> "Evidence":
        """The same evidence with every tolerance multiplied by ``factor`` (robustness)."""
        key = ("scaled", factor)
        if key not in self._variants:
            variant = dataclasses.replace(self, tolerances={k: v * factor for k, v in self.tolerances.items()})
            variant._series = self._series
            self._variants[key] = variant
        return self._variants[key]

    def _derived(self, name: str, rows: dict[str, pd.Series], compute: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        """The series ``name`` computed from the frames' rows that ``rows`` marks (frame name -> condition),
        which are all it depends on: a variant with the same rows gets the series computed first (its frames
        are those of the evidence it was made from, with rows left out, so the rows are the same values)."""
        key: tuple = (name, self.as_of)
        for frame_name, condition in rows.items():
            index = getattr(self, frame_name).index
            if not index.is_unique:
                return compute()
            key += (frame_name, tuple(index[counting.mask(condition)]))
        if key not in self._series:
            self._series[key] = compute()
        return self._series[key]

    def tolerance(self, name: str) -> float:
        return self.tolerances[name]

    # Series several checks read, computed once per Evidence (checks must not modify them).

    @functools.cached_property
    def two_way_ended(self) -> pd.DataFrame:
        """Preferred two-way trade per Iranian year (notebook 01's series), periods ended by ``as_of``."""
        from helpers.analysis import volume

        t = self.trade
        full_years = t["flow"].isin(TWO_WAY_FLOWS) & ~t["partial"] & (t["calendar"] != "unstated")
        return self._derived("two_way", {"trade": full_years}, lambda: volume.two_way(t, "iranian"))

    @functools.cached_property
    def counted_composition(self) -> pd.DataFrame:
        """The reported groups that count, with their shares (what category shares and energy's share sum)."""
        from helpers.analysis import composition

        return self._derived(
            "counted composition", self._confirmed("composition"), lambda: composition.counted_shares(self.composition)
        )

    @functools.cached_property
    def category_shares(self) -> pd.DataFrame:
        """Category shares of every breakdown (notebook 02's), energy included."""
        from helpers.analysis import composition

        return self._derived(
            "category shares",
            self._confirmed("composition"),
            lambda: composition.category_shares_of(self.counted_composition, include_energy=True),
        )

    @functools.cached_property
    def energy_effect(self) -> pd.DataFrame:
        """Energy's share in each breakdown that itemises it (notebook 02's)."""
        from helpers.analysis import composition

        return self._derived(
            "energy effect",
            self._confirmed("composition"),
            lambda: composition.energy_effect_of(self.counted_composition),
        )

    def _confirmed(self, name: str) -> dict[str, pd.Series]:
        """The rows of frame ``name`` that can count (see :func:`helpers.analysis.counting.counted`)."""
        frame = getattr(self, name)
        status = frame["status"] == counting.COUNTED_STATUS if "status" in frame else pd.Series(True, frame.index)
        return {name: status}

    def _numerator_rows(self) -> dict[str, pd.Series]:
        """The trade rows Iran's sales to Iraq are taken from (see :func:`helpers.analysis.import_share.numerators`)."""
        from helpers.analysis import import_share

        return {"trade": self.trade["flow"].isin(import_share.NUMERATOR_FLOWS) & ~self.trade["partial"]}

    @functools.cached_property
    def numerators(self) -> pd.DataFrame:
        """Notebook 02's figures of Iran's sales to Iraq (see :func:`helpers.analysis.import_share.numerators`):
        the reported ones and the estimates, each kept for the rows it is made of."""
        from helpers.analysis import import_share

        def both() -> pd.DataFrame:
            t = self.trade
            reported = self._derived(
                "reported numerators",
                {"trade": import_share.reported_rows(t)},
                lambda: import_share.reported_numerators(t),
            )
            estimated = self._derived(
                "estimated numerators",
                {"trade": import_share.estimated_rows(t)},
                lambda: import_share.estimated_numerators(t),
            )
            return pd.concat([reported, estimated], ignore_index=True)

        return self._derived("numerators", self._numerator_rows(), both)

    def _total_rows(self) -> dict[str, pd.Series]:
        """The rows of Iraq's total imports (see :func:`helpers.analysis.import_share.denominators`)."""
        return {"imports": self.imports["partner"] == "WLD"}

    @functools.cached_property
    def denominators(self) -> pd.DataFrame:
        """Notebook 02's totals of Iraq's imports (see :func:`helpers.analysis.import_share.denominators`)."""
        from helpers.analysis import import_share

        return self._derived("denominators", self._total_rows(), lambda: import_share.denominators(self.imports))

    @functools.cached_property
    def pairings(self) -> pd.DataFrame:
        """Notebook 02's pairings of Iran's sales with Iraq's total imports, years ended by ``as_of``."""
        from helpers.analysis import import_share

        def pair_up() -> pd.DataFrame:
            pairs = import_share.pair_with(self.numerators, self.denominators)
            ended = pairs["year"] < self.as_of.year
            return pairs if ended.all() else pairs[ended]  # (every row kept: the same frame)

        return self._derived("pairings", {**self._numerator_rows(), **self._total_rows()}, pair_up)

    def itemised_shares(self, single_groups: bool) -> pd.DataFrame:
        """Category shares from the breakdowns :func:`helpers.analysis.composition.comparable_breakdowns`
        accepts (with ``single_groups``, also a statement of one group's share)."""
        from helpers.analysis import composition

        def itemised() -> pd.DataFrame:
            shares = self.category_shares
            comparable = composition.comparable_breakdowns(shares, single_groups=single_groups)
            return shares[shares["breakdown"].isin(comparable)]

        return self._derived(f"itemised shares {single_groups}", self._confirmed("composition"), itemised)


#: The flows two-way trade is read from (see :func:`helpers.analysis.volume.two_way`).
TWO_WAY_FLOWS = ("two_way", "iran_exports_to_iraq", "iran_imports_from_iraq")


def _python_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its pyarrow-backed text columns held as Python strings: the same values and missing
    values, but far cheaper row selection on frames of a few hundred rows (the robustness reruns filter them
    thousands of times)."""
    text = {
        column: pd.StringDtype("python", na_value=dtype.na_value)
        for column, dtype in frame.dtypes.items()
        if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"
    }
    return frame.astype(text) if text else frame


def label_dates(frame: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """``frame`` with ``published_vs_report``: 'before', 'after' or 'date unknown' (from ``published``,
    else the statement's or event's ``date``)."""
    if frame.empty:
        return frame
    column = "published" if "published" in frame else "date" if "date" in frame else None
    when = pd.to_datetime(frame[column]) if column else pd.Series(pd.NaT, index=frame.index)
    return frame.assign(published_vs_report=counting.published_label(when, as_of))


def _src(frame: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    keep = [c for c in cols if c in frame.columns]
    return frame[keep].reset_index(drop=True)


def _tuples(frame: pd.DataFrame, names: str, positions: np.ndarray | None = None) -> list:
    """The rows of ``frame`` (those at ``positions``, when given) as named tuples of the columns ``names``
    (space-separated), holding the values ``itertuples`` gives, without building a tuple of every column."""
    columns = names.split()
    row = _row_type(tuple(columns))
    if positions is None:
        values = [list(frame[c]) for c in columns]
    else:
        values = [list(pd.Series(counting.values_at(frame[c], positions), copy=False)) for c in columns]
    return [row(*found) for found in zip(*values)]


@functools.lru_cache(maxsize=None)
def _row_type(columns: tuple[str, ...]):
    return collections.namedtuple("Row", columns)


def _published_after(published: Any, ev: "Evidence") -> str:
    """``, published after <the date judged at>`` for a piece of evidence published after it (by
    :func:`counting.published_label`, as its evidence table labels it), else ``""``."""
    when = pd.Series([pd.to_datetime(published, errors="coerce")])
    return f", published after {_on(ev)}" if counting.published_label(when, ev.as_of).iloc[0] == counting.AFTER else ""


def _on(ev: "Evidence") -> str:
    """The date the claims are judged at, in words ('1 January 2003')."""
    return f"{ev.as_of.day} {ev.as_of:%B %Y}"


TRADE_COLUMNS = ["period", "measure", "value", "bound", "stated_by", "publisher", "published", "record_id"]
EVENT_COLUMNS = ["date", "title", "publisher", "event_id"]


# ---------------------------------------------------------------------------
# Checks, one per claim id. Each returns its readings, the literal one first.


def check_trade_over_10bn(ev: Evidence, claim: pd.Series) -> list[Reading]:
    """'Currently, annual trade exceeds $10bn': the latest full year before the report, then others beside."""
    from helpers.analysis import volume

    threshold = float(claim["value"])
    tol = ev.tolerance("about_level") * threshold
    t = ev.trade
    keys = counting.order_keys(t)

    def counted(rows: pd.Series | np.ndarray) -> np.ndarray:
        """The positions of ``counting.counted`` of the rows at ``rows`` (positions, or a condition on ``t``)."""
        at = rows if isinstance(rows, np.ndarray) else np.flatnonzero(counting.mask(rows))
        return counting.counted_positions(t, at, keys)

    # the two-way figures that count, then the exports that count, full years only
    full_years = [counted(volume.full_year_positions(t, flow)) for flow in ("two_way", "iran_exports_to_iraq")]
    iranian = np.concatenate(full_years)
    iranian = iranian[counting.mask(t["calendar"] == "iranian")[iranian]]

    figures = _tuples(t, "year flow bound value stated_by publisher period published", iranian)
    measures = {True: "two-way", False: "exports only (two-way is more)"}

    def year_reading(year: int, name: str, literal: bool) -> Reading:
        rows = [r for r in figures if not pd.isna(r.year) and r.year == year]
        # exports alone are a lower bound on two-way trade: only an 'over' figure can come of them (a
        # missing bound counts as none)
        as_two_way = [
            r.bound if r.flow == "two_way" or (not pd.isna(r.bound) and r.bound != "exact") else "lower" for r in rows
        ]
        agrees = [counting.compare(r.value, b, threshold, tol, "at_least") for r, b in zip(rows, as_two_way)]
        listed = "; ".join(
            f"{measures[r.flow == 'two_way']} {bound_prefix(r.bound)}${r.value / 1e9:.1f}bn "
            f"({r.stated_by}, {r.publisher}{_published_after(r.published, ev)})"
            for r in rows
        )

        def evidence() -> pd.DataFrame:
            shown = t.iloc[iranian]
            shown = shown[shown["year"] == year].copy()
            shown["measure"] = (shown["flow"] == "two_way").map(measures)
            return _src(shown, TRADE_COLUMNS)

        return Reading(name, judge(agrees), f"{rows[0].period}: {listed}.", evidence, literal)

    readings = []
    years = sorted({r.year for r in figures})
    if years:
        readings.append(year_reading(years[-1], "the latest full Iranian year before the report", True))
    else:
        readings.append(
            Reading(
                "the latest full year before the report",
                "unverifiable",
                f"No full-year figure of two-way trade or of Iran's exports to Iraq for an Iranian year ended by "
                f"{_on(ev)} is in the data.",
                literal=True,
            )
        )
    if len(years) > 1:
        readings.append(year_reading(years[-2], "the Iranian year before that", False))
    greg = counted(
        (t["calendar"] == "gregorian")
        & ~t["partial"]
        & t["flow"].isin(["two_way", "iraq_imports_from_iran"])
        & (t["year"] >= ev.as_of.year - 2)
    )
    if len(greg):
        figures = _tuples(t, "year flow bound value publisher", greg)
        agrees = [
            counting.compare(r.value, r.bound, threshold, tol, "at_least") if r.flow == "two_way" else None
            for r in figures
        ]
        reason = "; ".join(
            f"{r.year} {r.flow.replace('_', ' ')}: {bound_prefix(r.bound)}${r.value / 1e9:.1f}bn ({r.publisher})"
            for r in figures
        )
        if any(r.flow != "two_way" for r in figures):
            reason += " (one direction alone decides nothing about two-way trade)"
        readings.append(
            Reading(
                "the latest calendar years, Iraqi-side or mirror figures",
                judge(agrees),
                reason + ".",
                lambda: _src((shown := t.iloc[greg]).assign(measure=shown["flow"]), TRADE_COLUMNS),
            )
        )
    stated = counted(
        (t["calendar"] == "unstated")
        & (t["flow"] == "two_way")
        & (t["published"] >= ev.as_of - pd.DateOffset(months=18))
        & ~t["speaker"].str.contains("ambassador to Iran", case=False, na=False)  # not the claim's own source
    )
    if len(stated):
        figures = _tuples(t, "published speaker bound value", stated)
        agrees = [counting.compare(r.value, r.bound, threshold, tol, "at_least") for r in figures]
        reason = "; ".join(
            f"{r.published:%Y-%m} {r.speaker}: {bound_prefix(r.bound)}${r.value / 1e9:.1f}bn" for r in figures
        )
        readings.append(
            Reading(
                "annual levels other officials stated in the 18 months before",
                judge(agrees),
                reason + ".",
                lambda: _src(t.iloc[stated].assign(measure="stated annual level"), ["speaker", *TRADE_COLUMNS]),
            )
        )
    return readings


def check_aim_20bn(ev: Evidence, claim: pd.Series) -> list[Reading]:
    """'Iraq's goal is $20bn': statements of that two-way goal by the Iraqi side before the report."""
    t = ev.targets
    # positions in t: the statements of this goal, those of the Iraqi side, those of them dated (by date)
    goal = np.flatnonzero(
        counting.mask((t["measure"] == "two_way_trade") & (t["target_value"] == float(claim["value"])))
    )
    # the statement the report quotes is the claim itself, not evidence for it: its speaker's, in the week
    # before the report
    quoted = goal[counting.mask(_quoted_by_report(t, claim))[goal]]
    iraqi = np.setdiff1d(goal[counting.mask(t["side"].isin(["iraqi", "joint"]))[goal]], quoted)
    name = "the Iraqi side states this two-way goal"
    goal_words = f"${float(claim['value']) / 1e9:.0f}bn two-way goal"
    if not len(goal):
        why = f"No statement of a {goal_words} dated by {_on(ev)} is in the data."
        return [Reading(name, "unverifiable", why, literal=True)]
    dated = counting.sort_positions(t, iraqi[counting.mask(t["date"].notna())[iraqi]], ["date"])
    stated = f"{counted(len(goal), 'statement')} of a {goal_words} dated by {_on(ev)}"
    besides = " besides the one the report quotes" if len(quoted) else ""
    if not len(iraqi):
        # statements by the Iranian side alone say nothing about Iraq's goal: no evidence either way
        reason = (
            f"{stated}, none by Iraqi officials or both sides{besides}: "
            f"{'no other statement' if len(quoted) else 'none'} states it as Iraq's goal."
        )
    else:
        when = t["date"].iloc[dated[0]]
        speakers = counted(t["speaker"].iloc[iraqi].nunique(), "speaker")
        reason = (
            f"{stated}, {len(iraqi)} by Iraqi officials or both sides{besides} ({speakers}); first dated Iraqi "
            f"or joint statement {when:%B %Y} ({t['speaker'].iloc[dated[0]]})."
        )
        if when <= ev.as_of - pd.DateOffset(years=1):
            reason += " The goal is long-standing, not new."
    cols = ["date", "speaker", "side", "quoted_by_report", "target_value", "deadline_year", "publisher", "target_id"]

    def shown() -> pd.DataFrame:  # every statement of the goal; the one the report quotes said to be so
        rows = t.iloc[goal].assign(quoted_by_report=np.isin(goal, quoted))
        return _src(rows.sort_values("date"), cols)

    return [Reading(name, "consistent" if len(iraqi) else "unverifiable", reason, shown, literal=True)]


def _quoted_by_report(targets: pd.DataFrame, claim: pd.Series) -> pd.Series:
    """Whether each statement is the one the report quotes: by the claim's speaker (``role``), dated in
    the week up to the report's date."""
    report = pd.Timestamp(REPORT_DATE)
    speaker = claim.get("speaker")
    speaker = "" if speaker is None or pd.isna(speaker) else str(speaker)
    dates = pd.to_datetime(targets["date"])
    return (targets["role"] == speaker) & (dates > report - pd.Timedelta(days=7)) & (dates <= report)


def check_target_doubles(ev: Evidence, claim: pd.Series) -> list[Reading]:
    """'Reaching the goal roughly doubles trade': the goal over the latest two-way level of notebook 01's series."""
    tw = ev.two_way_ended
    name = "the goal over the latest two-way level"
    if tw.empty:
        why = f"No two-way figure for a year ended by {_on(ev)} is in notebook 01's series."
        return [Reading(name, "unverifiable", why, literal=True)]
    last = tw.iloc[-1]
    goals = ev.targets[ev.targets["measure"] == "two_way_trade"]["target_value"]
    if goals.empty:
        why = f"No statement of a two-way goal dated by {_on(ev)} is in the data."
        return [Reading(name, "unverifiable", why, literal=True)]
    target = float(goals.mode().iloc[0])
    ratio = target / float(last["value"])
    stated = float(claim["value"])
    # a lower-bound level gives an upper-bound ratio
    ratio_bound = {"lower": "upper", "upper": "lower"}.get(last["bound"], last["bound"])
    ok = counting.compare(ratio, ratio_bound, stated, ev.tolerance("roughly_ratio") * stated)
    reason = (
        f"${target / 1e9:.0f}bn over the latest preferred two-way figure ({last['period'].split(' (')[0]}: "
        f"{bound_prefix(last['bound'])}${last['value'] / 1e9:.1f}bn, {last['stated_by']}) is {ratio:.2f}."
    )
    return [Reading(name, judge([ok]), reason, lambda: _src(tw.tail(1), TRADE_COLUMNS), literal=True)]


def _events_matching(events: pd.DataFrame, pattern: str, exclude: str | None = None) -> pd.DataFrame:
    hit = counting.mask(
        events["event_id"].str.contains(pattern, case=False, regex=True)
        | events["title"].str.contains(pattern, case=False, regex=True)
    )
    if exclude:
        hit = hit & counting.mask(~events["event_id"].str.contains(exclude, case=False, regex=True))
    return events.iloc[counting.sort_positions(events, np.flatnonzero(hit), ["date"])]


def check_semnan_first(ev: Evidence, claim: pd.Series) -> list[Reading]:
    """'Semnan is set to be the first with a joint industrial city': no evidence either way that one was built."""
    earlier = _events_matching(ev.events, "industrial", exclude="semnan")
    earlier = earlier[earlier["date"] < ev.as_of]
    plans = "; ".join(f"{r.date:%Y-%m} {r.title}" for r in _tuples(earlier, "date title"))
    own = _events_matching(ev.events, "semnan")
    readings = [
        Reading(
            "Semnan is to be the first place with a joint industrial city with Iraq",
            "unverifiable",
            (
                f"Earlier plans for joint industrial towns are on record ({plans}), but the data hold no evidence "
                "that any was built, so 'the first' can be neither confirmed nor refuted."
                if plans
                else f"No plan for a joint industrial town with Iraq dated by {_on(ev)} is in the data, nor any "
                "evidence that one was built, so 'the first' can be neither confirmed nor refuted."
            ),
            lambda: _src(earlier, EVENT_COLUMNS),
            literal=True,
        )
    ]
    if len(own):
        readings.append(
            Reading(
                "Semnan is to host joint industrial units (what the reports of the meeting say)",
                "consistent",
                "The reports of the meeting speak of first steps towards joint industrial units in Semnan; "
                "none says 'city' or 'first': "
                + "; ".join(
                    f"{r.date:%d %B %Y} {r.title} ({r.publisher})" for r in _tuples(own, "date title publisher")
                )
                + ".",
                lambda: _src(own, EVENT_COLUMNS),
            )
        )
    return readings


def _count_in(text: str) -> float:
    m = re.search(r"(\d[\d,]*)", text)
    return float(m.group(1).replace(",", "")) if m else float("nan")


def check_students(ev: Evidence, claim: pd.Series) -> list[Reading]:
    """'1,200 Iraqi students study in Iran': other officials' national counts, and the primary reports' 'over'."""
    own = "students-1200"
    others = _events_matching(ev.events, "students", exclude=own)
    primary = _events_matching(ev.events, own)
    value = float(claim["value"])
    tol = ev.tolerance("count_relative") * value
    counts = others.assign(count=[_count_in(t) for t in others["title"]])
    counts = counts[counts["count"].notna()]
    listed = "; ".join(f"{r.date:%Y-%m}: {r.title}" for r in _tuples(counts, "date title"))
    cols = [*EVENT_COLUMNS[:2], "count", *EVENT_COLUMNS[2:]]
    none = f"No national count of Iraqi students in Iran by other officials dated by {_on(ev)} is in the data."
    literal = Reading(
        f"{value:,.0f} Iraqi students study in Iran (a count of all of them)",
        judge([counting.compare(c, "exact", value, tol) for c in counts["count"]]),
        f"Other officials' national counts: {listed}." if listed else none,
        lambda: _src(counts, cols),
        literal=True,
    )
    said = (
        "; ".join(f"{r.publisher}: {r.description}" for r in _tuples(primary, "publisher description"))
        if "description" in primary
        else ""
    )
    above = int((counts["count"] > value).sum())
    if counts.empty:
        found = none
    elif above == len(counts):
        span = f"{counts['count'].min():,.0f} to {counts['count'].max():,.0f}"
        found = (
            f"Every national count ({span}) is above {value:,.0f}."
            if len(counts) > 1
            else f"The one national count ({counts['count'].iloc[0]:,.0f}) is above {value:,.0f}."
        )
    else:
        found = f"{len(counts) - above} of {len(counts)} national counts are not above {value:,.0f}."
    as_put = {0: "", 1: ", as a report of the meeting puts it"}
    as_put = as_put.get(len(primary), ", as the reports of the meeting put it")
    reports = "The report of the meeting" if len(primary) == 1 else "The reports of the meeting"
    lower = Reading(
        f"more than {value:,.0f} Iraqi students (a lower bound{as_put})",
        judge([counting.compare(c, "exact", value, tol, "at_least") for c in counts["count"]]),
        found + (f" {reports}: {said}" if said else ""),
        lambda: _src(counts, cols),
    )
    semnan = Reading(
        "Iraqi students in Semnan province",
        "unverifiable",
        "An English copy of the meeting's report ties the figure to Semnan; no count for the province is in the data.",
    )
    return [literal, lower, semnan]


def check_ten_categories(ev: Evidence, claim: pd.Series) -> list[Reading]:
    """'The chamber splits Iran's exports into ten categories': the chamber's document was not found."""
    groups = statement_breakdowns(ev.composition)
    if not groups:
        found = f"no breakdown of Iran's exports to Iraq for a period ended by {_on(ev)} is in the data."
    elif len(groups) == 1:
        found = (
            "the one published breakdown in the data does not use these ten categories "
            f"(it lists {counted(groups[0], 'group')})."
        )
    else:
        found = (
            f"none of the {len(groups)} published breakdowns in the data uses these ten categories "
            f"(the largest lists {counted(max(groups), 'group')})."
        )
    return [
        Reading(
            "the chamber classifies exports into these ten categories",
            "unverifiable",
            f"The chamber's document was not found; {found}",
            literal=True,
        )
    ]


def statement_breakdowns(comp: pd.DataFrame) -> list[int]:
    """How many groups each published breakdown lists, one breakdown per statement: the groups one page gives
    for one period and body (confirmed rows only) are one breakdown, and breakdowns sharing a ``statement_id``
    (one statement carried by several outlets) are one, counted once with its distinct statements."""
    if "status" in comp:
        comp = comp[comp["status"] == counting.COUNTED_STATUS]
    keys = list(zip(comp["period"].tolist(), comp["stated_by"].tolist(), comp["source_url"].tolist()))
    ids = [
        record if pd.isna(statement) else statement
        for statement, record in zip(comp["statement_id"].tolist(), comp["record_id"].tolist())
    ]
    parent: dict = {}

    def root(node):
        while parent.setdefault(node, node) != node:
            node = parent[node]
        return node

    for key, statement in zip(keys, ids):  # a page's breakdown and each statement it carries are joined
        parent[root(("page", key))] = root(("statement", statement))
    members: dict = {}
    for statement in dict.fromkeys(ids):
        members.setdefault(root(("statement", statement)), set()).add(statement)
    return sorted((len(found) for found in members.values()), reverse=True)


def _itemised_shares(ev: Evidence, single_groups: bool = False) -> pd.DataFrame:
    """Category shares from the breakdowns :func:`helpers.analysis.composition.comparable_breakdowns` accepts."""
    return ev.itemised_shares(single_groups)


SHARE_BOUNDS = {"as computed": "exact", "approximate": "approx", "lower bound": "lower"}


def energy_interval(share: float, bound: str, not_itemised: float) -> tuple[float, float]:
    """The range energy's true share of a breakdown can lie in: the stated ``share`` as its ``bound`` allows
    ("more than 65%": 65% up to all of it; "nearly": up to the figure), widened by the part ``not_itemised``,
    which may be energy or not. An "about" figure is compared as stated (as :func:`counting.compare` does);
    a bound both ways (``unknown``) leaves the whole range open."""
    gap = 0.0 if pd.isna(not_itemised) else float(not_itemised)
    share = float(share)
    if bound == "lower":
        return share, 1.0
    if bound == "upper":
        return 0.0, min(1.0, share + gap)
    if bound in ("exact", "approx"):
        return share, min(1.0, share + gap)
    return 0.0, 1.0


def interval_agrees(low: float, high: float, target: float, tolerance: float) -> bool | None:
    """Does a share known only to lie between ``low`` and ``high`` agree with ``target`` within ``tolerance``?
    True when the whole range is within it, False when none of it is, None (cannot decide) otherwise: for a
    single figure (``low == high``) the comparison of an exact one, for ``(figure, 1)`` that of a lower bound."""
    if low >= target - tolerance and high <= target + tolerance:
        return True
    if high < target - tolerance or low > target + tolerance:
        return False
    return None


def _interval_words(low: float, high: float) -> str:
    """'40%', '59%–68%', 'over 65%' or 'up to 35%' for a share between ``low`` and ``high``."""
    if round(low, 2) == round(high, 2):
        return f"{low:.0%}"
    if high >= 1.0 - 1e-9 and low > 1e-9:
        return f"over {low:.0%}"
    if low <= 1e-9 and high < 1.0 - 1e-9:
        return f"up to {high:.0%}"
    if low <= 1e-9:
        return "not known"
    return f"{low:.0%}–{high:.0%}"


def _gap_words(gap: float) -> str:
    """'; 9% not itemised' (nothing for a breakdown that itemises everything)."""
    return f"; {gap:.0%} not itemised" if not pd.isna(gap) and gap > 1e-9 else ""


def _breakdown_words(label: str) -> str:
    """'2023, Mamlaka News' from a breakdown label ('2023 · iraqi_research · Mamlaka News')."""
    parts = label.split(" · ")
    return f"{parts[0]}, {parts[-1]}"


def check_share_65(ev: Evidence, claim: pd.Series) -> list[Reading]:
    """'These products make up 65% of Iraq's total imports': Iran's share of Iraq's imports, as notebook 02."""
    from helpers.analysis import import_share

    target = float(claim["value"]) / 100
    tol = ev.tolerance("share_points")
    pairs = ev.pairings
    used = pairs["in_range"].tolist()
    shares = [(s, k) for s, k, u in zip(pairs["share"].tolist(), pairs["share_is"].tolist(), used) if u]
    agrees = [counting.compare(s, SHARE_BOUNDS[k], target, tol) for s, k in shares]

    def why() -> str:
        if not shares:
            return (
                "No pairing of Iran's sales with Iraq's total imports for the same year and coverage counts for a "
                f"year ended by {_on(ev)}."
            )
        from helpers.analysis import headlines  # the one phrase notebook 02 uses too (headlines imports this module)

        phrase = headlines.share_range_phrase(import_share.share_ranges(pairs))
        return f"By notebook 02's pairings, Iran's sales were {phrase}."

    cols = [
        "year",
        "coverage",
        "iran_value",
        "iraq_total",
        "share",
        "share_is",
        "in_range",
        "left_out_because",
        "iran_source",
        "total_source",
        "iran_publisher",
        "total_publisher",
        "published",
    ]

    def evidence() -> pd.DataFrame:
        later = pairs[["iran_published", "total_published"]].max(axis=1, skipna=False) if len(pairs) else None
        return _src(pairs.assign(published=later) if len(pairs) else pairs, cols)

    r1 = Reading("Iran's exports to Iraq are 65% of Iraq's total imports", judge(agrees), why, evidence, literal=True)
    effect = ev.energy_effect
    energy = [energy_interval(r.energy_share, r.energy_bound, r.not_itemised) for r in effect.itertuples()]
    non_energy = [(1.0 - high, 1.0 - low) for low, high in energy]

    def listed(intervals: list[tuple[float, float]]) -> str:
        return "; ".join(
            f"{_interval_words(low, high)} ({_breakdown_words(b)}{_gap_words(gap)})"
            for (low, high), b, gap in zip(intervals, effect["breakdown"], effect["not_itemised"])
        ) + (
            f". A share known only as a bound, or with a part not itemised (energy or not), decides only where "
            f"its whole range is within {tol * 100:.0f} percentage points of {target:.0%} or none of it is"
        )

    r2 = Reading(
        "the ten (non-energy) categories are 65% of Iran's exports to Iraq",
        judge([interval_agrees(low, high, target, tol) for low, high in non_energy]),
        ("Non-energy share in breakdowns that itemise energy: " + listed(non_energy) + ".")
        if len(effect)
        else f"No breakdown for a period ended by {_on(ev)} itemises energy.",
        lambda: effect.assign(
            non_energy_low=[low for low, _ in non_energy], non_energy_high=[high for _, high in non_energy]
        ),
    )
    r3 = Reading(
        "65% is energy's share of Iraq's imports from Iran (a likely origin of the number)",
        judge([interval_agrees(low, high, target, tol) for low, high in energy]),
        ("Energy's share in breakdowns that itemise it: " + listed(energy) + ".")
        if len(effect)
        else f"No breakdown for a period ended by {_on(ev)} itemises energy.",
        lambda: effect.assign(energy_low=[low for low, _ in energy], energy_high=[high for _, high in energy]),
    )
    r4 = Reading(
        "the ten categories are 65% of Iraq's imports from all countries",
        "unverifiable",
        "No breakdown of Iraq's total imports by these categories is in the data.",
    )
    return [r1, r2, r3, r4]


def _share_lines(values: pd.Series) -> str:
    return ", ".join(f"{v:.0%} ({b.split(' · ')[0]}, {b.split(' · ')[-1]})" for b, v in values.items())


def check_agriculture_30(ev: Evidence, claim: pd.Series) -> list[Reading]:
    """'Agricultural products are 30%': agriculture alone, then with food industries beside."""
    target = float(claim["value"]) / 100
    tol = ev.tolerance("category_points")
    shares = _itemised_shares(ev, single_groups=True)
    wide = ev._derived(  # by breakdown and category, for the evidence with the same groups
        "category table",
        ev._confirmed("composition"),
        lambda: shares.pivot_table(index="breakdown", columns="category_id", values="share", aggfunc="sum"),
    )
    agri = wide["agriculture"].dropna() if "agriculture" in wide else pd.Series(dtype=float)
    out = [
        Reading(
            "agricultural products alone are 30% of Iran's exports to Iraq",
            judge([counting.compare(v, "exact", target, tol) for v in agri]),
            ("Agriculture alone: " + _share_lines(agri) + ".")
            if len(agri)
            else f"No breakdown for a period ended by {_on(ev)} itemises agriculture.",
            lambda: _with_sources(agri, shares),
            literal=True,
        )
    ]
    food = wide.reindex(columns=["food_industry", "mixed_agri_food"]).notna().any(axis=1)
    combined = wide.reindex(columns=["agriculture", "food_industry", "mixed_agri_food"]).sum(axis=1, min_count=1)
    combined = combined[food.reindex(combined.index, fill_value=False)].dropna()
    if len(combined):
        out.append(
            Reading(
                "agriculture together with food industries",
                judge([counting.compare(v, "exact", target, tol) for v in combined]),
                "Agriculture and food together: " + _share_lines(combined) + ".",
                lambda: _with_sources(combined, shares),
            )
        )
    return out


def _with_sources(values: pd.Series, shares: pd.DataFrame) -> pd.DataFrame:
    """Per-breakdown shares with the breakdown's stating body, publisher and publication date."""
    meta = shares.drop_duplicates("breakdown").set_index("breakdown")
    cols = [c for c in ("stated_by", "publisher", "published") if c in meta]
    return values.rename("share").to_frame().join(meta[cols]).reset_index()


def check_agriculture_largest(ev: Evidence, claim: pd.Series) -> list[Reading]:
    """'Agricultural products are the largest category': in breakdowns with three or more groups."""
    shares = _itemised_shares(ev)
    shares = shares[shares["kind"] != NOT_ITEMISED]
    labels = shares["breakdown"].tolist()
    groups = collections.Counter(b for b in labels if not pd.isna(b))
    # the breakdowns with three or more groups (as a groupby filter keeps them: rows in order)
    multi = shares.iloc[[k for k, b in enumerate(labels) if not pd.isna(b) and groups[b] >= 3]]
    breakdowns = list(dict.fromkeys(b for b in multi["breakdown"].tolist()))
    agri_ids = {"agriculture", "food_industry", "mixed_agri_food"}
    # a category is written by its label ("petrochemicals mixed with oil products"), never by its id
    labels = dict(zip(multi["category_id"].tolist(), multi["category"].tolist())) if "category" in multi else {}
    readings = []
    for name, merge in (
        ("agricultural products alone are the largest group", False),
        ("agriculture together with food is the largest group", True),
    ):
        verdicts, notes = [], []
        cid = multi["category_id"].where(~(merge & multi["category_id"].isin(agri_ids)), "agri_food")
        # each breakdown's groups summed by category, categories in order (one groupby for all breakdowns)
        sums = multi.assign(cid=cid).groupby(["breakdown", "cid"])["share"].sum()
        merged: dict[str, list] = {}
        for (b, category), total in zip(sums.index, sums.tolist()):
            if not pd.isna(total):
                merged.setdefault(b, []).append((category, total))
        for b in breakdowns:
            top, largest = max(merged[b], key=lambda found: found[1])  # the first largest, as idxmax
            verdicts.append(top == ("agri_food" if merge else "agriculture"))
            shown = {"agri_food": "agriculture and food"}.get(top) or labels.get(top, top.replace("_", " "))
            notes.append(f"{b.split(' · ')[0]} ({b.split(' · ')[-1]}): largest is {shown} at {largest:.0%}")
        cols = ["breakdown", "category", "share", "stated_by", "publisher", "published"]
        readings.append(
            Reading(
                name,
                judge(verdicts),
                ("; ".join(notes) + ".")
                if notes
                else f"No breakdown for a period ended by {_on(ev)} lists three or more groups covering at least "
                "90% of its total.",
                lambda cols=cols: _src(multi, cols),
                literal=not merge,
            )
        )
    return readings


def check_leather(ev: Evidence, claim: pd.Series) -> list[Reading]:
    """'Leather goods are just 3%': a breakdown that itemises leather."""
    target = float(claim["value"]) / 100
    shares = _itemised_shares(ev, single_groups=True)
    leather = shares[shares["category_id"] == "leather"].set_index("breakdown")["share"]
    if leather.empty:
        return [
            Reading(
                "leather is 3% of Iran's exports to Iraq",
                "unverifiable",
                f"No breakdown for a period ended by {_on(ev)} itemises leather.",
                literal=True,
            )
        ]
    return [
        Reading(
            "leather is 3% of Iran's exports to Iraq",
            judge([counting.compare(v, "exact", target, ev.tolerance("category_points")) for v in leather]),
            "Leather: " + _share_lines(leather) + ".",
            lambda: _with_sources(leather, shares),
            literal=True,
        )
    ]


def check_pezeshkian(ev: Evidence, claim: pd.Series) -> list[Reading]:
    """'Pezeshkian's first foreign visit, to Iraq, in September': a scheduled event, checked against what happened."""
    visits = _events_matching(ev.events_all if ev.events_all is not None else ev.events, "pezeshkian")
    sworn = visits[visits["event_id"].str.contains("sworn", case=False)]
    trip = visits[visits["title"].str.contains("first foreign", case=False)]
    name = "his first foreign visit since taking office is to Iraq, in September 2024"
    if trip.empty:
        return [Reading(name, "unverifiable", "No event records Pezeshkian's first foreign trip.", literal=True)]
    t = trip.iloc[0]
    in_sept = t["date"].year == 2024 and t["date"].month == 9
    after = bool(len(sworn)) and t["date"] > sworn.iloc[0]["date"]
    reason = (
        f"{t['date']:%d %B %Y}: {t['title']} ({t['publisher']})"
        + (f", after taking office on {sworn.iloc[0]['date']:%d %B %Y}" if len(sworn) else "")
        + ". The report announced the visit as scheduled; "
        + (
            f"this evidence is from after {_on(ev)}: it shows what happened, not what was known then."
            if t["date"] > ev.as_of
            else f"it had taken place by {_on(ev)}."
        )
    )
    return [
        Reading(
            name,
            "consistent" if in_sept and (after or sworn.empty) else "inconsistent",
            reason,
            lambda: _src(pd.concat([sworn.head(1), trip.head(1)]), EVENT_COLUMNS),
            literal=True,
        )
    ]


def check_influence_2003(ev: Evidence, claim: pd.Series) -> list[Reading]:
    """'Iran's political influence expanded significantly after 2003': not measured; trade beside it."""
    from helpers.analysis import volume

    pol = ev.events[ev.events["category"].isin(["political", "security"]) & (ev.events["date"].dt.year >= 2003)]
    naming = pol[pol["title"].str.contains(r"\bIran|IRGC", regex=True)].sort_values("date")
    examples = "; ".join(f"{r.title}, {r.date:%Y}" for r in _tuples(naming.head(3), "title date"))
    some = f", {len(naming)} of them naming Iran (e.g. {examples})" if len(naming) else ""
    readings = [
        Reading(
            "Iran's political influence in Iraq expanded significantly after 2003",
            "unverifiable",
            (
                f"The timeline holds {counted(len(pol), 'dated political and security event')} from 2003 on"
                f"{some}. Events are not a measure of influence, and no source in the data assesses how far "
                "Iran's political influence grew, so the data can neither confirm nor refute 'expanded significantly'."
                if len(pol)
                else f"No political or security event from 2003 on dated by {_on(ev)} is in the timeline, and "
                "political influence itself is not measured in the data."
            ),
            literal=True,
        )
    ]
    t = ev.trade
    exp = counting.counted_positions(
        t,
        np.flatnonzero(
            counting.mask((t["flow"] == "iran_exports_to_iraq") & ~t["partial"] & (t["calendar"] != "unstated"))
        ),
    )
    early = t.iloc[counting.sort_positions(t, exp[counting.mask(t["end"].dt.year <= 2003)[exp]], ["start"])]
    later = volume.preferred(ev.trade, "iran_exports_to_iraq", "iranian")
    if len(early) and len(later):
        last = later.iloc[-1]
        ratios = [float(last["value"]) / float(v) for v in early["value"]]
        reason = (
            "Iran's exports to Iraq around 2003: "
            + ", ".join(
                f"{r.period} ${r.value / 1e9:.2f}bn ({r.publisher})" for r in _tuples(early, "period value publisher")
            )
            + f"; {last['period'].split(' (')[0]}: ${last['value'] / 1e9:.1f}bn, "
            f"{min(ratios):.0f} to {max(ratios):.0f} times as much."
        )
        multiple = ev.tolerance("growth_multiple")
        readings.append(
            Reading(
                "Iran's economic weight: its exports to Iraq grew after 2003",
                judge([x >= multiple for x in ratios]),
                reason,
                lambda: _src(
                    pd.concat([early, later.tail(1)]),
                    ["period", "value", "bound", "stated_by", "publisher", "published", "record_id"],
                ),
            )
        )
    return readings


def check_pmf_2016(ev: Evidence, claim: pd.Series) -> list[Reading]:
    """'The PMF was integrated into the state security forces in 2016': the PMF law's date."""
    law = _events_matching(ev.events, "pmf-law|pmf law")
    name = "legal integration of the PMF into the state's armed forces in 2016"
    if law.empty:
        why = f"No event dated by {_on(ev)} records the PMF's legal integration."
        return [Reading(name, "unverifiable", why, literal=True)]
    r = law.iloc[0]
    ok = r["date"].year == int(claim["value"])
    return [
        Reading(
            name,
            "consistent" if ok else "inconsistent",
            f"{r['date']:%d %B %Y}: {r['title']} ({r['publisher']}).",
            lambda: _src(law, EVENT_COLUMNS),
            literal=True,
        )
    ]


CHECKS: dict[str, Callable[[Evidence, pd.Series], list[Reading]]] = {
    "c01-trade-over-10bn": check_trade_over_10bn,
    "c02-aim-20bn": check_aim_20bn,
    "c03-target-doubles": check_target_doubles,
    "c04-semnan-first-industrial-city": check_semnan_first,
    "c05-students-1200": check_students,
    "c06-ten-categories": check_ten_categories,
    "c07-share-65pct": check_share_65,
    "c08-agriculture-30pct": check_agriculture_30,
    "c09-agriculture-largest": check_agriculture_largest,
    "c10-leather-3pct": check_leather,
    "c11-pezeshkian-first-visit": check_pezeshkian,
    "c12-influence-after-2003": check_influence_2003,
    "c13-pmf-integrated-2016": check_pmf_2016,
}


#: Claims whose rule compares the claim's stated value.
NEEDS_VALUE = {
    "c01-trade-over-10bn",
    "c02-aim-20bn",
    "c03-target-doubles",
    "c05-students-1200",
    "c07-share-65pct",
    "c08-agriculture-30pct",
    "c10-leather-3pct",
    "c13-pmf-integrated-2016",
}


def readings_of(row: pd.Series, ev: Evidence | None) -> list[Reading]:
    """The readings of one claim, with every piece of evidence labelled by its publication date."""
    fn = CHECKS.get(row["claim_id"]) if ev is not None else None
    if ev is None:
        why = "The checking rules read the Iran–Iraq evidence in data/; no evidence for this pair is in the data."
    elif fn is None:
        why = "No checking rule for this claim in helpers.analysis.claims."
    elif row["claim_id"] in NEEDS_VALUE and pd.isna(row["value"]):
        why = "The claims file gives no value for this claim, and its rule compares a value."
    else:
        return [dataclasses.replace(r, evidence=label_dates(r.evidence, ev.as_of)) for r in fn(ev, row)]
    return [Reading("the claim as written", "unverifiable", why, literal=True)]


def robustness(row: pd.Series, ev: Evidence | None, check: Check) -> str:
    """'robust', or what the rating rests on: each publisher and each stating body of the evidence it
    rests on (:func:`_evidence_values`) left out in turn, then every tolerance halved and doubled."""
    if ev is None or row["claim_id"] not in CHECKS:
        return "robust"
    base = check.rating

    def rating_with(variant: Evidence) -> str:
        readings = CHECKS[row["claim_id"]](variant, row)
        return Check(check.claim_id, check.claim, check.value, check.unit, readings).rating

    found = []
    for column, label in (("publisher", ""), ("stated_by", " (stating body)")):
        for value in _evidence_values(check, column):
            changed = rating_with(ev.without(column, value))
            if changed != base:
                found.append(f"rests on {value}{label} (without it: {changed})")
    for factor, word in ((0.5, "halved"), (2.0, "doubled")):
        changed = rating_with(ev.scaled(factor))
        if changed != base:
            found.append(f"depends on the tolerance ({word}: {changed})")
    return "; ".join(found) or "robust"


def _evidence_values(check: Check, column: str) -> list[str]:
    """Every value of ``column`` (or its iran_/total_ forms) in the evidence the rating can turn on: the
    literal reading's, and, when it fails, that of the readings that could make it misleading (leaving a
    source out of a reading that contradicts nothing the rating uses cannot change it); sums split into parts."""
    values: set[str] = set()
    turning = [check.literal] + [r for r in check.others if r.result in ("consistent", "mixed")]
    for reading in turning if check.literal.result == "inconsistent" else [check.literal]:
        # rows shown but left out (a pairing out of the range) carry no weight
        used = reading.evidence[reading.evidence["in_range"]] if "in_range" in reading.evidence else reading.evidence
        for col in (column, f"iran_{column}", f"total_{column}"):
            if col in used:
                for v in used[col].dropna().astype(str):
                    values.update(part for part in v.split(" + ") if part)
    return sorted(values)


@or_unanswered
def check_all(claims: pd.DataFrame, ev: Evidence | None) -> list[Check]:
    """Rate every claim, with its robustness; a claim without a rule is unverifiable.

    With ``ev`` None (a report about another country pair) no rule applies: the rules read the
    Iran–Iraq evidence in ``data/`` and would judge another pair's claims on the wrong data.
    """
    out = []
    for _, row in claims.iterrows():
        value = None if pd.isna(row["value"]) else float(row["value"])
        unit = None if pd.isna(row["unit"]) else row["unit"]
        check = Check(row["claim_id"], row["claim"], value, unit, readings_of(row, ev))
        check.robustness = robustness(row, ev, check)
        out.append(check)
    return out


VERDICT_COLUMNS = [
    "claim_id",
    "claim",
    "value",
    "unit",
    "rating",
    "claimreview_rating",
    "verdict",
    "reason",
    "robustness",
    "evidence_after_as_of",
]
READING_COLUMNS = ["claim_id", "reading", "literal", "result", "reason"]


def verdict_table(checks: list[Check] | Unanswered) -> pd.DataFrame:
    """One row per claim (the table the runner writes as claims.csv): the rating, its ClaimReview name,
    the reason, robustness and how many pieces of its evidence came after the date. ``verdict`` is the
    rating, kept under its earlier name for readers of earlier files. No checks give the table with no rows."""
    rows = [
        {
            "claim_id": c.claim_id,
            "claim": c.claim,
            "value": c.value,
            "unit": c.unit,
            "rating": c.rating,
            "claimreview_rating": RATING_SCALE[c.rating][0],
            "verdict": c.rating,
            "reason": c.reason,
            "robustness": c.robustness,
            "evidence_after_as_of": c.evidence_after_as_of,
        }
        for c in (checks if is_answered(checks) else [])
    ]
    return pd.DataFrame(rows, columns=VERDICT_COLUMNS)


def readings_table(checks: list[Check] | Unanswered) -> pd.DataFrame:
    """One row per reading of every claim, the literal one marked, with its result and reason."""
    rows = [
        {"claim_id": c.claim_id, "reading": r.name, "literal": r is c.literal, "result": r.result, "reason": r.reason}
        for c in (checks if is_answered(checks) else [])
        for r in c.readings
    ]
    return pd.DataFrame(rows, columns=READING_COLUMNS)


def rules_table() -> pd.DataFrame:
    """Every rule of the check in one table: the ratings (with ClaimReview name and value) and the tolerances."""
    ratings = [
        {"rule": "rating", "name": r, "claimreview": RATING_SCALE[r][0], "value": RATING_SCALE[r][1], "meaning": m}
        for r, m in RATING_RULES.items()
    ]
    tolerances = [
        {"rule": "tolerance", "name": n, "claimreview": "", "value": v, "meaning": m}
        for n, (v, m) in TOLERANCES.items()
    ]
    return pd.DataFrame(ratings + tolerances, columns=["rule", "name", "claimreview", "value", "meaning"])


# ---------------------------------------------------------------------------
# The claims on official statistics: a result of its own beside each rating, never in its place

OFFICIAL_COLUMNS = [
    "claim_id",
    "reading",
    "year",
    "report_value",
    "official_value",
    "reported_value",
    "gap",
    "unit",
    "official_result",
    "basis",
]


def _latest(frame: pd.DataFrame | Unanswered, as_of: pd.Timestamp) -> pd.DataFrame | None:
    """The rows of the latest full calendar year before ``as_of`` in ``frame`` (None when there is none)."""
    if not is_answered(frame) or frame.empty:
        return None
    years = frame["year"][frame["year"] < as_of.year]
    return frame[frame["year"] == years.max()] if len(years) else None


def _category_share(shares: pd.DataFrame, ids: set[str]) -> float:
    return float(shares.loc[shares["category_id"].isin(ids), "share"].sum())


#: The ``kind`` of the part of a composition that no HS chapter itemises (Comtrade TOTAL rows).
NOT_ITEMISED = "not itemised"


def _latest_itemised(
    frame: pd.DataFrame | Unanswered, as_of: pd.Timestamp, group: str
) -> tuple[pd.DataFrame | None, list[int]]:
    """The latest full calendar year before ``as_of`` with a product breakdown, for a composition claim.

    ``frame`` has ``year``, ``kind`` and ``share`` per category; ``group`` names what one breakdown is
    (``breakdown``: one source and side; ``year``: the whole year). A group whose every share is "not itemised"
    (totals only) is no breakdown: its zeros are never read as shares. Returns the rows of that year's groups
    that itemise something and the later years before ``as_of`` that give totals only; (None, every year before
    ``as_of``) when none has a breakdown; (None, []) when ``frame`` has no year before ``as_of``."""
    if not is_answered(frame) or frame.empty:
        return None, []
    before = frame[frame["year"] < as_of.year]
    if before.empty:
        return None, []
    itemised = before["kind"].ne(NOT_ITEMISED).groupby(before[group]).transform("any")
    kept = before[itemised]
    if kept.empty:
        return None, sorted({int(y) for y in before["year"]})
    year = kept["year"].max()
    return kept[kept["year"] == year], sorted({int(y) for y in before["year"] if y > year})


def _totals_only(years: list[int]) -> str:
    """'2020: totals only' for the years named ('' for none)."""
    return f"{', '.join(map(str, years))}: totals only" if years else ""


def _range_result(low: float, high: float, target: float, tolerance: float) -> str:
    """The result of a share known to lie between ``low`` and ``high`` (the part not itemised may belong to it):
    decided only when both ends decide it the same way."""
    ends = {counting.compare(low, "exact", target, tolerance), counting.compare(high, "exact", target, tolerance)}
    return judge([ends.pop()]) if len(ends) == 1 else "unverifiable"


def _share_reading(shares: pd.DataFrame, ids: set[str], target: float, tolerance: float) -> tuple[float, str, str]:
    """(share, result, note) of the categories ``ids`` in one breakdown: the part not itemised is a gap, never
    a zero, so with one the share lies between the itemised share and that plus the gap (see :func:`_range_result`)."""
    share = _category_share(shares, ids)
    rest = float(shares.loc[shares["kind"] == NOT_ITEMISED, "share"].sum())
    if rest <= 1e-9:
        return share, judge([counting.compare(share, "exact", target, tolerance)]), ""
    note = f"; {rest:.0%} not itemised (totals only): the share is {share:.0%}–{share + rest:.0%}"
    return share, _range_result(share, share + rest, target, tolerance), note


def _side_rank(label: str) -> int:
    """The place of a breakdown's source and side ('2020 · comtrade · importer') in
    :data:`helpers.analysis.official.OFFICIAL_PREFERENCE` (BACI's reconciled value, then the importer's report,
    then the exporter's); a label it does not name comes last."""
    parts = label.split(" · ")
    key = tuple(parts[1:3]) if len(parts) >= 3 else ()
    ranks = [i for i, (source, side, _) in enumerate(official.OFFICIAL_PREFERENCE) if (source, side) == key]
    return ranks[0] if ranks else len(official.OFFICIAL_PREFERENCE)


def _no_breakdown(years: list[int]) -> str:
    """The basis of a composition reading no year decides: every year before the date gives totals only."""
    return f"no year before the date has a product breakdown ({_totals_only(years)})"


def _largest_reading(shares: pd.DataFrame) -> tuple[str, float, str]:
    """(reading, share, result) of "agriculture is the largest category" in one breakdown. The part not
    itemised may belong to any category: agriculture is decided the largest only if it stays so with all of
    that part given to the next category, and decided not the largest only if it stays so with all of it
    given to agriculture."""
    itemised = shares[shares["kind"] != NOT_ITEMISED].sort_values("share", ascending=False)
    rest = float(shares.loc[shares["kind"] == NOT_ITEMISED, "share"].sum())
    top = itemised.iloc[0]
    if rest <= 1e-9:
        found = "consistent" if top["category_id"] == "agriculture" else "inconsistent"
        return f"the largest category is {top['category']}", float(top["share"]), found
    if top["category_id"] == "agriculture":
        second = float(itemised["share"].iloc[1]) if len(itemised) > 1 else 0.0
        found = "consistent" if float(top["share"]) >= second + rest else "unverifiable"
    else:
        agriculture = _category_share(itemised, {"agriculture"})
        found = "inconsistent" if agriculture + rest < float(top["share"]) else "unverifiable"
    return f"the largest itemised category is {top['category']} ({rest:.0%} not itemised)", float(top["share"]), found


def official_results(
    claims_: pd.DataFrame,
    as_of: str,
    two_way: pd.DataFrame | Unanswered,
    supplier_share: pd.DataFrame | Unanswered,
    pair_shares: pd.DataFrame | Unanswered,
    market_composition: pd.DataFrame | Unanswered,
    reported_two_way: Callable[[int], float | None],
    reported_share: pd.DataFrame | Unanswered,
    label: str,
) -> pd.DataFrame:
    """What official statistics give for every claim they can decide, each with its own result (consistent,
    inconsistent or unverifiable, by the same comparison and tolerances as the ratings), the report's figure,
    the reported figure of the same year where there is one, and the gap. Shares are fractions; values US$.

    ``two_way``: the official two-way series; ``supplier_share``: the reporter's share of and rank in the
    partner's imports per year; ``pair_shares``: categories of the reporter's exports to the partner per
    year (as :func:`helpers.analysis.official.category_shares`); ``market_composition``: categories of the
    partner's imports from all suppliers; ``reported_two_way(year)``: the reported two-way figure for a
    calendar year (None if none); ``reported_share``: the reported ranges of the share per year.

    A composition claim is rated on the latest year before the date that has a product breakdown (HS chapters):
    a year given as totals only (Comtrade TOTAL rows) is never read as zero shares, and the basis names it; with
    no such year the composition readings are unverifiable. A part not itemised in the year rated is a gap: a
    share is decided only when the result holds whichever category that part belongs to. The claims about total
    trade (two-way trade, the reporter's share of the partner's imports) use every year, totals-only ones too.
    """
    when = pd.Timestamp(as_of)
    tol = default_tolerances()
    stated = claims_.set_index("claim_id")["value"] if len(claims_) else pd.Series(dtype=float)
    rows: list[dict] = []

    def add(claim_id, reading, year, report_value, official_value, unit, result, basis, reported_value=None):
        gap = official_value - reported_value if reported_value is not None and official_value is not None else None
        rows.append(
            dict(
                zip(
                    OFFICIAL_COLUMNS,
                    [claim_id, reading, year, report_value, official_value, reported_value, gap, unit, result, basis],
                )
            )
        )

    def result(agrees: bool | None) -> str:
        return judge([agrees])

    tw = _latest(two_way, when)
    if tw is not None and "c01-trade-over-10bn" in stated.index:
        year, value = int(tw.iloc[0]["year"]), float(tw.iloc[0]["value"])
        target = float(stated["c01-trade-over-10bn"])
        ok = counting.compare(value, "exact", target, tol["about_level"] * target, "at_least")
        add(
            "c01-trade-over-10bn",
            "two-way trade in the latest year before the report",
            year,
            target,
            value,
            "USD",
            result(ok),
            label,
            reported_two_way(year),
        )
    if tw is not None and {"c02-aim-20bn", "c03-target-doubles"} <= set(stated.index):
        year, value = int(tw.iloc[0]["year"]), float(tw.iloc[0]["value"])
        ratio = float(stated["c02-aim-20bn"]) / value
        claimed = float(stated["c03-target-doubles"])
        reported = reported_two_way(year)
        add(
            "c03-target-doubles",
            "the goal over two-way trade in that year",
            year,
            claimed,
            ratio,
            "ratio",
            result(counting.compare(ratio, "exact", claimed, tol["roughly_ratio"] * claimed)),
            label,
            float(stated["c02-aim-20bn"]) / reported if reported else None,
        )
    if "c07-share-65pct" in stated.index:
        target = float(stated["c07-share-65pct"]) / 100
        mine = _latest(supplier_share, when)
        if mine is not None:
            r = mine.iloc[0]
            ranges = _latest(reported_share, when)
            in_year = ranges[ranges["year"] == r["year"]] if ranges is not None else None
            reported = float(in_year["high"].max()) if in_year is not None and len(in_year) else None
            add(
                "c07-share-65pct",
                "Iran's share of Iraq's total imports (as written)",
                int(r["year"]),
                target,
                float(r["share"]),
                "share",
                result(counting.compare(float(r["share"]), "exact", target, tol["share_points"])),
                f"{label}; rank {int(r['rank'])} of {int(r['suppliers'])} suppliers; {r['basis']}",
                reported,
            )
        market_, later = _latest_itemised(market_composition, when, "year")
        reading = "the ten categories' share of Iraq's imports from all countries"
        if market_ is not None:
            ten_ids = set(market_.loc[market_["kind"] == "chamber_ten", "category_id"])
            ten, found, note = _share_reading(market_, ten_ids, target, tol["share_points"])
            basis = label + note + (f"; latest year with a product breakdown ({_totals_only(later)})" if later else "")
            add("c07-share-65pct", reading, int(market_.iloc[0]["year"]), target, ten, "share", found, basis)
        elif later:
            add("c07-share-65pct", reading, later[-1], target, None, "share", "unverifiable", _no_breakdown(later))
    pair, later = _latest_itemised(
        pair_shares.assign(year=pair_shares["start"].dt.year) if is_answered(pair_shares) else pair_shares,
        when,
        "breakdown",
    )
    share_readings = (
        ("c08-agriculture-30pct", "agricultural products alone (HS 01–14, as mapped)", {"agriculture"}),
        ("c08-agriculture-30pct", "agriculture with food industries (HS 01–24)", {"agriculture", "food_industry"}),
        ("c10-leather-3pct", "leather (HS 41–43)", {"leather"}),
    )
    if pair is None and later:
        # years before the date, none with a product breakdown: every composition reading is unverifiable
        year, basis = later[-1], _no_breakdown(later)
        if "c07-share-65pct" in stated.index:
            target = float(stated["c07-share-65pct"]) / 100
            for reading in (
                "the ten categories' share of Iran's exports to Iraq",
                "energy's share of Iran's exports to Iraq",
            ):
                add("c07-share-65pct", reading, year, target, None, "share", "unverifiable", basis)
        for claim_id, reading, _ in share_readings:
            if claim_id in stated.index and pd.notna(stated[claim_id]):
                add(claim_id, reading, year, float(stated[claim_id]) / 100, None, "share", "unverifiable", basis)
        if "c09-agriculture-largest" in stated.index:
            add("c09-agriculture-largest", "the largest category", year, None, None, "share", "unverifiable", basis)
    if pair is not None:
        # one breakdown: the best-ranked side (ties: the first label)
        first = pair[pair["breakdown"] == min(pair["breakdown"].unique(), key=_side_rank)]
        year, basis = int(first["year"].iloc[0]), f"{label}; {first['breakdown'].iloc[0]}"
        if later:
            basis += f"; latest year with a product breakdown ({_totals_only(later)})"
        ten_ids = set(first.loc[first["kind"] == "chamber_ten", "category_id"])
        if "c07-share-65pct" in stated.index:
            target = float(stated["c07-share-65pct"]) / 100
            for reading, ids in (
                ("the ten categories' share of Iran's exports to Iraq", ten_ids),
                ("energy's share of Iran's exports to Iraq", {"energy"}),
            ):
                share, found, note = _share_reading(first, ids, target, tol["share_points"])
                add("c07-share-65pct", reading, year, target, share, "share", found, basis + note)
        for claim_id, reading, ids in share_readings:
            if claim_id in stated.index and pd.notna(stated[claim_id]):
                target = float(stated[claim_id]) / 100
                share, found, note = _share_reading(first, ids, target, tol["category_points"])
                add(claim_id, reading, year, target, share, "share", found, basis + note)
        if "c09-agriculture-largest" in stated.index:
            reading, share, found = _largest_reading(first)
            add("c09-agriculture-largest", reading, year, None, share, "share", found, basis)
    return pd.DataFrame(rows, columns=OFFICIAL_COLUMNS)


@or_unanswered
def side_by_side(verdicts: pd.DataFrame, official: pd.DataFrame) -> pd.DataFrame:
    """Each claim's rating (from the reported evidence) with what official statistics give beside it, never
    merged into it: one row per claim, the official results of its readings as one line."""

    def shown(r) -> str:
        value = r.official_value
        if value is None or pd.isna(value):  # no figure decides it (e.g. a year with totals only)
            return f"{r.reading} ({r.year}): {r.official_result}, no figure"
        number = f"{value:.0%}" if r.unit == "share" else f"${value / 1e9:.2f}bn" if r.unit == "USD" else f"{value:.2f}"
        return f"{r.reading} ({r.year}): {r.official_result}, {number}"

    lines: dict[str, str] = {}
    for r in official.itertuples():
        lines[r.claim_id] = f"{lines[r.claim_id]}; {shown(r)}" if r.claim_id in lines else shown(r)
    table = verdicts[["claim_id", "rating"]].assign(official_statistics=verdicts["claim_id"].map(lines))
    table["official_statistics"] = table["official_statistics"].fillna("not decided by official statistics")
    return table.rename(columns={"rating": "rating (reported evidence)"})
