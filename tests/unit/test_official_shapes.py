"""Official downloads as people really have them, without a kernel: one country reporting and the
other not, a direction absent in some or all years, years missing in the middle, HS levels that
differ by year, Comtrade TOTAL rows, partner World and area rows, and partner2/customs/mode-of-
transport breakdowns. The readers, the analysis and the pair's evidence answer what such a download
holds and say plainly what it lacks; nothing raises and no gap is filled in."""

from __future__ import annotations

import math
import warnings

import pandas as pd
import pytest

from helpers import evidence
from helpers import official as official_files
from helpers.analysis import headlines, timeline, volume
from helpers.analysis import official as analysis
from helpers.answers import Unanswered, is_answered
from helpers.official import OfficialDataWarning
from helpers.tables import read_table
from tests.fixtures import COMTRADE_HEADER, LEGACY_HEADER, baci_folder, comtrade_row, legacy_row, values, write

#: Every shape through readers, analysis and the evidence object: in make test, not the inner loop.
pytestmark = pytest.mark.slow

IRN, IRQ, TUR = 364, 368, 792


def _years(first: int, last: int, skip: tuple[int, ...] = ()) -> list[int]:
    return [y for y in range(first, last + 1) if y not in skip]


def iran_reports_only(folder, years=_years(2018, 2022)):
    """Iran reports its exports to and imports from Iraq; Iraq reports nothing."""
    rows = []
    for y in years:
        rows += [
            comtrade_row(IRN, IRQ, "X", "01", 1e9 * (y - 2016), y),
            comtrade_row(IRN, IRQ, "X", "27", 2e9, y),
            comtrade_row(IRN, IRQ, "M", "01", 0.1e9, y),
        ]
    return write(folder / "iran-only.csv", COMTRADE_HEADER, rows)


def iraq_reports_only(folder, years=_years(2018, 2022)):
    """Iraq reports its imports from and exports to Iran; Iran reports nothing."""
    rows = []
    for y in years:
        rows += [comtrade_row(IRQ, IRN, "M", "01", 1e9 * (y - 2016), y), comtrade_row(IRQ, IRN, "X", "27", 0.2e9, y)]
    return write(folder / "iraq-only.csv", COMTRADE_HEADER, rows)


def one_direction(folder, reporter=IRN, partner=IRQ, flow="X"):
    """Trade one way only (reporter's exports), 2018–2022: no partner→reporter flow in any year."""
    rows = [comtrade_row(reporter, partner, flow, "01", 1e9 * (y - 2016), y) for y in _years(2018, 2022)]
    return write(folder / "one-way.csv", COMTRADE_HEADER, rows)


def gappy(folder):
    """Years 2018 and 2020 missing in the middle; the IRQ→IRN direction is also missing in 2021."""
    rows = []
    for y in (2016, 2017, 2019, 2021, 2022):
        rows.append(comtrade_row(IRN, IRQ, "X", "01", 1e9 * (y - 2014), y))
        if y != 2021:
            rows.append(comtrade_row(IRN, IRQ, "M", "01", 0.1e9, y))
    return write(folder / "gappy.csv", COMTRADE_HEADER, rows)


def mixed_levels(folder):
    """Chapters (with a TOTAL row beside them) in 2019, six-digit codes in 2020, TOTAL rows only in 2021;
    partner World and an area, and partner2 / customs-procedure / mode-of-transport breakdowns, besides."""
    rows = [
        comtrade_row(IRN, IRQ, "X", "01", 1e9, 2019),
        comtrade_row(IRN, IRQ, "X", "27", 2e9, 2019),
        comtrade_row(IRN, IRQ, "X", "TOTAL", 3e9, 2019),
        comtrade_row(IRN, IRQ, "X", "01", 5e8, 2019, partner2Code=792, partner2ISO="TUR"),
        comtrade_row(IRN, IRQ, "X", "01", 5e8, 2019, customsCode="C01"),
        comtrade_row(IRN, IRQ, "X", "01", 5e8, 2019, motCode=2100),
        comtrade_row(IRN, IRQ, "X", "010121", 1.5e9, 2020),
        comtrade_row(IRN, IRQ, "X", "270111", 2e9, 2020),
        comtrade_row(IRN, IRQ, "X", "TOTAL", 4e9, 2021),
        comtrade_row(IRN, IRQ, "X", "TOTAL", 9e9, 2021, partnerCode=0, partnerISO="W00", partnerDesc="World"),
        comtrade_row(IRN, IRQ, "X", "TOTAL", 1e8, 2021, partnerCode=899, partnerISO="_X", partnerDesc="Areas, nes"),
        comtrade_row(IRQ, IRN, "M", "27", 3e9, 2019),
        comtrade_row(IRQ, IRN, "X", "27", 0.3e9, 2019),
        comtrade_row(IRQ, IRN, "M", "270111", 3.2e9, 2020),
        comtrade_row(IRQ, IRN, "X", "TOTAL", 0.4e9, 2020),
        comtrade_row(IRQ, IRN, "M", "TOTAL", 4.2e9, 2021),
        comtrade_row(IRQ, IRN, "X", "TOTAL", 0.5e9, 2021),
    ]
    return write(folder / "levels.csv", COMTRADE_HEADER, rows)


def totals_only(folder):
    """Comtrade TOTAL rows only, both directions, 2021–2022."""
    rows = []
    for y in (2021, 2022):
        rows += [comtrade_row(IRN, IRQ, "X", "TOTAL", 5e9, y), comtrade_row(IRQ, IRN, "X", "TOTAL", 0.5e9, y)]
    return write(folder / "totals.csv", COMTRADE_HEADER, rows)


def legacy_one_reporter(folder):
    """The legacy export layout, Iraq reporting its imports from Iran only."""
    rows = [legacy_row(IRQ, IRN, 1, "01", 1e9 * (y - 2012), y) for y in (2013, 2014, 2016)]
    return write(folder / "legacy.csv", LEGACY_HEADER, rows)


def baci_one_way(folder):
    """A BACI release with Iran→Iraq only, in 2019 and 2021 (2020 missing)."""
    return baci_folder(
        folder / "baci",
        {2019: [[2019, IRN, IRQ, "010121", 100.0, 1.0]], 2021: [[2021, IRN, IRQ, "270111", 300.0, 1.0]]},
    )


SHAPES = {
    "iran reports only": (iran_reports_only, "comtrade", "IRN", "IRQ"),
    "iraq reports only": (iraq_reports_only, "comtrade", "IRN", "IRQ"),
    "no IRQ→IRN at all": (one_direction, "comtrade", "IRN", "IRQ"),
    "no TUR→IRQ at all": (lambda f: one_direction(f, IRQ, TUR, "X"), "comtrade", "TUR", "IRQ"),
    "years missing": (gappy, "comtrade", "IRN", "IRQ"),
    "HS levels by year, TOTAL, World, breakdowns": (mixed_levels, "comtrade", "IRN", "IRQ"),
    "totals only": (totals_only, "comtrade", "IRN", "IRQ"),
    "legacy, one reporter": (legacy_one_reporter, "comtrade", "IRN", "IRQ"),
    "BACI one way, a year missing": (baci_one_way, "baci", "IRN", "IRQ"),
}


def load(tmp_path, shape: str):
    build, source, reporter, partner = SHAPES[shape]
    tmp_path.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OfficialDataWarning)
        return evidence.load(reporter, partner, source, str(build(tmp_path)))


def flows_of(tmp_path, build, reporter="IRN", partner="IRQ"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OfficialDataWarning)
        return official_files.read_flows(build(tmp_path), reporter, partner, progress=False)


# ---------------------------------------------------------------------------
# Reading


def test_hs_levels_may_differ_by_year_and_nothing_is_counted_twice(tmp_path):
    flows = flows_of(tmp_path, mixed_levels)
    exports = flows[(flows["exporter"] == "IRN") & (flows["flow"] == "X")]
    by_year = values(exports, ["year"])
    # 2019: chapters only (the TOTAL row, the World and area rows and the breakdowns are left out)
    assert by_year == {2019: 3e9, 2020: 3.5e9, 2021: 4e9}
    codes = exports.groupby("year")["hs_code"].apply(set).to_dict()
    assert codes == {2019: {"01", "27"}, 2020: {"01", "27"}, 2021: {"TOTAL"}}  # six digits summed to chapters
    assert exports.loc[exports["year"] == 2021, "hs_chapter"].isna().all()  # a TOTAL row has no chapter
    assert set(flows["importer"]) | set(flows["exporter"]) == {"IRN", "IRQ"}  # no World, no area


def test_a_direction_or_a_reporter_the_download_lacks_is_not_there(tmp_path):
    one_way = flows_of(tmp_path, one_direction)
    assert set(zip(one_way["exporter"], one_way["importer"])) == {("IRN", "IRQ")}
    only_iran = flows_of(tmp_path, iran_reports_only)
    reporters = set(only_iran["exporter"].where(only_iran["reported_by"] == "exporter", only_iran["importer"]))
    assert reporters == {"IRN"}


# ---------------------------------------------------------------------------
# Analysis: series, growth, mirror table, coverage, category shares


def test_the_two_way_series_is_empty_when_a_direction_is_absent(tmp_path):
    flows = flows_of(tmp_path, one_direction)
    assert analysis.official_series(flows).empty
    assert list(analysis.official_series(flows, "IRN", "IRQ")["year"]) == _years(2018, 2022)
    assert analysis.official_series(flows, "IRQ", "IRN").empty


def test_two_way_trade_is_only_for_years_with_both_directions(tmp_path):
    flows = flows_of(tmp_path, gappy)
    assert list(analysis.official_series(flows)["year"]) == [2016, 2017, 2019, 2022]  # 2021 has one direction
    assert analysis.direction_years(flows, "IRN", "IRQ") == [2016, 2017, 2019, 2021, 2022]
    assert analysis.direction_years(flows, "IRQ", "IRN") == [2016, 2017, 2019, 2022]


def test_growth_on_an_empty_or_gappy_series_is_none_never_bridged(tmp_path):
    empty = analysis.official_series(flows_of(tmp_path, one_direction))
    assert volume.historical_growth(empty, 5) is None
    series = analysis.official_series(flows_of(tmp_path, gappy), "IRN", "IRQ")  # 2016, 2017, 2019, 2021, 2022
    assert volume.historical_growth(series, 2) is None  # 2020 is missing: not replaced by 2019 or 2021
    assert volume.historical_growth(series, 4) is None  # 2018 is missing
    assert volume.historical_growth(series, 3, end_year=2020) is None  # the end itself is missing
    grown = volume.historical_growth(series, 5)  # both ends present: computed from those two figures only
    assert (grown.first_label, grown.last_label) == ("2017", "2022")
    assert math.isclose(grown.rate, (8 / 3) ** (1 / 5) - 1)


def test_growth_from_or_to_zero_is_none():
    zero = pd.DataFrame({"year": [2020, 2021], "value": [0.0, 5e9], "bound": "exact", "period": ["2020", "2021"]})
    assert volume.historical_growth(zero, 1) is None


def test_the_mirror_table_keeps_the_side_nobody_reports_missing(tmp_path):
    mirror = analysis.mirror_table(flows_of(tmp_path, iran_reports_only)).set_index(["exporter", "importer", "year"])
    iran_exports = mirror.loc[("IRN", "IRQ")]
    assert iran_exports["exporter_reported_usd"].notna().all()
    assert iran_exports[["importer_reported_usd", "gap_usd", "ratio", "baci_usd"]].isna().all().all()
    iran_imports = mirror.loc[("IRQ", "IRN")]
    assert iran_imports["importer_reported_usd"].notna().all() and iran_imports["exporter_reported_usd"].isna().all()
    gaps = analysis.mirror_table(flows_of(tmp_path, gappy))
    assert 2018 not in set(gaps["year"]) and 2020 not in set(gaps["year"])  # a missing year is not a row of zeros


def test_coverage_names_who_reports_what(tmp_path):
    cov = analysis.coverage(flows_of(tmp_path, iran_reports_only))
    assert set(cov["reporter"]) == {"IRN"}
    line = headlines.coverage_line(cov, "IRN", "IRQ")
    assert (
        line
        == "In the download: Iran reports its exports to and imports from Iraq for 2018–2022; Iraq reports nothing."
    )
    gaps = headlines.coverage_line(analysis.coverage(flows_of(tmp_path, gappy)), "IRN", "IRQ")
    assert "exports to Iraq for 2016–2017, 2019, 2021–2022 and its imports from it for 2016–2017, 2019, 2022" in gaps
    baci = headlines.coverage_line(analysis.coverage(flows_of(tmp_path, baci_one_way)), "IRN", "IRQ")
    assert baci == "In the download: BACI gives Iran→Iraq for 2019, 2021 and Iraq→Iran for no year."
    assert headlines.coverage_line(analysis.coverage(flows_of(tmp_path, one_direction)), "IRQ", "IRN").endswith(
        "Iran reports only its exports to Iraq, for 2018–2022."
    )


def test_year_spans_show_gaps():
    assert headlines.year_spans([2019, 2016, 2017, 2021, 2022]) == "2016–2017, 2019, 2021–2022"
    assert headlines.year_spans([]) == "no year"


def test_category_shares_keep_totals_unitemised_and_missing_sides_missing(tmp_path):
    flows = flows_of(tmp_path, mixed_levels)
    shares = analysis.category_shares(
        flows, "IRN", "IRQ", read_table("categories"), read_table("concordance_hs"), include_energy=True
    )
    per = shares.groupby("breakdown")
    assert set(per.groups) == {
        "2019 · comtrade · exporter",
        "2019 · comtrade · importer",
        "2020 · comtrade · exporter",
        "2020 · comtrade · importer",
        "2021 · comtrade · exporter",
        "2021 · comtrade · importer",
    }
    assert per["share"].sum().round(9).eq(1).all()
    total_year = shares[shares["breakdown"] == "2021 · comtrade · exporter"]
    assert list(total_year["category_id"]) == ["not_itemised"] and list(total_year["kind"]) == ["not itemised"]
    six_digits = shares[shares["breakdown"] == "2020 · comtrade · exporter"]
    assert "not_itemised" not in set(six_digits["category_id"])  # six-digit codes map through their chapter
    one_way = analysis.category_shares(
        flows_of(tmp_path, one_direction), "IRQ", "IRN", read_table("categories"), read_table("concordance_hs")
    )
    assert one_way.empty  # no IRQ→IRN flow: no shares, and none made up


# ---------------------------------------------------------------------------
# The pair's evidence


def test_one_direction_absent_the_two_way_base_says_which_and_why(tmp_path):
    official = load(tmp_path, "no IRQ→IRN at all").download()
    assert official.two_way().empty and len(official.exports()) == 5
    base = official.base(2022)
    assert isinstance(base, Unanswered)
    assert base.reason.startswith(
        "No IRQ→IRN flows in the download: Iraq reports no exports to Iran, and Iran no imports from Iraq."
    )
    assert "no two-way figure for base year 2022" in base.reason
    assert official.absent("IRN", "IRQ") is None


def test_a_direction_absent_in_the_base_year_lists_the_years_each_direction_has(tmp_path):
    official = load(tmp_path, "years missing").download()
    assert official.base(2022)["value"] == 8.1e9
    gap = official.base(2021)
    assert isinstance(gap, Unanswered) and "base year 2021" in gap.reason
    assert "IRN→IRQ flows for 2016–2017, 2019, 2021–2022 and IRQ→IRN flows for 2016–2017, 2019, 2022" in gap.reason
    missing_year = official.base(2020)
    assert isinstance(missing_year, Unanswered) and "base year 2020" in missing_year.reason


def test_one_reporter_only_answers_from_that_reporter_and_says_the_other_reports_nothing(tmp_path):
    for shape, silent in (("iran reports only", "Iraq reports nothing"), ("iraq reports only", "Iran reports nothing")):
        official = load(tmp_path / shape.split()[0], shape).download()
        assert list(official.two_way()["year"]) == _years(2018, 2022)
        assert official.base(2022)["value"] > 0
        assert silent in official.coverage() and silent in official.citation()
        assert silent in official.composition_citation()
        mirror = official.mirror()
        assert mirror[["exporter_reported_usd", "importer_reported_usd"]].isna().any(axis=1).all()


def test_category_shares_of_a_direction_absent_or_given_as_totals_only_say_so(tmp_path):
    absent = load(tmp_path / "a", "no TUR→IRQ at all").download().category_shares()
    assert isinstance(absent, Unanswered)
    assert absent.reason == (
        "No TUR→IRQ flows in the download: Türkiye reports no exports to Iraq, and Iraq no imports from Türkiye."
    )
    totals = load(tmp_path / "b", "totals only").download().category_shares()
    assert isinstance(totals, Unanswered) and "totals only" in totals.reason
    baci = load(tmp_path / "c", "BACI one way, a year missing").download()
    assert baci.base(2021).reason.startswith("No IRQ→IRN flows in the download: BACI gives no trade from Iraq to Iran.")


def test_a_download_without_the_pair_is_unanswered_naming_the_countries_it_holds(tmp_path):
    path = write(tmp_path / "other.csv", COMTRADE_HEADER, [comtrade_row(TUR, 784, "X", "01", 1e9, 2022)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OfficialDataWarning)
        pair = evidence.load("IRN", "IRQ", "comtrade", str(path))
    assert isinstance(pair.download(), Unanswered) and pair.primary is pair.download()
    assert pair.download().reason == (
        f"data_path {str(path)!r} holds no rows for IRN and IRQ; it holds: ARE, TUR "
        "(set reporter and partner to two of them)"
    )
    assert pair.primary.base(2022) is pair.download() and pair.trade_citation() == ""


# ---------------------------------------------------------------------------
# Every question the notebooks ask, for every shape: a sentence or a reason, never a traceback


def _sentence(answer) -> str:
    text = answer.reason if isinstance(answer, Unanswered) else answer
    assert isinstance(text, str) and text.strip(), answer
    return text


@pytest.mark.slow  # a sweep of every headline over every shape: in make test, not the inner loop
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_headline_is_a_sentence_for_every_shape(tmp_path, shape):
    pair = load(tmp_path, shape)
    official, primary = pair.download(), pair.primary
    target, base_year, target_year, window = 20e9, 2021, 2030, 2
    # 01: the official chart, the base and the target, historical growth, the finding
    _sentence(headlines.official_title(pair.name, official.two_way()))
    _sentence(official.citation())
    base = primary.base(base_year)
    need = volume.required_growth(base["value"], target, base_year, target_year)
    _sentence(headlines.base_line(base, primary.label, base_year))
    _sentence(headlines.target_line(base, need, target, base_year, target_year))
    growths = [volume.historical_growth(primary.two_way(), window), volume.historical_growth(primary.exports(), window)]
    for growth in growths:
        assert growth is None or isinstance(growth, volume.Growth)
        _sentence(headlines.growth_line("two-way trade", growth, window))
    reached = headlines.reached_line(base, base_year, target, growths[0] or growths[1])
    assert reached is None or _sentence(reached)
    _sentence(primary.volume_finding(base, need, base_year, target, target_year))
    # 02: composition from HS chapters and the finding (a pair without reported figures answers from these)
    shares = official.category_shares(True)
    assert isinstance(shares, Unanswered) or shares.groupby("breakdown")["share"].sum().round(9).eq(1).all()
    _sentence(official.composition_citation())
    no_reported = Unanswered("no reported figures")
    _sentence(headlines.composition_finding(pair, no_reported, no_reported, no_reported, shares, "comtrade"))
    # 03: the trade beside the timeline, and the finding
    exports = primary.exports("gregorian")
    assert isinstance(exports, pd.DataFrame) and primary.exports("iranian").empty
    start, end = "2003-01-01", "2025-12-31"
    events = pair.events()
    shown = timeline.select(events, start, end, ["political", "security", "economic"])
    trade = timeline.trade_beside(timeline.in_span(exports, start, end), timeline.in_span(exports.iloc[:0], start, end))
    _sentence(headlines.timeline_finding(pair, events, shown, trade, "", "comtrade"))
    assert official.series_long()["value_usd"].gt(0).all()
    assert is_answered(official.mirror())
