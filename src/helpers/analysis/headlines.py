"""Sentences that state what the figures show: chart titles, captions that depend on parameters,
the lines the notebooks print and the one-line findings the README and the index repeat.

Every function takes computed frames and values and returns text; none computes a statistic of
its own beyond picking the row a sentence is about. An unanswered input gives back the same
:class:`~helpers.answers.Unanswered` (its reason is what the notebook shows).
"""

from __future__ import annotations

import pandas as pd

from helpers.analysis import claims, composition, import_share, timeline, volume
from helpers.analysis.countries import country_name
from helpers.answers import is_answered, or_unanswered
from helpers.present import bound_prefix, counted, md_escape, pct, usd_bn


def period_name(period: str) -> str:
    """'1401' from '1401 (2022-03-21 to 2023-03-20)': a period's name without its span."""
    return period.split(" (")[0]


def bound_word(bound: str, lower: str = "at least ", upper: str = "at most ") -> str:
    """The word a bound puts before a ratio of its figure: ``lower`` for a lower bound, ``upper`` for an upper
    one, else nothing."""
    return {"lower": lower, "upper": upper}.get(bound, "")


def year_spans(years) -> str:
    """'2016–2017, 2019, 2021–2022': years as runs of consecutive years, so a gap shows as a gap; 'no year'."""
    years = sorted({int(y) for y in years})
    if not years:
        return "no year"
    runs: list[list[int]] = [[years[0], years[0]]]
    for year in years[1:]:
        if year == runs[-1][1] + 1:
            runs[-1][1] = year
        else:
            runs.append([year, year])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs)


def _reports(cov: pd.DataFrame, country: str, other: str) -> str:
    """What one country reports about its trade with ``other``: 'Iran reports its exports to Iraq for 2018–2022'."""
    name, other_name = country_name(country), country_name(other)
    mine = cov[cov["reporter"] == country]
    flows = set(mine["flow"])
    exports = year_spans(mine.loc[mine["flow"] == "X", "year"])
    imports = year_spans(mine.loc[mine["flow"] == "M", "year"])
    if not flows:
        return f"{name} reports nothing"
    if flows == {"X"}:
        return f"{name} reports only its exports to {other_name}, for {exports}"
    if flows == {"M"}:
        return f"{name} reports only its imports from {other_name}, for {imports}"
    if exports == imports:
        return f"{name} reports its exports to and imports from {other_name} for {exports}"
    return f"{name} reports its exports to {other_name} for {exports} and its imports from it for {imports}"


def coverage_line(cov: pd.DataFrame, first: str, second: str) -> str:
    """What the download holds for the pair, from :func:`helpers.analysis.official.coverage`: who reports
    which flow for which years (Comtrade), or which directions BACI gives for which years.

    'In the download: Iran reports its exports to and imports from Iraq for 2018–2022; Iraq reports nothing.'
    """
    parts = []
    if cov["source"].isin(["comtrade", "comtrade_legacy"]).any():
        reports = cov[cov["source"] != "baci"]
        parts += [_reports(reports, first, second), _reports(reports, second, first)]
    if (cov["source"] == "baci").any():
        baci = cov[cov["source"] == "baci"]
        spans = [
            f"{country_name(a)}→{country_name(b)} for "
            + year_spans(baci.loc[(baci["exporter"] == a) & (baci["importer"] == b), "year"])
            for a, b in ((first, second), (second, first))
        ]
        parts.append("BACI gives " + " and ".join(spans))
    if not parts:
        return "In the download: no trade between the two countries."
    return "In the download: " + "; ".join(parts) + "."


# ---------------------------------------------------------------------------
# 01 — trade volume and the target


@or_unanswered
def volume_title(exports: pd.DataFrame, target_usd: float) -> str:
    """Title of the volume chart: the latest preferred export figure (of the bodies drawn) against the two-way
    target; without one, the target alone."""
    if exports.empty:
        return (
            f"Reported trade between Iran and Iraq: no full Iranian-year figure of Iran's exports among the "
            f"bodies drawn, against a {usd_bn(target_usd, 0)} two-way target"
        )
    latest = exports.iloc[-1]
    return (
        f"Iran's exports to Iraq alone reached {usd_bn(latest['value'], bound=latest['bound'])} in "
        f"{period_name(latest['period'])}: {bound_word(latest['bound'])}{latest['value'] / target_usd:.0%} "
        f"of the {usd_bn(target_usd, 0)} two-way target"
    )


@or_unanswered
def official_title(pair_name: str, two_way: pd.DataFrame) -> str:
    """Title of the official-series chart: the latest two-way value, when there is one."""
    if two_way.empty:
        return f"{pair_name} trade in official statistics"
    last = two_way.iloc[-1]
    return f"{pair_name} trade in official statistics: {usd_bn(last['value'])} both ways in {int(last['year'])}"


#: How a caption names the download's source.
SOURCE_NAMES = {"comtrade": "UN Comtrade", "baci": "CEPII BACI"}


def official_caption(pair_name: str, source: str) -> str:
    """Caption of the official-series chart."""
    return (
        f"Annual {pair_name} trade from {SOURCE_NAMES.get(source, source)} files, one line per direction and "
        "reporting side "
        "(solid: BACI reconciled; dashed: importer-reported; dotted: exporter-reported). "
        "The dotted horizontal line is the target. Gaps are years the files do not cover."
    )


def growth_bound_word(bound: str) -> str:
    """'at most ' for a base that is a lower bound, 'about ' for an approximate one (the growth needed
    from a base that is at least X is at most the computed rate)."""
    return {"lower": "at most ", "approx": "about "}.get(bound, "")


@or_unanswered
def base_line(base: dict, label: str, base_year: int) -> str:
    """'Base (reported figures): about $9.94bn in 2022 (estimate from 1400 and 1401).'"""
    return f"Base ({label}): {usd_bn(base['value'], 2, base['bound'])} in {base_year} ({base['how']})."


@or_unanswered
def need_phrase(base: dict, need: float) -> str:
    """'needs about 9.1% a year' or 'no growth is needed'."""
    if need <= 0:
        return "no growth is needed"
    return f"needs {growth_bound_word(base['bound'])}{pct(need)} a year"


@or_unanswered
def target_line(base: dict, need: float, target_usd: float, base_year: int, target_year: int) -> str:
    """What reaching the target takes from the base."""
    if need <= 0:
        return f"The base is already at or above {usd_bn(target_usd, 0)}: no growth is needed."
    return (
        f"Reaching {usd_bn(target_usd, 0)} by {target_year} takes {growth_bound_word(base['bound'])}{pct(need)} "
        f"growth a year for {counted(target_year - base_year, 'year')}."
    )


@or_unanswered
def growth_line(label: str, growth: volume.Growth | None, window: int) -> str:
    """Historical growth of one series over ``window`` years, or why it is not computed."""
    if growth is None:
        return (
            f"{label}: no figure for both ends of a {window}-year window ending at the latest year; "
            "growth not computed."
        )
    return (
        f"{label}: {pct(growth.rate)} a year from {growth.first_label} to {growth.last_label}{growth_caveat(growth)}."
    )


def growth_caveat(growth: volume.Growth) -> str:
    """What the bounds of the two end figures say about a growth rate: at least it (a lower-bound end or an
    upper-bound start), at most it (the reverse), or neither (bounds at both ends pulling opposite ways)."""
    first, last = growth.first_bound, growth.last_bound
    up = {"latest figure is a lower bound": last == "lower", "earliest figure is an upper bound": first == "upper"}
    down = {"earliest figure is a lower bound": first == "lower", "latest figure is an upper bound": last == "upper"}
    at_least = [why for why, hit in up.items() if hit]
    at_most = [why for why, hit in down.items() if hit]
    if at_least and at_most:
        return f" ({at_most[0]} and {at_least[0]}: the true rate may be higher or lower)"
    if at_least:
        return f" ({at_least[0]}, so growth is at least this)"
    if at_most:
        return f" ({at_most[0]}, so growth is at most this)"
    return ""


@or_unanswered
def reached_line(base: dict, base_year: int, target_usd: float, growth: volume.Growth | None) -> str | None:
    """When the target is reached at the historical rate; None when no rate could be computed."""
    if growth is None:
        return None
    if base["value"] >= target_usd:
        return f"The {base_year} base is already at or above {usd_bn(target_usd, 0)}, whatever the rate."
    reached = volume.year_reached(base["value"], base_year, target_usd, growth.rate)
    when = "never reached at that rate" if reached is None else f"reached around {reached:.0f}"
    return f"At {pct(growth.rate)} a year from the {base_year} base, {usd_bn(target_usd, 0)} is {when}."


@or_unanswered
def target_statements_line(goal: pd.DataFrame) -> str:
    """How many statements of the two-way target, how many dated, over what span, how many with a deadline."""
    dated = goal[goal["date"].notna()]
    return (
        f"{len(goal)} statements of a two-way target, {len(dated)} dated, from {dated['date'].min():%B %Y} to "
        f"{dated['date'].max():%B %Y}; {int(goal['deadline_year'].notna().sum())} named a deadline."
    )


@or_unanswered
def target_goal(base: dict, need: float, target_usd: float, target_year: int) -> str:
    """'reaching $20bn by 2030 needs about 9.1% a year'; 'the base is already at or above $5bn: reaching it by
    2030 needs no growth' when it is."""
    if need <= 0:
        return f"the base is already at or above {usd_bn(target_usd, 0)}: reaching it by {target_year} needs no growth"
    return f"reaching {usd_bn(target_usd, 0)} by {target_year} {need_phrase(base, need)}"


@or_unanswered
def reported_volume_finding(
    exports: pd.DataFrame,
    two_way: pd.DataFrame,
    base: dict,
    need: float,
    base_year: int,
    target_usd: float,
    target_year: int,
) -> str:
    """Notebook 01's finding from reported figures: the latest preferred level and what the target needs."""
    latest = two_way.iloc[-1]
    through = period_name(exports.iloc[-1]["period"])
    return (
        f"With figures through Iranian year {through}: the latest preferred two-way figure is "
        f"{usd_bn(latest['value'], 1, latest['bound'])} for {period_name(latest['period'])}; "
        f"from a {base_year} base of {usd_bn(base['value'], 2, base['bound'])}, "
        f"{target_goal(base, need, target_usd, target_year)}."
    )


@or_unanswered
def official_volume_finding(
    source: str, pair_name: str, base: dict, need: float, base_year: int, target_usd: float, target_year: int
) -> str:
    """Notebook 01's finding from an official download: two-way trade in the base year and what the target needs."""
    return (
        f"From {SOURCE_NAMES.get(source, source)} statistics for {pair_name}: two-way trade was "
        f"{usd_bn(base['value'], 2, base.get('bound'))} in "
        f"{base_year}; {target_goal(base, need, target_usd, target_year)}."
    )


# ---------------------------------------------------------------------------
# 02 — composition and Iran's share of Iraq's imports


@or_unanswered
def composition_title(shares: pd.DataFrame) -> str:
    """Title of the composition chart: in how many near-complete breakdowns agriculture or food leads."""
    comparable = composition.comparable_breakdowns(shares, single_groups=False)
    largest = composition.largest_categories(shares, comparable)
    led = int(largest["category_id"].isin(composition.AGRI_FOOD).sum())
    return (
        f"Agriculture or food leads in {led} of {len(comparable)} near-complete breakdowns of Iran's exports to Iraq; "
        "most breakdowns list only a few groups"
    )


def composition_caption(include_energy: bool) -> str:
    """Caption of the composition chart of the reported breakdowns."""
    energy = "" if include_energy else ", energy removed and shares re-based where energy is itemised"
    return (
        f"Share of each category in each published breakdown of Iran's exports to Iraq{energy}. "
        "Hatched: mixed buckets; dotted: energy; grey: not itemised by the source. "
        "Breakdowns are from different bodies, periods and definitions."
    )


@or_unanswered
def food_mixed_line(versus: pd.DataFrame) -> str:
    """In how many breakdowns agriculture mixed with food industries is itemised."""
    count = int(versus["agriculture + food mixed"].notna().sum())
    return f"Agriculture mixed with food industries is itemised in {count} breakdowns."


@or_unanswered
def energy_line(effect: pd.DataFrame, rebased: int) -> str:
    """How many breakdowns itemise energy, at what shares, and how many can be re-based without it."""
    bounds = effect["energy_bound"] if "energy_bound" in effect else pd.Series("exact", index=effect.index)
    shares = ", ".join(bound_prefix(b) + pct(v, 0) for v, b in zip(effect["energy_share"], bounds))
    return (
        f"{len(effect)} breakdowns itemise energy, at {shares} of their totals; "
        f"{rebased} can be re-based on non-energy trade (include_energy=False)."
    )


def share_range_phrase(ranges: pd.DataFrame) -> str:
    """'1%–23% of Iraq's imports in 27 usable pairings, 1998–2023 (2023: 10%–14%)': the words every
    statement of Iran's share uses (notebook 02 and the 65% claim), from :func:`import_share.range_summary`."""
    s = import_share.range_summary(ranges)
    return (
        f"{pct(s['low'], 0)}–{pct(s['high'], 0)} of Iraq's imports in {s['pairings']} usable pairings, "
        f"{s['first']}–{s['last']} ({s['last']}: {pct(s['latest_low'], 0)}–{pct(s['latest_high'], 0)})"
    )


@or_unanswered
def share_title(ranges: pd.DataFrame, report_share: float = 0.65) -> str:
    """Title of the import-share chart: the range of Iran's share against the report's figure."""
    top = ranges["high"].max()
    relation = "below" if top < report_share else "up to"
    return (
        f"Iran's goods are {pct(ranges['low'].min(), 0)}–{pct(top, 0)} of Iraq's goods imports in the usable "
        f"pairings, {relation} the report's {report_share:.0%}"
    )


@or_unanswered
def supplier_rank_line(ranking: pd.DataFrame, supplier: str = "IRN") -> str:
    """Iran's rank by value among Iraq's sourced suppliers, per year."""
    ranks = ranking[ranking["partner"] == supplier]
    if ranks.empty:
        why = "Iran is in none of the years ranked" if len(ranking) else "no year has enough sourced suppliers"
        return f"Iran's rank by value among sourced suppliers: {why} (see min_suppliers)."
    years = "; ".join(
        f"{r.year}: {r.rank_by_high} of {int((ranking['year'] == r.year).sum())}" for r in ranks.itertuples()
    )
    return "Iran's rank by value among sourced suppliers: " + years


def official_composition_title(exporter: str, importer: str, source: str) -> str:
    """Title of the composition chart from official HS chapters."""
    return f"{exporter}'s exports to {importer} by category, from {source} HS chapters"


def official_composition_caption(exporter: str, importer: str, include_energy: bool) -> str:
    """Caption of the composition chart from official HS chapters."""
    energy = "" if include_energy else "; energy removed and shares re-based"
    return (
        f"Share of each category in {exporter}'s exports to {importer} per year and reporting side, "
        f"HS chapters mapped through data/concordance_hs.csv{energy}."
    )


def composition_finding(
    pair, pairs, ranges, itemised: dict[str, str], official_shares, source: str, market_share=None
) -> str:
    """Notebook 02's finding: Iran's share of Iraq's imports and the categories the report quantifies,
    from the reported figures when the pair has them, else the largest category in the download; with a
    download, the reporter's share of the partner's imports in official statistics after it."""
    found = _composition_finding(pair, pairs, ranges, itemised, official_shares, source)
    if market_share is None or not is_answered(market_share) or not is_answered(found):
        return found
    last = market_share.iloc[-1]
    mirror = " (mirror data)" if str(last["basis"]).startswith("mirror") else ""
    return (
        f"{found[:-1]}; in official {source} statistics{mirror}, {pair.exporter_name} supplied "
        f"{pct(last['share'], 0)} of {pair.importer_name}'s imports in {int(last['year'])} "
        f"(rank {int(last['rank'])} of {int(last['suppliers'])})."
    )


def _composition_finding(pair, pairs, ranges, itemised: dict[str, str], official_shares, source: str) -> str:
    if is_answered(pairs):
        if is_answered(ranges):
            left_out = int((~pairs["in_range"]).sum())
            share = f"Iran's sales were {share_range_phrase(ranges)} ({left_out} more left out), not 65%"
        else:
            share = "no usable pairing of Iran's sales with Iraq's imports"
        through = int(pairs["year"].max()) if len(pairs) else "n/a"
        categories = "; " + "; ".join(itemised.values()) if is_answered(itemised) and itemised else ""
        return f"With data through {through}: {share}{categories}."
    if not is_answered(official_shares):
        return f"No composition for {pair.name}. {official_shares.reason}"
    top = composition.top_category(official_shares)
    if top is None:
        return (
            f"From official {source} statistics for {pair.name}: {pair.exporter_name}'s exports to "
            f"{pair.importer_name} map to no category in any year (totals only, or chapters the concordance lacks)."
        )
    year, category, share = top
    later = sorted({int(y) for y in official_shares["start"].dt.year if y > year})
    unmapped = (
        f"; {year_spans(later)}: no HS chapter mapped to a category (totals only, or chapters the concordance lacks)"
        if later
        else ""
    )
    return (
        f"From official {source} statistics for {pair.name}: the largest category of {pair.exporter_name}'s "
        f"exports to {pair.importer_name} in {year} was {category} ({pct(share, 0)}){unmapped}."
    )


# ---------------------------------------------------------------------------
# 03 — influence timeline


@or_unanswered
def events_line(shown: pd.DataFrame, events: pd.DataFrame, start: str, end: str, categories: list[str]) -> str:
    """How many events are drawn, of how many, and how many are confirmed at their source."""
    confirmed = int((shown["status"] == "confirmed").sum())
    drawn = counted(len(categories), "category", "categories")
    return (
        f"{len(shown)} of {len(events)} events between {start} and {end} in {drawn}; "
        f"{confirmed} confirmed at their source"
    )


@or_unanswered
def timeline_title(shown: pd.DataFrame, phases: pd.DataFrame, trade: pd.DataFrame, pair_name: str) -> str:
    """Title of the timeline: the phase with most events, and whether exports rose over the span."""
    busiest = timeline.busiest_phase(shown, phases)
    lead = (
        f"Most dated events fall in the phase '{busiest}'; "
        if busiest
        else f"{counted(len(shown), 'dated event')} for {pair_name}; "
    )
    # one calendar's first and last figures (calendars are never compared with each other): the one with more
    series = [trade[trade["calendar"] == c] for c in ("iranian", "gregorian")] if len(trade) else []
    longest = max(series, key=len) if series else trade
    if len(longest) < 2:
        return lead + "too few full-year trade figures in one calendar to show a direction"
    rose = longest.iloc[-1]["value"] > longest.iloc[0]["value"]
    return lead + f"exports {'rose' if rose else 'did not rise'} over the span shown"


def timeline_caption(exporter: str, importer: str, shading: pd.DataFrame, trade: pd.DataFrame | None = None) -> str:
    """Caption of the timeline chart: the pair's own names, the calendars of the ``trade`` drawn (both when
    not given), and the phases only when there are any."""
    labels = "Shading marks the phases; labels name" if len(shading) else "Labels name"
    drawn = timeline.calendars_drawn(trade)
    if drawn == {"gregorian"}:
        spans = "each over the calendar year it covers"
    elif drawn == {"iranian"}:
        spans = "each over the Iranian year it covers"
    else:
        spans = "each over the Iranian or calendar year it covers, the two calendars kept as separate series"
    return (
        f"Top: preferred full-year figures of {exporter}'s exports to {importer}, {spans} (arrows: lower bounds; "
        f"gaps: no full-year figure). Bottom: dated events by category (hollow: not confirmed at the source). "
        f"{labels} selected events."
    )


def timeline_alt(shown: pd.DataFrame, shading: pd.DataFrame, start: str) -> str:
    """Alt text of the timeline chart: what is drawn, from the first date shown."""
    lanes = len(timeline.lanes(shown)) or len(timeline.CATEGORY_ORDER)
    phases = ", with shaded phases" if len(shading) else ""
    return (
        f"Two stacked panels sharing a time axis from {start[:4]}: trade bars above, event dots in "
        f"{counted(lanes, 'category lane')} below{phases}."
    )


@or_unanswered
def timeline_finding(
    pair, events: pd.DataFrame, shown: pd.DataFrame, trade: pd.DataFrame, events_path: str, source: str
) -> str:
    """Notebook 03's finding: the events drawn, the PMF's span and the trade over the same span."""
    if events_path or not is_answered(pair.reported):
        return (
            f"{counted(len(shown), 'dated event')} for {pair.name} from {shown['date'].min():%Y} to "
            f"{shown['date'].max():%Y}, "
            f"read from {events_path}."
        )
    pmf = shown[shown["event_id"].str.contains("pmf")].sort_values("date")  # the PMF events drawn, not all
    if pmf.empty:
        pmf_span = ""
    elif len(pmf) == 1:
        pmf_span = f"; the one PMF event shown is in {pmf['date'].iloc[0]:%B %Y}"
    else:
        pmf_span = f"; the PMF events run from {pmf['date'].min():%B %Y} to {pmf['date'].max():%B %Y}"
    # the trade figures are those of the window shown: 'the same span' only when each overlaps the events' years
    within = len(trade) and (
        trade["end"].min().year >= shown["date"].min().year and trade["start"].max().year <= shown["date"].max().year
    )
    span = "in the same span" if within else "in the span shown"
    if len(trade):
        first, last = trade.iloc[0], trade.iloc[-1]
        flows = f"exports {pair.reporter}→{pair.partner} ({source})"
        at_first = f"{usd_bn(first['value'], bound=first.get('bound'))} ({period_name(first['period'])})"
        if len(trade) == 1:
            money = f"the one preferred figure of {flows} {span} is {at_first}."
        else:
            money = (
                f"preferred figures of {flows} go from {at_first} to {usd_bn(last['value'], bound=last.get('bound'))} "
                f"({period_name(last['period'])}) {span}."
            )
    else:
        money = "no trade figure falls in the span."
    return (
        f"With events through {events['date'].max():%B %Y}: {counted(len(shown), 'sourced event')} from "
        f"{shown['date'].min():%Y} to {shown['date'].max():%Y}{pmf_span}; " + money
    )


# ---------------------------------------------------------------------------
# 04 — claims check


def rating_counts(verdicts: pd.DataFrame) -> str:
    """'5 consistent, 2 misleading, 1 inconsistent, 0 mixed, 5 unverifiable' (every rating, in the fixed order)."""
    counts = verdicts["rating"].value_counts()
    return ", ".join(f"{int(counts.get(r, 0))} {r}" for r in claims.RATINGS)


@or_unanswered
def claims_line(checks: list, verdicts: pd.DataFrame, as_of: str) -> str:
    """How many claims were rated, judged at when, by rating."""
    return f"{counted(len(checks), 'claim')} rated as written, judged at {as_of}: {rating_counts(verdicts)}"


def claim_heading(check) -> str:
    """Markdown heading of one claim (beginning with its id, the page's anchor) with its rating and robustness."""
    name, value = claims.RATING_SCALE[check.rating]
    return (
        f"### {check.claim_id} — {md_escape(check.claim)}\n\n"
        f"**Rating: {check.rating}** (ClaimReview: {name}, {value} of {claims.BEST_RATING}). "
        f"Robustness: {md_escape(check.robustness)}. "
        f"Pieces of evidence published after the date judged at: {check.evidence_after_as_of}."
    )


def reading_line(reading) -> str:
    """Markdown line of one reading: its name (marked when it is the claim as written), result and reason."""
    written = " (as written: decides the rating)" if reading.literal else ""
    return f"- *{md_escape(reading.name)}*{written} — **{reading.result}**. {md_escape(reading.reason)}"


@or_unanswered
def claims_finding(verdicts: pd.DataFrame, as_of: str, evidence, pair_name: str) -> str:
    """Notebook 04's finding: the ratings as written, which claims fail, how many use later evidence."""
    if verdicts.empty:  # no claims file for the pair: nothing was rated, so no count of ratings is a finding
        return (
            f"No claims checked for {pair_name}: no claims file for this pair "
            "(pass claims_path, a CSV with the columns of data/claims.csv)."
        )
    # the shipped report's date, said only of the shipped report's evidence (another pair's report has its own)
    shipped = evidence is not None and as_of == claims.REPORT_DATE
    when = f"Judged at {as_of}" + (" (the report's date)" if shipped else "")
    basis = ", each claim rated as written" if evidence is not None else f", for {pair_name}"
    failed = [
        f"{r}: {', '.join(verdicts.loc[verdicts['rating'] == r, 'claim_id'])}"
        for r in ("misleading", "inconsistent")
        if (verdicts["rating"] == r).any()
    ]
    later = int((verdicts["evidence_after_as_of"] > 0).sum())
    tail = (f"; {'; '.join(failed)}" if failed else "") + (
        f"; {later} rating{'s' if later != 1 else ''} use{'s' if later == 1 else ''} evidence published after it"
        if later
        else ""
    )
    return f"{when}{basis}: of {counted(len(verdicts), 'claim')}, {rating_counts(verdicts)}{tail}."


# ---------------------------------------------------------------------------
# The importer's whole market (official statistics)


def mirror_line(totals: pd.DataFrame, importer: str) -> str:
    """'Mirror data: suppliers' reports make up 100% of Iraq's imports in every year (Iraq did not report them).'"""
    shares = totals["mirror_share"]
    if (shares == 0).all():
        return f"No mirror data: every figure of {importer}'s imports is its own report or BACI's reconciled value."
    if (shares >= 0.999).all():
        return (
            f"Mirror data: every figure of {importer}'s imports is a supplier's report of its exports "
            f"({importer} did not report them)."
        )
    years = ", ".join(f"{int(y)}: {pct(s, 0)}" for y, s in zip(totals["year"], shares) if s > 0)
    return f"Mirror data (suppliers' reports, not {importer}'s own): part of {importer}'s imports in {years}."


@or_unanswered
def market_share_title(share: pd.DataFrame, supplier: str, importer: str) -> str:
    """Title of the official share chart: the supplier's share of the importer's imports, its range and latest."""
    last = share.iloc[-1]
    return (
        f"{supplier} supplied {pct(share['share'].min(), 0)}–{pct(share['share'].max(), 0)} of {importer}'s imports "
        f"in official statistics ({int(last['year'])}: {pct(last['share'], 0)}, rank {int(last['rank'])} "
        f"of {int(last['suppliers'])})"
    )


def market_share_caption(supplier: str, importer: str, reported_ranges) -> str:
    """Caption of the official share chart: the reported range and the report's 65% only when drawn (they are
    the Iran–Iraq report's)."""
    beside = (
        ", beside the range of the reported figures (grey bars) and the report's 65% (dotted line)"
        if is_answered(reported_ranges)
        else ""
    )
    return (
        f"{supplier}'s share of {importer}'s imports by year in official statistics (dots; hollow: mirror data)"
        f"{beside}; a missing year is a gap."
    )


def market_share_alt(reported_ranges) -> str:
    """Alt text of the official share chart."""
    beside = " beside grey bars of the reported range, under a 65% line" if is_answered(reported_ranges) else ""
    return f"Dots of the share by year from official statistics{beside}."


@or_unanswered
def market_rank_line(share: pd.DataFrame, supplier: str, importer: str) -> str:
    """'Iran's rank among Iraq's suppliers in official statistics: 2021: 3 of 40; 2022: 2 of 41.'"""
    ranks = "; ".join(f"{int(r.year)}: {int(r.rank)} of {int(r.suppliers)}" for r in share.itertuples())
    return f"{supplier}'s rank among {importer}'s suppliers in official statistics: {ranks}."
