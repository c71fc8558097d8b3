"""The published archive in a real browser: the demo site crawled by ``scrapy crawl news`` into
``news.db`` (not archive.db: the archive must not depend on its file name), served by the
README's ``datasette serve`` command on 127.0.0.1, read by Debian's headless Chromium driven by
Playwright. One crawl and one server for the module.

Screenshots go to ``artifacts/`` (git-ignored; CI keeps them). Without /usr/bin/chromium the
browser tests are skipped, except in CI (``CI=true``), where that is a failure.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import feedparser
import pytest
from datasette.utils import tilde_encode

from tests.conftest import ROOT, CrawlResult, run_crawl
from tests.test_datasette import free_port

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "artifacts"
#: The French word the search test types without its accent, and how the archive writes it.
PLAIN_WORD, ACCENTED_WORD = "decision", "décision"


@dataclass
class Published:
    base: str  # the Datasette server's URL, database included: http://127.0.0.1:port/news
    db: Path
    crawl: CrawlResult


def browser_unavailable(reason: str) -> None:
    """Skip the browser tests, or fail them in CI, where the browser must be there."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: the browser tests must run)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def published(demo_site, tmp_path_factory) -> Iterator[Published]:
    """The demo site crawled into news.db (progress every 0.2 s, and the bar, as on a terminal),
    and Datasette serving it."""
    workdir = tmp_path_factory.mktemp("browse")
    db = workdir / "news.db"
    crawl = run_crawl(db, "-a", f"start={demo_site.base_url}/",
                      settings={"LOGSTATS_INTERVAL": "0.2", "ARCHIVE_PROGRESS_BAR": "True",
                                "ARCHIVE_PROGRESS_BAR_SECONDS": "0.1"})
    assert crawl.returncode == 0, crawl.output[-3000:]
    port = free_port()
    command = [
        str(Path(sys.executable).with_name("datasette")), "serve", str(db),
        "--metadata", "metadata.yml", "--template-dir", "datasette/templates",
        "--plugins-dir", "datasette/plugins", "--host", "127.0.0.1", "--port", str(port),
    ]
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, server.communicate()[0]
            try:
                with urllib.request.urlopen(f"{base}/-/versions.json", timeout=2):
                    break
            except OSError:
                assert time.monotonic() < deadline, "datasette did not answer in 30 s"
                time.sleep(0.2)
        yield Published(f"{base}/news", db, crawl)
    finally:
        server.terminate()
        server.wait(timeout=15)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        browser_unavailable(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        browser_unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    try:
        yield context.new_page()
    finally:
        context.close()


def query(db: Path, sql: str, *params: Any) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


# -- without a browser: the crawl's own output -------------------------------------------------


def test_crawl_logs_progress_and_ends_with_a_summary_table(published):
    lines = re.findall(
        r"Progress: (\d+) pages fetched \(([\d.]+) pages/s\), (\d+) queued, "
        r"(\d+) articles stored, (\d+) errors", published.crawl.stderr)
    assert len(lines) >= 2, published.crawl.stderr[-2000:]
    fetched = [int(line[0]) for line in lines]
    assert fetched == sorted(fetched) and fetched[-1] > 0
    assert any(float(line[1]) > 0 for line in lines)
    articles = query(published.db, "select count(*) from articles")[0][0]
    bars = re.findall(r"Crawling: +(\d+)%\|[^|]*\| (\d+)/(\d+) .*?stored=(\d+)",
                      published.crawl.stderr)
    assert bars, published.crawl.stderr[-2000:]
    percent, done, total, stored = map(int, bars[-1])
    assert percent == 100 and done == total > 0  # at the end: every queued page fetched
    assert 0 < stored <= articles
    out = published.crawl.stdout
    assert f"{articles} new articles" in out
    assert re.search(rf"^  articles new +{articles}$", out, re.M)
    assert re.search(r"^  not_article +\d+$", out, re.M)


# -- in the browser ---------------------------------------------------------------------------


def test_front_page_chart_has_one_mark_per_day(published, page):
    page.goto(published.base)
    site = query(published.db, "select site from articles limit 1")[0][0]
    chart = page.locator(f'figure.site-chart[data-site="{site}"]')
    chart.wait_for()
    start = page.locator('form.archive-period input[name="from"]').input_value()
    end = page.locator('form.archive-period input[name="to"]').input_value()
    marks = chart.locator("rect.day")
    days = [marks.nth(i).get_attribute("data-date") for i in range(marks.count())]
    span = (time.mktime(time.strptime(end, "%Y-%m-%d"))
            - time.mktime(time.strptime(start, "%Y-%m-%d"))) // 86400 + 1
    assert len(days) == span == len(set(days))
    per_day = dict(query(published.db, """
        select substr(published, 1, 10), count(*) from articles
        where site = ? and substr(published, 1, 10) between ? and ? group by 1""",
        site, start, end))
    assert per_day, "the default period shows no article of the demo site"
    drawn = {marks.nth(i).get_attribute("data-date"): int(marks.nth(i).get_attribute("data-count"))
             for i in range(marks.count())}
    assert {day: n for day, n in drawn.items() if n} == per_day
    busiest = max(per_day, key=per_day.get)
    tallest = chart.locator(f'rect.day[data-date="{busiest}"]').bounding_box()
    empty = [d for d, n in drawn.items() if not n]
    if empty:
        low = chart.locator(f'rect.day[data-date="{empty[0]}"]').bounding_box()
        assert tallest["height"] > low["height"]
    assert tallest["height"] > 20  # drawn, and visible
    page.screenshot(path=str(ARTIFACTS / "front-page.png"), full_page=True)


def test_search_without_accents_finds_and_highlights(published, page):
    page.goto(published.base)
    page.fill("#search-q", PLAIN_WORD)
    page.locator("form.archive-search input[type=submit]").click()
    page.wait_for_url(re.compile(r"/news/search\?"))
    results = page.locator("ol.search-results > li")
    assert results.count() > 0
    marks = page.locator("ol.search-results mark").all_inner_texts()
    assert marks and {m.lower() for m in marks} == {ACCENTED_WORD}
    expected = query(published.db, """select count(*) from articles_fts
                     where articles_fts match ?""", PLAIN_WORD)[0][0]
    assert results.count() == min(expected, 100)
    page.screenshot(path=str(ARTIFACTS / "search.png"), full_page=True)


def test_article_page_fits_a_phone_screen(published, browser, demo_site):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1,
                                  is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        url = demo_site.seed_url()
        page.goto(f"{published.base}/articles/{tilde_encode(url)}")
        paragraphs = page.locator(".archived-article .article-text p")
        text = query(published.db, "select text from articles where url = ?", url)[0][0]
        assert paragraphs.count() == len([p for p in text.split("\n") if p.strip()]) > 3
        assert paragraphs.first.is_visible()
        widths = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert widths[0] <= widths[1] == 390, f"horizontal scroll: {widths}"
        box = paragraphs.first.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        page.screenshot(path=str(ARTIFACTS / "article-page.png"), full_page=False)
    finally:
        context.close()


def test_atom_feed_of_a_site_parses(published, page):
    page.goto(published.base)
    href = page.locator("table a", has_text="Atom feed").first.get_attribute("href")
    response = page.request.get(published.base.rsplit("/", 1)[0] + href)
    assert response.ok
    feed = feedparser.parse(response.body())
    assert not feed.bozo, feed.bozo_exception
    count = query(published.db, "select count(*) from articles")[0][0]
    assert len(feed.entries) == min(count, 50)
    newest = query(published.db, """select url from articles
                   order by strftime('%Y-%m-%dT%H:%M:%SZ', published) desc limit 1""")[0][0]
    assert feed.entries[0].link == newest
