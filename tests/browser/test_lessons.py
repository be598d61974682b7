"""Every lesson in a real JupyterLab, in the system Chromium: it runs (fast mode) with no error
output and no widget that failed to render; its plots and widgets are drawn; the dashboards'
budget sliders move their plots. A screenshot per lesson goes to screenshots/ (ignored by git).

Skipped where Chromium or Playwright is missing; `.ci/run` installs both, so CI runs them.
"""
from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import nbformat
import pytest

from .lab import (browser_page, chromium, error_texts, open_notebook, run_all, running_lab, save, wait_drawn,
                  wait_idle)

ROOT = Path(__file__).resolve().parents[2]
# NASTUTOR_BROWSER_NOTEBOOKS="a.ipynb b.ipynb" tries other notebooks (while writing a lesson).
NOTEBOOKS = ([Path(p) for p in os.environ["NASTUTOR_BROWSER_NOTEBOOKS"].split()]
             if os.environ.get("NASTUTOR_BROWSER_NOTEBOOKS") else sorted((ROOT / "notebooks").glob("*.ipynb")))
SHOTS = ROOT / "screenshots"

pytestmark = [
    pytest.mark.skipif(chromium() is None, reason="Chromium is not installed (apt-get install -y chromium); "
                                                  ".ci/run installs it, so CI runs these tests"),
    pytest.mark.skipif(importlib.util.find_spec("playwright") is None,
                       reason="the playwright package is missing (pip install -e '.[test]')"),
]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lab")
    for path in NOTEBOOKS:
        shutil.copy(path, folder / path.name)
    with running_lab(folder, env={"NASTUTOR_FAST": "1"}) as url:
        yield url, folder


@pytest.fixture(scope="module")
def page(lab):
    with browser_page() as page:
        yield page


def _rendered(page) -> dict[str, int]:
    """How many widget views, plotly figures and images rendered, and how many failed."""
    return page.evaluate("""() => {
        const imgs = [...document.querySelectorAll('.jp-OutputArea-output img')];
        const boards = [...document.querySelectorAll(
            '.nastutor-search-dashboard, .nastutor-comparison-dashboard, .nastutor-live-training')];
        return {
            widget_views: document.querySelectorAll('.jp-OutputArea-output > .jupyter-widgets').length,
            plotly: document.querySelectorAll('.jp-OutputArea-output .js-plotly-plot').length,
            boards_without_plot: boards.filter(b => b.querySelector('.js-plotly-plot') === null).length,
            images: imgs.length,
            broken_images: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).length,
        };
    }""")


def _widget_outputs(notebook: Path) -> int:
    """Widget views the kernel displayed, from the notebook JupyterLab saved."""
    nb = nbformat.read(notebook, as_version=4)
    return sum("application/vnd.jupyter.widget-view+json" in o.get("data", {})
               for c in nb.cells if c.cell_type == "code" for o in c.outputs)


def _plot_signature(page, board) -> str:
    """The drawn data of a dashboard's figure: its traces' SVG paths and points."""
    return board.locator(".js-plotly-plot").first.evaluate(
        "el => [...el.querySelectorAll('.scatterlayer path, .barlayer path, .scatterlayer .point')]"
        ".map(p => p.getAttribute('d') || p.getAttribute('transform')).join('|')")


def _move_budget(page, board) -> None:
    handle = board.locator(".nastutor-budget .noUi-handle, .nastutor-budget [role='slider']").first
    handle.scroll_into_view_if_needed(timeout=20000)
    handle.focus()
    for _ in range(5):
        page.keyboard.press("ArrowLeft")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_lesson_runs_and_renders_in_jupyterlab(path, page, lab):
    url, folder = lab
    open_notebook(page, url, path.name)
    run_all(page, path.name)
    wait_idle(page, path.name, timeout=900)
    wait_drawn(page, path.name)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"browser-{path.stem}.png"))
    assert error_texts(page) == []
    save(page, path.name)
    displayed = _widget_outputs(folder / path.name)
    seen = _rendered(page)
    assert displayed >= 1, f"{path.name}: the lesson displays no interactive widget"
    assert seen["widget_views"] == displayed, f"{path.name}: {displayed} widgets displayed, {seen} rendered"
    assert seen["boards_without_plot"] == 0 and seen["broken_images"] == 0, seen
    assert seen["images"] + seen["plotly"] >= 1, f"{path.name}: no plot rendered ({seen})"
    for kind in ("search", "comparison"):
        boards = page.locator(f".nastutor-{kind}-dashboard")
        for k in range(boards.count()):
            board = boards.nth(k)
            board.scroll_into_view_if_needed(timeout=20000)
            before = _plot_signature(page, board)
            assert before, f"{path.name}: the {kind} dashboard's figure drew nothing"
            _move_budget(page, board)
            page.wait_for_function(
                "([el, before]) => [...el.querySelectorAll('.scatterlayer path, .barlayer path, .scatterlayer .point')]"
                ".map(p => p.getAttribute('d') || p.getAttribute('transform')).join('|') !== before",
                arg=[board.locator(".js-plotly-plot").first.element_handle(), before], timeout=60000)
            page.screenshot(path=str(SHOTS / f"browser-{path.stem}-{kind}-{k}.png"))
