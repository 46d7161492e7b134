"""Helpers for the browser tests: Debian's Chromium driven by playwright, fully offline.

The browser is always ``/usr/bin/chromium`` (CI installs it with apt); playwright's own browser
download is never used. Every page is opened in a fresh context that records console errors,
uncaught page errors and every request; any request that is not ``file:`` or ``data:`` is both
recorded (the tests fail on it) and aborted, so nothing ever leaves the machine.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers.pipeline.screenshots import CHROMIUM, LAUNCH_ARGS  # noqa: E402,F401 - one definition for tests and `make screenshots`

LOCAL_SCHEMES = ("file:", "data:")
#: Anything with a network scheme is aborted before it is sent (it is still recorded).
NETWORK_URL = re.compile(r"^(?!file:|data:)[a-z][a-z0-9+.-]*:", re.I)
TIMEOUT_MS = 30_000


def launch(playwright):
    """Headless Chromium from Debian, never a downloaded one."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True)


@dataclass
class Visit:
    """One page opened in its own browser context, with everything it logged."""

    url: str
    context: Any
    page: Any
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    websockets: list[str] = field(default_factory=list)

    @property
    def external_requests(self) -> list[str]:
        return [u for u in self.requests + self.websockets if not u.startswith(LOCAL_SCHEMES)]

    def close(self) -> None:
        self.context.close()


def open_page(browser, url: str, **context_options: Any) -> Visit:
    """Open ``url`` in a fresh context (options as for ``browser.new_context``) and wait for it to load."""
    context = browser.new_context(**context_options)
    context.set_default_timeout(TIMEOUT_MS)
    context.route(NETWORK_URL, lambda route: route.abort("blockedbyclient"))
    page = context.new_page()
    visit = Visit(url, context, page)
    page.on(
        "console",
        lambda msg: (
            visit.console_errors.append(f"{msg.text} ({msg.location.get('url', '')})") if msg.type == "error" else None
        ),
    )
    page.on("pageerror", lambda exc: visit.page_errors.append(str(exc)))
    page.on("request", lambda req: visit.requests.append(req.url))
    page.on("websocket", lambda ws: visit.websockets.append(ws.url))
    page.goto(url, wait_until="load")
    # every <img> must have finished (loaded or failed) before the page is judged; bounded wait
    page.wait_for_function("Array.from(document.images).every(img => img.complete)", timeout=TIMEOUT_MS)
    return visit


def broken_images(page) -> list[str]:
    """The images that did not load (not complete, or no pixels), by their src (shortened) and alt."""
    return page.evaluate(
        """() => Array.from(document.images)
            .filter(img => !(img.complete && img.naturalWidth > 0))
            .map(img => `${(img.getAttribute('src') || '').slice(0, 80)} [alt=${img.alt}]`)"""
    )


def links(page) -> list[dict[str, str]]:
    """Every link of the page (HTML and SVG ``<a>``): the written href and the URL the browser resolves it to."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('a[href]')).map(a => ({
            href: a.getAttribute('href'), url: new URL(a.getAttribute('href'), document.baseURI).href}))"""
    )


def chart_marks(page) -> list[dict[str, str]]:
    """Every mark of the inline charts: its id, tooltip, link (as written) and whether the link takes focus."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('figure.collection-chart svg g.mark')).map(g => {
            const a = g.querySelector('a');
            const title = g.querySelector('title');
            let focusable = false;
            if (a) { a.focus(); focusable = document.activeElement === a; a.blur(); }
            const href = a ? a.getAttribute('href') : null;
            return {id: g.id, title: title ? title.textContent : '', href, focusable};
        })"""
    )


def background(page, selector: str) -> str:
    """The computed background colour of the first element matching ``selector``."""
    return page.evaluate("(sel) => getComputedStyle(document.querySelector(sel)).backgroundColor", selector)


def fragment_target(page, fragment: str) -> str | None:
    """Follow an in-page link the way the browser does; return the id of the element it lands on (None: nowhere).

    The page is put back at its top afterwards.
    """
    return page.evaluate(
        """(fragment) => {
            location.hash = fragment;
            const target = document.querySelector(':target');
            history.replaceState(null, '', location.pathname);
            window.scrollTo(0, 0);
            return target ? target.id || target.tagName : null;
        }""",
        fragment,
    )


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk; raises if the file is not a PNG."""
    head = path.read_bytes()[:24]
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise AssertionError(f"{path.name} is not a PNG file")
    return struct.unpack(">II", head[16:24])


def distinct_grey_levels(path: Path) -> int:
    """How many grey levels the image uses (1 means a blank, single-colour picture)."""
    from PIL import Image

    with Image.open(path) as img:
        return len(img.convert("L").getcolors(maxcolors=256) or range(256))


def scroll_widths(page) -> dict[str, int]:
    """The widths that decide whether a page scrolls sideways."""
    return page.evaluate(
        """() => ({
            viewport: window.innerWidth,
            client: document.documentElement.clientWidth,
            document: document.documentElement.scrollWidth,
            body: document.body ? document.body.scrollWidth : 0,
        })"""
    )


def widest_elements(page, limit: int = 5) -> list[str]:
    """The elements that stick out furthest to the right (for a readable failure message)."""
    return page.evaluate(
        """(limit) => Array.from(document.querySelectorAll('body *'))
            .map(el => [el, el.getBoundingClientRect().right])
            .filter(([el, right]) => right > document.documentElement.clientWidth)
            .sort((a, b) => b[1] - a[1]).slice(0, limit)
            .map(([el, right]) => `<${el.tagName.toLowerCase()} class="${el.className}">"""
        """ right edge ${Math.round(right)}px`)""",
        limit,
    )
