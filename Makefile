# One target per job. Each creates the virtual environment and installs what it needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STORE ?= oxigraph:./comity-data

.PHONY: run test conformance kills docs bench lint install

$(BIN)/comity: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/comity

run: install
	$(BIN)/comity load --store $(STORE) loaders/samples
	$(BIN)/comity serve --store $(STORE)

# One worker more than the cores: the tests spend a good part of their time waiting on the
# servers and commands they start. A file's tests stay together, so its servers start once.
WORKERS ?= $(shell $(PYTHON) -c 'import os; print((os.cpu_count() or 1) + 1)')

test: install
	$(BIN)/pytest -n $(WORKERS) --dist loadfile

# The W3C SPARQL 1.1 suites against a real `comity serve` (data: ../shared/w3c/).
conformance: install
	$(BIN)/python -m conformance

# Kill -9 at 20 random points of loads, remote loads, reasoning and updates (fuzz/README.md).
kills: install
	$(BIN)/python -m fuzz.kills --points 20

docs: install
	$(BIN)/comity docs --output docs/ontology.html

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: install
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m bench graph --sizes 100k
	$(BIN)/python -m bench extract --documents 1000 --jobs 2
	$(BIN)/python -m bench serve --sizes 100k --duration 10
