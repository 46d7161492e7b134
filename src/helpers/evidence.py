"""The pair's evidence: one object per run that every notebook asks its questions.

A run is about one country pair (``reporter`` exports to ``partner``). Two kinds of evidence can
speak about it, and both answer the same questions (series by flow, base year, composition,
citation, whether the data are synthetic):

* :class:`ReportedEvidence`: the figures curated in ``data/`` (customs, officials, researchers),
  which are about Iran and Iraq only;
* :class:`OfficialEvidence`: the user's UN Comtrade or CEPII BACI download, for any pair.

Evidence that does not exist for a run (reported figures for Türkiye–Iraq, a download when
``source`` is ``reported``, a download with no rows for the pair) is an
:class:`~helpers.answers.Unanswered` saying so, and so is every answer asked of it. A download as
people really have it answers what it can: one country reporting and the other not, a direction
absent in some or all years, years missing, HS levels differing by year. What it cannot answer (a
two-way figure when one direction is absent, a composition from totals only) is an ``Unanswered``
naming what the download lacks; a gap is never filled in.

:class:`Pair` loads what the run's parameters name; ``primary`` is the evidence the target
arithmetic and the trade beside the timeline rest on (the download when one is given, else the
reported figures). Notebooks never test where their data came from.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pandas as pd

from helpers.analysis import composition, headlines, import_share, market, official, volume
from helpers.analysis.countries import country_name, is_default_pair, pair_name
from helpers.answers import Unanswered, stands_in_for
from helpers.config import resolve_path
from helpers.errors import ParameterError
from helpers.official.countries import resolve_country
from helpers.present import describe_sources

#: Columns of a preferred series (see :func:`helpers.analysis.volume.preferred`), for empty series.
SERIES_COLUMNS = ["start", "end", "value", "year", "period", "bound", "calendar", "stated_by", "record_id"]


def load_official(source: str, data_path: str, reporter: str, partner: str) -> pd.DataFrame:
    """Flows between the pair from the user's download; the file's format must match ``source``."""
    from helpers import official as official_files

    if not data_path:
        raise ParameterError(f"source {source!r} needs data_path: the downloaded file or a folder of yearly files")
    path = resolve_path(data_path)
    flows = official_files.read_flows(path, reporter, partner, progress=False)
    found = set(flows["source"]) if len(flows) else set()
    wanted = {"comtrade": {"comtrade", "comtrade_legacy"}, "baci": {"baci"}}[source]
    if found and not found <= wanted:
        # a folder holding both kinds fits no source: each source's files go in a folder of their own
        sources = {"baci" if f == "baci" else "comtrade" for f in found}
        advice = (
            "keep each source's files in a folder of their own and point data_path at one"
            if len(sources) > 1
            else f"set source to {sources.pop()!r} to match the files"
        )
        raise ParameterError(f"source is {source!r} but {data_path!r} holds {', '.join(sorted(found))} data; {advice}")
    return flows


def empty_download_reason(data_path: str, reporter: str, partner: str, why: str = "") -> str:
    """Why a download with no rows for the pair cannot be used (``why``, when known, after the pair): the
    countries it does hold, to choose from."""
    from helpers import official as official_files

    countries = official_files.download_countries(resolve_path(data_path))
    held = (
        f"it holds: {', '.join(countries)} (set reporter and partner to two of them)"
        if countries
        else "it holds no country's trade rows"
    )
    return f"data_path {data_path!r} holds no rows for {reporter.upper()} and {partner.upper()}{why}; {held}"


@stands_in_for
class ReportedEvidence:
    """The reported figures curated in ``data/`` for Iran–Iraq, with the questions they answer."""

    label = "reported figures"
    kind = "reported"

    def __init__(self, name: str) -> None:
        from helpers.tables import curated

        self.name = name
        self.trade = curated.load_trade()
        self._curated = curated

    @functools.cached_property
    def target_rows(self) -> pd.DataFrame:
        """Every statement of a trade target (read when first asked: a notebook's recorded inputs are the
        files it needed)."""
        from helpers.tables import read_table

        return read_table("targets")

    # -- volume -------------------------------------------------------------------------------
    def summary(self) -> str:
        """One line: how many figures, bodies and target statements there are."""
        return (
            f"{len(self.trade)} reported figures, {self.trade['stated_by'].nunique()} stating bodies; "
            f"{len(self.target_rows)} statements of a target"
        )

    def figures(self, stated_by: list[str]) -> pd.DataFrame | Unanswered:
        """Every full-year figure and stated level of the chosen bodies, as drawn by the volume chart."""
        drawn = volume.chart_data(self.trade, stated_by)
        if drawn.empty:
            return Unanswered(
                f"No full-year figures from the chosen stating bodies ({', '.join(stated_by)}): nothing to draw."
            )
        return drawn

    def targets(self) -> pd.DataFrame:
        """Every statement of a trade target."""
        return self.target_rows

    def target_statements(self) -> pd.DataFrame:
        """Statements of a two-way trade target, dated ones first in date order."""
        goal = self.target_rows[self.target_rows["measure"] == "two_way_trade"]
        return goal.sort_values(["date", "target_id"], na_position="last")

    def preferred(self, flow: str, calendar: str = "iranian") -> pd.DataFrame:
        """The preferred full-year series of one flow in one calendar."""
        return volume.preferred(self.trade, flow, calendar)

    def exports(self, calendar: str = "iranian", stated_by: list[str] | None = None) -> pd.DataFrame:
        """The preferred series of the reporter's exports to the partner (from the ``stated_by`` bodies alone
        when given: what a chart of those bodies draws)."""
        if stated_by is None:
            return self.preferred("iran_exports_to_iraq", calendar)
        chosen = self.trade[self.trade["stated_by"].isin(stated_by)]
        return volume.preferred(chosen.reset_index(drop=True), "iran_exports_to_iraq", calendar)

    def two_way(self, calendar: str = "iranian") -> pd.DataFrame:
        """The preferred series of two-way trade."""
        return volume.two_way(self.trade, calendar)

    def base(self, base_year: int) -> dict | Unanswered:
        """Two-way trade in the Gregorian ``base_year`` (a calendar-year figure or an estimate)."""
        found = volume.base_value(self.two_way("iranian"), base_year, self.two_way("gregorian"))
        return found if found is not None else _no_base(base_year)

    def volume_finding(self, base: dict, need: float, base_year: int, target_usd: float, target_year: int) -> str:
        """Notebook 01's finding from the reported figures."""
        return headlines.reported_volume_finding(
            self.exports("iranian"), self.two_way("iranian"), base, need, base_year, target_usd, target_year
        )

    def partial_periods(self, flow: str, stated_by: list[str]) -> pd.DataFrame:
        """Year-to-date figures of one flow by the chosen bodies (never summed with anything)."""
        rows = volume.partial_periods(self.trade, flow)
        return rows[rows["stated_by"].isin(stated_by)]

    def energy_pairs(self) -> pd.DataFrame | Unanswered:
        """Figures of the same period with and without energy, from the same page."""
        pairs = volume.energy_pairs(self.trade)
        return pairs if len(pairs) else Unanswered("No page gives the same period with and without energy.")

    def trade_rows(self, series: pd.DataFrame) -> pd.DataFrame:
        """The source rows behind a preferred series."""
        return self.trade[self.trade["record_id"].isin(series["record_id"])]

    def citation(self, rows: pd.DataFrame) -> str:
        """The 'Source:' line of the rows drawn."""
        return describe_sources(rows)

    def trade_citation(self, *series: pd.DataFrame) -> str:
        """'Trade: ...' naming the publishers behind the preferred series given."""
        rows = self.trade_rows(pd.concat(series))
        return "Trade: " + describe_sources(rows).removeprefix("Source: ")

    def synthetic_notice(self) -> None:
        """Reported figures are real: no notice."""
        return None

    # -- composition and Iran's share of Iraq's imports -----------------------------------------
    @functools.cached_property
    def breakdowns(self) -> pd.DataFrame:
        """Every reported product group, mapped to the chamber's categories."""
        return self._curated.load_composition()

    @functools.cached_property
    def imports(self) -> pd.DataFrame:
        """Iraq's total imports and imports from its main suppliers."""
        return self._curated.load_imports()

    def composition_summary(self) -> str:
        """One line: how many groups and breakdowns, how many unmapped or mixed."""
        comp = self.breakdowns
        return (
            f"{len(comp)} reported product groups in {comp.groupby(['period', 'stated_by', 'source_url']).ngroups} "
            f"breakdowns; {int((comp['category_id'] == 'unmapped').sum())} groups unmapped, "
            f"{int((comp['kind'] == 'mixed').sum())} in mixed buckets"
        )

    def category_shares(self, include_energy: bool = True) -> pd.DataFrame:
        """Category shares of every breakdown (see :func:`helpers.analysis.composition.category_shares`)."""
        return composition.category_shares(self.breakdowns, include_energy=include_energy)

    def breakdown_rows(self, shares: pd.DataFrame) -> pd.DataFrame:
        """The reported groups behind the breakdowns in ``shares``."""
        comp = self.breakdowns
        return comp[comp.apply(composition.breakdown_label, axis=1).isin(shares["breakdown"])]

    def energy_effect(self) -> pd.DataFrame:
        """Energy's share in each breakdown that itemises it."""
        return composition.energy_effect(self.breakdowns)

    def share_pairings(self) -> pd.DataFrame:
        """Every pairing of Iran's sales with Iraq's total imports of the same year and coverage."""
        return import_share.pairings(self.trade, self.imports)

    def share_ranges(self, pairs: pd.DataFrame) -> pd.DataFrame | Unanswered:
        """The range of Iran's share per year over the usable pairings."""
        ranges = import_share.share_ranges(pairs)
        if ranges.empty:
            return Unanswered("No pairing of figures for the same year and coverage: no share can be computed.")
        return ranges

    def totals_used(self, pairs: pd.DataFrame) -> pd.DataFrame:
        """The rows of Iraq's total imports that the pairings use."""
        return self.imports[self.imports["record_id"].isin(pairs["total_record"])]

    def suppliers(self, min_suppliers: int) -> pd.DataFrame:
        """Iraq's sourced suppliers per year, ranked, in years with enough of them."""
        return import_share.suppliers(self.trade, self.imports, min_suppliers)


@stands_in_for
class OfficialEvidence:
    """A UN Comtrade or CEPII BACI download read for the pair, with the questions it answers."""

    kind = "official"

    def __init__(self, name: str, source: str, data_path: str, reporter: str, partner: str) -> None:
        from helpers.official import samples

        self.name, self.source, self.data_path = name, source, data_path
        self.reporter, self.partner = reporter, partner
        self.label = f"official {source} statistics"
        self.flows = load_official(source, data_path, reporter, partner)
        self.synthetic = samples.is_synthetic(resolve_path(data_path))

    def synthetic_notice(self) -> str | None:
        """A bold warning when the files are the synthetic samples (``make samples``), else None."""
        if not self.synthetic:
            return None
        return (
            f"**The files at `{self.data_path}` are SYNTHETIC test data in the real layout: "
            "the numbers below are random, not statistics.**"
        )

    @functools.cached_property
    def release(self) -> str:
        """The release and version the download is (e.g. 'CEPII BACI HS92 V202301'), for source lines."""
        from helpers import official as official_files

        return official_files.release_label(resolve_path(self.data_path))

    def files(self) -> str:
        """The download's file names, sorted."""
        return ", ".join(sorted(set(self.flows["file"])))

    def coverage(self) -> str:
        """What the download holds: who reports which flow for which years, so a missing side is named."""
        return headlines.coverage_line(official.coverage(self.flows), self.reporter, self.partner)

    def absent(self, exporter: str, importer: str) -> str | None:
        """Why the download has no figure for trade from ``exporter`` to ``importer`` in any year (None: it has)."""
        if official.direction_years(self.flows, exporter, importer):
            return None
        a, b = country_name(exporter), country_name(importer)
        why = (
            f"BACI gives no trade from {a} to {b}"
            if self.source == "baci"
            else f"{a} reports no exports to {b}, and {b} no imports from {a}"
        )
        return f"No {exporter}→{importer} flows in the download: {why}{self._kept_apart(exporter, importer)}."

    def _kept_apart(self, exporter: str, importer: str) -> str:
        """What the download does hold for a direction without a figure: its re-exports and re-imports, which
        are kept apart and never counted as exports or imports (so "no flows" never hides them)."""
        flows = self.flows
        hit = flows[
            (flows["exporter"] == resolve_country(exporter))
            & (flows["importer"] == resolve_country(importer))
            & flows["flow"].isin(["RX", "RM"])
        ]
        if hit.empty:
            return ""
        names = {"RX": "re-exports (RX)", "RM": "re-imports (RM)"}
        held = " and ".join(names[flow] for flow in sorted(set(hit["flow"]), reverse=True))
        years = sorted({int(year) for year in hit["year"]})
        return (
            f"; it holds only {held} for {headlines.year_spans(years)}, which are kept apart and never "
            "counted as exports or imports"
        )

    def citation(self, rows: pd.DataFrame | None = None) -> str:
        """The 'Source:' line: the download, its files and what it holds."""
        return f"Source: {self.release}, download at {self.data_path} ({self.files()}). {self.coverage()}"

    def trade_citation(self, *series: pd.DataFrame) -> str:
        """'Trade: ...' naming the download."""
        return f"Trade: {self.release}, download at {self.data_path}."

    def series_long(self) -> pd.DataFrame:
        """Annual totals per direction and reporting side, as the official chart draws them."""
        return official.official_long(self.flows)

    def mirror(self) -> pd.DataFrame:
        """Exporter- and importer-reported values and BACI's per direction and year, with the gap."""
        return official.mirror_table(self.flows)

    def exports(self, calendar: str = "gregorian") -> pd.DataFrame:
        """One figure a calendar year of the reporter's exports to the partner (official data are
        calendar years only: an Iranian-year series is empty)."""
        if calendar != "gregorian":
            return pd.DataFrame(columns=SERIES_COLUMNS)
        return official.official_series(self.flows, self.reporter, self.partner)

    def two_way(self, calendar: str = "gregorian") -> pd.DataFrame:
        """One figure a calendar year of two-way trade (years with both directions only: empty when the
        download lacks a direction; official data are calendar years only, so an Iranian-year series is empty)."""
        if calendar != "gregorian":
            return pd.DataFrame(columns=SERIES_COLUMNS)
        return official.official_series(self.flows)

    def volume_finding(self, base: dict, need: float, base_year: int, target_usd: float, target_year: int) -> str:
        """Notebook 01's finding from the download."""
        return headlines.official_volume_finding(self.source, self.name, base, need, base_year, target_usd, target_year)

    def base(self, base_year: int) -> dict | Unanswered:
        """Two-way trade in ``base_year``, or what the download lacks for it."""
        found = volume.base_value(self.two_way(), base_year, None)
        if found is not None and found["value"] > 0:
            return found
        if found is not None:
            return Unanswered(
                f"Two-way trade in base year {base_year} is $0 in the download: no growth rate starts from zero."
            )
        pair = (self.reporter, self.partner), (self.partner, self.reporter)
        missing = [why for a, b in pair if (why := self.absent(a, b))]
        if missing:
            return Unanswered(
                " ".join(missing) + f" So there is no two-way figure for base year {base_year}: "
                "the required growth cannot be computed."
            )
        held = " and ".join(
            f"{a}→{b} flows for {headlines.year_spans(official.direction_years(self.flows, a, b))}" for a, b in pair
        )
        return Unanswered(
            f"No two-way figure for base year {base_year}: the download has {held}; "
            "the required growth cannot be computed."
        )

    def category_table(self, include_energy: bool = True) -> pd.DataFrame | Unanswered:
        """Category shares of the reporter's exports to the partner per year and reporting side, a year given as
        totals only as one "not itemised" share (what the claims on official data read, to name such years);
        an Unanswered when the download lacks the direction."""
        from helpers.tables import read_table

        missing = self.absent(self.reporter, self.partner)
        if missing:
            return Unanswered(missing)
        return official.category_shares(
            self.flows,
            self.reporter,
            self.partner,
            read_table("categories"),
            read_table("concordance_hs"),
            include_energy=include_energy,
        )

    def category_shares(self, include_energy: bool = True) -> pd.DataFrame | Unanswered:
        """Category shares of the reporter's exports to the partner per year and reporting side (a year given
        as totals only is drawn as "not itemised"); an Unanswered when no year has a share to draw."""
        shares = self.category_table(include_energy)
        if isinstance(shares, Unanswered):
            return shares
        direction = f"{self.reporter}→{self.partner}"
        if shares.empty:
            energy = "" if include_energy else " once energy is left out"
            return Unanswered(f"No {direction} composition: every year's total in the download is zero{energy}.")
        if shares["kind"].eq("not itemised").all():
            return Unanswered(
                f"No {direction} composition: the download gives that direction as totals only "
                "(Comtrade TOTAL rows), no HS chapters to map to categories."
            )
        return shares

    # -- the importer's whole market ---------------------------------------------------------------
    @functools.cached_property
    def market_flows(self) -> pd.DataFrame:
        """Every supplier's exports to the partner in the download (from the all-pairs extracts)."""
        from helpers import official as official_files

        return official_files.read_imports(resolve_path(self.data_path), self.partner, progress=False)

    @functools.cached_property
    def pair_only_years(self) -> list[int]:
        """The years the download holds no supplier of the partner but the reporter (no market to share)."""
        return market.pair_only_years(self.market_flows, self.reporter)

    @functools.cached_property
    def market_held(self) -> pd.DataFrame:
        """The partner's imports from every supplier, in the years the download holds more than the pair."""
        return market.without_years(self.market_flows, self.pair_only_years)

    @functools.cached_property
    def supplier_table(self) -> pd.DataFrame:
        """Every supplier's share and rank in the partner's imports (computed once; see :meth:`suppliers`)."""
        return market.supplier_shares(self.market_held)

    def pair_only_note(self) -> str:
        """What the download lacks of the partner's market, said plainly ('' when nothing)."""
        years = self.pair_only_years
        if not years:
            return ""
        reporter, partner = country_name(self.reporter), country_name(self.partner)
        return (
            f"The download holds no supplier of {partner} but {reporter} in {headlines.year_spans(years)}: no share of "
            f"{partner}'s imports for {'that year' if len(years) == 1 else 'those years'} (a download of "
            f"{partner}'s imports from all partners, or a BACI release, holds them)."
        )

    def suppliers(self, min_suppliers: int = 1) -> pd.DataFrame | Unanswered:
        """Every supplier of the partner per year: value, share of its imports, rank and basis (mirror or not)."""
        shares = self.supplier_table
        if shares.empty:
            return self.no_market
        shares = shares[shares["suppliers"] >= min_suppliers]
        if shares.empty:
            return Unanswered(
                f"No year of the download holds {min_suppliers} or more suppliers of {country_name(self.partner)}."
            )
        return shares

    @functools.cached_property
    def no_market(self) -> Unanswered:
        """Why the download gives no market of the partner (one object: its reason is said once a cell)."""
        return Unanswered(
            self.pair_only_note() or f"The download holds no supplier of {country_name(self.partner)} in any year."
        )

    def market_totals(self) -> pd.DataFrame | Unanswered:
        """The partner's imports per year over the suppliers the download holds, with the mirror part."""
        shares = self.suppliers()
        return shares if isinstance(shares, Unanswered) else market.market_totals(shares)

    def reporter_share(self) -> pd.DataFrame | Unanswered:
        """The reporter's share of the partner's imports and its rank, per year it is in the download."""
        shares = self.suppliers()
        if isinstance(shares, Unanswered):
            return shares
        mine = market.supplier_share(shares, self.reporter)
        if mine.empty:
            return Unanswered(f"{self.absent(self.reporter, self.partner)} No share of the partner's imports.")
        return mine

    def market_composition(self) -> pd.DataFrame | Unanswered:
        """The chamber's categories in the partner's imports from all suppliers, per year."""
        from helpers.tables import read_table

        if self.supplier_table.empty:
            return self.no_market
        comp = market.composition(self.market_held, read_table("categories"), read_table("concordance_hs"))
        if comp.empty:
            return Unanswered(f"No HS chapters of {country_name(self.partner)}'s imports in the download.")
        return comp

    def mirror_note(self) -> str | Unanswered:
        """What part of the partner's market is mirror data (suppliers' reports), said plainly; why there is no
        market, when there is none (said once beside the other answers it leaves unanswered)."""
        totals = self.market_totals()
        if isinstance(totals, Unanswered):
            return totals
        mirror = headlines.mirror_line(totals, country_name(self.partner))
        return " ".join(filter(None, [mirror, self.pair_only_note()]))

    def market_citation(self) -> str:
        """The 'Source:' line of the market charts: the download and what part of it is mirror data."""
        note = self.mirror_note()
        said = note.reason if isinstance(note, Unanswered) else note
        return f"Source: {self.release}, download at {self.data_path} ({self.files()}). {said}"

    def claims_results(self, claims_: pd.DataFrame | Unanswered, as_of: str, reported) -> pd.DataFrame | Unanswered:
        """What the download gives for every claim it can decide, beside the ratings (never in their place),
        with the reported figure of the same year where ``reported`` (the pair's reported evidence) has one."""
        from helpers.analysis import claims as claims_check

        if isinstance(claims_, Unanswered):
            return claims_

        def reported_two_way(year: int) -> float | None:
            if isinstance(reported, Unanswered):
                return None
            found = volume.base_value(reported.two_way("iranian"), year, reported.two_way("gregorian"))
            return None if found is None else float(found["value"])

        ranges = reported if isinstance(reported, Unanswered) else import_share.share_ranges(reported.share_pairings())
        table = claims_check.official_results(
            claims_,
            as_of,
            self.two_way(),
            self.reporter_share(),
            self.category_table(),  # a year with totals only is named, never read as zero shares
            self.market_composition(),
            reported_two_way,
            ranges,
            f"{self.label} ({self.release})",
        )
        if table.empty:
            return Unanswered(self._undecided(claims_, as_of))
        return table

    def _undecided(self, claims_: pd.DataFrame, as_of: str) -> str:
        """Why the download decides none of the claims: not the 2024 report's, or no year before ``as_of``."""
        from helpers.tables import curated

        if not set(claims_["claim_id"]) & set(curated.load_claims()["claim_id"]):
            return (
                f"The {self.label} decide none of these claims: the rules that read official statistics are "
                "written for the claims of the 2024 report (data/claims.csv), and these are others."
            )
        return f"The {self.label} decide none of the claims: no year before {as_of} in the download."

    def composition_citation(self) -> str:
        """The 'Source:' line of the composition chart: the download, the concordance and what the download holds."""
        return (
            f"Source: {self.release}, download at {self.data_path} ({self.files()}); "
            f"concordance: data/concordance_hs.csv. {self.coverage()}"
        )


def _no_base(base_year: int) -> Unanswered:
    return Unanswered(f"No two-way figure for base year {base_year}: the required growth cannot be computed.")


@dataclass
class Pair:
    """The evidence a run has about one country pair: reported figures, an official download, or both."""

    reporter: str
    partner: str
    reported: ReportedEvidence | Unanswered
    #: the user's download, None when ``source`` is ``reported`` (see :meth:`download`); Unanswered when
    #: it holds no rows for the pair
    downloaded: OfficialEvidence | Unanswered | None

    @property
    def name(self) -> str:
        """'Iran–Iraq'."""
        return pair_name(self.reporter, self.partner)

    @property
    def exporter_name(self) -> str:
        return country_name(self.reporter)

    @property
    def importer_name(self) -> str:
        return country_name(self.partner)

    def download(self, purpose: str = "use official statistics") -> OfficialEvidence | Unanswered:
        """The official download, or what a user must set to give one (to ``purpose``)."""
        if self.downloaded is not None:
            return self.downloaded
        return Unanswered(
            "No official download in this run: source is 'reported'. Set source to comtrade or baci and data_path "
            f"to your download to {purpose} (see the README)."
        )

    @property
    def primary(self) -> ReportedEvidence | OfficialEvidence | Unanswered:
        """The download when one is given (an Unanswered if it holds nothing for the pair), else the
        reported figures."""
        return self.downloaded if self.downloaded is not None else self.reported

    def trade_citation(self, *series: pd.DataFrame) -> str:
        """'Trade: ...' naming where the primary evidence's series come from ('' when there is none)."""
        primary = self.primary
        return "" if isinstance(primary, Unanswered) else primary.trade_citation(*series)

    # -- the pair's own files: events, phases, claims -------------------------------------------
    def events(self, events_path: str = "") -> pd.DataFrame | Unanswered:
        """The pair's dated events: ``events_path`` when given, else the shipped Iran–Iraq events."""
        from helpers.tables import curated

        if events_path:
            return curated.load_events(resolve_path(events_path))
        if isinstance(self.reported, Unanswered):
            return Unanswered(
                f"No events file for {self.name}: the shipped timeline is about Iran and Iraq. Pass events_path "
                "(a CSV with the columns of data/events.csv) to draw this pair's timeline."
            )
        return curated.load_events()

    def shipped_events(self) -> pd.DataFrame:
        """The shipped Iran–Iraq events, whatever the pair (phases are checked against them)."""
        from helpers.tables import curated

        return curated.load_events()

    def phases(self) -> pd.DataFrame | Unanswered:
        """The phases of Iran's role in Iraq (Iran–Iraq only)."""
        from helpers.tables import curated

        if isinstance(self.reported, Unanswered):
            return Unanswered(f"No phases for {self.name}: the phases in data/ are about Iran and Iraq.")
        return curated.load_phases(self.shipped_events())

    def claims(self, claims_path: str = "") -> pd.DataFrame | Unanswered:
        """The claims to check: ``claims_path`` when given, else the 2024 report's (Iran–Iraq only)."""
        from helpers.tables import curated

        if claims_path:
            return curated.load_claims(resolve_path(claims_path))
        if isinstance(self.reported, Unanswered):
            return Unanswered(
                f"No claims file for {self.name}: the shipped claims are those of the 2024 Iran–Iraq report. "
                "Pass claims_path (a CSV with the columns of data/claims.csv) to check another report."
            )
        return curated.load_claims()

    def claims_evidence(self, as_of: str):
        """The evidence the claims check may use as known at ``as_of``; None for a pair data/ is not about."""
        from helpers.tables import curated

        return None if isinstance(self.reported, Unanswered) else curated.load_evidence(as_of)


def load(reporter: str = "IRN", partner: str = "IRQ", source: str = "reported", data_path: str = "") -> Pair:
    """The evidence a run's parameters name: reported figures for Iran–Iraq, the download for any pair."""
    name = pair_name(reporter, partner)
    reported: ReportedEvidence | Unanswered
    if is_default_pair(reporter, partner):
        reported = ReportedEvidence(name)
    else:
        reported = Unanswered(
            f"The reported figures in data/ are about Iran and Iraq; for {name} only official statistics are used."
        )
    downloaded = None if source == "reported" else load_download(name, source, data_path, reporter, partner)
    return Pair(reporter, partner, reported, downloaded)


def load_download(name: str, source: str, data_path: str, reporter: str, partner: str) -> OfficialEvidence | Unanswered:
    """The download's evidence, or an Unanswered naming the countries it holds when it has no row for the pair
    (a run is stopped before any kernel by the parameter rule; this is the same message in JupyterLab)."""
    found = OfficialEvidence(name, source, data_path, reporter, partner)
    return found if len(found.flows) else Unanswered(empty_download_reason(data_path, reporter, partner))
