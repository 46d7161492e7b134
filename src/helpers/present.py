"""Presentation helpers for notebooks: number formats and tables that travel with their CSV.

A table shown with :func:`show_table` carries its data as ``text/csv`` in the same output, with a
file name; the runner writes it to ``reports/<run>/tables/`` so every table behind a finding can
be downloaded. Everything here is deterministic (no Styler: it adds random element ids).
"""

from __future__ import annotations

import html
import math

import pandas as pd

from helpers.answers import Unanswered, or_unanswered

__all__ = [
    "usd_bn",
    "pct",
    "plain_number",
    "billions",
    "percent",
    "percent_except",
    "years",
    "dates",
    "mirror_rounded",
    "target_table",
    "show_table",
    "show_markdown",
    "show_notice",
    "md_escape",
    "describe_sources",
    "counted",
]

#: How the mirror table is rounded for display: whole dollars, ratios to three decimals.
MIRROR_DIGITS = {"exporter_reported_usd": 0, "importer_reported_usd": 0, "baci_usd": 0, "gap_usd": 0, "ratio": 3}


#: The word a figure's ``bound`` puts before it, everywhere a figure is written ("over $10bn", "up to $12bn").
BOUND_WORDS = {"lower": "over ", "upper": "up to ", "approx": "about "}


def bound_prefix(bound: str | None) -> str:
    """The word :data:`BOUND_WORDS` gives ``bound`` (nothing for an exact figure or none)."""
    return BOUND_WORDS.get(bound or "", "")


def usd_bn(value: float | None, digits: int = 1, bound: str | None = None) -> str:
    """'$10.2bn', with 'over ' for a lower bound, 'up to ' for an upper one and 'about ' for an approximate one."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "n/a"
    prefix = bound_prefix(bound)
    if value and round(value / 1e9, digits) == 0:  # a sum that billions would show as $0bn
        return f"{prefix}${value / 1e6:,.{digits}f}m" if abs(value) >= 1e6 else f"{prefix}${value:,.0f}"
    return f"{prefix}${value / 1e9:,.{digits}f}bn"


def counted(n: int, noun: str, plural: str = "") -> str:
    """'1 sourced event', '2 sourced events'; ``plural`` for a noun whose plural does not just add an s
    ('1 category', '6 categories')."""
    return f"{n} {noun}" if n == 1 else f"{n} {plural or noun + 's'}"


def pct(value: float | None, digits: int = 1) -> str:
    """'12.3%' from a fraction (0.123); 'n/a' for missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value * 100:.{digits}f}%"


def plain_number(value: float) -> str:
    """Numbers as people read them in a table: 10,000,000,000 not 1.000000e+10; 0.2351 stays 0.2351."""
    return f"{value:,.15g}" if abs(value) < 1e15 else f"{value:.4g}"


@or_unanswered
def billions(
    frame: pd.DataFrame,
    digits: int = 3,
    value: str = "value",
    column: str = "value_usd_bn",
    dates: tuple[str, ...] = (),
) -> pd.DataFrame:
    """``frame`` with ``column``: ``value`` in US$ billions rounded to ``digits``; ``dates`` shown as dates."""
    return frame.assign(**{column: (frame[value] / 1e9).round(digits)}, **{d: frame[d].dt.date for d in dates})


@or_unanswered
def percent(frame: pd.DataFrame, columns: dict[str, str], digits: int = 1, dates: tuple[str, ...] = ()) -> pd.DataFrame:
    """``frame`` with each fraction column ``c`` of ``columns`` as percent in ``columns[c]``, rounded;
    ``dates`` shown as dates."""
    return frame.assign(
        **{new: (frame[old] * 100).round(digits) for old, new in columns.items()},
        **{d: frame[d].dt.date for d in dates},
    )


@or_unanswered
def percent_except(frame: pd.DataFrame, keep: tuple[str, ...], digits: int = 1) -> pd.DataFrame:
    """``frame`` with every column but ``keep`` (fractions) shown as percent, rounded."""
    return frame.assign(**{c: (frame[c] * 100).round(digits) for c in frame.columns if c not in keep})


@or_unanswered
def dates(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """``frame`` with each of ``columns`` (timestamps) shown as a date."""
    return frame.assign(**{c: frame[c].dt.date for c in columns})


@or_unanswered
def years(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """``frame`` with each of ``columns`` (timestamps) shown as its year."""
    return frame.assign(**{c: frame[c].dt.year for c in columns})


@or_unanswered
def mirror_rounded(mirror: pd.DataFrame) -> pd.DataFrame:
    """The mirror table rounded for display (see ``MIRROR_DIGITS``)."""
    return mirror.round(MIRROR_DIGITS)


@or_unanswered
def target_table(goal: pd.DataFrame) -> pd.DataFrame:
    """Statements of a trade target for display: dates as text ('undated'), values in US$ billions."""
    return goal.assign(
        date=goal["date"].dt.strftime("%Y-%m-%d").fillna("undated"),
        target_usd_bn=goal["target_value"] / 1e9,
        claimed_now_usd_bn=goal["current_level_claimed"] / 1e9,
    )[["date", "speaker", "side", "target_usd_bn", "deadline_year", "claimed_now_usd_bn", "current_bound", "status"]]


def _escape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = out[col].map(lambda v: html.escape(v) if isinstance(v, str) else v)
    return out


def show_table(
    frame: pd.DataFrame | Unanswered, name: str, caption: str = "", index: bool = False, folder: str = "tables"
) -> None:
    """Display a table (HTML-escaped text from data) with its CSV attached as ``<folder>/<name>.csv``.

    The runner writes the CSV into the run's report folder; ``folder="."`` puts it at the top.
    An unanswered question shows its reason instead.
    """
    from IPython.display import display

    if isinstance(frame, Unanswered):
        frame.show()
        return

    body = _escape_frame(frame).to_html(
        index=index, escape=False, na_rep="–", border=0, classes="dataframe collection-table", float_format=plain_number
    )
    where = f"{name}.csv" if folder == "." else f"{folder}/{name}.csv"
    cap = (
        f'<p><em>Table: {html.escape(caption)}</em> · <a href="{html.escape(where)}" download>download as CSV</a></p>'
        if caption
        else ""
    )
    display(
        {
            "text/html": cap + body,
            "text/plain": frame.to_string(index=index, float_format=plain_number),
            "text/csv": frame.to_csv(index=index, lineterminator="\n"),
        },
        metadata={"text/csv": {"filename": f"{name}.csv", "folder": folder}},
        raw=True,
    )


def md_escape(text: str) -> str:
    """Escape Markdown and HTML in text from data so it shows as text, never as markup."""
    text = html.escape(text, quote=False)
    for ch in "\\`*_[]#|$":
        text = text.replace(ch, "\\" + ch)
    return text


def describe_sources(frame, columns: tuple[str, ...] = ("publisher",), checked_col: str = "checked") -> str:
    """One 'Source:' line naming the distinct publishers of the rows drawn and when they were checked."""
    if frame is None or len(frame) == 0:
        return "Source: no rows drawn."
    names: list[str] = []
    for col in columns:
        if col in frame:
            names += [str(v) for v in frame[col].dropna().unique()]
    names = sorted(dict.fromkeys(names))
    checked = ""
    if checked_col in frame and frame[checked_col].notna().any():
        last = pd.to_datetime(frame[checked_col]).max()
        checked = f" Figures checked at source by {last.date().isoformat()}."
    shown = "; ".join(names[:8]) + (f"; and {len(names) - 8} more" if len(names) > 8 else "")
    return f"Source: {shown} (links per row in the data files).{checked}"


def show_markdown(text: str | Unanswered) -> None:
    """Display Markdown written by the project (text from data must be escaped with :func:`md_escape`)."""
    from IPython.display import Markdown, display

    if isinstance(text, Unanswered):
        text.show()
        return
    display(Markdown(text))


def show_notice(text: str | Unanswered | None) -> None:
    """Display a notice in Markdown when there is one (e.g. that the data are synthetic)."""
    if text is not None:
        show_markdown(text)
