"""The one-machine crawl's pacing middleware, learning into the shared pacer in Redis.

In a distributed crawl a site's waits must hold across workers: robots.txt ``Crawl-delay``,
each response (the delay counts from it too) and a 429/503's ``Retry-After`` go to the
:class:`~crawler.distributed.pacing.RedisSitePacer`, which the run's scheduler asks before
sending a request. Retries carry their back-off in their meta as in a one-machine crawl
(``crawler.middlewares.BackoffRetryMiddleware``); the scheduler parks them in Redis.
"""

from __future__ import annotations

from scrapy.crawler import Crawler

from core.handoff import Keys, redis_client
from crawler.distributed.pacing import RedisSitePacer
from crawler.middlewares import PacingMiddleware


def pacer_from_crawler(crawler: Crawler) -> RedisSitePacer:
    """The worker's view of the shared per-site waits and concurrency."""
    settings = crawler.settings
    return RedisSitePacer(
        redis_client(settings), Keys(crawler.spidercls.name),
        limit=settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"),
        download_delay=settings.getfloat("DOWNLOAD_DELAY"),
        lease_seconds=settings.getfloat("DOWNLOAD_TIMEOUT") + 30,
    )


class SharedPacingMiddleware(PacingMiddleware):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler, pacer=pacer_from_crawler(crawler))  # type: ignore[arg-type]

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedPacingMiddleware:
        return cls(crawler)
