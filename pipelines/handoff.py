"""A worker's end of a distributed crawl: items go to the archive writer through Redis.

The worker extracts in its own process pool as a one-machine crawl does; then, instead of
writing ``archive.db``, it pushes every item and every ``fetches`` row onto the crawl's items
list as an :class:`~core.handoff.Envelope`, announcing itself first and sending its stats last.
Every HTML exchange the WARC capture middleware announces goes the same way, as a
:class:`~core.warc.PackedExchange` (body compressed): the writer writes the WARC records.
The writer (``scrapy archive-writer``) turns them into the same rows a one-machine crawl
writes. Site boilerplate learning needs the whole site's articles, so it is the writer's job:
workers extract without it and send the extraction (:class:`Extracted`).
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Any

from redis import Redis
from redis.exceptions import RedisError
from scrapy import Spider, signals
from scrapy.crawler import Crawler

from core import handoff
from core import signals as project_signals
from core.handoff import Envelope, Keys, redis_client
from core.items import Page
from core.warc import Exchange, PackedExchange
from pipelines.extraction import Extraction
from pipelines.stages import ExtractPipeline

#: The project's signals whose rows the store writes (core.signals), sent on to the writer.
FORWARDED_SIGNALS = ("fetch_recorded", "page_rejected")
#: Attempts to push an envelope while Redis restarts (one a second).
PUSH_ATTEMPTS = 60


@dataclass
class Extracted:
    """An article page as a worker extracted it, without site knowledge; the writer makes
    the row (:meth:`ExtractPipeline.article`: the site's boilerplate removed and learnt from,
    as a one-machine crawl does). The HTML stays behind: the extraction holds the text."""

    page: Page
    extraction: Extraction


class WorkerExtractPipeline(ExtractPipeline):
    """Extraction in the worker's pool; what is not an article is counted and dropped here,
    an article goes on as :class:`Extracted` (site boilerplate is learnt by the writer, from
    every worker's articles: a worker has no archive to learn from)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.learning["min_pages"] = 0

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, Page):
            return item
        extraction = await self.extract(item)
        self.article(item, extraction)  # raises DropItem (counted) when not an article
        assert extraction is not None  # an article was extracted
        return Extracted(dataclasses.replace(item, html=""), extraction)


class HandOffPipeline:
    def __init__(self, crawler: Crawler, server: Redis) -> None:
        self.crawler = crawler
        self.server = server
        self.keys = Keys(crawler.spidercls.name)
        for name in FORWARDED_SIGNALS:  # rows the store would write: the writer's now
            crawler.signals.connect(self._forwarder(name), signal=getattr(project_signals, name),
                                    weak=False)
        crawler.signals.connect(self.response_captured, signal=project_signals.response_captured)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HandOffPipeline:
        return cls(crawler, redis_client(crawler.settings))

    def send(self, kind: str, payload: Any) -> int:
        """Push one envelope (waiting out a Redis restart); returns its size in bytes."""
        run = self.crawler.spider.run
        envelope = Envelope(kind, run.id, run.worker, payload, time.time())
        data = handoff.dumps(envelope)
        for attempt in range(PUSH_ATTEMPTS):
            try:
                self.server.lpush(self.keys.items, data)
                break
            except RedisError:
                if attempt == PUSH_ATTEMPTS - 1:
                    raise
                time.sleep(1)  # Redis restarting: the crawl waits rather than loses the item
        self.crawler.stats.inc_value("archive/distributed/sent_bytes", len(data))
        return len(data)

    def open_spider(self) -> None:
        self.send(handoff.JOIN, self.crawler.spider.start_urls_all)

    def process_item(self, item: Any) -> Any:
        self.send(handoff.ITEM, item)
        return item

    def response_captured(self, exchange: Exchange) -> None:
        """An HTML exchange for the WARC files, to the writer (counted: what the WARC costs
        in Redis, ``archive/distributed/warc_bytes``, against ``sent_bytes`` in all)."""
        size = self.send(handoff.ITEM, PackedExchange.pack(exchange))
        self.crawler.stats.inc_value("archive/distributed/warc_exchanges")
        self.crawler.stats.inc_value("archive/distributed/warc_bytes", size)

    def _forwarder(self, name: str) -> Any:
        def forward(row: dict[str, Any]) -> None:
            self.send(handoff.SIGNAL, (name, row))

        return forward

    def spider_closed(self, spider: Spider, reason: str) -> None:
        stats = dict(self.crawler.stats.get_stats())
        stats["finish_reason"] = reason
        self.send(handoff.LEAVE, stats)
