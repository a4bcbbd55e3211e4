# hepnb: set-up and the two jobs of the README.  `make higgs` | `make test`
# Everything installs into .venv with constraints.txt on every pip call (CPU torch, nbdev/fastcore pins).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip install -q -c constraints.txt
# with 2 threads on a loaded 2-core machine torch was 30x slower
export OMP_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1

.PHONY: install higgs test nbtest pytest browser-test docs docs-test export clean

$(VENV)/.installed: settings.ini setup.py constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(PIP) -e ".[dev]"
	$(PIP) --no-deps fastai==2.8.7
	touch $@

install: $(VENV)/.installed

# the course website's toolchain (settings.ini docs_requirements, pinned in constraints.txt)
$(VENV)/.docs-installed: $(VENV)/.installed
	$(PIP) -e ".[docs]"
	touch $@

higgs: install
	$(BIN)/hepnb higgs

test: nbtest pytest

nbtest: install
	$(BIN)/nbdev_test --n_workers 2 --timing

pytest: install
	$(BIN)/python -m pytest -q tests

# real-browser widget test: JupyterLab + headless Chromium (installs Debian's chromium with apt: root or sudo)
browser-test: install
	bash tests/browser/run.sh

# the course website, nbs/ -> _docs/: chapters with their stored outputs, the API reference by nbdev's show_doc
docs: $(VENV)/.docs-installed
	$(BIN)/python docs/build.py

# real-browser test of the built site (every page: console errors, figures, math, navigation, internal links)
docs-test: docs
	bash tests/browser/run_site.sh

export: install
	$(BIN)/nbdev_export

clean:
	rm -rf $(VENV) build dist *.egg-info _docs _proc
