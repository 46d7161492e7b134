"""Small SYNTHETIC downloads in the real Comtrade and BACI layouts, to try the official-statistics
path without real data (Comtrade rows may not be republished, so none ship with the project).

``python -m helpers samples --out downloads`` writes, with a fixed seed:

* ``downloads/sample-baci/`` — three BACI year files (``BACI_HS17_Y{year}_V202501.csv``) with the
  release's ``country_codes_V202501.csv`` and ``product_codes_HS17_V202501.csv``;
* ``downloads/sample-comtrade/`` — one file in the current Comtrade layout and one in the legacy
  layout, both directions reported by both countries, for Iran–Iraq and Türkiye–Iraq.

Every folder gets a ``SYNTHETIC.md`` marker; notebooks reading such a folder say so in bold.
The numbers are random, not estimates of anything.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

MARKER = "SYNTHETIC.md"
MARKER_TEXT = (
    "These files are synthetic test data in the real layouts, made by `python -m helpers samples`. "
    "The numbers are random.\n"
)

# BACI and Comtrade use these numeric codes (not all ISO numeric: 842 USA, 251 France, 699 India).
COUNTRIES = {
    364: ("Iran", "IR", "IRN"),
    368: ("Iraq", "IQ", "IRQ"),
    792: ("Türkiye", "TR", "TUR"),
    784: ("United Arab Emirates", "AE", "ARE"),
    842: ("USA", "US", "USA"),
    156: ("China", "CN", "CHN"),
}
PRODUCTS = [
    "010121",
    "070200",
    "080810",
    "170199",
    "271111",
    "271600",
    "252329",
    "690721",
    "720839",
    "730630",
    "841810",
    "870323",
    "392690",
    "410711",
    "620342",
]
YEARS = (2021, 2022, 2023)
PAIRS = ((364, 368), (792, 368))


def _write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    """A CSV as the sources write it: UTF-8, LF line endings, minimal quoting."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def _mark(folder: Path) -> None:
    """Put the synthetic marker in ``folder``."""
    (folder / MARKER).write_text(MARKER_TEXT, encoding="utf-8")


def write_baci(folder: Path, seed: int = 2024) -> Path:
    """Three BACI year files and the release's code files; every country pair trades a few products."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    _write(
        folder / "country_codes_V202501.csv",
        ["country_code", "country_name", "country_iso2", "country_iso3"],
        [[c, n, i2, i3] for c, (n, i2, i3) in COUNTRIES.items()],
    )
    _write(folder / "product_codes_HS17_V202501.csv", ["code", "description"], [[p, f"product {p}"] for p in PRODUCTS])
    for year in YEARS:
        rows = []
        for i in COUNTRIES:
            for j in COUNTRIES:
                if i == j:
                    continue
                for k in rng.sample(PRODUCTS, 6):
                    rows.append([year, i, j, k, round(rng.uniform(10, 90000), 3), round(rng.uniform(1, 5000), 3)])
        rows.sort(key=lambda r: (r[1], r[2], r[3]))
        _write(folder / f"BACI_HS17_Y{year}_V202501.csv", ["t", "i", "j", "k", "v", "q"], rows)
    _mark(folder)
    return folder


COMTRADE_HEADER = (
    "typeCode,freqCode,refPeriodId,refYear,refMonth,period,reporterCode,reporterISO,reporterDesc,flowCode,flowDesc,"
    "partnerCode,partnerISO,partnerDesc,partner2Code,partner2ISO,classificationCode,isOriginalClassification,cmdCode,"
    "cmdDesc,aggrLevel,isLeaf,customsCode,mosCode,motCode,qtyUnitCode,qty,netWgt,grossWgt,cifvalue,fobvalue,"
    "primaryValue,isReported,isAggregate"
).split(",")
LEGACY_HEADER = [
    "Classification",
    "Year",
    "Period",
    "Period Desc.",
    "Aggregate Level",
    "Is Leaf Code",
    "Trade Flow Code",
    "Trade Flow",
    "Reporter Code",
    "Reporter",
    "Reporter ISO",
    "Partner Code",
    "Partner",
    "Partner ISO",
    "2nd Partner Code",
    "2nd Partner",
    "2nd Partner ISO",
    "Customs Proc. Code",
    "Customs",
    "Mode of Transport Code",
    "Mode of Transport",
    "Commodity Code",
    "Commodity",
    "Qty Unit Code",
    "Qty Unit",
    "Qty",
    "Alt Qty Unit Code",
    "Alt Qty Unit",
    "Alt Qty",
    "Netweight (kg)",
    "Gross weight (kg)",
    "Trade Value (US$)",
    "CIF Trade Value (US$)",
    "FOB Trade Value (US$)",
    "Flag",
]


def _current_row(year: int, reporter: int, partner: int, flow: str, chapter: str, value: float) -> list[object]:
    """One row of the current Comtrade layout (``COMTRADE_HEADER``): annual goods, all breakdowns' totals."""
    rn, _, ri = COUNTRIES[reporter]
    pn, _, pi = COUNTRIES[partner]
    return [
        *("C", "A", f"{year}0101", year, 52, year),
        *(reporter, ri, rn, flow, "Export" if flow == "X" else "Import", partner, pi, pn),
        *(0, "W00", "H5", "True", chapter, f"chapter {chapter}", 2, "False", "C00", 0, 0),
        *(-1, "", "", "", "", value, value, "True", "False"),
    ]


def _legacy_row(year: int, reporter: int, partner: int, flow: str, chapter: str, value: float) -> list[object]:
    """One row of the legacy Comtrade export (``LEGACY_HEADER``), flow codes 2 (exports) and 1 (imports)."""
    rn, _, ri = COUNTRIES[reporter]
    pn, _, pi = COUNTRIES[partner]
    return [
        *("H5", year, year, year, 2, 0, "2" if flow == "X" else "1", "Export" if flow == "X" else "Import"),
        *(reporter, rn, ri, partner, pn, pi, 0, "World", "WLD", "C00", "TOTAL CPC", 0, "All MOTs"),
        *(chapter, f"chapter {chapter}", 1, "No Quantity", "", "", "", "", "", "", value, "", "", 0),
    ]


def write_comtrade(folder: Path, seed: int = 2024) -> Path:
    """Current-layout Comtrade rows for 2021–2022 and legacy-layout rows for 2023, HS chapters, both pairs,
    each country reporting its exports (X) and imports (M)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    chapters = sorted({p[:2] for p in PRODUCTS})
    current, legacy = [], []
    for a, b in PAIRS:
        for year in YEARS:
            for reporter, partner in ((a, b), (b, a)):
                for flow in ("X", "M"):
                    for ch in rng.sample(chapters, 5):
                        value = round(rng.uniform(1e6, 9e8), 2)
                        if year < 2023:
                            current.append(_current_row(year, reporter, partner, flow, ch, value))
                        else:
                            legacy.append(_legacy_row(year, reporter, partner, flow, ch, value))
    _write(folder / "comtrade_HS_2021-2022.csv", COMTRADE_HEADER, current)
    _write(folder / "comtrade_legacy_HS_2023.csv", LEGACY_HEADER, legacy)
    _mark(folder)
    return folder


def write_all(out: Path, seed: int = 2024) -> list[Path]:
    """Both sample folders under ``out``: ``sample-baci/`` and ``sample-comtrade/``."""
    return [write_baci(out / "sample-baci", seed), write_comtrade(out / "sample-comtrade", seed)]


def is_synthetic(path: Path) -> bool:
    """Does this file or folder carry the synthetic marker (beside a file or inside a folder)?"""
    folder = path if path.is_dir() else path.parent
    return (folder / MARKER).exists()
