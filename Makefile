# The two commands of the README: `make lab` opens the course, `make test` runs the tests.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8888
LAB_ARGS ?=
# JupyterLab refuses to run as root unless told; containers often run as root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab test notebooks clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-lab: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
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
