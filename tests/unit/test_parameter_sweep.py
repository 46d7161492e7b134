"""Sentences that must read right for any valid parameter set: each test is a parameter set of the sweep
(target already reached, a negative historical rate, a one-year window, a single category, ...) whose
printed text was wrong, checked on the function that writes it."""

from __future__ import annotations

import pandas as pd

from helpers.analysis import headlines, volume


def _growth(first_bound: str, last_bound: str) -> volume.Growth:
    series = pd.DataFrame(
        {
            "year": [1401, 1402],
            "period": ["1401", "1402"],
            "value": [10e9, 10.5e9],
            "bound": [first_bound, last_bound],
        }
    )
    return volume.historical_growth(series, 1)


def test_a_target_already_reached_reads_as_a_sentence_in_the_finding():
    # target_usd: 5e9 with a base of about $10bn: was "... reaching $5bn by 2030 no growth is needed."
    base = {"value": 10.14e9, "bound": "approx", "how": "x"}
    goal = headlines.target_goal(base, volume.required_growth(10.14e9, 5e9, 2022, 2030), 5e9, 2030)
    assert goal == "the base is already at or above $5bn: reaching it by 2030 needs no growth"
    two_way = pd.DataFrame({"period": ["1401 (Mar 2022–Mar 2023)"], "value": [10.2e9], "bound": ["approx"]})
    exports = pd.DataFrame({"period": ["1402 (Mar 2023–Mar 2024)"]})
    finding = headlines.reported_volume_finding(exports, two_way, base, -0.08, 2022, 5e9, 2030)
    assert finding.endswith(
        "from a 2022 base of about $10.14bn, the base is already at or above $5bn: reaching it by 2030 needs no growth."
    )
    assert "no growth is needed." not in finding


def test_a_falling_rate_never_reaches_the_target_in_plain_words():
    # sample BACI / Comtrade sets (growth_window 2): was "$20bn is reached never at that rate."
    g = volume.Growth("2021", "2023", 0.65e9, 0.41e9, 2, volume.cagr(0.65e9, 0.41e9, 2))
    line = headlines.reached_line({"value": 0.65e9}, 2021, 20e9, g)
    assert line == "At -20.6% a year from the 2021 base, $20bn is never reached at that rate."


def test_growth_between_two_lower_bounds_is_not_called_a_lower_bound():
    # growth_window: 1: 1401 "over $10bn" to 1402 "over $10bn" was "... (latest figure is a lower bound, so
    # growth is at least this)", though the earlier lower bound can make the true rate smaller as well as larger.
    both = headlines.growth_line("exports IRN→IRQ", _growth("lower", "lower"), 1)
    assert "at least" not in both
    assert both.endswith(
        "(earliest figure is a lower bound and latest figure is a lower bound: the true rate may be higher or lower)."
    )
    # a lower-bound start (two-way 1400 "over $9.9bn" to 1401 "about $10.2bn") caps the rate: it was said bare
    start = headlines.growth_line("two-way trade", _growth("lower", "approx"), 1)
    assert start.endswith("(earliest figure is a lower bound, so growth is at most this).")
    assert headlines.growth_line("x", _growth("approx", "lower"), 1).endswith(
        "(latest figure is a lower bound, so growth is at least this)."
    )
    assert headlines.growth_line("x", _growth("exact", "upper"), 1).endswith("so growth is at most this).")
    assert headlines.growth_line("x", _growth("exact", "exact"), 1) == "x: 5.0% a year from 1401 to 1402."


def test_one_category_is_singular_in_the_events_line():
    # categories: [social]: was "9 of 58 events between ... in 1 categories; ..."
    shown = pd.DataFrame({"status": ["confirmed", "unconfirmed"]})
    line = headlines.events_line(shown, pd.DataFrame(index=range(9)), "2003-01-01", "2025-12-31", ["social"])
    assert line == "2 of 9 events between 2003-01-01 and 2025-12-31 in 1 category; 1 confirmed at their source"
    six = headlines.events_line(shown, shown, "2003-01-01", "2025-12-31", ["a", "b", "c", "d", "e", "f"])
    assert "in 6 categories;" in six


def _timeline_finding(start: str, end: str, categories: list[str]) -> str:
    from helpers import evidence
    from helpers.analysis import timeline

    pair = evidence.load("IRN", "IRQ", "reported", "")
    events = pair.events()
    iranian, gregorian = pair.primary.exports("iranian"), pair.primary.exports("gregorian")
    shown = timeline.select(events, start, end, categories)
    trade = timeline.trade_beside(timeline.in_span(gregorian, start, end), timeline.in_span(iranian, start, end))
    return headlines.timeline_finding(pair, events, shown, trade, "", "reported")


def test_the_timeline_finding_speaks_of_the_events_drawn_and_their_span():
    # categories: [social]: was "9 sourced events from 2019 to 2025; the PMF events run from June 2014 to
    # August 2025; preferred figures ... go from about $0.6bn (2003) to up to $12.0bn (2024) in the same span." (no PMF
    # event is drawn, and 2003 is not in 2019-2025)
    social = _timeline_finding("2003-01-01", "2025-12-31", ["social"])
    assert "PMF" not in social
    assert "from 2019 to 2025;" in social
    assert social.endswith("go from about $0.6bn (2003) to up to $12.0bn (2024) in the span shown.")
    # start: 2024-01-01: the PMF span was that of every event, from June 2014, outside the window
    recent = _timeline_finding("2024-01-01", "2025-12-31", ["political", "security", "economic", "energy"])
    assert "June 2014" not in recent
    assert "; the one PMF event shown is in August 2025;" in recent
    # the default window keeps its words
    default = _timeline_finding(
        "2003-01-01", "2025-12-31", ["political", "security", "economic", "energy", "diplomatic", "social"]
    )
    assert "; the PMF events run from June 2014 to August 2025; " in default
    assert default.endswith("in the same span.")


def test_the_official_caption_names_the_pair_and_its_source_as_words():
    # sample sets: was "Annual trade between Türkiye–Iraq from comtrade files, ..."
    caption = headlines.official_caption("Türkiye–Iraq", "comtrade")
    assert caption.startswith("Annual Türkiye–Iraq trade from UN Comtrade files, one line per direction")
    assert "between Türkiye–Iraq" not in caption
    assert headlines.official_caption("Iran–Iraq", "baci").startswith("Annual Iran–Iraq trade from CEPII BACI files")


def _verdicts(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {"claim_id": [f"c{i}" for i in range(n)], "rating": ["unverifiable"] * n, "evidence_after_as_of": [0] * n}
    )


def test_the_claims_finding_of_another_pair_counts_no_ratings_of_no_claims():
    # the sample Comtrade Türkiye–Iraq set without claims_path: was "Judged at 2024-09-03 (the report's date),
    # for Türkiye–Iraq: of 0 claims, 0 consistent, 0 mixed, 0 unverifiable, 0 misleading, 0 inconsistent."
    none = headlines.claims_finding(_verdicts(0), "2024-09-03", None, "Türkiye–Iraq")
    assert none == (
        "No claims checked for Türkiye–Iraq: no claims file for this pair "
        "(pass claims_path, a CSV with the columns of data/claims.csv)."
    )
    # with its own claims_path: the date is not that report's date, and one claim is one claim
    two = headlines.claims_finding(_verdicts(2), "2024-09-03", None, "Türkiye–Iraq")
    assert two.startswith("Judged at 2024-09-03, for Türkiye–Iraq: of 2 claims, 0 consistent,")
    one = headlines.claims_finding(_verdicts(1), "2025-01-01", None, "Türkiye–Iraq")
    assert "of 1 claim, 0 consistent" in one
    assert headlines.claims_line([object()], _verdicts(1), "2025-01-01").startswith("1 claim rated as written,")
    shipped = headlines.claims_finding(_verdicts(13), "2024-09-03", object(), "Iran–Iraq")
    assert shipped.startswith("Judged at 2024-09-03 (the report's date), each claim rated as written: of 13 claims,")


def _calendar_trade(calendars: list[str]) -> pd.DataFrame:
    years = range(2019, 2019 + len(calendars))
    return pd.DataFrame(
        {
            "start": [pd.Timestamp(f"{y}-01-01") for y in years],
            "end": [pd.Timestamp(f"{y}-12-31") for y in years],
            "value": [1e9 * (k + 1) for k in range(len(calendars))],
            "bound": ["exact"] * len(calendars),
            "calendar": calendars,
        }
    )


def test_another_pairs_timeline_names_its_own_flow_and_only_the_calendars_drawn():
    import matplotlib

    matplotlib.use("Agg")
    from helpers.plots import timeline as timeline_plots

    events = pd.DataFrame(
        {
            "event_id": ["e-1"],
            "date": [pd.Timestamp("2020-05-01")],
            "category": ["economic"],
            "title": ["A memorandum"],
            "status": ["confirmed"],
            "publisher": ["Example"],
        }
    )
    no_phases = pd.DataFrame(columns=["label", "start", "end"])
    calendar_years = _calendar_trade(["gregorian", "gregorian"])
    fig = timeline_plots.plot_timeline(
        events, no_phases, calendar_years, [], "2019-01-01", "2021-12-31", "t", "Türkiye's exports to Iraq"
    )
    top = fig.axes[0]
    assert top.get_ylabel().startswith("Türkiye's exports to Iraq")
    assert [t.get_text() for t in top.get_legend().get_texts()] == ["calendar years"]
    caption = headlines.timeline_caption("Türkiye", "Iraq", no_phases, calendar_years)
    assert "each over the calendar year it covers (arrows" in caption and "Iranian" not in caption
    both = headlines.timeline_caption("Iran", "Iraq", no_phases, _calendar_trade(["iranian", "gregorian"]))
    assert "each over the Iranian or calendar year it covers, the two calendars kept as separate series" in both


def test_the_volume_title_states_a_figure_of_the_bodies_drawn():
    from helpers import evidence

    reported = evidence.load().reported
    for bodies in (["mirror_data"], ["chamber"], ["iranian_customs"]):
        drawn = reported.figures(bodies)
        title = headlines.volume_title(reported.exports("iranian", bodies), 20e9)
        exports = reported.exports("iranian", bodies)
        if len(exports):  # its figure is one of the rows the chart draws
            assert set(exports["record_id"]) <= set(drawn["record_id"]), bodies
            assert headlines.period_name(exports.iloc[-1]["period"]) in title
        else:
            assert "no full Iranian-year figure of Iran's exports among the bodies drawn" in title


def test_another_pairs_market_share_chart_draws_and_says_no_reported_range_or_65_percent():
    import matplotlib

    matplotlib.use("Agg")
    from helpers.answers import Unanswered
    from helpers.plots import market as market_plots

    share = pd.DataFrame(
        {"year": [2021, 2022], "share": [0.18, 0.21], "basis": ["importer's report"] * 2, "rank": [2, 1]}
    )
    none = Unanswered("The reported figures in data/ are about Iran and Iraq")
    fig = market_plots.plot_market_share(share, none, "Türkiye", "t")
    lines = [line.get_ydata()[0] for line in fig.axes[0].get_lines() if len(line.get_ydata())]
    assert 65 not in lines and not any("65%" in t.get_text() for t in fig.axes[0].texts)
    caption, alt = headlines.market_share_caption("Türkiye", "Iraq", none), headlines.market_share_alt(none)
    assert "grey bars" not in caption and "65%" not in caption and "65%" not in alt
    ranges = pd.DataFrame({"year": [2021], "low": [0.1], "high": [0.2]})
    fig = market_plots.plot_market_share(share, ranges, "Iran", "t")
    assert any("65%: the report's figure" in t.get_text() for t in fig.axes[0].texts)
    assert "grey bars" in headlines.market_share_caption("Iran", "Iraq", ranges)


def test_an_upper_bound_keeps_its_word_wherever_a_figure_is_written():
    from helpers.present import usd_bn

    assert usd_bn(12e9, bound="upper") == "up to $12.0bn" and usd_bn(12e9, bound="lower") == "over $12.0bn"
    assert usd_bn(3e7, bound="upper") == "up to $30.0m"
    assert headlines.bound_word("upper") == "at most " and headlines.bound_word("lower") == "at least "


def test_the_largest_category_is_named_by_its_label_not_its_id():
    from helpers.analysis import claims
    from helpers.tables import curated, read_table

    checks = claims.check_all(curated.load_claims(), curated.load_evidence())
    (largest,) = [c for c in checks if c.claim_id == "c09-agriculture-largest"]
    reasons = " ".join(r.reason for r in largest.readings)
    categories = read_table("categories")
    assert "largest is" in reasons
    for cid, label in zip(categories["category_id"], categories["label"]):
        if "_" in cid:
            assert cid.replace("_", " ") not in reasons, cid
    assert any(f"largest is {label} at" in reasons for label in categories["label"])


def test_the_official_finding_writes_the_base_as_the_base_line_does():
    base = {"value": 6.5e8, "bound": "exact", "how": "two-way from the download"}
    need = volume.required_growth(base["value"], 20e9, 2021, 2030)
    finding = headlines.official_volume_finding("baci", "Iran–Iraq", base, need, 2021, 20e9, 2030)
    line = headlines.base_line(base, "official statistics", 2021)
    assert finding.startswith("From CEPII BACI statistics for Iran–Iraq: two-way trade was $0.65bn in 2021;")
    assert "$0.65bn in 2021" in line


def test_the_timeline_title_compares_figures_of_one_calendar_only():
    from helpers.analysis import timeline
    from helpers.answers import Unanswered

    none = timeline.shading(Unanswered("no phases for this pair"))
    shown = pd.DataFrame({"category": ["economic"], "date": [pd.Timestamp("2024-05-01")]})
    mixed = _calendar_trade(["iranian", "gregorian"])  # 1bn (Iranian) then 2bn (calendar): no direction
    title = headlines.timeline_title(shown, none, mixed, "Iran–Iraq")
    assert title == "1 dated event for Iran–Iraq; too few full-year trade figures in one calendar to show a direction"
    one = _calendar_trade(["gregorian", "iranian", "gregorian"])  # calendar years 1bn then 3bn
    assert headlines.timeline_title(shown, none, one, "Iran–Iraq").endswith("exports rose over the span shown")
