# Everyday commands. `make chat` and `make test` set everything up first (a virtualenv in .venv).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYBABEL := $(BIN)/pybabel
CATALOGUES := $(wildcard locales/*/LC_MESSAGES/joldas.po)

.PHONY: setup chat test test-sqlite bench extract update compile clean

setup: $(VENV)/.installed compile

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

chat: setup
	$(BIN)/joldas chat

# The whole suite, on SQLite and on PostgreSQL (tests/conftest.py: POSTGRES_URL, JOLDAS_REQUIRE_POSTGRES).
test: setup
	$(BIN)/ruff check bot handlers tests bench
	$(BIN)/ruff format --check bot handlers tests bench
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python bench/engine.py

# Catalogues: extract the strings from the code, merge them into every language, compile.
extract: $(VENV)/.installed
	$(PYBABEL) extract -F babel.cfg -k N_ --no-location --sort-output --project=Joldas -o locales/joldas.pot .

update: extract
	$(PYBABEL) update -D joldas -i locales/joldas.pot -d locales --ignore-obsolete --no-fuzzy-matching

compile: $(VENV)/.installed
	$(PYBABEL) compile -D joldas -d locales --statistics

clean:
	rm -rf $(VENV) *.egg-info locales/*/LC_MESSAGES/*.mo
