"""When a known article is fetched again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crawler.incremental import needs_fetch, parse_time
from crawler.middlewares import retry_after_seconds

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(hours=24)


@pytest.mark.parametrize(
    "last_seen,lastmod,expected",
    [
        (None, None, True),  # never archived
        ("2025-03-01T11:00:00+00:00", None, False),  # fresh
        ("2025-02-27T11:00:00+00:00", None, True),  # stale
        ("2025-03-01T11:00:00+00:00", "2025-03-01T11:30:00Z", True),  # changed since
        ("2025-03-01T11:00:00+00:00", "2025-02-20", False),  # lastmod older
        ("2025-03-01T11:00:00+00:00", "garbage", False),
        ("garbage", None, True),
    ],
)
def test_needs_fetch(last_seen, lastmod, expected):
    assert needs_fetch(last_seen, lastmod, DAY, NOW) is expected


def test_parse_time_naive_is_utc():
    assert parse_time("2025-02-13") == datetime(2025, 2, 13, tzinfo=UTC)
    assert parse_time("2025-02-13T10:00:00+01:00") == datetime(2025, 2, 13, 9, tzinfo=UTC)


def test_retry_after_seconds_and_dates():
    assert retry_after_seconds(b"7") == 7.0
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds("Sat, 01 Mar 2025 12:00:30 GMT",
                               now=NOW.timestamp()) == pytest.approx(30.0)
    assert retry_after_seconds("Sat, 01 Mar 2025 11:00:00 GMT", now=NOW.timestamp()) == 0.0


def test_links_to_known_fresh_articles_are_not_requested(tmp_path):
    """The spider does not build requests for articles archived recently, so re-crawls do
    not spend the spider middlewares, the scheduler, the duplicate filter and the disk queue
    on them; stale and new articles are requested, and marked as checked so that the
    downloader middleware does not look them up again."""
    from scrapy import Request
    from scrapy.http import HtmlResponse
    from scrapy.utils.test import get_crawler

    from crawler import settings
    from crawler.incremental import CHECKED
    from crawler.items import utc_now
    from crawler.spiders.news import NewsSpider
    from pipelines.outcomes import SKIPPED_KNOWN
    from pipelines.store import Archive
    from tests.test_store import make_article

    path = tmp_path / "archive.db"
    fresh, stale = "https://news.example/2025/02/13/fresh/", "https://news.example/2025/02/13/old/"
    new = "https://news.example/2025/02/14/new/"
    archive = Archive(path)
    archive.save([make_article(fresh, fetched_at=utc_now()),
                  make_article(stale, fetched_at="2020-01-01T00:00:00+00:00", content_hash="h2")],
                 [])
    archive.close()
    project = {name: getattr(settings, name) for name in dir(settings) if name.isupper()}
    crawler = get_crawler(NewsSpider, {**project, "ARCHIVE_DB": str(path),
                                       "ARCHIVE_RECHECK_HOURS": 24})
    crawler.stats.open_spider()
    spider = NewsSpider.from_crawler(crawler, start="https://news.example/")
    links = "".join(f'<a href="{u}">x</a>' for u in (fresh, stale, new, fresh + "?utm_source=x"))
    page = HtmlResponse("https://news.example/", body=f"<html><body>{links}</body></html>".encode(),
                        encoding="utf-8", request=Request("https://news.example/",
                                                          meta={"site": 0, "via": "start"}))
    requests = [r for r in spider.parse(page) if isinstance(r, Request)]
    assert [r.url for r in requests] == [stale, new]
    assert all(r.meta[CHECKED] == r.url for r in requests)
    assert crawler.stats.get_value(SKIPPED_KNOWN) == 1  # the ?utm_source copy is the same URL


def test_every_article_is_requested_when_recheck_is_off(tmp_path):
    from scrapy.utils.test import get_crawler

    from crawler import settings
    from crawler.spiders.news import NewsSpider

    project = {name: getattr(settings, name) for name in dir(settings) if name.isupper()}
    crawler = get_crawler(NewsSpider, {**project, "ARCHIVE_DB": str(tmp_path / "a.db"),
                                       "ARCHIVE_RECHECK_HOURS": 0})
    assert NewsSpider.from_crawler(crawler, start="https://news.example/").known is None
