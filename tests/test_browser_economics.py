"""Real-browser test of the cost panel: Voila serves notebook 06, headless Debian chromium
(Playwright) types a new launch price into the slider and the orbit's cost per token must rise
while the ground's stays; the token-cost plot's marker follows.

Missing chromium or playwright is a failure, never a skip (see tests/test_browser.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_browser import (
    ARTIFACTS,
    CHROMIUM,
    ROOT,
    _Step,
    serve_with_voila,
    type_into_readout,
    voila_page,
)

NOTEBOOK = ROOT / "notebooks" / "06_economics.ipynb"


def _headline(page) -> dict[str, float]:
    box = page.locator(".ocl-econ [data-orbit]").first
    return {k: float(box.get_attribute(f"data-{k}")) for k in ("orbit", "ground", "price")}


@pytest.mark.browser
def test_launch_price_slider_raises_the_orbit_cost_in_a_real_browser():
    from playwright.sync_api import sync_playwright  # missing playwright: ImportError -> failure

    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install -y chromium"
    drawn = ("() => { const d = document.querySelectorAll('.ocl-econ-panel .js-plotly-plot');"
             " return d.length === 4 && Array.from(d).every(e => e._fullLayout && e.data)"
             " && d[1].data[2].x.length === 1; }")
    with serve_with_voila(NOTEBOOK) as url, sync_playwright() as pw, voila_page(
            pw, url, height=1600, ready=".ocl-econ [data-orbit]",
            what="Voila runs notebook 06 and renders the cost panel", drawn=drawn) as page:
        page.wait_for_timeout(1000)
        before = _headline(page)
        assert before["price"] == pytest.approx(100.0)  # the notebook's last cell set it
        readout = page.locator(".ocl-launch-price .widget-readout").first
        with _Step(page, "find the launch-price slider"):
            readout.wait_for(timeout=60_000)
        type_into_readout(
            page, readout, "1000",
            "(b) => { const e = document.querySelector('.ocl-econ [data-orbit]');"
            " return e && parseFloat(e.getAttribute('data-price')) !== b; }",
            before["price"], "the headline changes after the slider moved", 120_000)
        after = _headline(page)
        assert after["price"] == pytest.approx(1000.0, rel=0.03)  # the slider's 0.01 log step
        assert after["orbit"] > before["orbit"]
        assert after["ground"] == pytest.approx(before["ground"], rel=1e-6)
        with _Step(page, "plotly redraws the token-cost marker at the new price"):
            page.wait_for_function(
                "(p) => { const d = document.querySelectorAll('.ocl-econ-panel .js-plotly-plot');"
                " return d.length === 4 && d[1].data && Math.abs(d[1].data[2].x[0] - p) < 1; }",
                arg=after["price"], timeout=120_000)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "browser_06_economics.png"), full_page=True)
        panel = page.locator(".ocl-econ-panel").first
        assert panel.locator(".scatterlayer .js-line").count() >= 2  # token-cost lines
        assert panel.locator(".bars path").count() >= 4  # tornado bars
