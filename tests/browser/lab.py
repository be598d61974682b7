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
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
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


def open_notebook(page, lab: str, name: str, timeout: float = 90) -> None:
    """Open `name` in JupyterLab and wait for its kernel."""
    base, token = lab.split("|")
    page.goto(f"{base}/lab/tree/{name}?token={token}&reset", timeout=timeout * 1000)
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=timeout * 1000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle'], .jp-mod-idle, "
                           "#jp-main-statusbar :text('Idle')", timeout=timeout * 1000)
    for toast in page.locator(".jp-toast-button, .Toastify__close-button").all():  # news / update toasts
        with contextlib.suppress(Exception):
            toast.click(timeout=1000)


def run_all(page) -> None:
    """Run > Run All Cells, from the menu bar, as a learner would."""
    page.locator(".jp-NotebookPanel .jp-Cell").first.click()
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    page.wait_for_function(  # it started: some prompt shows [*] or a count
        r"""() => [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
                 .some(p => /\[(\*|\d+)\]/.test(p.textContent))""", timeout=60000, polling=200)


def wait_idle(page, timeout: float = 600) -> None:
    """Wait until every code cell has run: each prompt shows an execution count (`[3]:`), none
    shows `[*]`. (A notebook not yet run shows `[ ]:` everywhere, which does not count.)"""
    page.wait_for_function(
        r"""() => {
            const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
                .map(p => p.textContent.trim());
            return prompts.length > 0 && prompts.every(t => /^\[\d+\]:$/.test(t));
        }""", timeout=timeout * 1000, polling=500)


def error_texts(page) -> list[str]:
    """Error outputs and widget render failures visible in the notebook."""
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
                          ":has-text('Traceback'), .jp-RenderedText[data-mime-type='application/vnd.jupyter.error']")
    texts = [t[:500] for t in errors.all_inner_texts()]
    body = page.locator(".jp-NotebookPanel").inner_text()
    texts += [m for m in re.findall(r"Error displaying widget[^\n]*", body)]
    texts += [m for m in re.findall(r"Failed to load model class[^\n]*", body)]
    return texts


def scroll_to(page, locator) -> None:
    """Scroll the notebook so that `locator` is in view (JupyterLab's windowed notebook)."""
    locator.scroll_into_view_if_needed(timeout=10000)
    page.wait_for_timeout(300)
