"""Claims check: each checkable statement of the report against the evidence in ``data/``.

Verdict rules, stated once
--------------------------
A claim may admit several *readings*; each reading is checked on its own and gets one of:

* ``consistent``   — the evidence for this reading agrees with the claim (within its tolerance);
* ``inconsistent`` — the evidence for this reading contradicts the claim;
* ``ambiguous``    — sources for this reading disagree (some agree, some contradict);
* ``unverifiable`` — no evidence in the data bears on this reading.

The claim's verdict follows from its readings:

* ``unverifiable`` when no reading can be checked;
* ``consistent`` when every checkable reading is consistent;
* ``inconsistent`` when every checkable reading is inconsistent;
* ``ambiguous`` otherwise (readings or sources disagree).

A claim with no checking rule here (e.g. a claims file for another country pair) is unverifiable.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

from helpers.answers import Unanswered, is_answered, or_unanswered

#: The seed report's publication date: the default date claims are judged at.
REPORT_DATE = "2024-09-03"
VERDICTS = ("consistent", "inconsistent", "ambiguous", "unverifiable")
RULES = {
    "consistent": "every reading the evidence can check agrees with the claim, within its tolerance",
    "inconsistent": "every reading the evidence can check contradicts the claim",
    "ambiguous": "readings, or sources for one reading, disagree with each other",
    "unverifiable": "no evidence in the data bears on any reading of the claim",
}


@dataclass
class Reading:
    """One way of reading a claim, with its verdict, the reason and the evidence rows."""

    name: str
    verdict: str
    reason: str
    evidence: pd.DataFrame = field(default_factory=pd.DataFrame)

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {self.verdict!r}")


@dataclass
class Check:
    """A claim and the outcome of its check."""

    claim_id: str
    claim: str
    value: float | None
    unit: str | None
    readings: list[Reading]

    @property
    def verdict(self) -> str:
        return combine([r.verdict for r in self.readings])

    @property
    def reason(self) -> str:
        return " ".join(f"[{r.name}: {r.verdict}] {r.reason}" for r in self.readings)


def combine(verdicts: list[str]) -> str:
    """The claim's verdict from its readings' verdicts, by the rules in the module docstring."""
    checkable = [v for v in verdicts if v != "unverifiable"]
    if not checkable:
        return "unverifiable"
    if all(v == "consistent" for v in checkable):
        return "consistent"
    if all(v == "inconsistent" for v in checkable):
        return "inconsistent"
    return "ambiguous"


def judge(agrees: list[bool]) -> str:
    """Verdict of one reading from whether each source agrees: all, none, some, or no sources."""
    if not agrees:
        return "unverifiable"
    if all(agrees):
        return "consistent"
    if not any(agrees):
        return "inconsistent"
    return "ambiguous"


@dataclass
class Evidence:
    """Everything the checks may use, loaded once. ``as_of`` is the report's date."""

    trade: pd.DataFrame
    imports: pd.DataFrame
    targets: pd.DataFrame
    events: pd.DataFrame
    composition: pd.DataFrame
    as_of: pd.Timestamp
    #: Every event, also after ``as_of``: a claim about a scheduled event is checked against what happened.
    events_all: pd.DataFrame | None = None

    @classmethod
    def known_at(
        cls,
        as_of: str,
        trade: pd.DataFrame,
        imports: pd.DataFrame,
        targets: pd.DataFrame,
        events: pd.DataFrame,
        composition: pd.DataFrame,
    ) -> "Evidence":
        """Everything known at ``as_of``: rows published by then (or, where the publication date is
        not known, whose period had ended by then), events and statements dated by then."""
        when = pd.Timestamp(as_of)

        def known(frame: pd.DataFrame) -> pd.DataFrame:
            published = frame["published"]
            return frame[(published <= when) | (published.isna() & (frame["end"] <= when))]

        return cls(
            trade=known(trade),
            imports=imports[imports["year"] < when.year],
            targets=targets[targets["date"] <= when],  # undated statements cannot be placed before the date
            events=events[events["date"] <= when],
            composition=known(composition),
            as_of=when,
            events_all=events,
        )

    # Series several checks read, computed once per Evidence (checks must not modify them).

    @functools.cached_property
    def trade_ended(self) -> pd.DataFrame:
        """Trade figures whose period had ended by ``as_of``."""
        return self.trade[self.trade["end"] <= self.as_of]

    @functools.cached_property
    def two_way_ended(self) -> pd.DataFrame:
        """Preferred two-way trade per Iranian year, from figures whose period had ended by ``as_of``."""
        from helpers.analysis import volume

        return volume.two_way(self.trade_ended, "iranian")

    @functools.cached_property
    def category_shares(self) -> pd.DataFrame:
        """Category shares of every breakdown known at ``as_of``, energy included."""
        from helpers.analysis import composition

        return composition.category_shares(self.composition, include_energy=True)


def _src(frame: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    keep = [c for c in cols if c in frame.columns]
    return frame[keep].reset_index(drop=True)


# ---------------------------------------------------------------------------
# Checks, one per claim id. Each returns its readings.


def _at_least(value: float, bound: str, threshold: float, tolerance: float = 0.0) -> bool:
    """Does a figure support 'more than threshold'? Lower bounds and exact figures at or above it do."""
    return value >= threshold * (1 - tolerance) if bound == "approx" else value >= threshold


def check_trade_over_10bn(ev: Evidence, claim: pd.Series) -> list[Reading]:
    from helpers.analysis import volume

    threshold = float(claim["value"])
    before = ev.trade_ended
    tw = ev.two_way_ended
    exp = volume.preferred(before, "iran_exports_to_iraq", "iranian")
    readings = []
    if len(tw) or len(exp):
        rows = []
        if len(tw):
            year = tw.iloc[-1]["year"]
            # every two-way figure for that year, not only the preferred one: sources may disagree
            direct = volume.full_years(before, "two_way")
            direct = direct[(direct["calendar"] == "iranian") & (direct["year"] == year)]
            rows.append({**tw.iloc[-1].to_dict(), "measure": "two-way (preferred)"})
            for _, r in direct.iterrows():
                if r["record_id"] != tw.iloc[-1]["record_id"]:
                    rows.append({**r.to_dict(), "measure": "two-way (other source)"})
        if len(exp) and (not len(tw) or exp.iloc[-1]["year"] > tw.iloc[-1]["year"]):
            rows.append({**exp.iloc[-1].to_dict(), "measure": "exports only (a lower bound on two-way)"})
        evidence = pd.DataFrame(rows)
        agrees = [_at_least(float(r["value"]), r["bound"], threshold, 0.05) for _, r in evidence.iterrows()]
        # an exports-only figure below the threshold cannot refute a two-way claim
        agrees = [a for a, (_, r) in zip(agrees, evidence.iterrows()) if a or r["measure"].startswith("two-way")]
        latest = ", ".join(
            f"{r['period'].split(' (')[0]} {r['measure']}: "
            f"{'over ' if r['bound'] == 'lower' else 'about ' if r['bound'] == 'approx' else ''}"
            f"${r['value'] / 1e9:.1f}bn ({r['stated_by']})"
            for _, r in evidence.iterrows()
        )
        readings.append(
            Reading(
                "latest full Iranian year before the report",
                judge(agrees),
                f"Iranian-side figures: {latest}.",
                _src(evidence, ["period", "measure", "value", "bound", "stated_by", "record_id"]),
            )
        )
    greg = before[
        (before["calendar"] == "gregorian")
        & ~before["partial"]
        & before["flow"].isin(["two_way", "iraq_imports_from_iran"])
        & (before["year"] >= ev.as_of.year - 2)
    ]
    if len(greg):
        agrees = [
            _at_least(float(r.value), r.bound, threshold, 0.05) if r.flow == "two_way" else None
            for r in greg.itertuples()
        ]
        known = [a for a in agrees if a is not None]
        below = [r for r in greg.itertuples() if r.flow != "two_way" and r.value < threshold]
        reason = "; ".join(
            f"{r.year} {r.flow.replace('_', ' ')}: ${r.value / 1e9:.1f}bn ({r.publisher})" for r in greg.itertuples()
        )
        if below:
            reason += (
                ". Iraq-side imports alone are below the threshold, but Iraq's exports to Iran are not reported "
                "for the same year, so two-way trade is not known."
            )
        readings.append(
            Reading(
                "latest calendar years, Iraqi-side or mirror figures",
                judge(known),
                reason,
                _src(greg, ["period", "flow", "value", "bound", "stated_by", "publisher", "record_id"]),
            )
        )
    stated = ev.trade[
        (ev.trade["calendar"] == "unstated")
        & (ev.trade["flow"] == "two_way")
        & (ev.trade["published"] <= ev.as_of)
        & (ev.trade["published"] >= ev.as_of - pd.DateOffset(months=18))
    ]
    stated = stated[
        ~stated["speaker"].str.contains("ambassador to Iran", case=False, na=False)
    ]  # not the claim's own source
    if len(stated):
        agrees = [_at_least(float(r.value), r.bound, threshold, 0.05) for r in stated.itertuples()]
        reason = "; ".join(
            f"{r.published:%Y-%m} {r.speaker}: "
            f"{'over ' if r.bound == 'lower' else 'about ' if r.bound == 'approx' else ''}${r.value / 1e9:.1f}bn"
            for r in stated.itertuples()
        )
        readings.append(
            Reading(
                "annual levels other officials stated in the 18 months before",
                judge(agrees),
                reason + ".",
                _src(stated, ["published", "speaker", "value", "bound", "publisher", "record_id"]),
            )
        )
    return readings or [Reading("any", "unverifiable", "No two-way figure before the report's date.")]


def check_aim_20bn(ev: Evidence, claim: pd.Series) -> list[Reading]:
    t = ev.targets
    goal = t[
        (t["measure"] == "two_way_trade")
        & (t["target_value"] == float(claim["value"]))
        & (t["date"].isna() | (t["date"] <= ev.as_of))
    ]
    iraqi = goal[goal["side"].isin(["iraqi", "joint"])]
    if goal.empty:
        return [Reading("a stated Iraqi goal", "unverifiable", "No statement of this target in the data.")]
    dated = iraqi[iraqi["date"].notna()].sort_values("date")
    first = (
        f"first dated Iraqi or joint statement {dated.iloc[0]['date']:%B %Y} ({dated.iloc[0]['speaker']})"
        if len(dated)
        else "no dated Iraqi statement"
    )
    reason = (
        f"{len(goal)} statements of a ${float(claim['value']) / 1e9:.0f}bn two-way goal before the report, "
        f"{len(iraqi)} by Iraqi officials or both sides; {first}. The goal is long-standing, not new."
    )
    return [
        Reading(
            "the goal is stated by the Iraqi side",
            "consistent" if len(iraqi) else "inconsistent",
            reason,
            _src(goal.sort_values("date"), ["date", "speaker", "side", "target_value", "deadline_year", "publisher"]),
        )
    ]


def check_target_doubles(ev: Evidence, claim: pd.Series) -> list[Reading]:
    tw = ev.two_way_ended
    if tw.empty:
        return [Reading("target over current level", "unverifiable", "No two-way figure before the report.")]
    last = tw.iloc[-1]
    target = float(ev.targets[(ev.targets["measure"] == "two_way_trade")]["target_value"].mode().iloc[0])
    ratio = target / float(last["value"])
    ok = abs(ratio - float(claim["value"])) <= 0.15 * float(claim["value"])
    reason = (
        f"${target / 1e9:.0f}bn over the latest preferred two-way figure ({last['period'].split(' (')[0]}: "
        f"{'over ' if last['bound'] == 'lower' else ''}${last['value'] / 1e9:.1f}bn) is {ratio:.2f}; "
        "a tolerance of 15% is allowed for 'roughly'."
    )
    return [
        Reading(
            "target over latest two-way level",
            "consistent" if ok else "inconsistent",
            reason,
            _src(tw.tail(1), ["period", "value", "bound", "stated_by", "record_id"]),
        )
    ]


def _events_matching(events: pd.DataFrame, pattern: str, exclude: str | None = None) -> pd.DataFrame:
    hit = events[
        events["event_id"].str.contains(pattern, case=False, regex=True)
        | events["title"].str.contains(pattern, case=False, regex=True)
    ]
    if exclude:
        hit = hit[~hit["event_id"].str.contains(exclude, case=False, regex=True)]
    return hit.sort_values("date")


def check_semnan_first(ev: Evidence, claim: pd.Series) -> list[Reading]:
    earlier = _events_matching(ev.events, "industrial", exclude="semnan")
    earlier = earlier[earlier["date"] < ev.as_of]
    plans = "; ".join(f"{r.date:%Y-%m} {r.title}" for r in earlier.itertuples()) or "none"
    return [
        Reading(
            "no joint industrial city with Iraq was established before",
            "unverifiable",
            f"Earlier plans for joint industrial towns are on record ({plans}), but the data hold no evidence "
            "that any was built, so 'first to be established' can be neither confirmed nor refuted.",
            _src(earlier, ["date", "title", "publisher", "event_id"]),
        )
    ]


def check_students(ev: Evidence, claim: pd.Series) -> list[Reading]:
    own = "students-1200"
    others = _events_matching(ev.events, "students", exclude=own)
    if others.empty:
        return [
            Reading(
                "all Iraqi students in Iran", "unverifiable", "No other count of Iraqi students in Iran in the data."
            )
        ]
    value = float(claim["value"])
    import re

    counts = []
    for r in others.itertuples():
        m = re.search(r"(\d[\d,]*)", r.title.replace(",", ""))
        counts.append(float(m.group(1)) if m else float("nan"))
    known = [c for c in counts if c == c]
    agrees = [abs(c - value) <= 0.25 * value for c in known]
    listed = "; ".join(f"{r.date:%Y-%m}: {r.title}" for r in others.itertuples())
    scale = (
        f" They are {min(known) / value:.0f} to {max(known) / value:.0f} times the claimed {value:,.0f} "
        "(within 25% counts as agreeing)."
        if known
        else ""
    )
    return [
        Reading(
            "all Iraqi students in Iran",
            judge(agrees),
            f"Other officials' counts: {listed}.{scale}",
            _src(others, ["date", "title", "publisher", "event_id"]),
        ),
        Reading(
            "a narrower group (e.g. one programme or degree level)",
            "unverifiable",
            "No count of a narrower group is in the data.",
        ),
    ]


def check_ten_categories(ev: Evidence, claim: pd.Series) -> list[Reading]:
    c = ev.composition
    groups = c.groupby(["period", "stated_by", "source_url"]).size()
    return [
        Reading(
            "the chamber classifies exports into these ten categories",
            "unverifiable",
            f"The chamber's document was not found; none of the {len(groups)} published breakdowns in the data "
            "uses these ten categories" + (f" (the largest lists {int(groups.max())} groups)." if len(groups) else "."),
        )
    ]


def _itemised_shares(ev: Evidence, single_groups: bool = False) -> pd.DataFrame:
    """Category shares from the breakdowns :func:`helpers.analysis.composition.comparable_breakdowns` accepts."""
    from helpers.analysis import composition

    shares = ev.category_shares
    return shares[shares["breakdown"].isin(composition.comparable_breakdowns(shares, single_groups=single_groups))]


def check_share_65(ev: Evidence, claim: pd.Series) -> list[Reading]:
    from helpers.analysis import composition, import_share

    target = float(claim["value"]) / 100
    pairs = import_share.pairings(ev.trade, ev.imports)
    pairs = pairs[(pairs["year"] <= ev.as_of.year) & pairs["share_is"].isin(import_share.RANGE_KINDS)]
    if pairs.empty:
        r1 = Reading(
            "Iran's exports are 65% of Iraq's total imports",
            "unverifiable",
            "No pairing of Iran's sales with Iraq's total imports for the same year and coverage.",
        )
    else:
        r1 = Reading(
            "Iran's exports are 65% of Iraq's total imports",
            judge([abs(s - target) <= 0.05 for s in pairs["share"]]),
            f"{len(pairs)} pairings of Iran's sales with Iraq's total imports "
            "(same year and coverage; upper bounds left out) "
            f"give {pairs['share'].min():.0%}–{pairs['share'].max():.0%}.",
            _src(
                pairs,
                ["year", "coverage", "iran_value", "iraq_total", "share", "share_is", "iran_source", "total_source"],
            ),
        )
    effect = composition.energy_effect(ev.composition)
    non_energy = 1 - effect["energy_share"]
    r2 = Reading(
        "the ten (non-energy) categories are 65% of Iran's exports to Iraq",
        judge([abs(s - target) <= 0.05 for s in non_energy]),
        "Non-energy share in breakdowns that itemise energy: "
        + ", ".join(f"{s:.0%}" for s in non_energy)
        + " (within 5 points counts as agreeing).",
        effect.assign(non_energy_share=non_energy),
    )
    r3 = Reading(
        "the ten categories are 65% of Iraq's imports from all countries",
        "unverifiable",
        "No breakdown of Iraq's total imports by these categories is in the data.",
    )
    return [r1, r2, r3]


def check_agriculture_30(ev: Evidence, claim: pd.Series) -> list[Reading]:
    target = float(claim["value"]) / 100
    shares = _itemised_shares(ev, single_groups=True)
    wide = shares.pivot_table(index="breakdown", columns="category_id", values="share", aggfunc="sum")
    out = []
    if "agriculture" in wide:
        agri = wide["agriculture"].dropna()
        out.append(
            Reading(
                "agricultural products alone",
                judge([abs(v - target) <= 0.03 for v in agri]),
                "Agriculture alone: "
                + ", ".join(f"{v:.0%} ({b.split(' · ')[0]})" for b, v in agri.items())
                + " (within 3 points counts as agreeing).",
                agri.rename("share").reset_index(),
            )
        )
    combined = (
        wide.reindex(columns=["agriculture", "food_industry", "mixed_agri_food"]).sum(axis=1, min_count=1).dropna()
    )
    combined = combined[
        wide.reindex(columns=["food_industry", "mixed_agri_food"])
        .notna()
        .any(axis=1)
        .reindex(combined.index, fill_value=False)
    ]
    if len(combined):
        out.append(
            Reading(
                "agriculture together with food industries",
                judge([abs(v - target) <= 0.03 for v in combined]),
                "Agriculture and food together: "
                + ", ".join(f"{v:.0%} ({b.split(' · ')[0]})" for b, v in combined.items())
                + ".",
                combined.rename("share").reset_index(),
            )
        )
    return out or [
        Reading(
            "agriculture's share",
            "unverifiable",
            "No near-complete breakdown or single-group statement gives agriculture's share.",
        )
    ]


def check_agriculture_largest(ev: Evidence, claim: pd.Series) -> list[Reading]:
    shares = _itemised_shares(ev)
    shares = shares[shares["kind"] != "not itemised"]
    multi = shares.groupby("breakdown").filter(lambda g: len(g) >= 3)
    if multi.empty:
        return [
            Reading(
                "agriculture leads",
                "unverifiable",
                "No breakdown with three or more groups itemising at least 90% of its total.",
            )
        ]
    agri_ids = {"agriculture", "food_industry", "mixed_agri_food"}
    readings = []
    for name, merge in (
        ("agricultural products alone are the largest group", False),
        ("agriculture together with food is the largest group", True),
    ):
        verdicts, notes = [], []
        for b, g in multi.groupby("breakdown", sort=False):
            cid = (
                g["category_id"].where(~(merge & g["category_id"].isin(agri_ids)), "agri_food")
                if merge
                else g["category_id"]
            )
            merged = g.assign(cid=cid).groupby("cid")["share"].sum()
            top = merged.idxmax()
            verdicts.append(top == ("agri_food" if merge else "agriculture"))
            shown = {"agri_food": "agriculture and food"}.get(top, top.replace("_", " "))
            notes.append(f"{b.split(' · ')[0]} ({b.split(' · ')[-1]}): largest is {shown} at {merged.max():.0%}")
        readings.append(
            Reading(
                name,
                judge(verdicts),
                "; ".join(notes) + ".",
                multi[["breakdown", "category", "share"]].reset_index(drop=True),
            )
        )
    return readings


def check_leather(ev: Evidence, claim: pd.Series) -> list[Reading]:
    c = ev.composition
    leather = c[c["category_id"] == "leather"]
    if leather.empty:
        return [Reading("leather's share", "unverifiable", "No published breakdown in the data itemises leather.")]
    return [Reading("leather's share", "ambiguous", "Leather is itemised; see the composition notebook.", leather)]


def check_pezeshkian(ev: Evidence, claim: pd.Series) -> list[Reading]:
    # the report announces a visit scheduled after its date: check it against what happened
    visits = _events_matching(ev.events_all if ev.events_all is not None else ev.events, "pezeshkian")
    sworn = visits[visits["event_id"].str.contains("sworn", case=False)]
    trip = visits[visits["title"].str.contains("first foreign", case=False)]
    if trip.empty:
        return [
            Reading(
                "first foreign trip", "unverifiable", "No event in the data records Pezeshkian's first foreign trip."
            )
        ]
    t = trip.iloc[0]
    in_sept = t["date"].year == 2024 and t["date"].month == 9
    after = bool(len(sworn)) and t["date"] > sworn.iloc[0]["date"]
    reason = (
        f"{t['date']:%d %B %Y}: {t['title']} ({t['publisher']})"
        + (f", after taking office on {sworn.iloc[0]['date']:%d %B %Y}" if len(sworn) else "")
        + "."
    )
    return [
        Reading(
            "first foreign visit, to Iraq, in September 2024",
            "consistent" if in_sept and (after or sworn.empty) else "inconsistent",
            reason,
            _src(visits, ["date", "title", "publisher", "event_id"]),
        )
    ]


def check_influence_2003(ev: Evidence, claim: pd.Series) -> list[Reading]:
    from helpers.analysis import volume

    exp = ev.trade[
        (ev.trade["flow"] == "iran_exports_to_iraq") & ~ev.trade["partial"] & (ev.trade["calendar"] != "unstated")
    ]
    early = exp[exp["end"].dt.year <= 2003].sort_values("start")
    later = volume.preferred(ev.trade_ended, "iran_exports_to_iraq", "iranian")
    readings = []
    if len(early) and len(later):
        last = later.iloc[-1]
        ratios = [float(last["value"]) / float(v) for v in early["value"]]
        reason = (
            "Iran's exports to Iraq around 2003: "
            + ", ".join(f"{r.period} ${r.value / 1e9:.2f}bn ({r.publisher})" for r in early.itertuples())
            + f"; {last['period'].split(' (')[0]}: ${last['value'] / 1e9:.1f}bn, "
            f"{min(ratios):.0f} to {max(ratios):.0f} times as much."
        )
        readings.append(
            Reading(
                "economic weight: trade grew after 2003",
                judge([x > 2 for x in ratios]),
                reason,
                _src(early, ["period", "value", "bound", "stated_by", "publisher", "record_id"]),
            )
        )
    pol = ev.events[ev.events["category"].isin(["political", "security"]) & (ev.events["date"] <= ev.as_of)]
    readings.append(
        Reading(
            "political and security influence",
            "unverifiable",
            f"The timeline holds {len(pol)} political and security events after 2003, "
            "but influence itself is not measured in the data.",
        )
    )
    return readings


def check_pmf_2016(ev: Evidence, claim: pd.Series) -> list[Reading]:
    law = _events_matching(ev.events, "pmf-law|pmf law")
    if law.empty:
        return [Reading("legal integration", "unverifiable", "No event records the PMF's legal integration.")]
    r = law.iloc[0]
    ok = r["date"].year == int(claim["value"])
    return [
        Reading(
            "legal integration into the armed forces",
            "consistent" if ok else "inconsistent",
            f"{r['date']:%d %B %Y}: {r['title']} ({r['publisher']}).",
            _src(law, ["date", "title", "publisher", "event_id"]),
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


@or_unanswered
def check_all(claims: pd.DataFrame, ev: Evidence | None) -> list[Check]:
    """Run the registered check of every claim; a claim without a rule is unverifiable.

    With ``ev`` None (a report about another country pair) no rule applies: the rules read the
    Iran–Iraq evidence in ``data/`` and would judge another pair's claims on the wrong data.
    """
    out = []
    for _, row in claims.iterrows():
        fn = CHECKS.get(row["claim_id"]) if ev is not None else None
        if fn and row["claim_id"] in NEEDS_VALUE and pd.isna(row["value"]):
            readings = [
                Reading(
                    "any",
                    "unverifiable",
                    "The claims file gives no value for this claim, and its rule compares a value.",
                )
            ]
        elif fn:
            readings = fn(ev, row)
        elif ev is None:
            readings = [
                Reading(
                    "any",
                    "unverifiable",
                    "The checking rules read the Iran–Iraq evidence in data/; "
                    "no evidence for this pair is in the data.",
                )
            ]
        else:
            readings = [Reading("any", "unverifiable", "No checking rule for this claim in helpers.analysis.claims.")]
        value = None if pd.isna(row["value"]) else float(row["value"])
        out.append(Check(row["claim_id"], row["claim"], value, None if pd.isna(row["unit"]) else row["unit"], readings))
    return out


VERDICT_COLUMNS = ["claim_id", "claim", "value", "unit", "verdict", "reason"]
READING_COLUMNS = ["claim_id", "reading", "verdict", "reason"]


def verdict_table(checks: list[Check] | Unanswered) -> pd.DataFrame:
    """One row per claim: id, claim, value, unit, verdict, reason (the table the runner writes as
    claims.csv); no checks (or no claims to check) give the table with no rows."""
    rows = [
        {
            "claim_id": c.claim_id,
            "claim": c.claim,
            "value": c.value,
            "unit": c.unit,
            "verdict": c.verdict,
            "reason": c.reason,
        }
        for c in (checks if is_answered(checks) else [])
    ]
    return pd.DataFrame(rows, columns=VERDICT_COLUMNS)


def readings_table(checks: list[Check] | Unanswered) -> pd.DataFrame:
    """One row per reading of every claim, with its verdict and reason."""
    rows = [
        {"claim_id": c.claim_id, "reading": r.name, "verdict": r.verdict, "reason": r.reason}
        for c in (checks if is_answered(checks) else [])
        for r in c.readings
    ]
    return pd.DataFrame(rows, columns=READING_COLUMNS)


def rules_table() -> pd.DataFrame:
    """The fixed set of verdicts with the rule for each."""
    return pd.DataFrame({"verdict": list(RULES), "rule": list(RULES.values())})
