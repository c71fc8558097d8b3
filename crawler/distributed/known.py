"""Known, fresh articles for workers that have no ``archive.db``: read from Redis.

The archive writer publishes, per archived article, what a re-crawl must know of it (a JSON
object: ``last_seen`` now; conditional-request validators can ride along) in one hash, keyed
by canonical URL, and how the archive's last crawl ended. The checks are those of a
one-machine crawl (:mod:`crawler.incremental`); only where the facts come from differs.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Self

from redis import Redis
from redis.exceptions import RedisError
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import Settings

from core.handoff import Keys
from core.urls import normalize
from crawler.incremental import KnownArticles, SkipKnownArticlesMiddleware, needs_fetch


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

    def facts(self, url: str) -> dict[str, Any] | None:
        """What the archive knows of the article at ``url`` (None: not archived)."""
        try:
            value = self.server.hget(self.keys.known, normalize(url))
        except RedisError:  # Redis restarting: fetch, the writer recognises it unchanged
            return None
        return json.loads(value) if value else None

    def is_fresh(self, url: str, lastmod: str | None = None) -> bool:
        facts = self.facts(url)
        if facts is None:
            return False
        return not needs_fetch(facts.get("last_seen"), lastmod, self.recheck, datetime.now(UTC))

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
