# Everyday commands. `make chat` and `make test` set everything up first (a virtualenv in .venv).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYBABEL := $(BIN)/pybabel
# One gettext catalogue (domain) per feature: locales/<domain>.cfg names the files whose strings it holds.
DOMAINS := $(basename $(notdir $(wildcard locales/*.cfg)))
LANGUAGES := kk ru ky en

.PHONY: setup chat test bench extract update compile clean

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
	$(BIN)/python bench/engine.py --open-loop 100 --seconds 10
	$(BIN)/python bench/delivery.py --messages 20000
	$(BIN)/python bench/telegram.py

# Catalogues: extract each domain's strings, merge them into every language (creating new ones), compile.
extract: $(VENV)/.installed
	for domain in $(DOMAINS); do \
	  $(PYBABEL) extract -F locales/$$domain.cfg -k N_ --no-location --sort-output --project=Joldas \
	    -o locales/$$domain.pot . || exit 1; \
	done

update: extract
	for domain in $(DOMAINS); do for lang in $(LANGUAGES); do \
	  if [ -f locales/$$lang/LC_MESSAGES/$$domain.po ]; then \
	    $(PYBABEL) update -D $$domain -i locales/$$domain.pot -d locales -l $$lang --ignore-obsolete --no-fuzzy-matching || exit 1; \
	  else \
	    $(PYBABEL) init -D $$domain -i locales/$$domain.pot -d locales -l $$lang || exit 1; \
	  fi; \
	done; done

compile: $(VENV)/.installed
	for domain in $(DOMAINS); do $(PYBABEL) compile -D $$domain -d locales || exit 1; done

clean:
	rm -rf $(VENV) *.egg-info locales/*/LC_MESSAGES/*.mo
