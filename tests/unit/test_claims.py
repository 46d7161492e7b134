"""Rating rules and each claim's check on small evidence fixtures."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from helpers.analysis import claims, composition, import_share
from helpers.tables import curated
from tests.fixtures import rows

EXP, IMP = "iran_exports_to_iraq", "iran_imports_from_iraq"


def test_the_literal_reading_decides_and_other_readings_only_make_it_misleading():
    assert claims.rate("consistent", ["inconsistent"]) == "consistent"
    assert claims.rate("mixed", ["consistent"]) == "mixed"
    assert claims.rate("unverifiable", ["consistent"]) == "unverifiable"  # a re-reading never replaces the rating
    assert claims.rate("inconsistent", ["unverifiable", "consistent"]) == "misleading"
    assert claims.rate("inconsistent", ["mixed"]) == "misleading"
    assert claims.rate("inconsistent", ["inconsistent", "unverifiable"]) == "inconsistent"
    assert claims.rate("inconsistent", []) == "inconsistent"


def test_judge_leaves_undecided_evidence_out():
    assert claims.judge([]) == "unverifiable"
    assert claims.judge([None, None]) == "unverifiable"
    assert claims.judge([True, None]) == "consistent"
    assert claims.judge([False]) == "inconsistent"
    assert claims.judge([True, False]) == "mixed"


def test_unknown_result_is_refused_and_every_rating_maps_to_claimreview():
    with pytest.raises(ValueError):
        claims.Reading("x", "probably", "")
    with pytest.raises(ValueError):
        claims.Reading("x", "misleading", "")  # a reading has a result; only a claim is misleading
    values = [v for _, v in claims.RATING_SCALE.values()]
    assert set(claims.RATING_SCALE) == set(claims.RATING_RULES)
    assert len(set(values)) == len(values) and min(values) == claims.WORST_RATING and max(values) == claims.BEST_RATING
    table = claims.rules_table()
    assert set(table.loc[table["rule"] == "tolerance", "name"]) == set(claims.TOLERANCES)


def events(*specs) -> pd.DataFrame:
    """Events from (event_id, date, title[, publisher, description])."""
    recs = []
    for s in specs:
        event_id, date, title, *rest = s
        publisher, description = (list(rest) + ["IRNA", title][len(rest) :])[:2]
        recs.append(
            {
                "event_id": event_id,
                "date": pd.Timestamp(date),
                "title": title,
                "description": description,
                "category": "social",
                "publisher": publisher,
                "status": "confirmed",
            }
        )
    return pd.DataFrame(recs, columns=["event_id", "date", "title", "description", "category", "publisher", "status"])


def evidence(trade=None, targets=None, events_=None, composition=None, imports=None, as_of="2024-09-03"):
    """Evidence judged at ``as_of`` through the same constructor the loaders use."""
    trade = trade if trade is not None else rows((EXP, "iranian", 1390, 1, 12, 1e9, "exact", "iranian_customs"))[:0]
    imports = (
        imports
        if imports is not None
        else pd.DataFrame(
            columns=["record_id", "statement_id", "partner", "year", "coverage", "value", "bound", "stated_by"]
            + ["publisher", "published", "quality", "status"]
        )
    )
    targets = (
        targets
        if targets is not None
        else pd.DataFrame(
            columns=["target_id", "date", "measure", "target_value", "side", "speaker", "role", "deadline_year"]
            + ["publisher"]
        )
    )
    comp = composition if composition is not None else pd.DataFrame(columns=COMPOSITION_COLUMNS)
    return claims.Evidence.judged_at(
        as_of, trade, imports, targets, events_ if events_ is not None else events()[:0], comp
    )


COMPOSITION_COLUMNS = (
    "record_id statement_id calendar year month_from month_to partial reported_group value share_pct total_value "
    "total_bound part_of stated_by speaker publisher published source_url status start end period category_id "
    "category kind"
).split()
CLAIM_10BN = pd.Series({"claim_id": "c01-trade-over-10bn", "claim": "exceeds 10bn", "value": 10e9, "unit": "USD"})


def check(claim_id: str, ev: claims.Evidence, value=None) -> claims.Check:
    row = pd.Series({"claim_id": claim_id, "claim": claim_id, "value": value, "unit": None})
    return claims.check_all(pd.DataFrame([row]), ev)[0]


def test_a_lower_bound_supports_over_10bn_only_at_or_above_it():
    at = rows((EXP, "iranian", 1402, 1, 12, 10e9, "lower", "chamber"))
    assert check("c01-trade-over-10bn", evidence(trade=at), 10e9).rating == "consistent"
    below = rows((EXP, "iranian", 1402, 1, 12, 9e9, "lower", "chamber"))
    assert check("c01-trade-over-10bn", evidence(trade=below), 10e9).rating == "unverifiable"  # 'over 9' cannot decide
    exact_exports = rows((EXP, "iranian", 1402, 1, 12, 9.8e9, "exact", "iranian_customs"))
    # exports alone are a lower bound on two-way trade: 9.8bn of exports can neither confirm nor refute 'over 10'
    assert check("c01-trade-over-10bn", evidence(trade=exact_exports), 10e9).rating == "unverifiable"


def test_over_10bn_is_inconsistent_when_two_way_is_below_and_later_periods_are_not_used():
    t = rows(
        ("two_way", "iranian", 1402, 1, 12, 8.5e9, "exact", "iranian_customs"),
        ("two_way", "iranian", 1403, 1, 12, 12e9, "exact", "iranian_customs"),  # ends March 2025, after the report
    )
    c = check("c01-trade-over-10bn", evidence(trade=t), 10e9)
    assert c.rating == "inconsistent"
    assert list(c.literal.evidence["record_id"]) == ["r0"]


def test_a_duplicated_statement_counts_once():
    t = rows(
        ("two_way", "iranian", 1402, 1, 12, 9e9, "approx", "chamber"),
        ("two_way", "iranian", 1402, 1, 12, 9e9, "approx", "iranian_customs"),
        ("two_way", "iranian", 1402, 1, 12, 11e9, "approx", "trade_promotion"),
    )
    separate = check("c01-trade-over-10bn", evidence(trade=t), 10e9)
    assert separate.rating == "mixed" and len(separate.literal.evidence) == 3
    t.loc[0, "statement_id"] = t.loc[1, "statement_id"]
    once = check("c01-trade-over-10bn", evidence(trade=t), 10e9)
    assert list(once.literal.evidence["record_id"]) == ["r1", "r2"]  # the customs row carries the statement


STUDENTS = [
    ("e-2019-students-6000", "2019-08-26", "6,000 Iraqi students in Iran"),
    ("e-2022-students-60000", "2022-07-09", "60,000 Iraqi students in Iran claimed"),
    ("e-2024-09-02-students-1200", "2024-09-02", "Envoy: 1,200 students", "Shafaq", "over 1,200 at universities"),
]


def test_a_charitable_reading_that_fits_makes_a_failed_claim_misleading_not_ambiguous():
    c = check("c05-students-1200", evidence(events_=events(*STUDENTS)), 1200.0)
    assert c.literal.result == "inconsistent"  # 1,200 as a count of all Iraqi students in Iran
    assert c.others[0].result == "consistent"  # 'over 1,200', as the primary report says
    assert c.rating == "misleading"
    assert "right about a different measure: more than 1,200" in c.reason
    assert "(consistent), hence misleading." in c.reason  # the reason ends in the rating its badge shows
    assert "Envoy: 1,200 students" not in c.literal.reason  # the claim's own source is not evidence for it
    near = [("e-2019-students-1300", "2019-08-26", "1,300 Iraqi students in Iran"), STUDENTS[2]]
    assert check("c05-students-1200", evidence(events_=events(*near)), 1200.0).rating == "consistent"


def test_a_rating_that_rests_on_a_single_source_says_so():
    law = events(("e-2016-11-26-pmf-law", "2016-11-26", "PMF law passed", "Law Library of Congress"))
    c = check("c13-pmf-integrated-2016", evidence(events_=law), 2016.0)
    assert c.rating == "consistent"
    assert c.robustness == "rests on Law Library of Congress (without it: unverifiable)"
    two = pd.concat([law, law.assign(event_id="e-2016-11-26-pmf-law-2", publisher="Reuters")], ignore_index=True)
    assert check("c13-pmf-integrated-2016", evidence(events_=two), 2016.0).robustness == "robust"


def one_target(
    date: str, side: str, speaker: str, deadline_year: int | None, publisher: str, role: str = "an official"
) -> pd.DataFrame:
    """One statement of a $20bn two-way trade target, in the columns of the targets table the checks read."""
    return pd.DataFrame(
        {
            "target_id": ["t1"],
            "date": [pd.Timestamp(date)],
            "measure": ["two_way_trade"],
            "target_value": [20e9],
            "side": [side],
            "speaker": [speaker],
            "role": [role],
            "deadline_year": [deadline_year],
            "publisher": [publisher],
        }
    )


def test_a_rating_that_depends_on_the_tolerance_says_so():
    t = rows(("two_way", "iranian", 1402, 1, 12, 11.5e9, "exact", "iranian_customs"))
    targets = one_target("2024-09-02", "iraqi", "Ambassador", None, "IRNA")
    c = check("c03-target-doubles", evidence(trade=t, targets=targets), 2.0)
    assert c.rating == "consistent"  # 20 / 11.5 = 1.74, within 15% of 2
    assert "depends on the tolerance (halved: inconsistent)" in c.robustness


def test_evidence_after_the_date_is_labelled_and_counted():
    ev = events(
        ("e-2024-07-30-pezeshkian-sworn-in", "2024-07-30", "Pezeshkian sworn in"),
        ("e-2024-09-11-pezeshkian-visit", "2024-09-11", "Pezeshkian's first foreign trip: Iraq"),
    )
    c = check("c11-pezeshkian-first-visit", evidence(events_=ev))
    assert c.rating == "consistent"
    assert list(c.literal.evidence["published_vs_report"]) == ["before", "after"]
    assert c.evidence_after_as_of == 1
    assert claims.verdict_table([c]).iloc[0]["evidence_after_as_of"] == 1


def test_a_row_with_no_publication_date_is_labelled_date_unknown():
    t = rows((EXP, "iranian", 1402, 1, 12, 10.5e9, "exact", "iranian_customs"))
    t2 = t.assign(published=pd.Timestamp("2024-10-01"), record_id="r9", statement_id="s9", publisher="later")
    c = check("c01-trade-over-10bn", evidence(trade=pd.concat([t, t2], ignore_index=True)), 10e9)
    assert list(c.literal.evidence["published_vs_report"]) == ["date unknown", "after"]


def test_the_65pct_claim_uses_notebook_02s_pairings():
    t = rows((EXP, "gregorian", 2019, 1, 12, 9e9, "exact", "iranian_customs"))
    im = pd.DataFrame(
        {
            "record_id": ["a", "b", "c"],
            "statement_id": ["sa", "sb", "sa"],
            "partner": "WLD",
            "year": 2019,
            "coverage": "goods",
            "value": [60e9, 72e9, 60e9],
            "bound": "exact",
            "stated_by": "international",
            "publisher": ["WDI", "WITS", "copy of WDI"],
            "published": pd.NaT,
            "quality": "ok",
            "status": "confirmed",
        }
    )
    c = check("c07-share-65pct", evidence(trade=t, imports=im), 65.0)
    pairs = import_share.pairings(t, im)
    assert pairs["in_range"].sum() == 2  # the repeated statement stays out
    used = c.literal.evidence[c.literal.evidence["in_range"]]
    assert sorted(used["share"]) == sorted(pairs.loc[pairs["in_range"], "share"]) == pytest.approx([9 / 72, 9 / 60])
    assert c.literal.result == "inconsistent" and c.rating == "inconsistent"


def test_claim_without_rule_is_unverifiable():
    cl = pd.DataFrame({"claim_id": ["x-other-pair"], "claim": ["something"], "value": [None], "unit": [None]})
    out = claims.check_all(cl, evidence())
    assert out[0].rating == "unverifiable"
    table = claims.verdict_table(out)
    assert list(table.columns) == claims.VERDICT_COLUMNS
    assert table.iloc[0]["claimreview_rating"] == "Unproven" and table.iloc[0]["robustness"] == "robust"


@pytest.mark.slow  # the whole shipped check with its robustness reruns: make test, not the inner loop
def test_every_shipped_claim_has_a_rule_a_rating_and_its_robustness():
    cl = curated.load_claims()
    assert len(cl) >= 10
    assert set(cl["claim_id"]) <= set(claims.CHECKS)
    checks = claims.check_all(cl, curated.load_evidence())
    assert {c.rating for c in checks} <= set(claims.RATINGS)
    assert all(c.readings and all(r.reason for r in c.readings) and c.robustness for c in checks)
    assert all(sum(r.literal for r in c.readings) == 1 for c in checks)


KINDS = {"energy": "energy", "agriculture": "chamber_ten", "unmapped": "unmapped", "food_industry": "chamber_ten"}


def breakdowns(*specs, year=2023) -> pd.DataFrame:
    """Composition rows from (key, category_id, value, share_pct, total_value, bound, total_bound[, statement_id,
    publisher]): one breakdown per key, a full calendar year each (``year`` + key)."""
    recs = []
    for i, (key, cid, value, share, total, bound, total_bound, *rest) in enumerate(specs):
        statement, publisher = (list(rest) + [f"s{i}", f"pub {key}"][len(rest) :])[:2]
        y = year + key
        recs.append(
            {
                "record_id": f"g{i}",
                "statement_id": statement,
                "calendar": "gregorian",
                "year": y,
                "month_from": 1,
                "month_to": 12,
                "partial": False,
                "reported_group": cid,
                "value": value,
                "share_pct": share,
                "bound": bound,
                "total_value": total,
                "total_bound": total_bound,
                "part_of": None,
                "stated_by": "iraqi_research",
                "speaker": "x",
                "publisher": publisher,
                "published": pd.NaT,
                "source_url": f"https://e.org/{key}/{publisher}",
                "status": "confirmed",
                "start": pd.Timestamp(f"{y}-01-01"),
                "end": pd.Timestamp(f"{y}-12-31"),
                "period": str(y),
                "category_id": cid,
                "category": cid.replace("_", " "),
                "kind": KINDS[cid],
            }
        )
    frame = pd.DataFrame(recs)
    for c in ("value", "total_value"):
        frame[c] = frame[c].astype("Float64")
    frame["share_pct"] = frame["share_pct"].astype("Float64")
    return frame


def reading(c: claims.Check, start: str) -> claims.Reading:
    return next(r for r in c.readings if r.name.startswith(start))


def test_a_lower_bound_energy_share_cannot_confirm_65pct_and_its_non_energy_rest_is_an_upper_bound():
    # "more than 65%" gas, nothing else itemised (as mamlaka-obaidi-2023-gas)
    comp = breakdowns((0, "energy", None, 65.0, 9.3e9, "lower", "exact"))
    c = check("c07-share-65pct", evidence(composition=comp), 65.0)
    energy = reading(c, "65% is energy's share")
    assert energy.result == "unverifiable"  # over 65% may be 66% or 90%: a lower bound decides no level
    assert "over 65%" in energy.reason
    non_energy = reading(c, "the ten (non-energy)")
    assert non_energy.result == "inconsistent"  # the rest is at most 35%: too little for 65% whatever it is
    assert "up to 35%" in non_energy.reason
    exact = breakdowns((0, "energy", None, 65.0, 9.3e9, None, "exact"), (0, "unmapped", None, 35.0, 9.3e9, None, None))
    assert (
        reading(check("c07-share-65pct", evidence(composition=exact), 65.0), "65% is energy's").result == "consistent"
    )


def test_a_part_not_itemised_is_never_counted_as_non_energy():
    # energy 3.5 and goods 6.5 of a stated 11: 9% not itemised (as khabar-1397m9)
    comp = breakdowns(
        (0, "energy", 3.5e9, None, 11e9, None, "exact"), (0, "unmapped", 6.5e9, None, 11e9, None, "exact")
    )
    c = check("c07-share-65pct", evidence(composition=comp), 65.0)
    non_energy = reading(c, "the ten (non-energy)")
    # 59%-68% non-energy: not all within 60%-70%, so it decides nothing (1 - 32% = 68% would have agreed)
    assert non_energy.result == "unverifiable"
    assert "59%–68%" in non_energy.reason and "9% not itemised" in non_energy.reason
    assert reading(c, "65% is energy's").result == "inconsistent"  # 32%-41% energy: nowhere near 65%
    full = breakdowns(
        (0, "energy", 3.5e9, None, 10e9, None, "exact"), (0, "unmapped", 6.5e9, None, 10e9, None, "exact")
    )
    assert reading(check("c07-share-65pct", evidence(composition=full), 65.0), "the ten (non").result == "consistent"


def test_a_share_of_a_total_given_as_nearly_is_a_lower_bound():
    comp = breakdowns(
        (0, "energy", 1.2e9, None, 3e9, None, "upper"), (0, "agriculture", 0.1e9, None, 3e9, None, "upper")
    )
    effect = composition.energy_effect(comp)
    assert effect.iloc[0]["energy_bound"] == "lower"
    assert effect.iloc[0]["not_itemised"] == pytest.approx(1 - 1.3 / 3)
    c = check("c07-share-65pct", evidence(composition=comp), 65.0)
    assert "over 40%" in reading(c, "65% is energy's").reason


def test_one_breakdown_carried_by_two_outlets_counts_once():
    comp = breakdowns(
        (0, "agriculture", None, 20.0, None, None, None, "s-a", "Outlet A"),
        (0, "energy", None, 40.0, None, None, None, "s-b", "Outlet A"),
        (0, "agriculture", None, 20.0, None, None, None, "s-a", "Outlet B"),  # the same statement, another outlet
        (0, "energy", None, 40.0, None, None, None, "s-b", "Outlet B"),
        (0, "unmapped", None, 10.0, None, None, None, "s-c", "Outlet B"),  # a group only B carries
        (1, "agriculture", None, 23.0, None, None, None, "s-d", "Outlet C"),
        year=2021,
    )
    reason = check("c06-ten-categories", evidence(composition=comp), 10.0).literal.reason
    assert "none of the 2 published breakdowns" in reason
    assert "the largest lists 3 groups" in reason


AWKWARD = re.compile(r"\(none\)|none in the data|\b0 (published|dated|statements)|: \.|\s$|\b1 [a-z ]*s\b")


@pytest.mark.parametrize("as_of", ["1990-01-01", "2003-01-01", "2010-06-30", "2016-01-01"])
def test_claims_judged_before_the_evidence_say_so_plainly(as_of):
    checks = claims.check_all(curated.load_claims(), curated.load_evidence(as_of))
    assert {c.claim_id for c in checks} == set(claims.CHECKS)
    words = f"{pd.Timestamp(as_of).day} {pd.Timestamp(as_of):%B %Y}"
    for c in checks:
        for r in c.readings:
            assert not AWKWARD.search(r.reason), (c.claim_id, r.reason)
        if as_of == "1990-01-01" and c.claim_id != "c11-pezeshkian-first-visit":  # c11: what happened later
            assert c.rating == "unverifiable", c.claim_id
            assert words in c.literal.reason, (c.claim_id, c.literal.reason)


def test_a_lone_statement_of_the_goal_by_the_iranian_side_says_nothing_about_iraq_s_goal():
    targets = one_target("2015-09-17", "outlet", "an outlet", 2016, "Al-Forat News")
    c = check("c02-aim-20bn", evidence(targets=targets, as_of="2016-01-01"), 20e9)
    assert c.rating == "unverifiable"  # not 'inconsistent': no Iraqi statement is no evidence against it
    assert c.literal.reason.startswith("1 statement of a $20bn two-way goal dated by 1 January 2016, none by Iraqi")
    assert "long-standing" not in c.literal.reason
    iraqi = targets.assign(side="iraqi", speaker="the ambassador")
    later = check("c02-aim-20bn", evidence(targets=iraqi, as_of="2016-01-01"), 20e9)
    assert later.rating == "consistent" and "long-standing" not in later.literal.reason  # first stated months before
    assert "long-standing" in check("c02-aim-20bn", evidence(targets=iraqi, as_of="2017-01-01"), 20e9).literal.reason


def test_the_lower_bound_reading_of_the_students_figure_states_what_the_counts_show():
    lone = [("e-2019-students-6000", "2019-08-26", "6,000 Iraqi students in Iran")]
    c = check("c05-students-1200", evidence(events_=events(*lone)), 1200.0)
    assert c.others[0].reason.startswith("The one national count (6,000) is above 1,200.")
    few = [*lone, ("e-2020-students-900", "2020-01-01", "900 Iraqi students in Iran")]
    c = check("c05-students-1200", evidence(events_=events(*few)), 1200.0)
    assert c.others[0].reason.startswith("1 of 2 national counts are not above 1,200.")


def test_the_record_of_the_students_figure_keeps_the_source_s_bound_and_only_what_it_says():
    ev = curated.load_events().set_index("event_id")
    primary = ev.loc["e-2024-09-02-students-1200"]
    assert "over 1,200" in primary["title"]  # Shafaq: "over 1,200", not a count of 1,200
    # the comparison with other officials' counts is the check's, never quoted as the outlet's words
    assert "tens of thousands" not in primary["description"]
    c = check("c05-students-1200", curated.load_evidence(), 1200.0)
    assert "The report of the meeting: Shafaq News: " in c.others[0].reason  # one report: said in the singular
    assert "more than 1,200" in c.others[0].reason.split("The report of the meeting:")[1]


def test_a_figure_published_after_the_date_is_marked_so_in_the_reason():
    t = rows(
        ("two_way", "iranian", 1402, 1, 12, 10.5e9, "exact", "iranian_customs"),
        ("two_way", "iranian", 1402, 1, 12, 10.4e9, "exact", "trade_promotion"),
    )
    t["published"] = [pd.Timestamp("2024-09-03"), pd.Timestamp("2024-11-12")]  # on the date, then after it
    c = check("c01-trade-over-10bn", evidence(trade=t), 10e9)
    assert "$10.5bn (iranian_customs, pub0)" in c.reason
    assert "$10.4bn (trade_promotion, pub1, published after 3 September 2024)" in c.reason
    assert c.evidence_after_as_of == 1


def test_political_influence_is_unproven_and_the_reason_names_the_events_that_involve_iran():
    ev = events(
        ("e-2005-02-17-uia-wins", "2005-02-17", "Shia UIA wins Jan 2005 election"),
        ("e-2018-09-07-basra-consulate", "2018-09-07", "Basra protesters storm Iran consulate"),
        ("e-2024-01-15-erbil-strikes", "2024-01-15", "IRGC missiles hit Erbil"),
    )
    ev["category"] = "political"
    c = check("c12-influence-after-2003", evidence(events_=ev), 2003)
    assert c.rating == "unverifiable"
    said = c.literal.reason
    assert said.startswith("The timeline holds 3 dated political and security events from 2003 on, 2 of them")
    assert "(e.g. Basra protesters storm Iran consulate, 2018; IRGC missiles hit Erbil, 2024)" in said
    assert "no source in the data assesses how far Iran's political influence grew" in said


def test_the_students_bound_is_said_to_come_from_as_many_reports_as_the_data_hold():
    none = check("c05-students-1200", evidence(events_=events(*STUDENTS[:-1])), 1200.0)
    assert none.others[0].name == "more than 1,200 Iraqi students (a lower bound)"
    one = check("c05-students-1200", evidence(events_=events(*STUDENTS)), 1200.0)
    assert one.others[0].name.endswith("(a lower bound, as a report of the meeting puts it)")
    two = [*STUDENTS, ("e-2024-09-03-students-1200-copy", "2024-09-03", "Envoy: 1,200 students", "eishan", "over")]
    both = check("c05-students-1200", evidence(events_=events(*two)), 1200.0)
    assert both.others[0].name.endswith("(a lower bound, as the reports of the meeting put it)")


def test_the_statement_the_report_quotes_is_not_evidence_for_the_goal_it_states():
    ambassador = "Iraq's ambassador to Iran"
    claim = pd.Series({"claim_id": "c02-aim-20bn", "claim": "aim", "value": 20e9, "unit": "USD", "speaker": ambassador})
    own = one_target("2024-09-02", "iraqi", "Nasir Abdul Mohsen", None, "IRNA", role=ambassador)
    alone = claims.check_all(pd.DataFrame([claim]), evidence(targets=own))[0]
    assert alone.rating == "unverifiable"
    assert "none by Iraqi officials or both sides besides the one the report quotes" in alone.reason
    earlier = one_target("2018-11-17", "iraqi", "Barham Salih", None, "Radio Azadi").assign(target_id="t0")
    both = claims.check_all(pd.DataFrame([claim]), evidence(targets=pd.concat([earlier, own])))[0]
    assert both.rating == "consistent"
    assert "1 by Iraqi officials or both sides besides the one the report quotes (1 speaker)" in both.reason
    assert "none by Iraqi officials or both sides besides the one the report quotes: no other statement" in (
        alone.reason
    )
    shown = both.literal.evidence.set_index("target_id")["quoted_by_report"].to_dict()
    assert shown == {"t0": False, "t1": True}  # listed, and said to be the claim itself
    older = own.assign(date=pd.Timestamp("2019-10-16"), speaker="Saad Jawad Qandil")  # the same role, years before
    kept = claims.check_all(pd.DataFrame([claim]), evidence(targets=older))[0]
    assert kept.rating == "consistent" and "besides" not in kept.reason
    later = own.assign(date=pd.Timestamp("2024-10-01"))  # the same role after the report: evidence, judged later
    judged_later = claims.check_all(pd.DataFrame([claim]), evidence(targets=later, as_of="2025-06-30"))[0]
    assert judged_later.rating == "consistent" and "besides" not in judged_later.reason
    twice = pd.concat([earlier, earlier.assign(target_id="t2", date=pd.Timestamp("2019-01-01")), own])
    one_speaker = claims.check_all(pd.DataFrame([claim]), evidence(targets=twice))[0]
    assert "2 by Iraqi officials or both sides besides the one the report quotes (1 speaker)" in one_speaker.reason
    unnamed = claims.check_all(
        pd.DataFrame([claim.copy().fillna(pd.NA).replace({ambassador: pd.NA})]), evidence(targets=own)
    )[0]
    assert unnamed.rating == "consistent"  # a claims file without a speaker quotes no statement
