"""The cheaper paths the claims check's robustness reruns take give exactly what the plain pandas
operations give: sorting and counting by positions, pairing without a merge, and the series a variant
of the evidence derives (shared between variants with the same rows)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.analysis import claims, composition, counting, import_share, volume
from helpers.tables import curated


@pytest.fixture(scope="module")
def ev() -> claims.Evidence:
    return curated.load_evidence(claims.REPORT_DATE)


def test_sort_positions_sorts_as_sort_values_does():
    frame = pd.DataFrame(
        {
            "text": pd.array(["b", None, "a", "b", "a", None, "c"], dtype="string"),
            "number": [3.0, 1.0, np.nan, 3.0, 2.0, 1.0, -0.5],
            "count": [2, 2, 1, 1, 3, 3, 2],
            "when": pd.to_datetime(["2020-01-02", None, "2020-01-01", "2020-01-02", None, "2021-05-05", "2019-01-01"]),
            "label": pd.Series(["x", "y", None, "x", "z", "y", "x"], dtype=object),
        },
        index=[10, 3, 7, 1, 9, 4, 2],
    )
    positions = np.array([6, 0, 3, 1, 5, 2, 4])
    orders = [
        (["text"], True),
        (["number"], False),
        (["when"], True),
        (["label"], True),
        (["text", "number"], True),
        (["count", "when", "text"], [True, False, True]),
        (["label", "number", "count"], [False, True, False]),
    ]
    for by, ascending in orders:
        expected = frame.iloc[positions].sort_values(by, ascending=ascending)
        got = frame.iloc[counting.sort_positions(frame, positions, by, ascending)]
        pd.testing.assert_frame_equal(got, expected, check_exact=True)


def test_rows_at_keeps_every_dtype():
    frame = pd.DataFrame(
        {
            "text": pd.array(["a", None, "c"], dtype="string"),
            "objects": pd.Series(["a", None, 1], dtype=object),
            "when": pd.to_datetime(["2020-01-01", None, "2021-01-01"]),
            "count": pd.array([1, None, 3], dtype="Int64"),
            "share": [0.1, 0.2, np.nan],
        }
    )
    got = counting.rows_at(frame, np.array([2, 0]), ["objects", "text", "share", "when", "count"])
    expected = frame.iloc[[2, 0]][["objects", "text", "share", "when", "count"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)


def _counted_by_pandas(frame: pd.DataFrame) -> pd.DataFrame:
    """Rules 1 and 2 as plain pandas operations: confirmed rows, the first of each statement in evidence order."""
    confirmed = frame[frame["status"] == counting.COUNTED_STATUS]
    kept = counting.evidence_order(confirmed).drop_duplicates("statement_id", keep="first").index
    return confirmed[confirmed.index.isin(kept)]


def test_counting_by_positions_keeps_the_rows_pandas_keeps():
    trade = curated.load_trade()
    repeated = trade.copy()
    repeated["statement_id"] = repeated["statement_id"].where(np.arange(len(trade)) % 3 != 1, repeated["record_id"])
    repeated.loc[repeated.index[::4], "statement_id"] = pd.NA
    repeated.loc[repeated.index[::5], "status"] = "unconfirmed"
    for frame in (trade, repeated, repeated.iloc[::-1], repeated.astype({"statement_id": object})):
        pd.testing.assert_frame_equal(counting.counted(frame), _counted_by_pandas(frame), check_exact=True)
        at = np.flatnonzero((frame["flow"] == "two_way").to_numpy())
        expected = _counted_by_pandas(frame.iloc[at])
        pd.testing.assert_frame_equal(frame.iloc[counting.counted_positions(frame, at)], expected, check_exact=True)


def _paired_by_merge(trade: pd.DataFrame, imports: pd.DataFrame) -> pd.DataFrame:
    """The pairs a pandas merge gives (the columns taken from either side, and the share), in the table's order."""
    pairs = import_share.numerators(trade).merge(
        import_share.denominators(imports), on=["year", "coverage"], how="inner"
    )
    pairs["share"] = pairs["iran_value"] / pairs["iraq_total"]
    pairs = pairs.drop(columns=["iran_repeats", "total_repeats"])
    return pairs.sort_values(["year", "share", "iran_record", "total_record"]).reset_index(drop=True)


def test_pairing_without_a_merge_pairs_as_a_merge_does():
    trade, imports = curated.load_trade(), curated.load_imports()
    pairs = import_share.pairings(trade, imports)
    by_merge = _paired_by_merge(trade, imports)
    pd.testing.assert_frame_equal(pairs[by_merge.columns], by_merge, check_exact=True)
    # text held as Python objects is paired by pandas itself, with the same rows
    objects = imports.astype({"coverage": object})
    pd.testing.assert_frame_equal(
        import_share.pairings(trade, objects).drop(columns="coverage"), pairs.drop(columns="coverage"), check_exact=True
    )


def test_numerators_are_the_reported_ones_then_the_estimates():
    trade = curated.load_trade()
    both = pd.concat(
        [import_share.reported_numerators(trade), import_share.estimated_numerators(trade)], ignore_index=True
    )
    pd.testing.assert_frame_equal(import_share.numerators(trade), both, check_exact=True)


@pytest.mark.slow  # every robustness variant of the shipped evidence: make test only (make check stays under 30 s)
def test_every_variant_derives_what_its_own_frames_give(ev):
    publishers = sorted(set(ev.trade["publisher"]) | set(ev.imports["publisher"]) | set(ev.composition["publisher"]))
    variants = [ev.without("publisher", p) for p in publishers[::3]] + [ev.without("stated_by", "media"), ev.scaled(2)]
    for variant in variants:
        pairs = import_share.pairings(variant.trade, variant.imports)
        pd.testing.assert_frame_equal(variant.pairings, pairs[pairs["year"] < variant.as_of.year], check_exact=True)
        pd.testing.assert_frame_equal(variant.numerators, import_share.numerators(variant.trade), check_exact=True)
        pd.testing.assert_frame_equal(variant.two_way_ended, volume.two_way(variant.trade, "iranian"), check_exact=True)
        shares = composition.category_shares(variant.composition)
        pd.testing.assert_frame_equal(variant.category_shares, shares, check_exact=True)
        pd.testing.assert_frame_equal(variant.energy_effect, composition.energy_effect(variant.composition))
        comparable = composition.comparable_breakdowns(shares, single_groups=True)
        pd.testing.assert_frame_equal(
            variant.itemised_shares(True), shares[shares["breakdown"].isin(comparable)], check_exact=True
        )


def test_a_variant_leaves_out_only_the_rows_of_its_value(ev):
    variant = ev.without("publisher", "Shafaq News")
    for name in ("trade", "imports", "targets", "events", "composition", "events_all"):
        frame = getattr(ev, name)
        pd.testing.assert_frame_equal(getattr(variant, name), frame[frame["publisher"] != "Shafaq News"])
    untouched = ev.without("publisher", "no such publisher")
    assert untouched.trade is ev.trade and untouched.composition is ev.composition


def test_a_reading_may_be_given_functions_that_make_its_reason_and_rows():
    made = []

    def rows() -> pd.DataFrame:
        made.append("rows")
        return pd.DataFrame({"record_id": ["r1"]})

    reading = claims.Reading("x", "consistent", lambda: "because", rows)
    assert made == []  # nothing is made before it is read
    assert reading.reason == "because"
    assert list(reading.evidence["record_id"]) == ["r1"] and reading.evidence is reading.evidence
    assert made == ["rows"]
    assert claims.Reading("x", "unverifiable", "none").evidence.empty
