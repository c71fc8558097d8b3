"""End to end: every real page of the extraction benchmark, crawled, and no spider error.

The 586 pages of ``../shared/bench/extraction`` (real news and blog pages, with the markup
and links real pages carry) are served on 127.0.0.1 from a sitemap; the crawl reads each of
them, its links included, and must end with no "Spider error" (a malformed link once
aborted its page's callback: tests/test_malformed_links.py has the known cases). The pages are
third-party copies that ship with the development checkout only: without them, the test
says so and skips.
"""

from __future__ import annotations

import json

import pytest
import sqlite_utils

from tests.conftest import SHARED, run_crawl
from tests.faultsite import FaultSite, Resp, robots_txt

PAGES = SHARED / "bench" / "extraction"


@pytest.mark.e2e
@pytest.mark.timeout(900)  # 586 pages extracted on a shared machine: over the default bound
def test_the_benchmark_pages_crawl_without_a_spider_error(tmp_path):
    files = sorted(PAGES.glob("*/html/**/*.gz"))
    if not files:
        pytest.skip(f"no benchmark pages under {PAGES}: they ship with the development "
                    "checkout only (../shared)")
    with FaultSite() as site:
        paths = []
        for number, file in enumerate(files):
            path = f"/bench/{number:04d}.html"
            # served as the gzip files they are: Scrapy's compression middleware unpacks them
            site.route(path, Resp(body=file.read_bytes(), content_type="text/html",
                                  headers=[("Content-Encoding", "gzip")]))
            paths.append(path)
        site.route("/robots.txt", robots_txt())
        entries = "".join(f"<url><loc>{site.url(p)}</loc></url>" for p in paths)
        site.route("/sitemap.xml", Resp(
            body=('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/'
                  f'sitemap/0.9">{entries}</urlset>').encode(),
            content_type="application/xml"))
        sites = tmp_path / "sites.toml"
        # links are read on every page; only the benchmark pages themselves are followed
        start = site.url("/sitemap.xml")
        sites.write_text(f'[[site]]\nname = "Benchmark pages"\nstart = ["{start}"]\n'
                         'allow = ["/bench/"]\n', encoding="utf-8")
        archive = tmp_path / "archive.db"
        done = run_crawl(archive, settings={"ARCHIVE_SITES_FILE": str(sites)}, timeout=900)
        fetched = {path: site.count(path) for path in paths}

    assert done.returncode == 0, done.output[-3000:]
    assert "Spider error" not in done.output, done.output[-3000:]
    assert all(count == 1 for count in fetched.values()), [
        p for p, n in fetched.items() if n != 1][:10]
    crawl = sqlite_utils.Database(archive)["crawls"].get(1)
    stats = json.loads(crawl["stats"])
    assert not [k for k in stats if k.startswith("spider_exceptions")], stats
    assert stats["response_received_count"] >= len(paths)
