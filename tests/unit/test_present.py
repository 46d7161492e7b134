"""Formatting and escaping of text that comes from data."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from helpers import present
from helpers.config import NOTEBOOK_DIR, run_context_environment
from helpers.plots import style


def test_usd_bn_marks_bounds():
    assert present.usd_bn(10.238e9) == "$10.2bn"
    assert present.usd_bn(10e9, bound="lower") == "over $10.0bn"
    assert present.usd_bn(12e9, 0, "approx") == "about $12bn"
    assert present.usd_bn(float("nan")) == "n/a"
    assert present.pct(0.1234) == "12.3%"


def test_markdown_escape_neutralises_markup_and_dollars():
    text = present.md_escape("<script>alert(1)</script> *bold* $20bn [link](x)")
    assert "<script>" not in text
    assert "\\*bold\\*" in text and "\\$20bn" in text and "\\[link\\]" in text


def test_show_table_escapes_html_and_attaches_csv(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, **kw: shown.append((obj, kw)))
    present.show_table(pd.DataFrame({"title": ["<script>x()</script>", "ok"], "v": [1, 2]}), "t", "caption <b>")
    bundle, kw = shown[0]
    assert "<script>" not in bundle["text/html"] and "&lt;script&gt;" in bundle["text/html"]
    assert "caption &lt;b&gt;" in bundle["text/html"]
    assert bundle["text/csv"].splitlines()[1] == "<script>x()</script>,1"
    assert kw["metadata"]["text/csv"]["filename"] == "t.csv"


def test_dollar_signs_never_start_mathtext():
    import matplotlib.pyplot as plt

    style.apply_style()
    fig, ax = plt.subplots()
    ax.set_title("from $10bn to $20bn")
    fig.canvas.draw()  # raises a ParseException if '$' were parsed as math
    plt.close(fig)


def test_table_file_names_are_unique_across_notebooks():
    names = []
    for path in sorted(NOTEBOOK_DIR.glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            for out in cell.get("outputs", []):
                meta = out.get("metadata", {}).get("text/csv")
                if meta:
                    names.append((meta.get("folder"), meta["filename"]))
    assert names, "no exported tables found"
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)


@pytest.mark.parametrize("path", sorted(NOTEBOOK_DIR.glob("*.ipynb")), ids=lambda p: p.name)
def test_every_chart_has_caption_source_and_alt(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    outs = [o for c in nb["cells"] for o in c.get("outputs", [])]
    for i, out in enumerate(outs):
        if "image/png" in out.get("data", {}):
            assert "".join(out["data"]["text/plain"]).startswith("Figure ")  # alt text
            caption = "".join(outs[i + 1]["data"]["text/markdown"])
            assert caption.startswith("**Figure ") and "Source:" in caption


@pytest.mark.parametrize("layout", [None, "constrained"])
def test_one_tight_box_crops_like_savefig_tight(layout):
    """show() measures the tight box once for PNG and SVG; it must crop exactly as bbox_inches="tight"."""
    import io

    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt
    from PIL import Image

    style.apply_style()
    fig, ax = plt.subplots(figsize=(6, 3), layout=layout)
    ax.plot([2003, 2024], [1e9, 12e9], label="exports")
    ax.set_title("A long title that states the finding of the chart in full")
    ax.set_ylabel("US$ bn")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1))  # outside the axes, as the house charts do
    ax.annotate("label", (2010, 5e9), xytext=(2015, 9e9), arrowprops={"arrowstyle": "->"})
    style.annotate(fig, 1, "caption", "Source: " + "a long source line " * 12, "alt")

    def png(bbox) -> bytes:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", bbox_inches=bbox, metadata={"Software": None})
        return buf.getvalue()

    expected = png("tight")
    got = png(style.tight_bbox(fig))
    if layout is None:  # the house charts: same crop, same pixels
        assert got == expected
    else:  # a layout engine runs again on every draw and may move artists by a fraction of a pixel
        assert Image.open(io.BytesIO(got)).size == Image.open(io.BytesIO(expected)).size
    assert Image.open(io.BytesIO(expected)).size[1] > 300  # the source line below the figure is inside the crop
    plt.close(fig)


def test_show_exports_png_and_svg_with_text_kept_as_text(tmp_path, monkeypatch):
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    for name, value in run_context_environment(figures=str(tmp_path), notebook="99-test").items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: None)
    style.apply_style()
    fig, ax = plt.subplots()
    ax.bar(["2022"], [9.9e9])
    meta = style.annotate(fig, 3, "caption", "Source: a body (checked 2026-11-27)", "one bar")
    style.show(fig, meta, data=pd.DataFrame({"year": [2022], "value": [9.9e9]}))
    svg = (tmp_path / "99-test-fig3.svg").read_text(encoding="utf-8")
    assert "Source: a body (checked 2026-11-27)" in svg  # searchable text, not glyph paths
    assert (tmp_path / "99-test-fig3.png").read_bytes().startswith(b"\x89PNG")
    assert (tmp_path / "99-test-fig3.csv").read_text().splitlines() == ["year,value", "2022,9900000000.0"]


def test_a_sum_under_what_billions_show_is_not_written_as_zero():
    assert present.usd_bn(1.0, 0) == "$1"
    assert present.usd_bn(25e6, 0) == "$25m"
    assert present.usd_bn(40e6, 1, "lower") == "over $40.0m"
    assert present.usd_bn(0.0) == "$0.0bn"
    assert present.counted(1, "sourced event") == "1 sourced event"
    assert present.counted(2, "sourced event") == "2 sourced events"
