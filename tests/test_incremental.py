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


def test_links_to_known_fresh_articles_are_dropped_before_scheduling(tmp_path):
    """The spider middleware drops requests for articles archived recently, so re-crawls do
    not spend the scheduler, the duplicate filter and the disk queue on them; other requests,
    items and stale articles pass."""
    from scrapy import Request
    from scrapy.http import HtmlResponse
    from scrapy.utils.test import get_crawler

    from crawler.incremental import SkipKnownLinksMiddleware
    from crawler.items import utc_now
    from pipelines.outcomes import SKIPPED_KNOWN
    from pipelines.store import Archive
    from tests.test_store import make_article

    path = tmp_path / "archive.db"
    fresh, stale = "https://news.example/2025/02/13/fresh/", "https://news.example/2025/02/13/old/"
    archive = Archive(path)
    archive.save([make_article(fresh, fetched_at=utc_now()),
                  make_article(stale, fetched_at="2020-01-01T00:00:00+00:00", content_hash="h2")],
                 [])
    archive.close()
    crawler = get_crawler(settings_dict={"ARCHIVE_DB": str(path), "ARCHIVE_RECHECK_HOURS": 24})
    crawler.stats.open_spider()
    middleware = SkipKnownLinksMiddleware.from_crawler(crawler)
    page = HtmlResponse("https://news.example/", body=b"<html></html>")
    item = {"url": fresh}
    output = [Request(fresh), Request(stale), Request("https://news.example/2025/02/14/new/"),
              item, Request(fresh + "?utm_source=x")]
    kept = list(middleware.process_spider_output(page, output))
    assert [k.url if isinstance(k, Request) else k for k in kept] == [
        stale, "https://news.example/2025/02/14/new/", item]
    assert crawler.stats.get_value(SKIPPED_KNOWN) == 2
