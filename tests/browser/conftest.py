"""Browser tests: a SIGTERM (a CI timeout, `kill`) ends pytest like Ctrl-C, so that fixtures
shut JupyterLab and Chromium down."""
import signal
import sys


def pytest_configure(config):
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
