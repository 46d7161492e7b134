"""The claims' schema.org ClaimReview markup (``claims.jsonld``), its copy in the claims page and the
claim anchors it links to; checked offline against a vendored subset of the schema.org vocabulary."""

from __future__ import annotations

import csv
import datetime
import json
import re
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from helpers.analysis.claims import BEST_RATING, RATING_SCALE, WORST_RATING
from helpers.config import DATA_DIR
from helpers.pipeline import claimreview, render, site
from helpers.tables import manifest

VOCABULARY = Path(__file__).resolve().parents[1] / "fixtures" / "schemaorg" / "schemaorg-subset.jsonld"
READS = ["claims.csv", "trade_reported.csv", "iraq_imports.csv", "targets.csv", "events.csv", "composition.csv"]
HOSTILE = "Trade is </script><b>big</b> & <!-- growing"


# --- the vocabulary ----------------------------------------------------------------------------


def _ids(value: Any) -> list[str]:
    """The ``schema:`` names of a vocabulary entry's ``{"@id": ...}`` value or list of them."""
    values = value if isinstance(value, list) else [value] if value else []
    return [v["@id"].removeprefix("schema:") for v in values if v["@id"].startswith("schema:")]


class Vocabulary:
    """Classes with their superclasses, properties with their domains and ranges, from the vendored subset."""

    def __init__(self, path: Path) -> None:
        graph = json.loads(path.read_text(encoding="utf-8"))["@graph"]
        self.parents: dict[str, list[str]] = {}
        self.domains: dict[str, list[str]] = {}
        self.ranges: dict[str, list[str]] = {}
        for node in graph:
            name = node["@id"].removeprefix("schema:")
            types = node["@type"] if isinstance(node["@type"], list) else [node["@type"]]
            if "rdf:Property" in types:
                self.domains[name] = _ids(node.get("schema:domainIncludes"))
                self.ranges[name] = _ids(node.get("schema:rangeIncludes"))
            else:
                self.parents[name] = _ids(node.get("rdfs:subClassOf"))

    def ancestors(self, cls: str) -> set[str]:
        """``cls`` and every class it is a subclass of (KeyError for a class not in the subset)."""
        out, todo = set(), [cls]
        while todo:
            c = todo.pop()
            if c not in out:
                out.add(c)
                todo += self.parents[c]
        return out

    def problems(self, node: dict[str, Any], where: str = "$") -> list[str]:
        """Every property of ``node`` (and of the nodes in it) that its type does not allow, and every value
        of a type its property does not allow."""
        cls = node.get("@type")
        if cls not in self.parents:
            return [f"{where}: @type {cls!r} is not a class of the vocabulary subset"]
        kinds = self.ancestors(cls)
        out = []
        for prop, value in node.items():
            if prop.startswith("@"):
                continue
            if prop not in self.domains:
                out.append(f"{where}.{prop}: not in the vocabulary subset")
                continue
            if not kinds & set(self.domains[prop]):
                out.append(f"{where}.{prop}: not a property of {cls} (domain {self.domains[prop]})")
            for i, item in enumerate(value if isinstance(value, list) else [value]):
                out += self.value_problems(prop, item, f"{where}.{prop}[{i}]")
        return out

    def value_problems(self, prop: str, value: Any, where: str) -> list[str]:
        """Why ``value`` is not an allowed value of ``prop`` (empty when it is)."""
        allowed = set().union(*(self.descendants(r) for r in self.ranges[prop]))
        if isinstance(value, dict):
            out = self.problems(value, where)
            if value.get("@type") in self.parents and not self.ancestors(value["@type"]) & set(self.ranges[prop]):
                out.append(f"{where}: a {value['@type']} is not in the range of {prop} ({self.ranges[prop]})")
            return out
        if isinstance(value, bool):
            return [f"{where}: a boolean is not in the range of {prop}"]
        if isinstance(value, (int, float)):
            return [] if allowed & {"Number", "Integer", "Float"} else [f"{where}: a number is not allowed for {prop}"]
        if isinstance(value, str):
            if "Text" in allowed and prop not in ("url",):
                return []
            if "URL" in allowed and re.fullmatch(r"(https?://[^\s]+|[^\s:]+)", value):
                return []
            if allowed & {"Date", "DateTime"} and re.fullmatch(r"\d{4}-\d{2}-\d{2}(T[\d:]+Z?)?", value):
                return []
            return [f"{where}: {value!r} is not a value of {prop} ({self.ranges[prop]})"]
        return [f"{where}: {type(value).__name__} is not a JSON-LD value"]

    def descendants(self, cls: str) -> set[str]:
        """``cls`` and every class of the subset that is a subclass of it."""
        return {c for c in self.parents if cls in self.ancestors(c)}


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return Vocabulary(VOCABULARY)


# --- inputs built here -------------------------------------------------------------------------


def verdicts(*rows: tuple[str, str, str], reason: str = "The evidence says so.") -> pd.DataFrame:
    """A run's claims.csv in the new layout: (claim_id, claim, rating) per row."""
    return pd.DataFrame(
        [
            {
                "claim_id": cid,
                "claim": claim,
                "value": "",
                "unit": "",
                "rating": rating,
                "claimreview_rating": RATING_SCALE[rating][0],
                "verdict": rating,
                "reason": reason,
                "robustness": "robust",
                "evidence_after_as_of": "false",
            }
            for cid, claim, rating in rows
        ]
    )


THREE = verdicts(
    ("c01-trade-over-10bn", "Yearly trade is above $10bn", "mixed"),
    ("c02-aim-20bn", "The goal is $20bn", "consistent"),
    ("c06-ten-categories", "Exports fall into ten categories", "unverifiable"),
)


def context(**kw: Any) -> claimreview.ReviewContext:
    """A review context built from literal values (no file read)."""
    base = {
        "run": "default",
        "author": claimreview.organization("The collection"),
        "date_published": "2026-11-27",
        "appearance": claimreview.creative_work("Iraq aims to boost annual trade with Iran to $20 billion"),
        "first_appearances": [
            claimreview.creative_work("Trade exceeds $10bn", "IRNA", "https://example.org/irna", "2024-09-03")
        ],
        "speakers": {"iraq's ambassador to iran": {"@type": "Person", "name": "N. A.", "jobTitle": "ambassador"}},
        "based_on": claimreview.evidence(
            [("Claims", "data/claims.csv", "ab" * 32)], ("Package", "data/p.json", "cd" * 32)
        ),
    }
    return claimreview.ReviewContext(**{**base, **kw})


SPEAKERS = {
    "c01-trade-over-10bn": "Iraq's ambassador to Iran",
    "c02-aim-20bn": "the report",
    "c06-ten-categories": "Iran–Iraq Joint Chamber of Commerce",
}


# --- the markup, against the vocabulary --------------------------------------------------------


def test_every_property_and_value_is_allowed_by_schema_org(vocabulary):
    reviews = claimreview.claim_reviews(THREE, SPEAKERS, context(site_url="https://example.org/r"))
    for review in reviews:
        assert review["@context"] == "https://schema.org"
        assert review["@type"] == "ClaimReview"
        assert vocabulary.problems(review) == []


def test_the_shipped_data_give_valid_markup_with_its_sources_and_checksums(vocabulary):
    ctx = claimreview.load_context("default", "", READS)
    reviews = claimreview.claim_reviews(THREE, SPEAKERS, ctx)
    assert all(vocabulary.problems(r) == [] for r in reviews)
    claim = reviews[0]["itemReviewed"]
    assert claim["author"]["@type"] == "Person" and claim["author"]["jobTitle"] == "Iraq's ambassador to Iran"
    firsts = claim["firstAppearance"]
    urls = {w["url"] for w in firsts}
    events = pd.read_csv(DATA_DIR / "events.csv", dtype=str)
    assert urls and urls <= set(events["source_url"])  # the pages come from the events table
    assert {w["publisher"]["name"] for w in firsts} <= set(events["publisher"])
    assert claim["appearance"]["headline"] == "Iraq aims to boost annual trade with Iran to $20 billion"
    assert "firstAppearance" not in reviews[2]["itemReviewed"]  # the chamber's claim is not the ambassador's
    recorded = json.loads((DATA_DIR / "datapackage.json").read_text(encoding="utf-8"))
    hashes = {f"data/{r['path']}": r["hash"].split(":", 1)[1] for r in recorded["resources"]}
    downloads = {d["distribution"]["name"]: d["distribution"]["sha256"] for d in reviews[0]["isBasedOn"]}
    for name in READS:
        assert downloads[f"data/{name}"] == hashes[f"data/{name}"]
    assert downloads["data/datapackage.json"] == manifest.sha256(DATA_DIR / "datapackage.json")


def test_a_property_outside_the_vocabulary_or_its_type_is_refused(vocabulary):
    review = claimreview.claim_reviews(THREE, SPEAKERS, context())[0]
    review["reviewRating"]["claimReviewed"] = "x"  # a ClaimReview property on a Rating
    review["itemReviewed"]["appearance"] = "https://example.org"  # text where a CreativeWork is due
    review["rating"] = 3
    problems = "\n".join(vocabulary.problems(review))
    assert "claimReviewed: not a property of Rating" in problems
    assert "is not a value of appearance" in problems
    assert "rating: not in the vocabulary subset" in problems


# --- one review per claim, its rating and its address -----------------------------------------


def test_one_review_per_claim_in_order():
    reviews = claimreview.claim_reviews(THREE, SPEAKERS, context())
    assert [r["url"].split("#")[1] for r in reviews] == list(THREE["claim_id"])
    assert [r["claimReviewed"] for r in reviews] == list(THREE["claim"])


@pytest.mark.parametrize("rating", sorted(RATING_SCALE))
def test_rating_follows_the_scale(rating):
    table = verdicts(("c01-x", "A claim", rating))
    node = claimreview.claim_reviews(table, {}, context())[0]["reviewRating"]
    assert (node["alternateName"], node["ratingValue"]) == RATING_SCALE[rating]
    assert (node["worstRating"], node["bestRating"]) == (WORST_RATING, BEST_RATING)
    assert WORST_RATING <= node["ratingValue"] <= BEST_RATING
    assert rating not in node.get("ratingExplanation", "") or rating in "The evidence says so."


def test_a_rating_off_the_scale_or_a_mismatched_name_is_refused():
    with pytest.raises(ValueError, match="not on the scale"):
        claimreview.rating({"claim_id": "c01", "rating": "ambiguous", "reason": ""})
    with pytest.raises(ValueError, match="does not match"):
        claimreview.rating({"claim_id": "c01", "rating": "consistent", "claimreview_rating": "False"})


def test_the_claim_text_carries_no_rating():
    review = claimreview.claim_reviews(THREE, SPEAKERS, context())[1]
    assert review["claimReviewed"] == "The goal is $20bn"


def test_a_long_reason_is_cut_at_a_word():
    reason = "word " * 400
    node = claimreview.rating({"claim_id": "c", "rating": "mixed", "reason": reason})
    text = node["ratingExplanation"]
    assert len(text) <= claimreview.MAX_EXPLANATION and text.endswith("word…")
    assert claimreview.explanation("  short\n reason ") == "short reason"


def test_urls_are_relative_without_site_url_and_absolute_with_it():
    assert claimreview.claim_url("c07-share-65pct", "default") == "04-claims-check.html#c07-share-65pct"
    for site_url in ("https://example.org/reports", "https://example.org/reports/"):
        assert (
            claimreview.claim_url("c07-share-65pct", "default", site_url)
            == "https://example.org/reports/default/04-claims-check.html#c07-share-65pct"
        )
    relative = claimreview.claim_reviews(THREE, SPEAKERS, context())
    absolute = claimreview.claim_reviews(THREE, SPEAKERS, context(site_url="https://x.org", run="r2"))
    assert all(not r["url"].startswith("http") for r in relative)
    assert absolute[0]["url"] == "https://x.org/r2/04-claims-check.html#c01-trade-over-10bn"


def test_authors_of_claims_follow_the_speaker():
    reviews = claimreview.claim_reviews(THREE, SPEAKERS, context())
    authors = [r["itemReviewed"].get("author") for r in reviews]
    assert authors[0] == {"@type": "Person", "name": "N. A.", "jobTitle": "ambassador"}
    assert authors[1] is None  # the report itself, whose publisher is not known
    assert authors[2] == {"@type": "Organization", "name": "Iran–Iraq Joint Chamber of Commerce"}
    published = context(appearance=claimreview.creative_work("H", "Some Outlet"))
    assert claimreview.claim_reviews(THREE, SPEAKERS, published)[1]["itemReviewed"]["author"]["name"] == "Some Outlet"
    assert reviews[0]["author"] == {"@type": "Organization", "name": "The collection"}


# --- datePublished: from the data, never the clock ---------------------------------------------


def _latest_checked_by_hand(files: list[str]) -> str:
    dates = []
    for name in files:
        with open(DATA_DIR / name, encoding="utf-8", newline="") as fh:
            dates += [row["checked"] for row in csv.DictReader(fh) if row.get("checked")]
    return max(dates)


def test_date_published_is_the_data_s_latest_check_whatever_the_clock(monkeypatch):
    expected = _latest_checked_by_hand([*READS, "report_sources.csv"][1:])  # claims.csv has no checked column
    today = claimreview.load_context("default", "", READS).date_published

    class Tomorrow(datetime.date):
        @classmethod
        def today(cls):
            return cls(2099, 1, 1)

    class Later(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return cls(2099, 1, 1, tzinfo=tz)

        @classmethod
        def utcnow(cls):
            return cls(2099, 1, 1)

    monkeypatch.setattr(datetime, "date", Tomorrow)
    monkeypatch.setattr(datetime, "datetime", Later)
    later = claimreview.load_context("default", "", READS).date_published
    assert today == later == expected


def test_date_published_falls_back_to_the_release_date():
    assert claimreview.latest_checked(["n/a", "missing", ""], "2026-11-27") == "2026-11-27"
    assert claimreview.latest_checked(["2024-01-02", "2025-03-04"], "x") == "2025-03-04"


# --- the data tables behind appearance and speakers --------------------------------------------


def test_a_first_appearance_naming_an_unknown_event_is_refused():
    sources = pd.DataFrame([{"role": "first_appearance", "record": "e-nope", "title": "T"}])
    events = pd.DataFrame([{"event_id": "e-1", "source_url": "https://a.org", "publisher": "A"}])
    with pytest.raises(KeyError, match="e-nope"):
        claimreview.report_works(sources, events)
    ok = pd.DataFrame([{"role": "first_appearance", "record": "e-1", "title": "T", "published": "2024-09-03"}])
    appearance, firsts = claimreview.report_works(ok, events)
    assert appearance is None
    assert firsts == [
        {
            "@type": "CreativeWork",
            "headline": "T",
            "url": "https://a.org",
            "publisher": {"@type": "Organization", "name": "A"},
            "datePublished": "2024-09-03",
        }
    ]


def test_an_appearance_without_a_known_page_has_no_url():
    sources = pd.DataFrame([{"role": "appearance", "record": None, "title": "Headline", "url": None}])
    appearance, _ = claimreview.report_works(sources, pd.DataFrame(columns=["event_id"]))
    assert appearance == {"@type": "CreativeWork", "headline": "Headline"}


# --- in the claims page ------------------------------------------------------------------------

PAGE = "<html><head><title>t</title></head><body><h1>04</h1></body></html>"


def _script_payload(page: str) -> str:
    m = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert m, "no JSON-LD script element"
    return m.group(1)


def test_embedded_json_ld_cannot_close_its_script_element():
    table = verdicts(("c01-x", HOSTILE, "consistent"), reason=HOSTILE)
    reviews = claimreview.claim_reviews(table, {}, context())
    page = render.with_json_ld(PAGE, claimreview.script_json(reviews))
    assert "</script><b>" not in page and "<!--" not in page
    payload = _script_payload(page)
    assert not re.search(r"[<>&]", payload)
    assert "\\u003c/script\\u003e\\u003cb\\u003e" in payload and "\\u0026" in payload
    assert json.loads(payload) == reviews  # the escapes are JSON: the text reads back unchanged
    assert page.index("application/ld+json") < page.index("</head>")
    again = render.with_json_ld(page, claimreview.script_json(reviews[:0]))
    assert again.count("application/ld+json") == 1 and _script_payload(again) == "[]"
    with pytest.raises(ValueError):
        render.json_ld_script('{"a": "</script>"}')


def _nbconvert_heading(text: str, level: int = 3) -> str:
    """A heading as nbconvert renders a Markdown heading: id and pilcrow link made from the text."""
    slug = re.sub(r"\s", "-", text)
    return f'<h{level} id="{slug}">{text}<a class="anchor-link" href="#{slug}">&#182;</a></h{level}>'


def test_each_claim_heading_gets_the_claim_id_as_its_anchor():
    ids = ["c01-trade-over-10bn", "c07-share-65pct", "c07-share-65pct-b", "c13-pmf-integrated-2016"]
    page = "".join(
        [
            _nbconvert_heading("Claim by claim", 2),
            _nbconvert_heading("c01-trade-over-10bn: Yearly trade is above $10bn"),
            _nbconvert_heading("c07-share-65pct &#8212; These products make up 65%"),
            _nbconvert_heading("c07-share-65pct-b — another reading"),
            '<h3 id="x"><span class="n">c13-pmf-integrated-2016</span> The PMF</h3>',
            _nbconvert_heading("c01-trade-over-10bn-extra is not a claim heading"),
            "<p>c01-trade-over-10bn in a paragraph</p>",
        ]
    )
    out = render.claim_anchors(page, ids)
    for cid in ids:
        assert out.count(f'id="{cid}"') == 1, cid
        assert f'href="#{cid}"' in out or cid == "c13-pmf-integrated-2016"
    assert 'id="Claim-by-claim"' in out
    assert 'id="c01-trade-over-10bn-extra-is-not-a-claim-heading"' in out
    assert render.claim_anchors(page, []) == page


def test_claim_ids_come_from_the_exported_claims_table():
    csv_text = THREE.to_csv(index=False)
    out = new_output(
        "display_data",
        data={"text/csv": csv_text, "text/plain": "table"},
        metadata={"text/csv": {"filename": "claims.csv", "folder": "."}},
    )
    nb = new_notebook(cells=[new_code_cell("show()", outputs=[out])])
    assert render.claim_ids(nb) == list(THREE["claim_id"])
    assert render.claim_ids(new_notebook(cells=[new_code_cell("x = 1")])) == []
    assert isinstance(nbformat.writes(nb), str)


# --- the writer --------------------------------------------------------------------------------


def test_the_run_writes_claims_jsonld_and_embeds_it_in_the_claims_page(tmp_path, monkeypatch, vocabulary):
    monkeypatch.setattr(claimreview, "claim_speakers", lambda claims_path="": dict(SPEAKERS))
    THREE.to_csv(tmp_path / "claims.csv", index=False)
    (tmp_path / "04-claims-check.html").write_text(PAGE, encoding="utf-8")
    params = {"site_url": "https://example.org/reports"}
    assert site.write_claim_reviews(tmp_path, "myrun", {"reads": READS}, params) is True
    written = json.loads((tmp_path / "claims.jsonld").read_text(encoding="utf-8"))
    assert len(written) == len(THREE)
    assert all(vocabulary.problems(r) == [] for r in written)
    assert written[0]["url"] == "https://example.org/reports/myrun/04-claims-check.html#c01-trade-over-10bn"
    page = (tmp_path / "04-claims-check.html").read_text(encoding="utf-8")
    assert json.loads(_script_payload(page)) == written


def test_a_run_without_the_claims_table_writes_no_markup(tmp_path):
    assert site.write_claim_reviews(tmp_path, "myrun", {"reads": READS}, {}) is False
    assert not (tmp_path / "claims.jsonld").exists()


def test_the_claim_is_dated_by_its_earliest_known_appearance():
    dated = context(
        appearance=claimreview.creative_work("Seed", published="2024-09-05"),
        first_appearances=[
            claimreview.creative_work("B", "IRNA", published="2024-09-04"),
            claimreview.creative_work("A", "Shafaq", published="2024-09-03"),
        ],
    )
    reviews = claimreview.claim_reviews(THREE, SPEAKERS, dated)
    assert reviews[0]["itemReviewed"]["datePublished"] == "2024-09-03"  # the ambassador's: his first reports
    assert reviews[2]["itemReviewed"]["datePublished"] == "2024-09-05"  # the chamber's: the seed report only
    undated = claimreview.claim_reviews(THREE, SPEAKERS, context(first_appearances=[]))
    assert all("datePublished" not in r["itemReviewed"] for r in undated)  # no appearance is dated: no date


def test_the_shipped_claims_of_the_ambassador_are_dated_by_the_reports_of_the_meeting(vocabulary):
    reviews = claimreview.claim_reviews(THREE, SPEAKERS, claimreview.load_context("default", "", READS))
    sources = pd.read_csv(DATA_DIR / "report_sources.csv", dtype=str)
    firsts = sources.loc[sources["role"] == "first_appearance", "published"].dropna()
    assert reviews[0]["itemReviewed"]["datePublished"] == min(firsts)
    assert vocabulary.problems(reviews[0]) == []
