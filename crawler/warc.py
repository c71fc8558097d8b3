"""The Scrapy side of the WARC files: capture each HTML exchange as the network delivered it.

:class:`WarcCaptureMiddleware` is a downloader middleware placed next to the downloader
(after ``HttpCompressionMiddleware``, 590, in ``process_response`` order): it sees the body
still gzip- or br-encoded and the headers as the server sent them, which is what a WARC
``response`` record must hold. It only builds a :class:`core.warc.Exchange` (cheap, no I/O)
and announces it with the :data:`core.signals.response_captured` signal; the writer thread of
``pipelines/warc.py`` serialises, writes, fsyncs and indexes it off the event loop.

:class:`WarcRecordIdMiddleware`, a spider middleware, stamps the response record's id on the
:class:`core.items.Page` built from the response, so the article row can point at the exact
record of the page it was extracted from.

:func:`decoded_html` turns an archived response back into the text the spider would have
read (used by ``scrapy reextract``).
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Response
from scrapy.http.headers import Headers as ScrapyHeaders
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from core.items import Page, utc_now
from core.signals import response_captured
from core.warc import Exchange, Headers, is_html
from crawler.encoding import detect_encoding

#: request.meta key holding the id of the WARC response record of the latest response.
WARC_RECORD_ID = "warc_record_id"


def header_list(headers: Any) -> Headers:
    """Scrapy ``Headers`` as (name, value) text pairs, every value of a repeated header."""
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in headers.items()
        for value in values
    ]


def request_headers(request: Request) -> Headers:
    """The request's headers as sent: Twisted adds ``Host`` when the request has none."""
    headers = header_list(request.headers)
    if not any(name.lower() == "host" for name, _ in headers):
        headers.insert(0, ("Host", urlsplit(request.url).netloc))
    return headers


def capture(request: Request, response: Response) -> Exchange:
    """The exchange as the network delivered it (nothing decoded, nothing copied)."""
    return Exchange(
        record_id=str(uuid.uuid4()),
        url=response.url,
        method=request.method,
        request_headers=request_headers(request),
        protocol=response.protocol or "HTTP/1.1",
        status=response.status,
        response_headers=header_list(response.headers),
        body=response.body,
        fetched_at=utc_now(),
        ip_address=str(response.ip_address) if response.ip_address else None,
        request_body=request.body,
    )


class WarcCaptureMiddleware:
    """Announce every HTML response, body as received, for the WARC writer."""

    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("ARCHIVE_WARC_ENABLED"):
            raise NotConfigured("ARCHIVE_WARC_ENABLED is off")
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCaptureMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Response:
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        if is_html(content_type):
            exchange = capture(request, response)
            request.meta[WARC_RECORD_ID] = exchange.record_id
            self.crawler.signals.send_catch_log(response_captured, exchange=exchange)
        return response


class WarcRecordIdMiddleware(BaseSpiderMiddleware):
    """Give each Page the id of the WARC record its response was written to."""

    def get_processed_item(self, item: Any, response: Response | None) -> Any:
        if isinstance(item, Page) and response is not None:
            item.warc_record_id = response.meta.get(WARC_RECORD_ID)
        return item


def decoded_html(url: str, status: int, headers: Headers, body: bytes) -> str:
    """An archived HTML response's text, decoded as the spider decodes it.

    ``body`` is the payload with its Content-Encoding already undone. The same Scrapy
    response class and the same charset rule (:func:`crawler.encoding.detect_encoding`) as
    during the crawl, so re-extraction reads the very text the crawl read.
    """
    scrapy_headers = ScrapyHeaders()
    for name, value in headers:
        scrapy_headers.appendlist(name, value)
    scrapy_headers.pop(b"Content-Encoding", None)  # the body is decoded already
    response = HtmlResponse(url, status=status, headers=scrapy_headers, body=body)
    content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
    encoding, _ = detect_encoding(response.body, content_type)
    if encoding != response.encoding:
        response = response.replace(encoding=encoding)
    return response.text

