"""A real JupyterLab driven by the system Chromium through Playwright (never a downloaded browser).

`running_lab(folder)` serves a folder on a free loopback port with a token and always shuts the
server down; `open_notebook` + `run_all` + `wait_idle` drive a notebook the way a learner does.
Used by the browser tests and by `python -m tests.browser.screenshots`.
"""
from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"]


def chromium() -> str | None:
    """The system Chromium, or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    """In the child, on Linux: get SIGTERM when the process that started us dies, however it
    dies (even SIGKILL), so that no JupyterLab outlives its test run."""
    if sys.platform.startswith("linux"):
        import ctypes
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@contextlib.contextmanager
def running_lab(folder: Path, env: dict[str, str] | None = None, timeout: float = 120) -> Iterator[str]:
    """Serve `folder` with JupyterLab on 127.0.0.1; yield the base URL with its token. The
    server (and its kernels) are stopped whatever happens."""
    port, token = _free_port(), secrets.token_hex(16)
    jupyter = Path(sys.executable).with_name("jupyter")
    cmd = [str(jupyter), "lab", "--no-browser", f"--ServerApp.root_dir={folder}", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", f"--IdentityProvider.token={token}", "--LabApp.news_url=''",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
           # window.jupyterapp: the tests wait on the application's own promises and models
           "--LabApp.expose_app_in_browser=True"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(folder / ".lab.log", "w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                            env={**os.environ, **(env or {})}, preexec_fn=_die_with_parent)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + timeout
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError(f"JupyterLab did not start: {(folder / '.lab.log').read_text()[-2000:]}")
                time.sleep(0.3)
        yield f"{base}|{token}"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        log.close()


@contextlib.contextmanager
def browser_page(width: int = 1400, height: int = 1000):
    """A Playwright page in the system Chromium."""
    from playwright.sync_api import sync_playwright
    exe = chromium()
    if exe is None:
        raise RuntimeError("Chromium is not installed (apt-get install -y chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=CHROMIUM_FLAGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            yield page
        finally:
            browser.close()


# JupyterLab 4 exposes its application as `window.jupyterapp`. Waiting on its own promises and
# models (the shell restored, the notebook's context and kernel ready, every cell's execution
# count set) is what makes these tests deterministic: the DOM alone can show a notebook that is
# attached but still hidden while the shell restores its layout, which made a click on the first
# cell time out ("element is not visible") once in a fresh CI run.
_PANEL = """(name) => {
    const app = window.jupyterapp;
    if (!app || !app.shell) return null;
    for (const w of app.shell.widgets('main')) {
        if (w.context && w.context.path === name) return w;
    }
    return null;
}"""


def _on_panel(page, name: str, body: str, timeout: float, arg=None) -> None:
    """Poll until the JavaScript expression `body` holds for the notebook panel `panel` of
    `name` (`app` is JupyterLab, `arg` an extra argument). On a timeout, the error says what
    was awaited and what the notebook's state was."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    try:
        page.wait_for_function(
            f"""([name, arg]) => {{
                const panel = ({_PANEL})(name);
                const app = window.jupyterapp;
                return panel !== null && ({body});
            }}""", arg=[name, arg], timeout=timeout * 1000, polling=200)
    except PlaywrightTimeout:
        raise AssertionError(f"{name}: waited {timeout:.0f} s for `{body}`; the notebook's state: "
                             f"{_state(page, name)}") from None


def _state(page, name: str) -> dict:
    """What JupyterLab shows of notebook `name`: for a timeout's message."""
    return page.evaluate(f"""(name) => {{
        const app = window.jupyterapp;
        if (!app) return {{app: 'window.jupyterapp is undefined'}};
        const panel = ({_PANEL})(name);
        if (!panel) return {{main: [...app.shell.widgets('main')].map(w => w.title.label)}};
        const code = panel.content.widgets.filter(c => c.model.type === 'code');
        return {{visible: panel.isVisible, current: app.shell.currentWidget === panel,
                 context_ready: panel.context.isReady, dirty: panel.context.model.dirty,
                 kernel: panel.sessionContext.session?.kernel?.status ?? null,
                 counts: code.map(c => c.model.executionCount),
                 running: code.map(c => c.model.executionState),
                 open_menus: [...document.querySelectorAll('.lm-Menu')].length,
                 widget_views: panel.node.querySelectorAll('.jp-OutputArea-output > .jupyter-widgets').length}};
    }}""", name)


def open_notebook(page, lab: str, name: str, timeout: float = 120) -> None:
    """Open `name` in JupyterLab and wait until the shell is restored, the notebook is the
    visible, current tab, its cells are rendered and its kernel is idle."""
    base, token = lab.split("|")
    page.goto(f"{base}/lab/tree/{name}?token={token}&reset", timeout=timeout * 1000)
    page.wait_for_function("() => window.jupyterapp !== undefined", timeout=timeout * 1000, polling=200)
    page.evaluate("() => window.jupyterapp.restored")
    _on_panel(page, name, "panel.context.isReady && panel.sessionContext.isReady && panel.isVisible "
                          "&& app.shell.currentWidget === panel && panel.content.widgets.length > 0 "
                          "&& panel.sessionContext.session?.kernel?.status === 'idle'", timeout)
    page.evaluate(f"(name) => ({_PANEL})(name).revealed", name)
    for toast in page.locator(".jp-toast-button, .Toastify__close-button").all():  # news / update toasts
        with contextlib.suppress(Exception):
            toast.click(timeout=1000)


def run_all(page, name: str) -> None:
    """Run > Run All Cells, from the menu bar, as a learner would."""
    first = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").first
    first.wait_for(state="visible", timeout=30000)
    first.click()
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-item:not(.lm-mod-disabled) .lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    # it started: some code cell is queued or has run
    _on_panel(page, name, "panel.content.widgets.some(c => c.model.type === 'code' && "
                          "(c.model.executionState === 'running' || c.model.executionCount !== null))", 60)


def wait_idle(page, name: str, timeout: float = 600) -> None:
    """Wait until every code cell has run (each has an execution count, none is running) and
    the kernel is idle. (A notebook not yet run has no counts, which does not count.)"""
    _on_panel(page, name, "panel.sessionContext.session?.kernel?.status === 'idle' && "
                          "panel.content.widgets.filter(c => c.model.type === 'code').every(c => "
                          "c.model.executionCount !== null && c.model.executionState !== 'running')", timeout)


def wait_drawn(page, name: str, timeout: float = 60) -> None:
    """Wait until every widget view the kernel displayed is rendered, every plotly figure has
    drawn its SVG and every image has loaded."""
    _on_panel(page, name, """(() => {
        let views = 0;
        for (const cell of panel.content.widgets) {
            if (cell.model.type !== 'code') continue;
            const outputs = cell.model.outputs;
            for (let i = 0; i < outputs.length; i++) {
                if ('application/vnd.jupyter.widget-view+json' in outputs.get(i).data) views++;
            }
        }
        const node = panel.node;
        const plots = [...node.querySelectorAll('.js-plotly-plot')];
        const imgs = [...node.querySelectorAll('.jp-OutputArea-output img')];
        return node.querySelectorAll('.jp-OutputArea-output > .jupyter-widgets').length >= views
            && plots.every(p => p.querySelector('.main-svg') !== null)
            && imgs.every(i => i.complete);
    })()""", timeout)


def save(page, name: str, timeout: float = 30) -> None:
    """File > Save (Ctrl+S), and wait until the file on disk has the notebook as shown."""
    page.keyboard.press("Control+s")
    _on_panel(page, name, "!panel.context.model.dirty", timeout)


def error_texts(page) -> list[str]:
    """Error outputs and widget render failures visible in the notebook."""
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
                          ":has-text('Traceback'), .jp-RenderedText[data-mime-type='application/vnd.jupyter.error']")
    texts = [t[:500] for t in errors.all_inner_texts()]
    body = page.locator(".jp-NotebookPanel").inner_text()
    texts += [m for m in re.findall(r"Error displaying widget[^\n]*", body)]
    texts += [m for m in re.findall(r"Failed to load model class[^\n]*", body)]
    return texts
