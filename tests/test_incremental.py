"""When a known article is fetched again."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from crawler.incremental import (
    Known,
    RecheckPolicy,
    conditional_headers,
    needs_fetch,
    parse_time,
)
from crawler.middlewares import retry_after_seconds
from tests.conftest import news_spider

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(hours=24)


POLICY = RecheckPolicy(young=DAY, old=7 * DAY, interval=DAY, old_interval=7 * DAY)
OLD = "2025-01-01"  # published two months before NOW: re-checked weekly


@pytest.mark.parametrize(
    "last_seen,lastmod,expected",
    [
        (None, None, True),  # never archived
        ("2025-03-01T11:00:00+00:00", None, False),  # fresh
        ("2025-02-20T11:00:00+00:00", None, True),  # stale
        ("2025-03-01T11:00:00+00:00", "2025-03-01T11:30:00Z", True),  # changed since
        ("2025-03-01T11:00:00+00:00", "2025-02-20", False),  # lastmod older
        ("2025-03-01T11:00:00+00:00", "garbage", False),
        ("garbage", None, True),
    ],
)
def test_needs_fetch(last_seen, lastmod, expected):
    known = Known(last_seen=last_seen, published=OLD)
    assert needs_fetch(known, "sitemap", lastmod, POLICY, NOW) is expected


@pytest.mark.parametrize(
    "published,first_seen,hours_since_seen,expected",
    [
        ("2025-03-01T06:00:00+00:00", None, 0.5, True),  # 6 hours old: every crawl
        ("2025-02-27T12:00:00+00:00", None, 12, False),  # 2 days old: daily
        ("2025-02-27T12:00:00+00:00", None, 25, True),
        (OLD, None, 25, False),  # 2 months old: weekly
        (OLD, None, 7 * 24 + 1, True),
        (None, "2025-03-01T10:00:00+00:00", 1, True),  # no date: age from first_seen
        (None, "2025-02-01T10:00:00+00:00", 25, False),
    ],
)
def test_recheck_interval_grows_with_age(published, first_seen, hours_since_seen, expected):
    seen = (NOW - timedelta(hours=hours_since_seen)).isoformat()
    known = Known(last_seen=seen, published=published, first_seen=first_seen)
    assert needs_fetch(known, None, None, POLICY, NOW) is expected


def test_a_listing_date_that_moved_means_changed_whatever_the_clocks():
    """A sitemap lastmod different from the one seen at the last crawl means a re-fetch,
    even when it is older than the last fetch (sites' dates lag or are in the wrong zone);
    another kind of listing's date is compared with its own."""
    known = Known(last_seen="2025-03-01T11:00:00+00:00", published=OLD,
                  listed_dates=json.dumps({"sitemap": "2025-02-10T09:00:00+01:00",
                                           "feed": "Mon, 10 Feb 2025 08:00:00 GMT"}))
    assert needs_fetch(known, "sitemap", "2025-02-10T09:00:00+01:00", POLICY, NOW) is False
    assert needs_fetch(known, "sitemap", "2025-02-11T09:00:00+01:00", POLICY, NOW) is True
    assert needs_fetch(known, "feed", "Mon, 10 Feb 2025 08:00:00 GMT", POLICY, NOW) is False
    # an RSS and an Atom feed write the same date in two ways: the same date
    assert needs_fetch(known, "feed", "2025-02-10T08:00:00+00:00", POLICY, NOW) is False
    assert needs_fetch(known, "feed", "2025-02-10T08:00:01+00:00", POLICY, NOW) is True
    # a kind not seen before: only a date later than the last fetch counts
    assert needs_fetch(known, "news-sitemap", "2025-02-11", POLICY, NOW) is False


def test_conditional_headers():
    assert conditional_headers(Known(None, etag='"abc"', last_modified="Sat, 01 Mar 2025 "
                                     "10:00:00 GMT")) == {
        "If-None-Match": '"abc"', "If-Modified-Since": "Sat, 01 Mar 2025 10:00:00 GMT"}
    assert conditional_headers(Known(None)) == {}


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

    from core.items import utc_now
    from core.outcomes import SKIPPED_KNOWN
    from crawler.incremental import CHECKED
    from pipelines.store import Archive
    from tests.test_store import make_article

    path = tmp_path / "archive.db"
    fresh, stale = "https://news.example/2025/02/13/fresh/", "https://news.example/2025/02/13/old/"
    new = "https://news.example/2025/02/14/new/"
    archive = Archive(path)
    archive.save([make_article(fresh, fetched_at=utc_now(), published=OLD),
                  make_article(stale, fetched_at="2020-01-01T00:00:00+00:00", content_hash="h2",
                               published=OLD)],
                 [])
    archive.close()
    spider = news_spider(path, "https://news.example/", ARCHIVE_RECHECK_HOURS=24)
    links = "".join(f'<a href="{u}">x</a>' for u in (fresh, stale, new, fresh + "?utm_source=x"))
    page = HtmlResponse("https://news.example/", body=f"<html><body>{links}</body></html>".encode(),
                        encoding="utf-8", request=Request("https://news.example/",
                                                          meta={"site": 0, "via": "start"}))
    requests = [r for r in spider.parse(page) if isinstance(r, Request)]
    assert [r.url for r in requests] == [stale, new]
    assert all(r.meta[CHECKED] == r.url for r in requests)
    # the ?utm_source copy is the same URL
    assert spider.crawler.stats.get_value(SKIPPED_KNOWN) == 1


def test_every_article_is_requested_when_recheck_is_off(tmp_path):


    spider = news_spider(tmp_path / "a.db", "https://news.example/", ARCHIVE_RECHECK_HOURS=0)
    assert spider.known is None


def _list_page_crawl(tmp_path, *, last_crawl: str, listed: list[str]):
    """Requests the spider makes from page 1 of a section listing ``listed`` articles, over
    an archive holding two fresh articles and whose last crawl ended with ``last_crawl``."""
    from scrapy import Request
    from scrapy.http import HtmlResponse

    from core.items import utc_now
    from pipelines.store import Archive
    from tests.test_store import make_article

    path = tmp_path / "archive.db"
    archive = Archive(path)
    archive.save([make_article(KNOWN_A, fetched_at=utc_now(), published=OLD),
                  make_article(KNOWN_B, fetched_at=utc_now(), content_hash="h2",
                               published=OLD)], [])
    crawl = archive.start_crawl("news", ["https://news.example/"])
    if last_crawl != "running":
        archive.finish_crawl(crawl, status=last_crawl, counts={}, outcomes={}, stats={})
    archive.close()
    spider = news_spider(path, "https://news.example/")
    hrefs = [*listed, "/category/monde/page/2/", "/tag/climat/"]
    links = "".join(f'<a href="{u}">x</a>' for u in hrefs)
    url = "https://news.example/category/monde/"
    page = HtmlResponse(url, body=f"<html><body>{links}</body></html>".encode(),
                        encoding="utf-8", request=Request(url, meta={"site": 0, "via": "link"}))
    requested = [r.url for r in spider.parse(page) if isinstance(r, Request)]
    return requested, spider.crawler.stats.get_value("archive/pagination_stopped")


KNOWN_A = "https://news.example/2025/02/13/known-story-a/"
KNOWN_B = "https://news.example/2025/02/13/known-story-b/"
PAGE_2 = "https://news.example/category/monde/page/2/"


def test_a_recrawl_stops_paging_a_list_whose_articles_are_all_known(tmp_path):
    requested, stopped = _list_page_crawl(tmp_path, last_crawl="finished",
                                          listed=[KNOWN_A, KNOWN_B])
    assert requested == ["https://news.example/tag/climat/"]
    assert stopped == 1


def test_a_list_with_a_new_article_is_paged_further(tmp_path):
    new = "https://news.example/2025/02/14/a-new-story/"
    requested, stopped = _list_page_crawl(tmp_path, last_crawl="finished",
                                          listed=[KNOWN_A, new, KNOWN_B])
    assert requested == [new, PAGE_2, "https://news.example/tag/climat/"]
    assert stopped is None


@pytest.mark.parametrize("last_crawl", ["running", "shutdown", "closespider_pagecount"])
def test_lists_are_walked_whole_after_a_crawl_that_did_not_finish(tmp_path, last_crawl):
    """A killed or interrupted crawl may not have reached a list's older pages."""
    requested, stopped = _list_page_crawl(tmp_path, last_crawl=last_crawl,
                                          listed=[KNOWN_A, KNOWN_B])
    assert PAGE_2 in requested
    assert stopped is None


def test_pagination_links():
    from crawler.discovery import is_pagination

    assert is_pagination("https://n.example/category/monde/page/2/")
    assert is_pagination("https://n.example/page/12")
    assert is_pagination("https://n.example/politik/?page=3")
    assert is_pagination("https://n.example/archiv?ressort=x&seite=4")
    assert not is_pagination("https://n.example/?p=123")
    assert not is_pagination("https://n.example/2025/02/13/page-turner/")


def test_a_known_article_is_rechecked_conditionally_after_new_urls(tmp_path):
    """A known article due for a re-check is asked for with the validators of its last
    response, after new URLs, and its 304 answer becomes a NotModified item; a sitemap
    lastmod that moved brings back an article a link found fresh earlier in the crawl."""
    from scrapy import Request
    from scrapy.http import HtmlResponse, Response

    from core.items import NotModified, utc_now
    from crawler.incremental import RECHECK_PRIORITY
    from pipelines.store import Archive
    from tests.test_store import make_article

    young = "https://news.example/2025/02/14/young/"
    path = tmp_path / "archive.db"
    archive = Archive(path)
    archive.save([make_article(young, published=utc_now(), etag='"e1"',
                               last_modified="Fri, 14 Feb 2025 10:00:00 GMT"),
                  make_article(KNOWN_A, published=OLD, fetched_at=utc_now(), content_hash="h2",
                               listed_dates={"sitemap": "2025-02-13T10:00:00+00:00"})])
    archive.close()
    spider = news_spider(path, "https://news.example/")
    new = "https://news.example/2025/02/15/new/"
    body = "".join(f'<a href="{u}">x</a>' for u in (young, new, KNOWN_A)).encode()
    page = HtmlResponse("https://news.example/", body=b"<html><body>" + body + b"</body></html>",
                        encoding="utf-8", request=Request("https://news.example/",
                                                          meta={"site": 0, "via": "start"}))
    requests = {r.url: r for r in spider.parse(page) if isinstance(r, Request)}
    assert set(requests) == {young, new}  # KNOWN_A: old and fresh
    recheck = requests[young]
    assert recheck.headers[b"If-None-Match"] == b'"e1"'
    assert recheck.headers[b"If-Modified-Since"] == b"Fri, 14 Feb 2025 10:00:00 GMT"
    assert recheck.meta["handle_httpstatus_list"] == [304]
    assert recheck.priority == RECHECK_PRIORITY < requests[new].priority == 0
    assert b"If-None-Match" not in requests[new].headers

    sitemap = (b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
               b"<url><loc>" + KNOWN_A.encode() + b"</loc><lastmod>2025-02-13T12:00:00+00:00"
               b"</lastmod></url></urlset>")
    response = Response("https://news.example/sitemap.xml", body=sitemap,
                        headers={"Content-Type": "application/xml"},
                        request=Request("https://news.example/sitemap.xml",
                                        meta={"site": 0, "via": "sitemap"}))
    [again] = [r for r in spider.parse(response) if isinstance(r, Request)]
    assert again.url == KNOWN_A
    assert again.meta["listed_dates"] == {"sitemap": "2025-02-13T12:00:00+00:00"}

    answer = Response(young, status=304, request=recheck)
    [item] = list(spider.parse(answer))
    assert isinstance(item, NotModified) and item.url == young


def test_a_second_listing_of_a_page_requested_this_crawl_gives_its_date_to_the_page(tmp_path):
    """A new article found by a link, then listed by the sitemap, is requested once; the
    sitemap's lastmod still reaches its page, so that the next crawl compares it."""
    from scrapy import Request
    from scrapy.http import HtmlResponse, Response

    from core.items import Page

    spider = news_spider(tmp_path / "archive.db", "https://news.example/")
    new = "https://news.example/2025/02/15/new/"
    home = HtmlResponse("https://news.example/",
                        body=f'<html><body><a href="{new}">x</a></body></html>'.encode(),
                        encoding="utf-8", request=Request("https://news.example/",
                                                          meta={"site": 0, "via": "start"}))
    [request] = [r for r in spider.parse(home) if isinstance(r, Request)]
    sitemap = (b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
               b"<url><loc>" + new.encode() + b"</loc><lastmod>2025-02-15</lastmod></url></urlset>")
    listed = Response("https://news.example/sitemap.xml", body=sitemap,
                      headers={"Content-Type": "application/xml"},
                      request=Request("https://news.example/sitemap.xml",
                                      meta={"site": 0, "via": "sitemap"}))
    assert [r for r in spider.parse(listed) if isinstance(r, Request)] == []
    page = HtmlResponse(new, body=b"<html><body><p>Story</p></body></html>", encoding="utf-8",
                        request=request)
    [item] = [i for i in spider.parse(page) if isinstance(i, Page)]
    assert item.listed_dates == {"sitemap": "2025-02-15"}
