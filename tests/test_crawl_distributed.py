"""End to end: a distributed crawl (issue 16) of the demo site, with a real redis-server, three
``scrapy crawl news`` workers and one ``scrapy archive-writer``, all in subprocesses as a user
runs them; compared with a one-machine crawl of the same site. Then the faults: a worker
killed with ``kill -9`` mid-crawl, the writer killed and restarted, Redis killed and restarted
with its append-only file."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.urls import normalize
from tests.conftest import FAST, ROOT, run_crawl
from tests.faultsite import FaultSite, article_path, article_response, links_response, robots_txt
from tests.redis_server import RedisServer, redis_server_or_skip
from tests.test_datasette import get
from tests.test_distributed import records_on_disk

pytestmark = pytest.mark.e2e

#: The server takes a request's time when it reads it: two may come out a little closer than
#: the crawl sent them.
SLACK = 0.1

#: Each worker extracts in one process (three workers and the writer share 2 cores here), and
#: a site takes 4 requests at a time from all workers together: the crawl lasts long enough
#: for a fault to land in its middle.
WORKER = {**FAST, "ARCHIVE_EXTRACT_WORKERS": "1", "CONCURRENT_REQUESTS_PER_DOMAIN": "4"}


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory) -> Iterator[RedisServer]:
    yield from redis_server_or_skip(tmp_path_factory)


@pytest.fixture
def crawl_redis(redis_server) -> Iterator[RedisServer]:
    """The module's Redis, empty for each test."""
    redis_server.client().flushall()
    yield redis_server
    redis_server.client().flushall()


@pytest.fixture(scope="module")
def single_archive(demo_site, tmp_path_factory) -> Path:
    """The one-machine archive of the demo site."""
    archive = tmp_path_factory.mktemp("single") / "archive.db"
    done = run_crawl(archive, "-a", f"start={demo_site.base_url}/")
    assert done.returncode == 0, done.output[-3000:]
    return archive


@pytest.fixture(scope="module")
def single(single_archive) -> dict[str, str]:
    """The one-machine archive's articles: canonical URL -> text."""
    return texts(single_archive)


def warc_index(archive: Path) -> Counter:
    """The WARC index as a crawl's order cannot change it: (page, payload digest) of every
    record, the page by its normalised URL (a ``?utm_`` copy may be the one fetched)."""
    with sqlite3.connect(archive) as db:
        return Counter((normalize(url), digest) for url, digest in
                       db.execute("select url, payload_digest from warc_records"))


def unindexed_articles(archive: Path) -> list[str]:
    """Articles whose WARC record the index does not hold."""
    with sqlite3.connect(archive) as db:
        return [url for (url,) in db.execute(
            "select url from articles where warc_record_id is null or warc_record_id not in "
            "(select record_id from warc_records)")]


def warc_records_on_disk(archive: Path) -> Counter:
    """WARC-Record-IDs of the response and revisit records in the archive's WARC files."""
    return records_on_disk(archive.parent)


def texts(archive: Path) -> dict[str, str]:
    with sqlite3.connect(archive) as db:
        return dict(db.execute("select url, text from articles"))


def rejected(archive: Path) -> dict[str, str]:
    """Pages fetched and not archived: URL -> reason."""
    with sqlite3.connect(archive) as db:
        return dict(db.execute("select url, reason from rejections"))


def scrapy(*args: str, settings: dict[str, str], log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "scrapy", *args]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    return subprocess.Popen(command, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT)


class Crawl:
    """The processes of one distributed crawl, their logs in ``directory``."""

    def __init__(self, redis: RedisServer, start: str, directory: Path) -> None:
        self.redis, self.start, self.directory = redis, start, directory
        self.archive = directory / "archive.db"
        self.worker_db = directory / "worker-archive.db"  # workers must never open it
        self.workers: list[subprocess.Popen] = []
        self.writer: subprocess.Popen | None = None
        self.writers = 0

    def start_writer(self) -> None:
        self.writers += 1
        self.writer = scrapy("archive-writer", log=self.directory / f"writer{self.writers}.log",
                             settings={"REDIS_URL": self.redis.url,
                                       "ARCHIVE_DB": str(self.archive),
                                       "ARCHIVE_FLUSH_SECONDS": "0.5", "ARCHIVE_BATCH_SIZE": "10"})

    def start_workers(self, count: int) -> None:
        for _ in range(count):
            n = len(self.workers) + 1
            self.workers.append(scrapy("crawl", "news", "-a", f"start={self.start}",
                                       log=self.directory / f"worker{n}.log",
                                       settings={**WORKER, "REDIS_URL": self.redis.url,
                                                 "ARCHIVE_DB": str(self.worker_db)}))

    def wait(self, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        for process in [*self.workers, self.writer]:
            assert process is not None
            process.wait(timeout=max(1, deadline - time.monotonic()))
        assert self.writer is not None and self.writer.returncode == 0, self.logs()

    def kill(self) -> None:
        for process in [*self.workers, self.writer]:
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()

    def logs(self) -> str:
        return "\n".join(f"== {p.name}\n{p.read_text()[-2500:]}"
                         for p in sorted(self.directory.glob("*.log")))

    def stored(self) -> int:
        if not self.archive.exists():
            return 0
        try:
            with sqlite3.connect(self.archive) as db:
                return db.execute("select count(*) from articles").fetchone()[0]
        except sqlite3.OperationalError:  # the writer is creating the schema
            return 0

    def wait_until_stored(self, count: int, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while self.stored() < count:
            assert time.monotonic() < deadline, self.logs()
            time.sleep(0.1)

    def crawls(self) -> list[dict]:
        with sqlite3.connect(self.archive) as db:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute("select * from crawls order by id")]


@pytest.fixture
def crawl(crawl_redis, demo_site, tmp_path) -> Iterator[Crawl]:
    running = Crawl(crawl_redis, f"{demo_site.base_url}/", tmp_path)
    try:
        yield running
    finally:
        running.kill()  # a failed test leaves nothing running


def test_three_workers_and_a_writer_archive_what_one_machine_does(crawl, single,
                                                                  single_archive):
    crawl.start_writer()
    crawl.start_workers(3)
    crawl.wait()
    assert all(w.returncode == 0 for w in crawl.workers), crawl.logs()
    assert texts(crawl.archive) == single  # same canonical URLs, same texts
    assert rejected(crawl.archive) == rejected(single_archive)  # same pages refused, same why
    [row] = crawl.crawls()
    assert row["status"] == "finished"
    assert row["articles_new"] == len(single)
    assert len(json.loads(row["workers"])) == 3  # who took part
    assert row["pages"] > len(single)  # every worker's stats were merged in
    with sqlite3.connect(crawl.archive) as db:
        assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    # the same WARC records as one machine's, written by the writer from the workers' captures
    index = warc_index(crawl.archive)
    assert index == warc_index(single_archive)
    assert sum(index.values()) > len(single) and not unindexed_articles(crawl.archive)
    assert set(warc_records_on_disk(crawl.archive).values()) == {1}  # each once, all indexed
    assert sum(warc_records_on_disk(crawl.archive).values()) == sum(index.values())
    assert json.loads(row["stats"])["archive/warc/records"] == sum(index.values())
    # a second run is incremental: the workers read the known articles from Redis
    crawl.start_writer()
    crawl.start_workers(1)
    crawl.wait()
    second = crawl.crawls()[1]
    assert second["status"] == "finished"
    assert second["articles_new"] == 0 and second["articles_unchanged"] == 0
    assert json.loads(second["outcomes"])["skipped_known"] >= len(single)
    assert texts(crawl.archive) == single
    assert not list(crawl.directory.glob("worker-archive.db*"))  # no worker opened one
    assert_archived_pages_serve_and_reextract(crawl.archive, single)


def assert_archived_pages_serve_and_reextract(archive: Path, single: dict[str, str]) -> None:
    """Datasette serves the distributed archive's pages from their WARC records, and
    ``scrapy reextract`` reads them back to the same texts."""
    from datasette.app import Datasette

    with sqlite3.connect(archive) as db:
        records = dict(db.execute("select url, warc_record_id from articles"))
    ds = Datasette([str(archive)], template_dir=str(ROOT / "datasette" / "templates"),
                   plugins_dir=str(ROOT / "datasette" / "plugins"))
    try:
        for url, record_id in sorted(records.items())[:5]:
            response = get(ds, f"/archive/-/archived/{record_id}")
            assert response.status_code == 200, (url, response.status_code)
            assert "<html" in response.text.lower()
    finally:
        for database in ds.databases.values():
            database.close()
    done = subprocess.run([sys.executable, "-m", "scrapy", "reextract", "-s",
                           f"ARCHIVE_DB={archive}"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert f"Re-extracted {len(single)} article(s)" in done.stdout, done.stdout
    assert texts(archive) == single


def test_a_worker_killed_mid_crawl_loses_nothing(crawl, single):
    crawl.start_writer()
    crawl.start_workers(3)
    crawl.wait_until_stored(len(single) // 4)
    victim = crawl.workers[1]
    os.kill(victim.pid, signal.SIGKILL)  # its requests in flight return to the queue
    crawl.wait()
    assert victim.returncode == -signal.SIGKILL
    assert texts(crawl.archive) == single, crawl.logs()
    [row] = crawl.crawls()
    assert row["status"] == "finished" and len(json.loads(row["workers"])) == 3


def test_the_writer_and_redis_restarted_mid_crawl_lose_nothing(crawl, single, single_archive):
    """The writer killed (kill -9) and started again goes on with the same crawl row and
    loses no item; Redis killed and restarted from its append-only file keeps the crawl."""
    crawl.start_writer()
    crawl.start_workers(2)
    crawl.wait_until_stored(len(single) // 5)
    assert crawl.writer is not None
    os.kill(crawl.writer.pid, signal.SIGKILL)  # items it had taken stay in Redis
    crawl.writer.wait()
    time.sleep(0.5)  # the workers go on pushing items meanwhile
    crawl.start_writer()
    crawl.wait_until_stored(len(single) // 2)
    assert crawl.redis.process is not None
    crawl.redis.process.kill()
    crawl.redis.process.wait()
    crawl.redis.start()
    crawl.wait()
    assert texts(crawl.archive) == single, crawl.logs()
    [row] = crawl.crawls()
    assert row["status"] == "finished"
    # the crawl's counts cover both writers, not the restarted one only
    assert row["articles_new"] == len(single), crawl.logs()
    assert row["pages"] > len(single)
    # no WARC record lost or written twice across the writer's and Redis's restarts
    index = warc_index(crawl.archive)
    assert index == warc_index(single_archive)
    assert not unindexed_articles(crawl.archive)
    assert set(warc_records_on_disk(crawl.archive).values()) == {1}
    assert sum(warc_records_on_disk(crawl.archive).values()) == sum(index.values())
    assert json.loads(row["stats"])["archive/warc/records"] == sum(index.values())


def test_three_workers_keep_a_sites_crawl_delay_together(crawl_redis, tmp_path):
    """robots.txt says Crawl-delay: 0.5; three workers share it: requests to the site (other
    than each worker's own robots.txt) come at least that far apart, as from one crawler."""
    pages = [article_path(f"shared-delay-{i}", 12) for i in range(6)]
    with FaultSite() as site:
        site.route("/robots.txt", robots_txt(crawl_delay=0.5))
        site.route("/", links_response("Home", pages))
        for i, path in enumerate(pages):
            site.route(path, article_response(site.url(path), f"Shared delay story {i}"))
        crawl = Crawl(crawl_redis, site.url("/"), tmp_path)
        try:
            crawl.start_writer()
            crawl.start_workers(3)
            crawl.wait()
        finally:
            crawl.kill()
        assert all(site.count(p) == 1 for p in pages), crawl.logs()
        starts = sorted(h.started for h in site.hits() if h.path != "/robots.txt")
        gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
        assert min(gaps) >= 0.5 - SLACK, f"requests {min(gaps):.2f} s apart, Crawl-delay: 0.5"
    assert len(texts(crawl.archive)) == len(pages)


def test_workers_check_every_request_against_a_slow_robots_txt(crawl_redis, tmp_path):
    """Each worker reads robots.txt itself, while the requests it took from the shared queue
    wait for it: every one of them is checked once it arrives (one worker fetched the demo's
    Disallowed draft in its first second, when only the first waiter was)."""
    secret = [f"/private/draft-{i}/" for i in range(6)]
    pages = [article_path(f"robots-wait-{i}", 14) for i in range(3)]
    with FaultSite() as site:
        slow = robots_txt(disallow=["/private/"])
        slow.delay = 0.5
        site.route("/robots.txt", slow)
        site.route("/", links_response("Home", [*pages, *secret]))
        for path in secret:
            site.route(path, links_response("Draft", []))
        for i, path in enumerate(pages):
            site.route(path, article_response(site.url(path), f"Robots wait story {i}"))
        starts = ",".join(site.url(p) for p in ["/", *secret])
        crawl = Crawl(crawl_redis, starts, tmp_path)
        try:
            crawl.start_writer()
            crawl.start_workers(2)
            crawl.wait()
        finally:
            crawl.kill()
        assert {p: site.count(p) for p in secret} == dict.fromkeys(secret, 0), crawl.logs()
        assert all(site.count(p) == 1 for p in pages), crawl.logs()
    assert len(texts(crawl.archive)) == len(pages)
