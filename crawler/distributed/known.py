"""Known, fresh articles for workers that have no ``archive.db``: read from Redis.

The archive writer publishes, per archived article, what a re-crawl must know of it (a JSON
object of :class:`core.known.Known`'s fields: when it was last seen, published and
first seen, its HTTP validators for a conditional request, the dates its listings gave) in
one hash keyed by canonical URL, and how the archive's last crawl ended. The checks are those of a
one-machine crawl (:mod:`crawler.incremental`); only where the facts come from differs.
"""

from __future__ import annotations

import json
from typing import Self

from redis import Redis
from redis.exceptions import RedisError
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import Settings

from core.handoff import Keys
from core.known import KNOWN_FIELDS, Known
from core.urls import normalize
from crawler.incremental import KnownArticles, SkipKnownArticlesMiddleware


class RedisKnownArticles(KnownArticles):
    def __init__(self, settings: Settings, server: Redis, keys: Keys) -> None:
        super().__init__(settings)  # NotConfigured when re-crawls fetch everything
        self.server = server
        self.keys = keys

    @classmethod
    def connect(cls, settings: Settings, server: Redis, keys: Keys) -> RedisKnownArticles | None:
        try:
            return cls(settings, server, keys)
        except NotConfigured:
            return None

    def lookup(self, url: str) -> Known | None:
        """What the archive holds of ``url`` (its validators included), from Redis."""
        try:
            value = self.server.hget(self.keys.known, normalize(url))
        except RedisError:  # Redis restarting: fetch, the writer recognises it unchanged
            return None
        if not value:
            return None
        facts = json.loads(value)
        return Known(**{name: facts.get(name) for name in KNOWN_FIELDS})

    def last_crawl_finished(self) -> bool:
        try:
            status = self.server.get(self.keys.last_crawl_status)
        except RedisError:
            return False
        return status == b"finished"


class RedisSkipKnownArticlesMiddleware(SkipKnownArticlesMiddleware):
    """The downloader-side check (redirect targets), asking the spider's Redis-backed facts."""

    def __init__(self, crawler: Crawler) -> None:
        known = getattr(crawler.spider, "known", None)
        if known is None:
            raise NotConfigured
        self.known = known
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)
