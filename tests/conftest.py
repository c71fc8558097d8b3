"""Shared test fixtures: the demo site on 127.0.0.1 and a real `scrapy crawl` in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: The project's own seed page (HTML, its text, the expected fields), vendored with the tests.
SEED = ROOT / "tests" / "data" / "seed"
#: The development checkout's shared data: only the benchmark pages are read from it.
SHARED = Path(os.environ.get("NEWS_ARCHIVER_SHARED", ROOT.parent / "shared"))
BENCH_EXTRACTION = SHARED / "bench" / "extraction"

#: Settings that make a crawl of a loopback test server fast; politeness is for real sites.
FAST = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "LOGSTATS_INTERVAL": "0",
    "ARCHIVE_FLUSH_SECONDS": "0.5",
}


@dataclass
class CrawlResult:
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_crawl(archive: Path, *args: str, settings: dict[str, str] | None = None,
              timeout: float = 300) -> CrawlResult:
    """``scrapy crawl news`` in a subprocess from the project root, as a user runs it."""
    command = [sys.executable, "-m", "scrapy", "crawl", "news", "-s", f"ARCHIVE_DB={archive}"]
    for name, value in {**FAST, **(settings or {})}.items():
        command += ["-s", f"{name}={value}"]
    command += list(args)
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    return CrawlResult(done.returncode, done.stdout, done.stderr)


def project_settings(**settings: object) -> dict[str, Any]:
    """The project's settings (crawler/settings.py), with ``settings`` over them."""
    from crawler import settings as project

    values = {name: getattr(project, name) for name in dir(project) if name.isupper()}
    return {**values, **settings}


def news_spider(archive: Path, start: str | None, **settings: object) -> Any:
    """The news spider, in process, with the project's settings (and ``settings`` over them):
    its callbacks can then be fed real Scrapy responses, without a reactor or a download."""
    from scrapy.utils.test import get_crawler

    from crawler.spiders.news import NewsSpider

    crawler = get_crawler(NewsSpider, project_settings(ARCHIVE_DB=str(archive), **settings))
    crawler.stats.open_spider()
    return NewsSpider.from_crawler(crawler, start=start)


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Any]:
    """An empty archive file, opened (and migrated) as a crawl opens it."""
    from pipelines.store import Archive

    opened = Archive(tmp_path / "archive.db")
    yield opened
    opened.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The real crawls (``tests/test_crawl*.py``) are the ``e2e`` tests: ``-m "not e2e"``
    leaves them out."""
    for item in items:
        if item.path.name.startswith("test_crawl"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def demo_site() -> Iterator:
    """The bundled demo news site, served on a free port of 127.0.0.1 for the whole session."""
    from demo.serve import serve_in_thread
    from demo.site import DemoSite

    base_url, stop = serve_in_thread("127.0.0.1", 0)
    try:
        yield DemoSite(base_url)
    finally:
        stop()


@pytest.fixture(scope="session")
def seed_expected() -> dict:
    return json.loads((SEED / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def bench_extraction() -> Path:
    """The benchmark pages (``../shared/bench/extraction``, or ``$NEWS_ARCHIVER_SHARED``):
    not shipped with the project, so tests over them skip, saying why, where it is absent."""
    if not BENCH_EXTRACTION.is_dir():
        pytest.skip(f"benchmark pages not found at {BENCH_EXTRACTION}: they come with the "
                    "development checkout's shared/ (set NEWS_ARCHIVER_SHARED to its path)")
    return BENCH_EXTRACTION
