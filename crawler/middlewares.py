"""Downloader middleware that records every response and every failed attempt.

It sits next to the downloader (after RetryMiddleware and RedirectMiddleware in the chain), so
it sees what the network really answered: each hop of a redirect and each failed attempt that
RetryMiddleware retries, not only what reaches the spider. It only announces them with the
:data:`fetch_recorded` signal; the store pipeline writes them to ``fetches``.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawler.items import utc_now
from crawler.signals import fetch_recorded
from pipelines.outcomes import failure_outcome, response_outcome


class FetchRecorderMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FetchRecorderMiddleware:
        return cls(crawler)

    def _send(self, **row: Any) -> None:
        self.crawler.signals.send_catch_log(fetch_recorded, row=row)

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Response:
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")[:200]
        self._send(url=response.url, status=response.status, fetched_at=utc_now(),
                   size=len(response.body), content_type=content_type or None,
                   outcome=response_outcome(response.status), error=None)
        return response

    def process_exception(self, request: Request, exception: BaseException,
                          spider: Spider | None = None) -> None:
        error = f"{type(exception).__name__}: {exception}"[:500]
        self._send(url=request.url, status=None, fetched_at=utc_now(), size=None,
                   content_type=None, outcome=failure_outcome(error), error=error)
