"""The downloader middlewares, in Scrapy's style: a crawler from ``get_crawler``, requests and
responses built by hand, ``process_request``/``process_response`` called directly, and the
pacer's clock injected: none of them waits, each call returns its answer at once."""

from __future__ import annotations

import asyncio

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import DownloadTimeoutError, IgnoreRequest
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.robotstxt import ProtegoRobotParser
from scrapy.utils.test import get_crawler

from core.outcomes import RedirectLoop, RefusedOffsite, RefusedPrivate, RefusedRobots
from core.signals import fetch_recorded
from crawler import middlewares as mw
from crawler import settings as project
from crawler.pacing import WAIT_META
from tests.faultsite import http_date


class Clock:
    def __init__(self) -> None:
        self.now = 500.0

    def __call__(self) -> float:
        return self.now


def make_crawler(**settings):
    values = {name: getattr(project, name) for name in dir(project) if name.isupper()}
    crawler = get_crawler(Spider, {**values, **settings})
    crawler.spider = crawler._create_spider("news")
    crawler.spider.allowed_domains = ["news.example", "127.0.0.1"]
    return crawler


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def pacing(clock):
    crawler = make_crawler(ARCHIVE_CRAWL_DELAY_MAX=10, ARCHIVE_RETRY_AFTER_MAX=60)
    crawler.stats.open_spider()
    middleware = mw.PacingMiddleware.from_crawler(crawler)
    middleware.pacer.clock = clock
    return middleware


def response(url: str, status: int = 200, body: bytes = b"", **headers: str) -> Response:
    cls = TextResponse if url.endswith(".txt") else HtmlResponse
    return cls(url, status=status, body=body, headers=headers, encoding="utf-8",
               request=Request(url))


# -- pacing ---------------------------------------------------------------------------------


def test_robots_crawl_delay_paces_the_site(pacing):
    robots = response("http://news.example/robots.txt",
                      body=b"User-agent: *\nCrawl-delay: 4\nDisallow: /x/\n")
    request = robots.request
    assert pacing.process_response(request, robots) is robots
    assert pacing.pacer.crawl_delays == {"news.example": 4}
    assert pacing.pacer.wait("news.example") == 4  # counted from this response too
    pacing.pacer.clock.now += 4
    page = response("http://news.example/a/")
    pacing.process_response(page.request, page)
    assert pacing.pacer.wait("news.example") == 4


def test_crawl_delay_is_capped(pacing):
    robots = response("http://news.example/robots.txt", body=b"User-agent: *\nCrawl-delay: 300\n")
    pacing.process_response(robots.request, robots)
    assert pacing.pacer.crawl_delays["news.example"] == 10


def test_a_robots_txt_without_crawl_delay_or_unreadable_sets_none(pacing):
    for body in (b"User-agent: *\nDisallow: /x/\n", b"\xff\xfe\x00garbage"):
        robots = response("http://news.example/robots.txt", body=body)
        pacing.process_response(robots.request, robots)
    assert pacing.pacer.crawl_delays == {}
    assert pacing.pacer.ready("news.example")


@pytest.mark.parametrize("status", [503, 429])
def test_retry_after_holds_the_whole_site(pacing, status):
    answer = response("http://news.example/a/", status=status, **{"Retry-After": "15"})
    pacing.process_response(answer.request, answer)
    assert pacing.pacer.wait("news.example") == 15
    assert pacing.pacer.ready("other.example")
    assert pacing.crawler.stats.get_value("archive/pacing/retry_after") == 1


def test_retry_after_is_capped_and_may_be_a_date(pacing):
    pacing.max_retry_after = 60
    answer = response("http://news.example/a/", status=503, **{"Retry-After": "3600"})
    pacing.process_response(answer.request, answer)
    assert pacing.pacer.wait("news.example") == 60
    dated = response("http://dated.example/a/", status=503, **{"Retry-After": http_date(30)})
    pacing.process_response(dated.request, dated)
    assert 25 < pacing.pacer.wait("dated.example") <= 30


def test_errors_without_retry_after_do_not_hold_the_site(pacing):
    for status in (500, 503, 404):
        answer = response("http://news.example/a/", status=status)
        pacing.process_response(answer.request, answer)
    assert pacing.pacer.ready("news.example")


def test_retry_after_seconds():
    assert mw.retry_after_seconds(b"120") == 120
    assert mw.retry_after_seconds(" 7 ") == 7
    assert mw.retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470) == 10
    assert mw.retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412490) == 0
    for bad in (None, b"", "soon", "-5"):
        assert mw.retry_after_seconds(bad) is None


# -- retries --------------------------------------------------------------------------------


@pytest.fixture
def retry():
    crawler = make_crawler(RETRY_TIMES=3, ARCHIVE_RETRY_BACKOFF_BASE=0.5,
                           ARCHIVE_RETRY_AFTER_MAX=20)
    crawler.stats.open_spider()
    return mw.BackoffRetryMiddleware.from_crawler(crawler)


def test_a_503_with_retry_after_is_retried_after_that_wait(retry):
    answer = response("http://news.example/a/", status=503, **{"Retry-After": "15"})
    again = retry.process_response(answer.request, answer)
    assert isinstance(again, Request) and again.dont_filter
    assert again.meta["retry_times"] == 1 and again.meta[WAIT_META] == 15
    capped = response("http://news.example/b/", status=429, **{"Retry-After": "3600"})
    assert retry.process_response(capped.request, capped).meta[WAIT_META] == 20


def test_back_off_doubles_with_each_retry_and_gives_up(retry):
    request = Request("http://news.example/a/")
    waits = []
    while True:
        answer = HtmlResponse(request.url, status=500, request=request)
        result = retry.process_response(request, answer)
        if not isinstance(result, Request):
            break
        waits.append(result.meta[WAIT_META])
        request = result
    assert waits == [0.5, 1.0, 2.0]  # RETRY_TIMES=3, then the 500 goes to the spider
    assert result.status == 500
    assert retry.crawler.stats.get_value("retry/max_reached") == 1


def test_exceptions_are_retried_with_back_off(retry):
    request = Request("http://news.example/a/")
    again = retry.process_exception(request, DownloadTimeoutError("took too long"))
    assert isinstance(again, Request) and again.meta[WAIT_META] == 0.5
    assert retry.process_exception(request, ValueError("not a network error")) is None


def test_no_retry_when_told_not_to_or_for_a_good_answer(retry):
    quiet = Request("http://news.example/a/", meta={"dont_retry": True})
    answer = HtmlResponse(quiet.url, status=503, request=quiet)
    assert retry.process_response(quiet, answer) is answer
    ok = response("http://news.example/b/")
    assert retry.process_response(ok.request, ok) is ok


# -- refusals: typed exceptions -------------------------------------------------------------


def test_redirect_loops_and_overlong_chains_are_redirect_loops():
    loop = mw.RedirectLoopMiddleware(max_redirects=3)
    first = Request("http://news.example/a/")
    back = HtmlResponse(first.url, status=302, headers={"Location": "/a/"}, request=first)
    with pytest.raises(RedirectLoop, match="Redirect loop"):
        loop.process_response(first, back)
    long = Request("http://news.example/d/", meta={
        "redirect_times": 3, "redirect_urls": ["http://news.example/a/", "http://news.example/b/",
                                               "http://news.example/c/"]})
    onward = HtmlResponse(long.url, status=301, headers={"Location": "/e/"}, request=long)
    with pytest.raises(RedirectLoop, match="More than 3 redirects"):
        loop.process_response(long, onward)
    fine = HtmlResponse(first.url, status=301, headers={"Location": "/b/"}, request=first)
    assert loop.process_response(first, fine) is fine


def test_off_site_and_private_addresses_are_refused_by_type():
    crawler = make_crawler()
    crawler.stats.open_spider()
    offsite = mw.SafeOffsiteMiddleware.from_crawler(crawler)
    offsite.spider_opened(crawler.spider)
    rows = []
    crawler.signals.connect(lambda row: rows.append(row), signal=fetch_recorded, weak=False)
    with pytest.raises(RefusedPrivate):
        offsite.process_request(Request("http://10.0.0.1/admin/"))
    assert [r["outcome"] for r in rows] == ["refused_private"]
    with pytest.raises(RefusedOffsite):
        offsite.process_request(Request("http://elsewhere.example/"))
    assert offsite.process_request(Request("http://news.example/a/")) is None
    assert offsite.process_request(Request("http://127.0.0.1/start/")) is None  # a start host


def test_robots_disallow_is_refused_by_type():
    crawler = make_crawler()
    crawler.stats.open_spider()
    robots = mw.RobotsMiddleware.from_crawler(crawler)
    parser = ProtegoRobotParser(b"User-agent: *\nDisallow: /private/\n", crawler.spider)
    with pytest.raises(RefusedRobots):
        robots.process_request_2(parser, Request("http://news.example/private/x"))
    assert robots.process_request_2(parser, Request("http://news.example/public/x")) is None


class SlowRobotsEngine:
    """The engine's one use here: download robots.txt, answering once ``arrived`` is set (the
    network, in Scrapy's own robots.txt tests a stand-in too)."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.arrived = asyncio.Event()
        self.downloads: list[str] = []

    async def download_async(self, request: Request) -> Response:
        self.downloads.append(request.url)
        await self.arrived.wait()
        return response(request.url, body=self.body)


def test_every_request_waiting_for_robots_txt_is_checked_against_it():
    """Requests for a host whose robots.txt is being fetched wait for it, and each one is
    checked: Scrapy's middleware (2.19) hands its parser to the first waiter only, the others
    got None and went unchecked (a fresh distributed worker takes many requests at once)."""
    crawler = make_crawler()
    crawler.stats.open_spider()
    crawler.engine = SlowRobotsEngine(b"User-agent: *\nDisallow: /private/\n")
    robots = mw.RobotsMiddleware.from_crawler(crawler)
    urls = ["http://news.example/", *(f"http://news.example/private/{i}/" for i in range(3)),
            "http://news.example/public/"]

    async def crawl() -> list[object]:
        waiting = [asyncio.ensure_future(robots.process_request(Request(url))) for url in urls]
        await asyncio.sleep(0)  # all of them now wait for robots.txt
        crawler.engine.arrived.set()
        return await asyncio.gather(*waiting, return_exceptions=True)

    outcomes = asyncio.run(crawl())
    assert crawler.engine.downloads == ["http://news.example/robots.txt"]  # fetched once
    assert [type(o).__name__ for o in outcomes] == [
        "NoneType", "RefusedRobots", "RefusedRobots", "RefusedRobots", "NoneType"]
    # a request coming after robots.txt was read is checked as well
    with pytest.raises(RefusedRobots):
        asyncio.run(robots.process_request(Request("http://news.example/private/late/")))


def test_the_fetch_recorder_labels_failures_by_type():
    crawler = make_crawler()
    recorder = mw.FetchRecorderMiddleware.from_crawler(crawler)
    rows = []
    crawler.signals.connect(lambda row: rows.append(row), signal=fetch_recorded, weak=False)
    request = Request("http://news.example/a/")
    recorder.process_exception(request, DownloadTimeoutError("Getting it took too long"))
    recorder.process_exception(request, IgnoreRequest("refused: the errback records it"))
    answer = response("http://news.example/b/", status=503)
    assert recorder.process_response(answer.request, answer) is answer
    assert [(r["outcome"], r["status"]) for r in rows] == [("timeout", None), ("http_503", 503)]
    assert rows[0]["error"].startswith("DownloadTimeoutError: ")
