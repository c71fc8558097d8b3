"""WARC files written by real crawls of a scripted server on 127.0.0.1: what the server sent
comes back byte for byte, a re-crawl writes revisits, kill -9 leaves readable files and an
index that never points past them."""

from __future__ import annotations

import gzip
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlite_utils
from warcio.archiveiterator import ArchiveIterator

from pipelines.warc import archived_page, complete_records, payload_digest
from tests.conftest import ROOT, run_crawl
from tests.faultsite import (
    FaultSite,
    Resp,
    article_html,
    article_path,
    large_site,
    links_response,
    robots_txt,
)
from tests.test_crawl_faults import crawl_command

pytestmark = pytest.mark.e2e

COOKIE = "sessionid=do-not-archive-me"


def gzipped_article(url: str, title: str) -> Resp:
    body = gzip.compress(article_html(url, title, lead=f"{title} archivecheck").encode())
    return Resp(body=body, headers=[("Content-Encoding", "gzip"), ("Set-Cookie", COOKIE)])


def plain_article(url: str, title: str) -> Resp:
    return Resp(body=article_html(url, title, lead=f"{title} archivecheck").encode("latin-1"),
                content_type="text/html; charset=iso-8859-1")


@pytest.fixture(scope="module")
def site():
    with FaultSite() as site:
        gz = article_path("gzip-encoded-story")
        latin = article_path("latin-story")
        site.route(gz, gzipped_article(site.url(gz), "A gzip story"))
        site.route(latin, plain_article(site.url(latin), "A Latin-1 story about café"))
        site.route("/", links_response("Home", [gz, latin]))
        site.route("/robots.txt", robots_txt())
        site.paths_sent = {gz: site._routes[gz].body, latin: site._routes[latin].body}
        yield site


@pytest.fixture(scope="module")
def crawled(site, tmp_path_factory):
    archive = tmp_path_factory.mktemp("warc") / "archive.db"
    first = run_crawl(archive, "-a", f"start={site.url('/')}")
    assert first.returncode == 0, first.output[-3000:]
    second = run_crawl(archive, "-a", f"start={site.url('/')}",
                       settings={"ARCHIVE_RECHECK_HOURS": "0"})
    assert second.returncode == 0, second.output[-3000:]
    return archive


def test_warc_files_go_next_to_the_archive_and_warcio_reads_every_record(crawled):
    files = sorted((crawled.parent / "warc").glob("*.warc.gz"))
    assert len(files) == 2  # one per crawl
    for path in files:
        with open(path, "rb") as handle:
            types = [record.rec_type for record in ArchiveIterator(handle)]
        assert types[0] == "warcinfo" and "request" in types
        assert len(list(complete_records(path))) == len(types)


def test_every_article_reads_back_byte_identical_to_what_the_server_sent(crawled, site):
    db = sqlite_utils.Database(crawled)
    for path, sent in site.paths_sent.items():
        article = db["articles"].get(site.url(path))
        assert article["warc_record_id"]
        page = archived_page(db.conn, article["warc_record_id"], crawled.parent)
        assert page is not None and page.record_type == "response"
        assert page.body == sent  # as sent: gzip still gzip, Latin-1 still Latin-1
        assert page.url == site.url(path) and page.status == 200
    gz = db["articles"].get(site.url(article_path("gzip-encoded-story")))
    row = db["warc_records"].get(gz["warc_record_id"])
    assert row["payload_digest"] == payload_digest(site.paths_sent[article_path(
        "gzip-encoded-story")])
    assert row["fetched_at"] == gz["fetched_at"] or row["fetched_at"] <= gz["fetched_at"]


def test_every_indexed_record_is_where_the_index_says(crawled):
    db = sqlite_utils.Database(crawled)
    complete = {}
    for path in (crawled.parent / "warc").glob("*.warc.gz"):
        for offset, length, record in complete_records(path):
            complete[(f"warc/{path.name}", offset)] = (length, record)
    rows = list(db["warc_records"].rows)
    assert rows
    for row in rows:
        length, record = complete[(row["file"], row["offset"])]
        assert length == row["length"]
        assert record.rec_headers.get_header("WARC-Record-ID") == f"<urn:uuid:{row['record_id']}>"


def test_cookie_values_are_not_in_the_warc_files(crawled):
    for path in (crawled.parent / "warc").glob("*.warc.gz"):
        assert COOKIE.encode() not in gzip.decompress(path.read_bytes())


def test_an_unchanged_page_is_a_revisit_on_the_next_crawl(crawled, site):
    db = sqlite_utils.Database(crawled)
    url = site.url(article_path("gzip-encoded-story"))
    records = list(db["warc_records"].rows_where("url = ?", [url], order_by="fetched_at"))
    assert [r["record_type"] for r in records] == ["response", "revisit"]
    assert records[1]["refers_to"] == records[0]["record_id"]
    assert records[1]["payload_digest"] == records[0]["payload_digest"]
    # the article did not change: it still points at the record its text came from
    assert db["articles"].get(url)["warc_record_id"] == records[0]["record_id"]
    page = archived_page(db.conn, records[1]["record_id"], crawled.parent)
    assert page is not None and page.body == site.paths_sent[article_path("gzip-encoded-story")]


def test_kill_9_mid_crawl_leaves_readable_warcs_and_an_index_within_them(tmp_path):
    with FaultSite() as site:
        large_site(site, articles=300, delay=0.05)
        archive = tmp_path / "archive.db"
        command = crawl_command(archive, "-a", f"start={site.url('/')}",
                                settings={"ARCHIVE_FLUSH_SECONDS": "0.2"})
        with open(tmp_path / "crawl.log", "w") as log:
            proc = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
            try:
                deadline = time.monotonic() + 120
                while time.monotonic() < deadline and indexed(archive) < 40:
                    assert proc.poll() is None, "the crawl ended before it could be killed"
                    time.sleep(0.02)
            finally:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
    db = sqlite_utils.Database(archive)
    assert db["crawls"].get(1)["finished"] is None  # killed mid-crawl
    complete = {}
    for path in (tmp_path / "warc").glob("*.warc.gz"):
        for offset, length, _record in complete_records(path):  # readable to the end
            complete[(f"warc/{path.name}", offset)] = length
    rows = list(db["warc_records"].rows)
    assert len(rows) >= 40
    for row in rows:
        assert complete.get((row["file"], row["offset"])) == row["length"], row
        page = archived_page(db.conn, row["record_id"], tmp_path)
        assert page is not None and payload_digest(page.body) == row["payload_digest"]


def indexed(archive: Path) -> int:
    if not archive.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{archive}?mode=ro", uri=True, timeout=5)
        try:
            return conn.execute("select count(*) from warc_records").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return 0


def test_wacz_packages_a_crawl_for_replay(crawled, tmp_path):
    wacz = Path(sys.executable).parent / "wacz"
    if not wacz.exists():
        pytest.skip("the wacz package is a dev dependency: pip install -e '.[dev]'")
    package = tmp_path / "crawl.wacz"
    files = sorted(str(p) for p in (crawled.parent / "warc").glob("*.warc.gz"))
    subprocess.run([str(wacz), "create", "-o", str(package), *files], check=True,
                   capture_output=True, timeout=120)
    done = subprocess.run([str(wacz), "validate", "-f", str(package)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0 and "Validation succeeded" in done.stdout + done.stderr
