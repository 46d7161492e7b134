"""House style for every chart: colour-blind-safe palette, a title that states the finding,
labelled axes with units, a numbered caption, alt text and a "Source:" line from the rows drawn.

Charts are returned as figures and shown with ``show(fig)`` so that cells end without object reprs.
The data behind each chart is also displayed as a table (nbval compares text, not images).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from helpers.answers import first_unanswered
from helpers.present import md_escape

if TYPE_CHECKING:  # matplotlib is imported lazily: importing helpers stays cheap
    import matplotlib.figure

# Okabe–Ito palette: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]

#: Fixed colour per stating body, so a body keeps its colour across notebooks.
BODY_COLOURS = {
    "iranian_customs": "#0072B2",
    "trade_promotion": "#E69F00",
    "chamber": "#009E73",
    "iranian_government": "#CC79A7",
    "iraqi_government": "#D55E00",
    "iraqi_research": "#56B4E9",
    "mirror_data": "#000000",
    "international": "#999999",
    "media": "#F0E442",
}

BODY_LABELS = {
    "iranian_customs": "Iranian customs (IRICA)",
    "trade_promotion": "Trade Promotion Org. (TPO)",
    "chamber": "Chamber of commerce officials",
    "iranian_government": "Iranian government officials",
    "iraqi_government": "Iraqi government officials",
    "iraqi_research": "Iraqi researchers",
    "mirror_data": "Mirror data (OEC/BACI/Comtrade)",
    "international": "International bodies",
    "media": "Media estimates",
}

CATEGORY_COLOURS = {
    "political": "#0072B2",
    "security": "#D55E00",
    "economic": "#009E73",
    "energy": "#E69F00",
    "diplomatic": "#CC79A7",
    "social": "#56B4E9",
}


def apply_style() -> None:
    """Set the seaborn/matplotlib house style (deterministic: fixed fonts, sizes, no timestamps)."""
    import matplotlib as mpl
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook", palette=PALETTE)
    mpl.rcParams.update(
        {
            "figure.figsize": (9, 5),
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "axes.titlesize": 13,
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
            "axes.spines.top": False,
            "axes.spines.right": False,
            # DejaVu Sans (shipped with matplotlib) draws every PNG; SVGs keep their text as text
            # and name sans-serif fallbacks for viewers without it
            "font.family": ["DejaVu Sans", "sans-serif"],
            "svg.hashsalt": "iran-iraq-trade",
            "pdf.fonttype": 42,
            # Titles and captions carry dollar amounts: "$" must never start mathtext.
            "text.parse_math": False,
        }
    )


@dataclass
class Figure:
    """Numbered figure metadata, printed under the chart."""

    number: int
    caption: str
    source: str
    alt: str

    def text(self) -> str:
        return f"Figure {self.number}. {self.caption}\n{self.source}"


class Figures:
    """A notebook's figures: numbered in order of appearance, each shown with its caption, source
    line and alt text. A figure the evidence cannot draw shows why instead (and takes no number)."""

    def __init__(self) -> None:
        self.count = 0

    def show(self, fig, caption: str, source: str, alt: str, data=None) -> None:
        """Number, annotate and display ``fig`` (see :func:`show`); ``data`` is the rows drawn."""
        missing = first_unanswered(fig, caption, source, alt, data)
        if missing is not None:
            missing.show()
            return
        self.count += 1
        show(fig, annotate(fig, self.count, caption, source, alt), data=data)


def annotate(fig: "matplotlib.figure.Figure", number: int, caption: str, source: str, alt: str) -> Figure:
    """Put the source line under the axes and return the figure's numbered caption, source and alt text."""
    import textwrap

    # The source line travels inside the image too, so an exported PNG is never unsourced.
    fig.text(0.01, -0.01, "\n".join(textwrap.wrap(source, 140)), ha="left", va="top", fontsize=8, color="#444444")
    fig.set_label(alt)
    return Figure(number, caption, source, alt)


def figure_stem(number: int) -> str | None:
    """File stem of figure ``number`` when the runner asked for exports (its run context names the
    figures folder and the notebook), else None."""
    import os

    from helpers.config import run_context

    context = run_context()
    folder, notebook = context.get("figures"), context.get("notebook")
    if not folder or not notebook:
        return None
    return os.path.join(folder, f"{notebook}-fig{number}")


def show(fig: "matplotlib.figure.Figure", meta: Figure, data=None) -> None:
    """Display a figure (PNG with its alt text as the plain-text form) then its caption and source.

    The PNG is embedded inline (reports must work offline); the report template turns the
    plain-text form into the image's alt attribute. nbval compares the text, not the pixels.
    Under the runner, the figure is also exported as PNG and SVG (marks linked to their sources, see
    ``helpers.plots.marks``), with ``data`` (the rows drawn) as CSV and a metadata JSON, into the run's
    ``figures/`` folder; interactive and nbval runs write nothing (no SVG ever enters a notebook).
    """
    import base64
    import io

    import matplotlib.pyplot as plt
    from IPython.display import Markdown, display

    buf = io.BytesIO()
    # bbox_inches="tight" lays the whole figure out again on every save; one tight box, measured
    # once, serves the PNG and the SVG (same crop in both, a third less drawing per figure).
    bbox = tight_bbox(fig)
    fig.savefig(buf, format="png", bbox_inches=bbox, metadata={"Software": None})
    stem = figure_stem(meta.number)
    if stem:
        import os

        import matplotlib as mpl

        os.makedirs(os.path.dirname(stem), exist_ok=True)
        with open(stem + ".png", "wb") as fh:
            fh.write(buf.getvalue())
        # Text stays text in the SVG: editable and searchable in a graphics editor, and far cheaper
        # to write than one path per glyph. The file names DejaVu Sans, then sans-serif fallbacks.
        svg = io.StringIO()
        with mpl.rc_context({"svg.fonttype": "none"}):
            fig.savefig(svg, format="svg", bbox_inches=bbox, metadata={"Date": None, "Creator": None})
        export_sidecars(stem, svg.getvalue(), meta, getattr(fig, "collection_marks", []), data)
    plt.close(fig)
    png = base64.b64encode(buf.getvalue()).decode("ascii")
    display({"image/png": png, "text/plain": f"Figure {meta.number}: {meta.alt}"}, raw=True)
    display(Markdown(f"**Figure {meta.number}.** {md_escape(meta.caption)}  \n*{md_escape(meta.source)}*"))


def export_sidecars(stem: str, svg: str, meta: Figure, marks: list[dict], data=None) -> None:
    """Write a figure's SVG (ids prefixed, a ``<title>`` per mark: ``marks.finish_svg``), its data CSV
    and its metadata JSON (caption, source line, alt text, every mark, an origin per source) beside its PNG."""
    import json
    import os

    from helpers.plots import marks as marks_mod

    name = os.path.basename(stem)
    data_link = f"figures/{name}.csv"  # relative to the run folder, where the pages are
    with open(stem + ".svg", "w", encoding="utf-8") as fh:
        fh.write(marks_mod.finish_svg(svg, marks, f"{name}-", data_link=data_link))
    marks = [m | {"url": data_link} if m["url"] == marks_mod.DATA_LINK else m for m in marks]
    if data is not None:
        data.to_csv(stem + ".csv", index=False, lineterminator="\n")
    about = {
        "figure": meta.number,
        "caption": meta.caption,
        "source": meta.source,
        "alt": meta.alt,
        "data": f"{name}.csv" if data is not None else None,
        "marks": marks,
        "origins": marks_mod.origins(marks),
    }
    with open(stem + ".json", "w", encoding="utf-8") as fh:
        json.dump(about, fh, indent=1, ensure_ascii=False, sort_keys=True)
        fh.write("\n")


def tight_bbox(fig: "matplotlib.figure.Figure"):
    """The figure's tight bounding box (inches) with savefig's padding, as ``bbox_inches="tight"`` finds it."""
    import matplotlib as mpl

    # get_tightbbox places ticks, titles, legends and annotations itself; only a layout engine
    # (constrained/tight) moves axes at draw time, so only then is a draw needed first.
    if fig.get_layout_engine() is not None:
        fig.draw_without_rendering()
    return fig.get_tightbbox().padded(mpl.rcParams["savefig.pad_inches"])


def billions(ax, axis: str = "y") -> None:
    """Label an axis in US$ billions."""
    from matplotlib.ticker import FuncFormatter

    fmt = FuncFormatter(lambda v, _pos: f"{v / 1e9:,.4g}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)
