"""Screenshots of lessons as a learner sees them in JupyterLab (headless system Chromium).

    python -m tests.browser.screenshots [notebooks/05_evolution.ipynb ...] [--fast] [--out screenshots]

For each notebook: open it in a fresh JupyterLab, run all cells, wait for the kernel, then save
one full-window screenshot per interactive or plotted output into `--out` (ignored by git) and
print any error output found.
"""
from __future__ import annotations

import argparse
import shutil
import signal
import sys
import tempfile
from pathlib import Path

from .lab import browser_page, error_texts, open_notebook, run_all, running_lab, save, wait_drawn, wait_idle

ROOT = Path(__file__).resolve().parents[2]
VISUAL = (".jp-OutputArea-output:has(.widget-box), .jp-OutputArea-output:has(.js-plotly-plot), "
          ".jp-OutputArea-output:has(img)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--fast", action="store_true", help="NASTUTOR_FAST=1")
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--max", type=int, default=14, help="screenshots per notebook at most")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # a killed run still stops its JupyterLab
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    args.out.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for path in paths:
            shutil.copy(path, folder / path.name)
        env = {"NASTUTOR_FAST": "1"} if args.fast else {}
        with running_lab(folder, env=env) as lab, browser_page() as page:
            for path in paths:
                open_notebook(page, lab, path.name)
                run_all(page, path.name)
                wait_idle(page, path.name)
                wait_drawn(page, path.name)
                outputs = page.locator(VISUAL)
                count = outputs.count()
                for k in range(min(count, args.max)):
                    target = outputs.nth(k)
                    target.scroll_into_view_if_needed(timeout=20000)
                    page.wait_for_timeout(600)
                    page.screenshot(path=str(args.out / f"{path.stem}-{k:02d}.png"))
                errors = error_texts(page)
                print(f"{path.name}: {count} visual outputs, {len(errors)} errors")
                for e in errors:
                    print("   ", e.replace("\n", " ")[:300])
                save(page, path.name)


if __name__ == "__main__":
    main()
