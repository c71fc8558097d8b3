# The README's commands: `make demo` and `make test`. Everything runs from the project's .venv.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
DEMO_HOST ?= 127.0.0.1
DEMO_PORT ?= 8000
DATASETTE_PORT ?= 8001
ARCHIVE_DB ?= archive.db
# The demo site is on loopback: no need to wait between requests there.
DEMO_CRAWL_SETTINGS ?= -s DOWNLOAD_DELAY=0 -s AUTOTHROTTLE_START_DELAY=0.1 -s CONCURRENT_REQUESTS_PER_DOMAIN=8
# suggest_facets off: suggesting facets counts every column of a table (a second and more on a
# big archive); the archive's facets are configured in datasette/archive.yml.
DATASETTE_ARGS = --metadata metadata.yml --template-dir datasette/templates --plugins-dir datasette/plugins \
	--setting suggest_facets off

.PHONY: install lock demo serve test test-fast test-lowest test-latest lint clean bench bench-extract \
	bench-fairness bench-distributed bench-archive

# The venv holds exactly the versions of requirements.lock (hashes checked; made anew when the
# lock or pyproject.toml changes, so nothing stays from an older lock), then the project
# itself without dependencies (and built with the locked setuptools, so nothing unlocked comes in).
$(BIN)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv --clear $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	rm -rf *.egg-info  # a stale one in the tree hides the project's entry points (its commands)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

install: $(BIN)/.installed

## lock: re-resolve requirements.lock from pyproject.toml (newest versions the ranges allow)
LOCK_ARGS ?= --upgrade
lock: install
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 \
		--universal $(LOCK_ARGS) -o requirements.lock

## demo: serve the bundled demo news site, crawl it into archive.db, publish it with Datasette
demo: install
	@set -e; \
	$(BIN)/python -m demo.serve --host $(DEMO_HOST) --port $(DEMO_PORT) & site_pid=$$!; \
	trap 'kill $$site_pid 2>/dev/null || true' EXIT INT TERM; \
	$(BIN)/python -m demo.wait http://$(DEMO_HOST):$(DEMO_PORT)/robots.txt; \
	echo "Demo news site: http://$(DEMO_HOST):$(DEMO_PORT)/"; \
	$(BIN)/scrapy crawl news -a start=http://$(DEMO_HOST):$(DEMO_PORT)/ \
		-s ARCHIVE_DB=$(ARCHIVE_DB) $(DEMO_CRAWL_SETTINGS) -s LOG_LEVEL=WARNING; \
	echo "Demo news site: http://$(DEMO_HOST):$(DEMO_PORT)/"; \
	echo "Archive in Datasette: http://127.0.0.1:$(DATASETTE_PORT)/archive  (Ctrl-C stops both)"; \
	$(BIN)/datasette serve $(ARCHIVE_DB) $(DATASETTE_ARGS) --host 127.0.0.1 --port $(DATASETTE_PORT)

## serve: publish an existing archive with Datasette (read-only)
serve: install
	$(BIN)/datasette serve $(ARCHIVE_DB) $(DATASETTE_ARGS) --host 127.0.0.1 --port $(DATASETTE_PORT)

## test: the whole test suite
PYTEST_ARGS ?=
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## test-fast: the suite without the end-to-end crawls (the quick loop while working)
test-fast: install
	$(BIN)/python -m pytest -m "not e2e" $(PYTEST_ARGS)

## test-lowest: the suite on the oldest versions pyproject.toml allows (checks its floors; not in CI)
LOWEST_VENV ?= .venv-lowest
test-lowest: install
	rm -rf $(LOWEST_VENV)
	$(PYTHON) -m venv $(LOWEST_VENV)
	$(BIN)/uv pip compile --quiet pyproject.toml --extra dev --resolution lowest-direct \
		--python-version 3.11 -o $(LOWEST_VENV)/versions.txt
	$(BIN)/uv pip install --quiet --python $(LOWEST_VENV)/bin/python -r $(LOWEST_VENV)/versions.txt
	$(BIN)/uv pip install --quiet --python $(LOWEST_VENV)/bin/python --no-deps -e .
	$(LOWEST_VENV)/bin/python -m pytest $(PYTEST_ARGS)

## test-latest: the suite on the newest releases of the direct dependencies (no lock; not in CI)
LATEST_VENV ?= .venv-latest
test-latest:
	rm -rf $(LATEST_VENV)
	$(PYTHON) -m venv $(LATEST_VENV)
	$(LATEST_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LATEST_VENV)/bin/python -m pip install --quiet --upgrade --upgrade-strategy eager -e '.[dev]'
	$(LATEST_VENV)/bin/python -m pip list --format=freeze > $(LATEST_VENV)/versions.txt
	$(LATEST_VENV)/bin/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .venv-latest .venv-lowest .pytest_cache .ruff_cache *.egg-info

## bench-extract: extraction quality and speed on ../shared/bench/extraction (BENCH_DATA=…),
## then bylines, published dates and access on the labelled pages (tests/data/metadata_labels.json)
BENCH_DATA ?= ../shared/bench/extraction
bench-extract: install
	$(BIN)/python benchmarks/bench_extract.py $(BENCH_DATA)
	@echo
	$(BIN)/python benchmarks/bench_metadata.py $(BENCH_DATA)

## bench: crawl throughput and memory against trafilatura's CLI (BENCH_PAGES=…)
BENCH_PAGES ?= 2000
bench: install
	$(BIN)/python benchmarks/bench_crawl.py --pages $(BENCH_PAGES)

## bench-fairness: a rate-limited site (Crawl-delay, 503 + Retry-After) next to a normal one
bench-fairness: install
	$(BIN)/python benchmarks/bench_fairness.py

## bench-distributed: pages/s of 1, 2, 3 distributed workers against one machine (needs redis-server)
BENCH_DISTRIBUTED_PAGES ?= 1000
bench-distributed: install
	$(BIN)/python benchmarks/bench_distributed.py --pages $(BENCH_DISTRIBUTED_PAGES)

## bench-archive: build a synthetic archive of ARTICLES articles (kept in bench-archives/), then time
## Datasette serving it over HTTP; ARCHIVE=PATH measures an existing archive without building,
## ARCHIVE=PATH ARTICLES=N first extends it to N articles (resumed where it ends); both apply
## its pending migrations first. INGEST=N: articles stored for ingest_ratio (0: not measured)
ARTICLES ?=
ARCHIVE ?=
INGEST ?= 10000
bench-archive: install
	DATASETTE_ARGS="$(DATASETTE_ARGS)" $(BIN)/python benchmarks/bench_archive.py \
		$(if $(ARCHIVE),--archive $(ARCHIVE)) $(if $(ARTICLES),--articles $(ARTICLES)) --ingest $(INGEST)
