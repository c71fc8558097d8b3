"""The news spider as a worker of a distributed crawl (``scrapy crawl news -s REDIS_URL=…``).

The same discovery as the one-machine spider; what changes is where things live:

- the crawl run (and its sites) is in Redis: a worker joins the unfinished run and adopts
  its sites, or starts one with its own (``-a start=…`` or sites.toml);
- requests go to scrapy-redis's queue and duplicate filter through the run's scheduler, and
  finished items and the captured exchanges of the WARC files to the archive writer
  (``pipelines/handoff.py``);
- known, fresh articles are read from Redis (:mod:`.known`): a worker needs no archive.db.

scrapy-redis 0.9.1 feeds its spiders through ``start_requests()``/``next_requests()``, which
Scrapy 2.13+ no longer drives that way; here the async ``start()`` yields this worker's start
requests (the shared duplicate filter keeps one of each per run), then the URLs pushed to
scrapy-redis's start list (``<spider>:start_urls``, read again whenever the worker is idle,
so a long-running worker can be given new sites' pages with ``redis-cli rpush``).
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import scrapy
from scrapy_redis.spiders import RedisMixin
from scrapy_redis.utils import bytes_to_str

from core.handoff import Keys, redis_client
from core.urls import host
from crawler.distributed.known import RedisKnownArticles
from crawler.distributed.run import CrawlRun
from crawler.sites import Site, check_url
from crawler.spiders.news import NewsSpider

logger = logging.getLogger(__name__)

#: What the worker's components become in a distributed crawl.
SCHEDULER = "crawler.distributed.scheduler.DistributedScheduler"
PIPELINES = {
    "pipelines.stages.ExtractPipeline": None,
    "pipelines.stages.StorePipeline": None,
    "pipelines.handoff.WorkerExtractPipeline": 300,
    "pipelines.handoff.HandOffPipeline": 800,
    # the WARC files and their index are the writer's: a worker's WarcCaptureMiddleware
    # (940, as on one machine) captures each exchange and HandOffPipeline sends it on
    "pipelines.warc.WarcPipeline": None,
}
MIDDLEWARES = {
    "crawler.incremental.SkipKnownArticlesMiddleware": None,
    "crawler.distributed.known.RedisSkipKnownArticlesMiddleware": 45,
    "crawler.middlewares.PacingMiddleware": None,
    "crawler.distributed.middlewares.SharedPacingMiddleware": 900,
}


class DistributedNewsSpider(RedisMixin, NewsSpider):
    name = "news"
    run: CrawlRun

    @classmethod
    def update_settings(cls, settings: Any) -> None:
        super().update_settings(settings)
        settings.set("SCHEDULER", SCHEDULER, priority="spider")
        for name, changes in (("ITEM_PIPELINES", PIPELINES),
                              ("DOWNLOADER_MIDDLEWARES", MIDDLEWARES)):
            settings.set(name, {**settings.getdict(name), **changes}, priority="spider")

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> DistributedNewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.setup_redis(crawler)  # scrapy-redis: server, start URL list, idle hook
        spider.server = redis_client(settings)  # the same, patient while Redis restarts
        spider.count_size = spider.server.llen
        keys = Keys(spider.name)
        spider.run = CrawlRun(
            spider.server, keys,
            heartbeat_ttl_ms=int(settings.getfloat("ARCHIVE_HEARTBEAT_TIMEOUT") * 1000))
        own = [dataclasses.asdict(site) for site in spider.sites]
        spider.run.join(own, keep_alive=settings.getbool("ARCHIVE_KEEP_RUNNING"))
        if spider.run.sites != own:
            logger.warning("Joining crawl run %s: crawling its sites (%s), not this worker's",
                           spider.run.id, ", ".join(s["name"] for s in spider.run.sites))
            spider.use_sites([Site(**site) for site in spider.run.sites],
                             settings.getint("ARCHIVE_LINK_CACHE"))
        spider.known = RedisKnownArticles.connect(settings, spider.run.server, keys)
        spider.stop_paging = (
            settings.getbool("ARCHIVE_STOP_PAGING_AT_KNOWN")
            and spider.known is not None
            and spider.known.last_crawl_finished()
        )
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        async for request in super().start():
            yield request
        for request in self.next_requests():
            yield request

    def make_request_from_data(self, data: bytes) -> scrapy.Request | list[Any]:
        """A start request for a URL pushed to ``<spider>:start_urls`` (a URL, or JSON with
        ``url``), if it belongs to one of the run's sites; read again even if crawled."""
        text = bytes_to_str(data, self.redis_encoding).strip()
        if text.startswith("{"):
            text = str(json.loads(text).get("url", ""))
        try:
            url = check_url(text)
        except ValueError as error:
            logger.warning("Ignoring start URL from Redis: %s", error)
            return []
        for index, site in enumerate(self.sites):
            if host(url) in site.hosts:
                request = self._request(url, index, "start")
                return request.replace(dont_filter=True)
        logger.warning("Ignoring start URL from Redis: %s is not on a site of this crawl", url)
        return []

    def spider_idle(self) -> None:
        """New start URLs pushed meanwhile are scheduled; whether the worker may end is the
        scheduler's decision (scrapy-redis would keep every worker idling for ever)."""
        self.schedule_next_requests()
