"""Full-page screenshots of a run's pages, for a human to look at: ``python -m helpers screenshots``.

Uses Debian's Chromium (``/usr/bin/chromium``) through playwright's driver, fully offline: every
request that is not ``file:`` or ``data:`` is aborted. Writes ``reports/<run>/screenshots/<page>.png``.
"""

from __future__ import annotations

from pathlib import Path

from helpers.errors import RunError

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def take(run_dir: Path, width: int = 1280) -> list[Path]:
    """Screenshot every HTML page of ``run_dir``; return the PNG paths."""
    if not (run_dir / "index.html").exists():
        raise RunError(f"{run_dir} has no index.html: run the reports first (make report)")
    if not CHROMIUM.exists():
        raise RunError("Chromium not found at /usr/bin/chromium; install Debian's package: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    out = run_dir / "screenshots"
    out.mkdir(exist_ok=True)
    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True)
        try:
            for page_file in sorted(run_dir.glob("*.html")):
                context = browser.new_context(viewport={"width": width, "height": 900})
                context.route(
                    "**/*",
                    lambda route: (
                        route.continue_() if route.request.url.startswith(("file:", "data:")) else route.abort()
                    ),
                )
                page = context.new_page()
                page.goto(page_file.resolve().as_uri(), wait_until="load")
                target = out / f"{page_file.stem}.png"
                page.screenshot(path=str(target), full_page=True)
                written.append(target)
                context.close()
        finally:
            browser.close()
    return written
