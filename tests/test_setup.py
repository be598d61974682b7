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


# -- PyTorch's CPU build by default (issue 20) -----------------------------------------------------

def _make(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


@pytest.mark.skipif(not shutil.which("make"), reason="needs make")
def test_on_linux_a_venv_without_torch_gets_the_cpu_build_by_default(tmp_path):
    """Dry run on a fresh venv: pip is asked for torch from PyTorch's CPU index on Linux, not PyPI's
    CUDA build; elsewhere PyPI's torch is already the CPU build."""
    plan = _make("-n", f"VENV={tmp_path / 'venv'}", "lab").stdout
    install = next(line for line in plan.splitlines() if "pip install torch" in line)
    assert "import torch" in install  # only where the venv has no torch
    if os.uname().sysname == "Linux":
        assert install.endswith("pip install torch --index-url https://download.pytorch.org/whl/cpu")
    assert plan.index("pip install torch") < plan.index("pip install -e .")


WHEELS = Path("/opt/wheels")


@pytest.mark.skipif(not shutil.which("make") or not list(WHEELS.glob("torch-2.13.0+cpu-*.whl")),
                    reason="needs make and the local CPU wheel of torch 2.13.0 (this machine's)")
def test_the_torch_step_installs_a_cpu_build_once_and_keeps_an_existing_torch(tmp_path):
    """The same step with this machine's local wheel (PyTorch's index is out of reach here): a fresh
    venv gets torch's CPU build and no NVIDIA libraries; run again on a venv that has torch, it
    installs nothing."""
    venv = tmp_path / "venv"
    first = _make(f"VENV={venv}", f"{venv}/.torch", "TORCH_SOURCE=torch==2.13.0")
    assert first.returncode == 0, first.stderr[-2000:]
    version = subprocess.run([venv / "bin/python", "-c", "import torch; print(torch.__version__)"],
                             capture_output=True, text=True).stdout.strip()
    assert version.endswith("+cpu"), version
    packages = subprocess.run([venv / "bin/python", "-m", "pip", "list"], capture_output=True, text=True).stdout
    assert "nvidia" not in packages.lower()
    (venv / ".torch").unlink()
    # a pip install with this flag would fail: success means the step saw torch and installed nothing
    again = _make(f"VENV={venv}", f"{venv}/.torch", "TORCH_SOURCE=--no-such-pip-flag")
    assert again.returncode == 0, again.stderr[-2000:]
    assert (venv / ".torch").exists()
