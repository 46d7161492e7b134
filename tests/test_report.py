"""HTML pages and the index escape text from data and carry no CDN scripts."""

from __future__ import annotations

from helpers import report


def test_index_escapes_everything_from_data():
    entries = [{"name": "01-x", "info": {"title": "<script>alert(1)</script>", "question": "Q <img src=x onerror=alert(1)>", "reads": []}, "params": {"p": "<b>"}, "finding": "<script>bad()</script>"}]
    page = report.index_html(entries, {"run": "<r>", "params_file": "p.yaml", "run_date": "d", "commit": "c"})
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page
    assert 'name="viewport"' in page


def test_offline_strips_cdn_scripts():
    page = '<html><head><script src="https://cdnjs.cloudflare.com/require.min.js"></script></head><body>x</body></html>'
    assert "cdnjs" not in report._offline(page)


def test_header_is_inserted_after_body():
    assert report._insert_after_body('<html><body class="a">x</body></html>', "<header>h</header>") == '<html><body class="a"><header>h</header>x</body></html>'
