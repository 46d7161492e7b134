"""schema.org ClaimReview markup of a run's claims check: ``reports/<run>/claims.jsonld``.

One ``ClaimReview`` per row of the run's ``claims.csv`` (the verdict table notebook 04 exports), as
a JSON array; the same array is embedded in the claims page (see ``helpers.pipeline.site``). Every
value comes from the run's tables and the shipped data, none from the clock:

* ``claimReviewed``: the claim's text; ``reviewRating``: a ``Rating`` whose ``alternateName`` and
  ``ratingValue`` are ``helpers.analysis.claims.RATING_SCALE[rating]`` (the table's
  ``claimreview_rating`` must agree), ``worstRating``/``bestRating`` the scale's ends, and
  ``ratingExplanation`` the reason, cut at a word to at most ``MAX_EXPLANATION`` characters;
* ``itemReviewed``: a ``Claim`` whose ``author`` is the claim's ``speaker`` in the claims file: a
  ``Person`` with name and job title when the speaker is the role of a quoted speaker of
  ``data/report_sources.csv``; the report's publisher when the speaker is the report itself (a
  speaker starting "the report" or "implied", e.g. "implied by the ambassador's two figures"),
  no author while that publisher is unknown; an ``Organization`` when the speaker names a body
  (``ORGANIZATION_WORDS``); else a ``Person`` of that name. The claim's
  ``appearance`` is the seed report (``data/report_sources.csv``, role ``appearance``) and,
  for a claim of a quoted speaker, its ``firstAppearance`` are the primary reports of the
  meeting (role ``first_appearance``: page and publisher from the ``data/events.csv`` row named in
  ``record``). The claim's ``datePublished`` is the earliest date of those appearances (the date it
  first appeared), none when no appearance is dated. With another claims file (``claims_path``) the
  claims are another report's: no appearance is given;
* ``author``: the collection, an ``Organization`` named by ``CITATION.cff`` (its ``title``);
* ``datePublished``: **the latest ``checked`` date among the data files the review is based on**
  (the files notebook 04 reads and ``data/report_sources.csv``), so the same data give the same
  date whatever day the run is made; without any dated row, ``CITATION.cff``'s ``date-released``;
* ``url``: the claim's anchor on the claims page, ``04-claims-check.html#<claim_id>`` (relative to
  the run folder, where both the page and ``claims.jsonld`` are) or, with the ``site_url`` setting
  (the address the ``reports/`` folder is published at), ``{site_url}/{run}/04-claims-check.html#<claim_id>``;
* ``isBasedOn``: a ``Dataset`` per data file read, with a ``DataDownload`` carrying the file's
  SHA-256 as recorded in ``data/datapackage.json`` (schema.org puts ``sha256`` on a media object,
  not on a dataset), and the data package itself (``datapackage.json`` and its own SHA-256).

The builders are pure (frames and dicts in, dicts out); :func:`write_claims_jsonld` reads the files
and writes the one output.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from helpers.analysis.claims import BEST_RATING, RATING_SCALE, WORST_RATING
from helpers.pipeline.schema import CLAIMS

CONTEXT = "https://schema.org"
CLAIMS_PAGE = f"{CLAIMS}.html"
CLAIMS_TABLE = "claims.csv"
JSONLD_FILE = "claims.jsonld"
SOURCES_FILE = "report_sources.csv"
#: ratingExplanation is "a short explanation"; longer reasons are cut at a word and end in "…".
MAX_EXPLANATION = 600
#: A speaker naming one of these is an organisation (matched as whole words, case ignored).
ORGANIZATION_WORDS = (
    "chamber",
    "ministry",
    "customs",
    "organization",
    "organisation",
    "government",
    "agency",
    "bank",
    "council",
    "committee",
)
#: A speaker starting with one of these is the report itself (its own statement or inference).
REPORT_SPEAKERS = ("the report", "implied")
_MEDIA_TYPES = {".csv": "text/csv", ".json": "application/json"}


@dataclass(frozen=True)
class ReviewContext:
    """What every review of a run shares: where it is published, by whom, when and on what evidence."""

    run: str
    author: dict[str, Any]
    date_published: str
    site_url: str = ""
    appearance: dict[str, Any] | None = None
    first_appearances: list[dict[str, Any]] = field(default_factory=list)
    speakers: dict[str, dict[str, Any]] = field(default_factory=dict)  # speaker text (lower case) -> Person
    based_on: list[dict[str, Any]] = field(default_factory=list)


# --- small nodes -------------------------------------------------------------------------------


def _text(value: Any) -> str:
    """A table field as text: missing values (None, NaN, NA) are empty."""
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    if hasattr(value, "date") and callable(value.date):
        return value.date().isoformat()  # a parsed date column
    return str(value).strip()


def claim_url(claim_id: str, run: str, site_url: str = "") -> str:
    """The claim's anchor on the claims page: relative to the run folder, absolute under ``site_url``."""
    relative = f"{CLAIMS_PAGE}#{claim_id}"
    return f"{site_url.rstrip('/')}/{run}/{relative}" if site_url else relative


def explanation(reason: str, limit: int = MAX_EXPLANATION) -> str:
    """``reason`` with runs of white space made one space, cut at a word to at most ``limit`` characters."""
    text = " ".join(str(reason).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    cut = cut[: cut.rfind(" ")] if " " in cut else cut
    return cut.rstrip(" ,;:") + "…"


def rating(row: Mapping[str, Any]) -> dict[str, Any]:
    """The ``Rating`` of one verdict row, from ``RATING_SCALE``; ValueError for an unknown rating or a
    ``claimreview_rating`` that disagrees with the scale."""
    key = _text(row.get("rating"))
    if key not in RATING_SCALE:
        raise ValueError(
            f"claim {_text(row.get('claim_id'))!r}: rating {key!r} is not on the scale ({', '.join(RATING_SCALE)})"
        )
    name, value = RATING_SCALE[key]
    stated = _text(row.get("claimreview_rating"))
    if stated and stated != name:
        raise ValueError(
            f"claim {_text(row.get('claim_id'))!r}: claimreview_rating {stated!r} does not match rating {key!r} "
            f"({name!r} on the scale)"
        )
    node: dict[str, Any] = {
        "@type": "Rating",
        "alternateName": name,
        "ratingValue": value,
        "worstRating": WORST_RATING,
        "bestRating": BEST_RATING,
    }
    reason = explanation(_text(row.get("reason")))
    if reason:
        node["ratingExplanation"] = reason
    return node


def organization(name: str, url: str = "") -> dict[str, Any]:
    """An ``Organization`` node."""
    node: dict[str, Any] = {"@type": "Organization", "name": name}
    if url:
        node["url"] = url
    return node


def creative_work(headline: str = "", publisher: str = "", url: str = "", published: str = "") -> dict[str, Any]:
    """A ``CreativeWork`` node with whichever of headline, publisher, url and publication date are known."""
    node: dict[str, Any] = {"@type": "CreativeWork"}
    if headline:
        node["headline"] = headline
    if url:
        node["url"] = url
    if publisher:
        node["publisher"] = organization(publisher)
    if published:
        node["datePublished"] = published
    return node


def speaker_node(
    speaker: str, speakers: Mapping[str, dict[str, Any]], report_author: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    """The author of a claim (see the module docstring): a quoted speaker's ``Person``, the report's
    publisher (``report_author``), an ``Organization`` or a ``Person``; None without one."""
    speaker = speaker.strip()
    if not speaker:
        return None
    if speaker.lower() in speakers:
        return dict(speakers[speaker.lower()])
    if speaker.lower().startswith(REPORT_SPEAKERS):
        return dict(report_author) if report_author else None
    words = set(re.findall(r"[a-z]+", speaker.lower()))
    if words & set(ORGANIZATION_WORDS):
        return organization(speaker)
    return {"@type": "Person", "name": speaker}


def latest_checked(dates: Iterable[str], fallback: str) -> str:
    """The latest of ``dates`` that is a YYYY-MM-DD date, else ``fallback``."""
    dated = [d for d in (str(x).strip()[:10] for x in dates) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", d)]
    return max(dated) if dated else fallback


def first_appeared(works: Iterable[Mapping[str, Any]]) -> str:
    """The earliest ``datePublished`` (YYYY-MM-DD) of ``works``, the claim's known appearances: the date a
    ``Claim`` first appeared (empty when none of them is dated)."""
    dated = [d for d in (str(w.get("datePublished", "")).strip()[:10] for w in works) if _is_date(d)]
    return min(dated) if dated else ""


def _is_date(text: str) -> bool:
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", text))


def dataset(name: str, path: str, sha256: str) -> dict[str, Any]:
    """A ``Dataset`` whose one ``DataDownload`` is the file ``path`` (as shown) with its SHA-256."""
    download: dict[str, Any] = {"@type": "DataDownload", "name": path}
    media = _MEDIA_TYPES.get(Path(path).suffix.lower())
    if media:
        download["encodingFormat"] = media
    if sha256:
        download["sha256"] = sha256
    return {"@type": "Dataset", "name": name, "distribution": download}


# --- from the data tables ----------------------------------------------------------------------


def report_works(sources: pd.DataFrame, events: pd.DataFrame) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The seed report's ``CreativeWork`` and those of the primary reports, from ``report_sources.csv``.

    A ``first_appearance`` row takes its page and publisher from the ``events.csv`` row its ``record``
    names (its own ``url``/``publisher`` when it names none); KeyError for a record that is not there.
    """
    by_id = {_text(r["event_id"]): r for _, r in events.iterrows()} if len(events) else {}
    appearance, firsts = None, []
    for _, row in sources.iterrows():
        role, record = _text(row["role"]), _text(row.get("record"))
        url, publisher = _text(row.get("url")), _text(row.get("publisher"))
        if role == "first_appearance" and record:
            if record not in by_id:
                raise KeyError(f"{SOURCES_FILE}: record {record!r} is not an event_id of events.csv")
            url, publisher = url or _text(by_id[record]["source_url"]), publisher or _text(by_id[record]["publisher"])
        work = creative_work(_text(row.get("title")), publisher, url, _text(row.get("published")))
        if role == "appearance" and appearance is None:
            appearance = work
        elif role == "first_appearance":
            firsts.append(work)
    return appearance, firsts


def quoted_speakers(sources: pd.DataFrame, targets: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Each quoted speaker's ``Person`` (name and role from the ``targets.csv`` row of a ``speaker`` row's
    ``record``), by the role in lower case: the text a claims file's ``speaker`` gives for them."""
    by_id = {_text(r["target_id"]): r for _, r in targets.iterrows()} if len(targets) else {}
    out: dict[str, dict[str, Any]] = {}
    for _, row in sources[sources["role"] == "speaker"].iterrows():
        record = _text(row.get("record"))
        if record not in by_id:
            raise KeyError(f"{SOURCES_FILE}: record {record!r} is not a target_id of targets.csv")
        name, role = _text(by_id[record]["speaker"]), _text(by_id[record]["role"])
        out[role.lower()] = {"@type": "Person", "name": name, "jobTitle": role}
    return out


def evidence(files: Iterable[tuple[str, str, str]], package: tuple[str, str, str]) -> list[dict[str, Any]]:
    """``isBasedOn``: a ``Dataset`` per ``(title, path, sha256)`` of ``files``, then the data package's."""
    return [dataset(*f) for f in files] + [dataset(*package)]


# --- the reviews -------------------------------------------------------------------------------


def claim_review(row: Mapping[str, Any], speaker: str, context: ReviewContext) -> dict[str, Any]:
    """The ``ClaimReview`` of one row of the run's verdict table (``speaker``: its claims file's speaker)."""
    claim: dict[str, Any] = {"@type": "Claim"}
    publisher = (context.appearance or {}).get("publisher")
    author = speaker_node(speaker, context.speakers, publisher)
    if author is not None:
        claim["author"] = author
    if context.appearance is not None:
        claim["appearance"] = dict(context.appearance)
    if context.first_appearances and speaker.strip().lower() in context.speakers:
        claim["firstAppearance"] = [dict(w) for w in context.first_appearances]
    first = first_appeared([claim.get("appearance") or {}, *claim.get("firstAppearance", [])])
    if first:
        claim["datePublished"] = first
    claim_id = _text(row["claim_id"])
    review: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "ClaimReview",
        "url": claim_url(claim_id, context.run, context.site_url),
        "claimReviewed": _text(row["claim"]),
        "reviewRating": rating(row),
        "itemReviewed": claim,
        "author": dict(context.author),
        "datePublished": context.date_published,
    }
    if context.based_on:
        review["isBasedOn"] = [dict(d) for d in context.based_on]
    return review


def claim_reviews(verdicts: pd.DataFrame, speakers: Mapping[str, str], context: ReviewContext) -> list[dict[str, Any]]:
    """One ``ClaimReview`` per row of ``verdicts`` (the run's ``claims.csv``), in its order.

    ``speakers`` maps claim ids to the claims file's ``speaker`` (missing ids have none).
    """
    return [claim_review(row, speakers.get(_text(row["claim_id"]), ""), context) for row in verdicts.to_dict("records")]


def to_json(reviews: list[dict[str, Any]]) -> str:
    """The reviews as the text of ``claims.jsonld`` (UTF-8, indented, ending in a newline)."""
    return json.dumps(reviews, indent=2, ensure_ascii=False) + "\n"


def script_json(reviews: list[dict[str, Any]]) -> str:
    """The reviews as JSON safe inside a ``<script>`` element: ``<``, ``>`` and ``&`` (and the JavaScript line
    separators) written as ``\\u`` escapes, so no text of a claim or reason can close the element."""
    text = json.dumps(reviews, ensure_ascii=False, separators=(",", ":"))
    for char in "<>&\u2028\u2029":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text


# --- reading the files and writing claims.jsonld -----------------------------------------------


def _citation(root: Path) -> dict[str, Any]:
    import yaml

    path = root / "CITATION.cff"
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}


def _datapackage_entries(files: list[str], claims_path: str) -> tuple[list[tuple[str, str, str]], tuple[str, ...]]:
    """``(title, path, sha256)`` of each data file read (recorded checksums) and of the data package."""
    from helpers.config import DATA_DIR, display_path, resolve_path
    from helpers.tables import manifest

    package_path = DATA_DIR / manifest.MANIFEST
    package = manifest.load_manifest(DATA_DIR) or {"resources": []}
    by_path = {r["path"]: r for r in package.get("resources", [])}
    entries = []
    for name in files:
        if name == CLAIMS_TABLE and claims_path:
            own = resolve_path(claims_path)
            entries.append((f"Claims file {display_path(own)}", display_path(own), manifest.sha256(own)))
            continue
        res = by_path.get(name, {})
        entries.append((res.get("title", name), f"data/{name}", res.get("hash", "").split(":", 1)[-1]))
    whole = (
        package.get("title", "data package"),
        f"data/{manifest.MANIFEST}",
        manifest.sha256(package_path) if package_path.exists() else "",
    )
    return entries, whole


def load_context(run: str, site_url: str, reads: list[str], claims_path: str = "") -> ReviewContext:
    """The shared part of a run's reviews, read from ``data/`` and ``CITATION.cff``.

    ``reads`` are the data files notebook 04 declares it reads; ``claims_path`` its parameter (another
    report's claims: no appearance, no quoted speakers).
    """
    from helpers.config import DATA_DIR, ROOT
    from helpers.pipeline import render
    from helpers.tables import read_table

    files = list(dict.fromkeys([*reads, *([] if claims_path else [SOURCES_FILE])]))
    citation = _citation(ROOT)
    name = citation.get("title") or "Iran–Iraq trade collection"
    author = organization(str(name), str(citation.get("repository-code", citation.get("url", "")) or ""))
    released = str(citation.get("date-released", ""))
    checked = [s["checked"] for s in render.data_sources([f for f in files if (DATA_DIR / f).exists()])]
    entries, package = _datapackage_entries(files, claims_path)
    context = ReviewContext(
        run=run,
        author=author,
        date_published=latest_checked(checked, released),
        site_url=site_url,
        based_on=evidence(entries, package),
    )
    if claims_path or not (DATA_DIR / SOURCES_FILE).exists():
        return context
    sources = read_table("report_sources")
    appearance, firsts = report_works(sources, read_table("events"))
    speakers = quoted_speakers(sources, read_table("targets"))
    return dataclasses.replace(context, appearance=appearance, first_appearances=firsts, speakers=speakers)


def claim_speakers(claims_path: str = "") -> dict[str, str]:
    """Claim id to ``speaker`` of the claims file the run read (``claims_path``, else ``data/claims.csv``)."""
    from helpers.config import resolve_path
    from helpers.tables import read_table

    claims = read_table("claims", resolve_path(claims_path)) if claims_path else read_table("claims")
    if "speaker" not in claims.columns:
        return {}
    return {_text(i): _text(s) for i, s in zip(claims["claim_id"], claims["speaker"], strict=True)}


def read_verdicts(path: Path) -> pd.DataFrame:
    """A run's verdict table (``claims.csv``), every field as text."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def write_claims_jsonld(
    folder: Path, run: str, reads: list[str], site_url: str = "", claims_path: str = ""
) -> list[dict[str, Any]] | None:
    """Write ``folder/claims.jsonld`` from ``folder/claims.csv``; return the reviews (None without the table)."""
    table = folder / CLAIMS_TABLE
    if not table.exists():
        return None
    context = load_context(run, site_url, reads, claims_path)
    reviews = claim_reviews(read_verdicts(table), claim_speakers(claims_path), context)
    (folder / JSONLD_FILE).write_text(to_json(reviews), encoding="utf-8")
    return reviews
