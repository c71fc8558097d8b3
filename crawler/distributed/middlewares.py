"""The one-machine crawl's waiting middlewares, made to wait through Redis instead.

In a distributed crawl a site's waits must hold across workers, and nothing may sleep in a
downloader: robots.txt ``Crawl-delay`` is written to the shared pacer (the scheduler applies
it), and a retry carries its back-off in its meta (``archive_wait``) so that the scheduler
parks it in Redis; a ``Retry-After`` also holds the whole site for every worker.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.utils.response import response_status_message

from core.handoff import Keys, redis_client
from crawler.distributed.pacing import RedisSitePacer
from crawler.distributed.scheduler import WAIT_META, site_of
from crawler.middlewares import BackoffRetryMiddleware, CrawlDelayMiddleware, retry_after_seconds


def pacer_from_crawler(crawler: Crawler) -> RedisSitePacer:
    settings = crawler.settings
    return RedisSitePacer(
        redis_client(settings), Keys(crawler.spidercls.name),
        limit=settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"),
        download_delay=settings.getfloat("DOWNLOAD_DELAY"),
        lease_seconds=settings.getfloat("DOWNLOAD_TIMEOUT") + 30,
    )


class SharedCrawlDelayMiddleware(CrawlDelayMiddleware):
    """Reads robots.txt ``Crawl-delay`` as the one-machine middleware does; the shared pacer
    (not this middleware) spaces the requests."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.pacer = pacer_from_crawler(crawler)

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        return None

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Response:
        super().process_response(request, response)
        parts = urlsplit(request.url)
        if parts.path == "/robots.txt":
            if delay := self.delays.get(parts.netloc):
                self.pacer.set_crawl_delay(site_of(request), delay)
        elif self.delays.get(parts.netloc):
            self.pacer.hit(site_of(request))  # the delay counts from the response too
        return response


class DeferringRetryMiddleware(BackoffRetryMiddleware):
    """Scrapy's retry with the project's waits, the wait spent in Redis, not in a sleep."""

    def __init__(self, settings: Any, pacer: RedisSitePacer) -> None:
        super().__init__(settings)
        self.pacer = pacer

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DeferringRetryMiddleware:
        middleware = cls(crawler.settings, pacer_from_crawler(crawler))
        middleware.crawler = crawler
        return middleware

    def _deferred(self, request: Request, retry: Request | None,
                  response: Response | None) -> Request | None:
        if retry is not None:
            wait = self.wait_for(request, response)
            retry.meta[WAIT_META] = wait
            if response is not None and response.status in (429, 503) and (
                retry_after_seconds(response.headers.get(b"Retry-After")) is not None
            ):
                self.pacer.hold(site_of(request), wait)  # the site asked every worker to wait
        return retry

    async def process_response(self, request: Request, response: Response,
                               spider: Spider | None = None) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry = self._retry(request, response_status_message(response.status))
        return self._deferred(request, retry, response) or response

    async def process_exception(self, request: Request, exception: Exception,
                                spider: Spider | None = None) -> Request | None:
        if request.meta.get("dont_retry", False) or not isinstance(
            exception, self.exceptions_to_retry
        ):
            return None
        return self._deferred(request, self._retry(request, exception), None)
