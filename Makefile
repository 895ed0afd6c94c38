# Two commands set everything up on a fresh machine:
#   make demo   - install into .venv and mask the bundled samples into demo-out/
#   make test   - install into .venv (with test and docs extras), run the whole test suite
#                 (the docs site is built with --strict inside it)
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install install-dev demo test lint bench docs wheelhouse clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# An editable install writes no bytecode, and with PYTHONDONTWRITEBYTECODE set Python never
# does: every run would compile zcmask's modules again in each process (about 0.05-0.08 s
# before the first page). compileall does what pip does for a normal install.
install: $(BIN)/python
	$(BIN)/pip install -q -e .
	$(BIN)/python -m compileall -q src/zcmask

install-dev: install
	$(BIN)/pip install -q -e ".[test,dev,web,dask,docs]"

demo: install
	$(BIN)/zcmask mask samples/applicant -o demo-out --profile samples/applicant/profile.yaml
	@echo "masked JPGs and zcmask-report.json/.html are in demo-out/"

# tests/test_docs.py builds the docs site with --strict; ZCMASK_REQUIRE_DOCS makes a
# missing mkdocs a failure here instead of a skip.
test: install-dev
	ZCMASK_REQUIRE_DOCS=1 $(BIN)/python -m pytest -q

lint:
	$(BIN)/ruff check src tests benchmarks zcsynth samples
	$(BIN)/mypy

# The documentation site, built strictly (a broken link or reference fails) into site/.
docs: install-dev
	$(BIN)/python docs/gen_cli.py
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

# dist/zcmask-offline-<version>-linux-x86_64.tar.gz: every wheel plus install.sh (pip --no-index).
wheelhouse: $(BIN)/python
	PYTHON=$(BIN)/python sh packaging/build_offline.sh dist

bench: install-dev
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf demo-out .pytest_cache build dist site
