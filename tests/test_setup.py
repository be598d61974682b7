"""`make lab` serves JupyterLab on localhost with token authentication, at the repository root
(so jupytext can save the paired lesson sources) and opening at lesson 00."""
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status(url: str) -> int:
    try:
        return urllib.request.urlopen(url, timeout=5).status
    except urllib.error.HTTPError as err:
        return err.code


@pytest.mark.skipif(not shutil.which("make") or not (ROOT / ".venv/bin/jupyter").exists(),
                    reason="needs make and the .venv that `make test` creates")
def test_make_lab_serves_jupyterlab_on_localhost_with_a_token(tmp_path):
    port = _free_port()
    log = tmp_path / "lab.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(["make", "-s", "lab", f"PORT={port}", "LAB_ARGS=--no-browser"], cwd=ROOT,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = re.compile(rf"http://127\.0\.0\.1:{port}/lab/tree/notebooks/00_welcome\.ipynb\?token=([0-9a-f]+)")
    try:
        token = None
        for _ in range(120):
            match = url.search(log.read_text())
            if match:
                token = match.group(1)
                break
            time.sleep(0.5)
        assert token, log.read_text()[-2000:]
        base = f"http://127.0.0.1:{port}/api/contents"
        assert _status(base) == 403  # no token, no entry
        assert _status(f"{base}?token={token}") == 200
        with urllib.request.urlopen(f"{base}/notebooks?token={token}") as resp:  # it opens at lesson 00
            assert "00_welcome.ipynb" in resp.read().decode()
        with urllib.request.urlopen(f"{base}/lessons?token={token}") as resp:  # jupytext pairs the sources
            assert "00_welcome.py" in resp.read().decode()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
