"""Which figures count (helpers.analysis.counting): statements, status, bounds, dates."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.analysis import counting
from tests.fixtures import rows

EXP = "iran_exports_to_iraq"


def test_a_statement_carried_by_two_outlets_counts_once_keeping_who_measured_it():
    t = rows(
        (EXP, "iranian", 1398, 1, 12, 9e9, "approx", "chamber"),
        (EXP, "iranian", 1398, 1, 12, 9e9, "exact", "iranian_customs"),
        (EXP, "iranian", 1398, 1, 12, 8e9, "exact", "media"),
    )
    t.loc[0, "statement_id"] = t.loc[1, "statement_id"] = "s-latifi"
    kept = counting.counted(t)
    assert list(kept["record_id"]) == ["r1", "r2"]
    assert list(counting.repeats(t)) == [True, False, False]


def test_unconfirmed_rows_never_count():
    t = rows(
        (EXP, "iranian", 1399, 1, 12, 7e9, "exact", "iranian_customs", "goods", "unknown", "unconfirmed"),
        (EXP, "iranian", 1399, 1, 12, 7e9, "exact", "chamber"),
    )
    assert list(counting.counted(t)["record_id"]) == ["r1"]


def test_evidence_order_is_body_then_coverage_then_latest_page_never_the_bound():
    t = rows(
        (EXP, "iranian", 1400, 1, 12, 9e9, "exact", "chamber"),
        (EXP, "iranian", 1400, 1, 12, 9e9, "lower", "iranian_customs", "goods_and_services"),
        (EXP, "iranian", 1400, 1, 12, 9e9, "approx", "iranian_customs"),
        (EXP, "iranian", 1400, 1, 12, 9e9, "exact", "iranian_customs"),
    )
    t.loc[2, "published"] = pd.Timestamp("2023-01-02")
    t.loc[3, "published"] = pd.Timestamp("2022-01-02")
    assert list(counting.evidence_order(t)["record_id"]) == ["r2", "r3", "r1", "r0"]


@pytest.mark.parametrize(
    ("value", "bound", "claim", "expected"),
    [
        (10.2, "exact", "at_least", True),
        (9.0, "exact", "at_least", False),
        (9.7, "approx", "at_least", True),  # 'about 9.7' can be over 10 within the 5% tolerance
        (9.0, "lower", "at_least", None),  # 'over 9' neither supports nor refutes 'over 10'
        (10.0, "lower", "at_least", True),
        (9.0, "upper", "at_least", False),  # 'nearly 9' refutes 'over 10'
        (10.0, "upper", "at_least", None),
        (10.3, "exact", "equals", True),
        (12.0, "lower", "equals", False),  # 'over 12' refutes '10'
        (8.0, "lower", "equals", None),
        (8.0, "upper", "equals", False),
        (11.0, "exact", "at_most", False),
        (9.0, "upper", "at_most", True),
    ],
)
def test_a_bound_in_the_source_is_a_bound_in_the_check(value, bound, claim, expected):
    assert counting.compare(value, bound, 10.0, 0.5, claim) is expected


def test_publication_labels_before_after_and_unknown():
    when = pd.Series(pd.to_datetime(["2024-01-01", "2024-09-30", None]))
    labels = counting.published_label(when, pd.Timestamp("2024-09-03"))
    assert list(labels) == ["before", "after", "date unknown"]
