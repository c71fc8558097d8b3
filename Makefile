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
DATASETTE_ARGS = --metadata metadata.yml --template-dir datasette/templates --plugins-dir datasette/plugins

.PHONY: install demo serve test lint clean bench bench-extract bench-distributed

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

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
test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info

## bench-extract: extraction quality and speed on ../shared/bench/extraction (BENCH_DATA=…)
BENCH_DATA ?= ../shared/bench/extraction
bench-extract: install
	$(BIN)/python benchmarks/bench_extract.py $(BENCH_DATA)

## bench: crawl throughput and memory against trafilatura's CLI (BENCH_PAGES=…)
BENCH_PAGES ?= 2000
bench: install
	$(BIN)/python benchmarks/bench_crawl.py --pages $(BENCH_PAGES)

## bench-distributed: pages/s of 1, 2, 3 distributed workers against one machine (needs redis-server)
BENCH_DISTRIBUTED_PAGES ?= 1000
bench-distributed: install
	$(BIN)/python benchmarks/bench_distributed.py --pages $(BENCH_DISTRIBUTED_PAGES)
