"""Open report.html in a real headless Chromium (Debian's `chromium`) through Playwright, and watch it.

Shared by tests/test_report.py and tools/bench_report.py. Playwright drives the system browser
(`executable_path`), so nothing is downloaded; each launch gets a fresh temporary profile.
Records console errors, uncaught exceptions and every network request the page makes.
"""
from __future__ import annotations

import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

LAUNCH_FLAGS = (  # quiet, offline-friendly, and runnable as root (CI)
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
)
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser")
READY_TIMEOUT_MS = 180_000  # generous: a shared CI machine can be very busy
MARK_SELECTORS = {  # what counts as drawn, per kind of chart
    "bars": ".mark-rect path",
    "lines": ".mark-line path",
    "shapes": ".mark-shape path",
    "points": ".mark-symbol path",
}


def chromium_path() -> str | None:
    """The system Chromium, or None (the tests then skip; .ci/run installs it)."""
    explicit = os.environ.get("REPORT_CHROMIUM")
    if explicit:
        return explicit
    return next((found for name in CHROMIUM_CANDIDATES if (found := shutil.which(name))), None)


@dataclass
class OpenedReport:
    """A report open in the browser, and what it did while loading."""

    page: object
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)   # every URL asked for except the report itself
    open_seconds: float = 0.0                           # navigation start -> every chart drawn, browser clock
    wall_seconds: float = 0.0                           # goto() -> ready, as seen from Python
    main_thread_seconds: float = 0.0                    # the renderer's busy time (CDP TaskDuration)
    script_seconds: float = 0.0                         # of which JavaScript (CDP ScriptDuration)

    def ready_state(self) -> str | None:
        return self.page.get_attribute("body", "data-ready")

    def marks(self, chart: str) -> dict[str, int]:
        """Number of drawn SVG marks of each kind in one chart (data-chart attribute)."""
        return {kind: self.page.locator(f'[data-chart="{chart}"] svg {selector}').count()
                for kind, selector in MARK_SELECTORS.items()}

    def chart_svg(self, chart: str) -> str:
        return self.page.locator(f'[data-chart="{chart}"] svg').first.inner_html()

    def pick(self, text: str) -> None:
        """Type an entity into the picker as a reader would, and wait for its chart to be redrawn."""
        before = self.page.get_attribute("body", "data-picked")
        self.page.fill("#entity-picker", text)
        self.page.dispatch_event("#entity-picker", "change")
        self.page.wait_for_function("before => document.body.getAttribute('data-picked') !== before", arg=before,
                                    timeout=READY_TIMEOUT_MS)


@contextmanager
def open_report(path: Path, viewport: tuple[int, int] = (1240, 900)):
    """Yield an OpenedReport once every chart of `path` is drawn (or drawing failed)."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        raise FileNotFoundError("Chromium not found: apt-get install chromium (or set REPORT_CHROMIUM)")
    url = Path(path).resolve().as_uri()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=list(LAUNCH_FLAGS))
        try:
            page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
            page.set_default_timeout(READY_TIMEOUT_MS)
            opened = OpenedReport(page=page)
            page.on("console", lambda message: message.type == "error" and opened.console_errors.append(message.text))
            page.on("pageerror", lambda error: opened.console_errors.append(f"uncaught: {error}"))
            page.on("request", lambda request: request.url != url and opened.requests.append(request.url))
            metrics = page.context.new_cdp_session(page)
            metrics.send("Performance.enable")
            started = time.perf_counter()
            page.goto(url)  # returns after the load event; the page draws its charts before that ends
            if page.locator("[data-chart]").count():
                page.wait_for_selector("body[data-ready]")
            opened.wall_seconds = time.perf_counter() - started
            opened.open_seconds = float(page.get_attribute("body", "data-ready-ms") or "0") / 1000
            values = {item["name"]: item["value"] for item in metrics.send("Performance.getMetrics")["metrics"]}
            opened.main_thread_seconds = values.get("TaskDuration", 0.0)
            opened.script_seconds = values.get("ScriptDuration", 0.0)
            yield opened
        finally:
            browser.close()


def main() -> int:
    """`python tools/report_browser.py PAGE [SCREENSHOT.jpg]`: open PAGE once, print what happened as
    JSON (tools/bench_report.py runs this in a child process), and save a full-page screenshot if asked
    (the README's picture: JPEG, to stay small)."""
    import json
    import sys

    with open_report(Path(sys.argv[1])) as opened:
        if len(sys.argv) > 2:
            opened.page.screenshot(path=sys.argv[2], full_page=True, type="jpeg", quality=60)
        print(json.dumps({"ready": opened.ready_state(), "open_seconds": opened.open_seconds,
                          "wall_seconds": opened.wall_seconds, "main_thread_seconds": opened.main_thread_seconds,
                          "requests": opened.requests, "console_errors": opened.console_errors}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
