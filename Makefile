# Two commands set everything up on a fresh machine:
#   make demo   - install into .venv and mask the bundled samples into demo-out/
#   make test   - install into .venv (with test extras) and run the whole test suite
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install install-dev demo test lint bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -e .

install-dev: install
	$(BIN)/pip install -q -e ".[test,dev,web,dask]"

demo: install
	$(BIN)/zcmask mask samples/applicant -o demo-out --profile samples/applicant/profile.yaml
	@echo "masked JPGs and zcmask-report.json/.html are in demo-out/"

test: install-dev
	$(BIN)/python -m pytest -q

lint:
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

bench: install-dev
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf demo-out .pytest_cache build dist
