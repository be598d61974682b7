# The two commands of the README: `make lab` opens the course, `make test` runs the tests.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8888
LAB_ARGS ?=
# JupyterLab refuses to run as root unless told; containers often run as root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)
# Where PyTorch comes from when the venv has none yet. On Linux, PyPI's torch is the CUDA build,
# several GB of NVIDIA libraries that this CPU course never uses: take PyTorch's CPU build instead.
# Elsewhere (macOS, Windows) PyPI's torch is the CPU build already. Override to use your own, e.g.
# `make lab TORCH_SOURCE=` (PyPI's default) or `TORCH_SOURCE="--no-index --find-links DIR"`.
TORCH_SOURCE ?= $(if $(filter Linux,$(shell uname -s)),--index-url https://download.pytorch.org/whl/cpu)

.PHONY: lab test notebooks clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# PyTorch first, unless the venv has one (.ci/run puts torch==2.13.0 there): then `pip install -e .`
# finds torch>=2.2 satisfied and installs no other build.
$(VENV)/.torch: | $(BIN)/python
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/python -m pip install torch $(TORCH_SOURCE)
	touch $@

$(VENV)/.installed-lab: pyproject.toml $(VENV)/.torch | $(BIN)/python
	$(BIN)/python -m pip install -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.torch | $(BIN)/python
	$(BIN)/python -m pip install -e '.[test]'
	touch $@ $(VENV)/.installed-lab

# JupyterLab on localhost only, with token authentication (the default: the token is printed in
# the URL below). It serves the repository root, opening at the first lesson, so that jupytext
# (jupytext.toml) can save each notebook's paired source in lessons/ too.
lab: $(VENV)/.installed-lab
	$(BIN)/jupyter lab --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/notebooks/00_welcome.ipynb --ServerApp.ip=127.0.0.1 --ServerApp.port=$(PORT) $(ROOT_FLAG) $(LAB_ARGS)

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

# Write every notebooks/NN_name.ipynb from its source lessons/NN_name.py (jupytext percent format);
# tests/test_lesson_sources.py checks that they agree.
notebooks: $(VENV)/.installed-lab
	$(BIN)/python tools/lessons.py sync

clean:
	rm -rf $(VENV) build *.egg-info
