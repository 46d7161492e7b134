"""Verdict rules and each claim's check on small evidence fixtures."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.analysis import claims
from helpers.tables import curated
from tests.fixtures import rows


def test_combine_rules():
    assert claims.combine(["unverifiable"]) == "unverifiable"
    assert claims.combine(["consistent", "unverifiable"]) == "consistent"
    assert claims.combine(["inconsistent", "unverifiable", "inconsistent"]) == "inconsistent"
    assert claims.combine(["consistent", "inconsistent"]) == "ambiguous"
    assert claims.combine(["ambiguous"]) == "ambiguous"


def test_judge_rules():
    assert claims.judge([]) == "unverifiable"
    assert claims.judge([True, True]) == "consistent"
    assert claims.judge([False]) == "inconsistent"
    assert claims.judge([True, False]) == "ambiguous"


def test_unknown_verdict_is_refused():
    with pytest.raises(ValueError):
        claims.Reading("x", "probably", "")


def evidence(trade=None, targets=None, events=None, composition=None, imports=None, as_of="2024-09-03"):
    empty_events = pd.DataFrame(columns=["event_id", "date", "title", "category", "publisher", "status"])
    return claims.Evidence(
        trade=trade
        if trade is not None
        else rows(("iran_exports_to_iraq", "iranian", 1390, 1, 12, 1e9, "exact", "iranian_customs")).iloc[0:0],
        imports=imports
        if imports is not None
        else pd.DataFrame(
            columns=["record_id", "partner", "year", "coverage", "value", "bound", "stated_by", "publisher"]
        ),
        targets=targets
        if targets is not None
        else pd.DataFrame(columns=["date", "measure", "target_value", "side", "speaker", "deadline_year", "publisher"]),
        events=events if events is not None else empty_events,
        composition=composition if composition is not None else pd.DataFrame(),
        as_of=pd.Timestamp(as_of),
    )


CLAIM_10BN = pd.Series({"claim_id": "c01-trade-over-10bn", "claim": "over 10bn", "value": 10e9, "unit": "USD"})


def test_trade_over_10bn_consistent_with_lower_bound_at_threshold():
    t = rows(
        ("iran_exports_to_iraq", "iranian", 1401, 1, 12, 10e9, "lower", "trade_promotion"),
        ("iran_imports_from_iraq", "iranian", 1401, 1, 12, 0.2e9, "approx", "trade_promotion"),
    )
    r = claims.check_trade_over_10bn(evidence(trade=t), CLAIM_10BN)
    assert claims.combine([x.verdict for x in r]) == "consistent"


def test_trade_over_10bn_inconsistent_when_two_way_is_below():
    t = rows(
        ("iran_exports_to_iraq", "iranian", 1401, 1, 12, 8e9, "exact", "iranian_customs"),
        ("iran_imports_from_iraq", "iranian", 1401, 1, 12, 0.5e9, "exact", "iranian_customs"),
    )
    r = claims.check_trade_over_10bn(evidence(trade=t), CLAIM_10BN)
    assert r[0].verdict == "inconsistent"


def test_trade_over_10bn_ignores_evidence_after_the_report():
    t = rows(
        ("iran_exports_to_iraq", "iranian", 1403, 1, 12, 12e9, "exact", "iranian_customs"),
        ("iran_imports_from_iraq", "iranian", 1403, 1, 12, 0.5e9, "exact", "iranian_customs"),
    )
    r = claims.check_trade_over_10bn(evidence(trade=t), CLAIM_10BN)
    assert claims.combine([x.verdict for x in r]) == "unverifiable"  # 1403 ends in March 2025, after the report


def test_aim_20bn_needs_an_iraqi_or_joint_statement():
    targets = pd.DataFrame(
        {
            "date": pd.to_datetime(["2019-01-15", "2024-09-02"]),
            "measure": ["two_way_trade"] * 2,
            "target_value": [20e9, 20e9],
            "side": ["iranian", "iraqi"],
            "speaker": ["Zarif", "Ambassador"],
            "deadline_year": [None, None],
            "publisher": ["IRNA", "IRNA"],
        }
    )
    claim = pd.Series({"claim_id": "c02-aim-20bn", "value": 20e9})
    assert claims.check_aim_20bn(evidence(targets=targets), claim)[0].verdict == "consistent"
    assert claims.check_aim_20bn(evidence(targets=targets.iloc[:1]), claim)[0].verdict == "inconsistent"


def test_students_counts_far_away_are_inconsistent_and_own_source_excluded():
    ev = pd.DataFrame(
        {
            "event_id": ["e-2022-students-60000", "e-2024-09-02-students-1200"],
            "date": pd.to_datetime(["2022-07-09", "2024-09-02"]),
            "title": ["60,000 Iraqi students in Iran", "Envoy: 1,200 students"],
            "category": ["social"] * 2,
            "publisher": ["IRNA"] * 2,
            "status": ["confirmed"] * 2,
        }
    )
    r = claims.check_students(evidence(events=ev), pd.Series({"value": 1200.0}))
    assert r[0].verdict == "inconsistent"
    assert "1,200 students" not in r[0].reason
    ev.loc[0, "title"] = "1,300 Iraqi students in Iran"
    assert claims.check_students(evidence(events=ev), pd.Series({"value": 1200.0}))[0].verdict == "consistent"


def test_pmf_year():
    ev = pd.DataFrame(
        {
            "event_id": ["e-2016-11-26-pmf-law"],
            "date": pd.to_datetime(["2016-11-26"]),
            "title": ["PMF law"],
            "category": ["security"],
            "publisher": ["LoC"],
            "status": ["confirmed"],
        }
    )
    assert claims.check_pmf_2016(evidence(events=ev), pd.Series({"value": 2016.0}))[0].verdict == "consistent"
    assert claims.check_pmf_2016(evidence(events=ev), pd.Series({"value": 2015.0}))[0].verdict == "inconsistent"


def test_claim_without_rule_is_unverifiable():
    cl = pd.DataFrame({"claim_id": ["x-other-pair"], "claim": ["something"], "value": [None], "unit": [None]})
    out = claims.check_all(cl, evidence())
    assert out[0].verdict == "unverifiable"
    table = claims.verdict_table(out)
    assert list(table.columns) == ["claim_id", "claim", "value", "unit", "verdict", "reason"]


def test_every_shipped_claim_has_a_rule_and_a_verdict():
    cl = curated.load_claims()
    assert len(cl) >= 10
    assert set(cl["claim_id"]) <= set(claims.CHECKS)
    checks = claims.check_all(cl, curated.load_evidence())
    assert {c.verdict for c in checks} <= set(claims.VERDICTS)
    assert all(c.readings and all(r.reason for r in c.readings) for c in checks)
