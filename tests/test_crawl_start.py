"""How a crawl starts: what the news spider asks for first, and that a real crawl does ask.

A crawl whose start requests are never made "finishes" at once with nothing fetched and exit
status 0 (that is what a Scrapy that no longer calls the spider's start method looks like), so
the end-to-end test checks that the start URLs were fetched and their articles stored.
"""

from __future__ import annotations

import asyncio
import json

import pytest
import sqlite_utils
from scrapy import Request

from tests.conftest import news_spider, run_crawl


def start_requests(spider) -> list[Request]:
    async def collect() -> list[Request]:
        return [request async for request in spider.start()]

    return asyncio.run(collect())


def test_robots_txt_of_each_host_once_then_the_start_urls(tmp_path):
    spider = news_spider(tmp_path / "archive.db",
                         "https://a.example/,https://a.example/feed/,https://b.example/sitemap.xml")
    requests = start_requests(spider)
    assert [r.url for r in requests] == [
        "https://a.example/robots.txt", "https://a.example/",
        "https://a.example/feed/",
        "https://b.example/robots.txt", "https://b.example/sitemap.xml",
    ]
    assert [r.callback for r in requests if r.url.endswith("/robots.txt")] == [
        spider.parse_robots, spider.parse_robots]
    assert [r.meta["site"] for r in requests] == [0, 0, 0, 1, 1]


def test_without_following_links_only_the_start_urls(tmp_path):
    spider = news_spider(tmp_path / "archive.db", "https://a.example/feed/",
                         ARCHIVE_FOLLOW_LINKS=False)
    assert [r.url for r in start_requests(spider)] == ["https://a.example/feed/"]


def test_a_plain_crawl_starts_from_every_site_of_the_sites_file(tmp_path):
    sites = tmp_path / "sites.toml"
    sites.write_text('[[site]]\nname = "A"\nstart = ["https://a.example/feed/"]\n\n'
                     '[[site]]\nname = "B"\nstart = ["https://b.example/"]\n')
    spider = news_spider(tmp_path / "archive.db", None, ARCHIVE_SITES_FILE=str(sites),
                         ARCHIVE_FOLLOW_LINKS=False)
    assert [r.url for r in start_requests(spider)] == [
        "https://a.example/feed/", "https://b.example/"]


@pytest.mark.e2e
def test_a_crawl_of_the_sites_file_fetches_and_stores_its_start_pages(demo_site, tmp_path):
    """``scrapy crawl news`` without ``-a start``: the sites of ARCHIVE_SITES_FILE."""
    feed = f"{demo_site.base_url}/feed/"
    sites = tmp_path / "sites.toml"
    sites.write_text(f'[[site]]\nname = "Demo"\nstart = [{json.dumps(feed)}]\n')
    archive = tmp_path / "archive.db"
    done = run_crawl(archive, settings={"ARCHIVE_SITES_FILE": str(sites),
                                        "ARCHIVE_FOLLOW_LINKS": "False"})
    assert done.returncode == 0, done.output[-3000:]
    db = sqlite_utils.Database(archive)
    fetched = {row["url"]: row["outcome"] for row in db["fetches"].rows}
    assert feed in fetched, sorted(fetched)[:10]
    stored = {row["url"] for row in db["articles"].rows}
    assert len(stored) == 20, "the feed lists 20 articles"  # see test_demo_site
    assert stored <= demo_site.article_urls()
    assert db["crawls"].count == 1
    assert list(db["crawls"].rows)[0]["articles_new"] == 20
