"""When each site may be hit again: the per-site waits of a polite crawl, kept out of the
downloader.

A wait that happens inside the downloader (a middleware that sleeps, a long slot queue) holds
a place of the crawl's global concurrency: Scrapy's ``Downloader.active`` counts a request
from ``fetch()`` on. One site that asks for a pause (robots.txt ``Crawl-delay``, a 429 or 503
with ``Retry-After``) could then hold every place and stall all the other sites. So the waits
are kept here instead, as a time before which a site is not hit again, and the request queue
(:class:`crawler.scheduler.PacedPriorityQueue`) hands the downloader a site's requests only
once that time has passed. AutoThrottle keeps its own per-slot ``delay``, which it rewrites
on every response; these waits are separate from it and not overwritten by it.

A "site" is Scrapy's download slot key (the host name, or a request's ``download_slot``), so
the waits, the queue's per-site queues and the downloader's slots agree.

Plain code with an injected clock: unit-tested without a reactor.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from scrapy import Request
from scrapy.utils.httpobj import urlparse_cached

Clock = Callable[[], float]

#: Request meta: seconds a request must wait, from when it is queued, before it is sent (a
#: retry's back-off). The queue keeps such a request aside meanwhile, outside the downloader.
WAIT_META = "archive_wait"


def site_of(request: Request) -> str:
    """The download slot key of a request, as Scrapy's downloader computes it (without
    ``CONCURRENT_REQUESTS_PER_IP``, which the per-site queue does not support)."""
    slot = request.meta.get("download_slot")
    if slot is not None:
        return str(slot)
    return urlparse_cached(request).hostname or ""


class SitePacer:
    """Per site: the earliest time it may be hit again, and its robots.txt Crawl-delay."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self.clock = clock
        self.not_before: dict[str, float] = {}
        self.crawl_delays: dict[str, float] = {}

    def set_crawl_delay(self, site: str, seconds: float) -> None:
        if seconds > 0:
            self.crawl_delays[site] = seconds

    def hold(self, site: str, seconds: float) -> None:
        """Do not hit ``site`` for ``seconds`` from now (a later hold already set stays)."""
        until = self.clock() + seconds
        if until > self.not_before.get(site, 0.0):
            self.not_before[site] = until

    def hit(self, site: str) -> None:
        """A request to ``site`` was sent or answered: the next one waits its Crawl-delay.

        Counting from both (the later wins) keeps two requests at least the delay apart at
        the server, however long the first one took to leave the crawler or to answer.
        """
        delay = self.crawl_delays.get(site)
        if delay:
            self.hold(site, delay)

    def wait(self, site: str) -> float:
        """Seconds until ``site`` may be hit again (0: now)."""
        until = self.not_before.get(site)
        if until is None:
            return 0.0
        left = until - self.clock()
        if left <= 0:
            del self.not_before[site]
            return 0.0
        return left

    def ready(self, site: str) -> bool:
        return self.wait(site) == 0.0
