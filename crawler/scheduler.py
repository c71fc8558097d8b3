"""Scrapy's scheduler with its queue of pending requests on disk, handing the downloader a
site's requests only when that site may be hit.

**On disk.** A sitemap of 50,000 articles turns into 50,000 pending requests at once; in
Scrapy's memory queue they would make the crawl's memory grow with the site. Scrapy keeps the
queue on disk only when ``JOBDIR`` is set; :class:`DiskQueueScheduler` gives it a throw-away
directory otherwise (removed when the crawl ends, or by the next crawl when a crawl was
killed), so memory stays flat. With a ``JOBDIR`` it behaves as Scrapy's.

**Per site.** :class:`PacedPriorityQueue` is Scrapy's ``DownloaderAwarePriorityQueue`` (one
queue per download slot, the least busy site first) that also leaves out, when it picks the
next request, every site that must not be hit yet (its :class:`~crawler.pacing.SitePacer`
hold: Crawl-delay, Retry-After) or that already has as many requests in the downloader as
its slot can start without waiting. A waiting request therefore waits here, holding nothing:
the other sites' requests go on. A retry that must wait its back-off (``archive_wait`` meta)
is kept aside in memory until it is due.
"""

from __future__ import annotations

import heapq
import itertools
import os
import pickle
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from scrapy import Request
from scrapy.core.scheduler import Scheduler
from scrapy.crawler import Crawler
from scrapy.pqueues import DownloaderAwarePriorityQueue, DownloaderInterface

from crawler.middlewares import PacingMiddleware
from crawler.pacing import WAIT_META, SitePacer, site_of

PREFIX = "news-archiver-queue-"


def remove_orphans(directory: str) -> None:
    """Remove queue directories left by crawls that were killed (their process is gone)."""
    for path in Path(directory).glob(f"{PREFIX}*-*"):
        pid = path.name[len(PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(path, ignore_errors=True)


class DiskQueueScheduler(Scheduler):
    _tmpdir: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DiskQueueScheduler:
        scheduler = super().from_crawler(crawler)
        if scheduler.dqdir is None:
            directory = crawler.settings.get("ARCHIVE_TMPDIR") or tempfile.gettempdir()
            remove_orphans(directory)
            scheduler._tmpdir = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=directory)
            scheduler.dqdir = scheduler._dqdir(scheduler._tmpdir)
        return scheduler

    def close(self, reason: str) -> None:
        try:
            super().close(reason)
        finally:
            if self._tmpdir:
                shutil.rmtree(self._tmpdir, ignore_errors=True)


def crawl_pacer(crawler: Crawler) -> SitePacer:
    """The crawl's one :class:`SitePacer`: the pacing middleware's, which learns the waits
    from responses (a private one, with no waits to learn, when that middleware is off)."""
    middleware = crawler.get_downloader_middleware(PacingMiddleware)
    return middleware.pacer if middleware is not None else SitePacer()


class _PacedSlots(DownloaderInterface):
    """The downloader's view of the sites: only those that may be sent a request now."""

    def __init__(self, crawler: Crawler, pacer: SitePacer) -> None:
        super().__init__(crawler)
        self.pacer = pacer

    def get_slot_key(self, request: Request) -> str:
        return site_of(request)

    def room(self, site: str) -> int:
        """How many of the site's requests may be in the downloader at once.

        Its slot's concurrency, so that no request waits inside the downloader for one of
        the site's places. Twice that when the slot has no delay: a request then waits there
        only for a transfer to end, and starts the moment one does, without a round through
        the engine (a delay would make it wait that delay, holding a global place).
        """
        slot = self.downloader.slots.get(site)
        if slot is not None:
            return slot.concurrency if slot.delay else 2 * slot.concurrency
        settings = self.downloader.per_slot_settings.get(site, {})
        return int(settings.get("concurrency", self.downloader.domain_concurrency))

    def stats(self, possible_slots: Iterable[str]) -> list[tuple[int, str]]:
        busy = self.busy()
        return [
            (busy[site], site) for site in possible_slots
            if busy[site] < self.room(site) and self.pacer.ready(site)
        ]

    def busy(self) -> Counter[str]:
        """Requests per site that are in the downloader and not answered yet: in its slot
        (queued or transferring), or on their way there through the middlewares (waiting
        for robots.txt, say). Responses on their way back hold no place of the site."""
        slots = self.downloader.slots
        busy = Counter({site: len(slot.active) for site, slot in slots.items() if slot.active})
        busy.update(site_of(r) for r in self.downloader.active if "download_slot" not in r.meta)
        return busy


class PacedPriorityQueue(DownloaderAwarePriorityQueue):
    """Scrapy's per-site queue that hands out a site's requests only when it may be hit."""

    def __init__(self, crawler: Crawler, downstream_queue_cls: Any, key: str,
                 slot_startprios: dict[str, Iterable[int]] | None = None, **kwargs: Any) -> None:
        super().__init__(crawler, downstream_queue_cls, key, slot_startprios, **kwargs)
        self.pacer = crawl_pacer(crawler)
        self._downloader_interface = _PacedSlots(crawler, self.pacer)
        self.waiting: list[tuple[float, int, Request]] = []  # (due, order, request): a heap
        self._order = itertools.count()
        self.wake_at: float | None = None  # when the engine is asked to look again
        self._wake_call: Any = None

    def push(self, request: Request) -> None:
        wait = request.meta.get(WAIT_META) or 0
        if wait > 0:
            if self.key:  # a disk queue: refuse now what it could not store when due
                _check_serializable(request, self.crawler)
            del request.meta[WAIT_META]
            due = self.pacer.clock() + float(wait)
            heapq.heappush(self.waiting, (due, next(self._order), request))
            return
        request.meta.pop(WAIT_META, None)
        super().push(request)

    def pop(self) -> Request | None:
        now = self.pacer.clock()
        while self.waiting and self.waiting[0][0] <= now:
            super().push(heapq.heappop(self.waiting)[2])
        request = super().pop()
        if request is not None:
            self.pacer.hit(site_of(request))
        elif len(self):
            self._wake_when_due(now)
        return request

    def close(self) -> dict[str, list[int]]:
        # retries still waiting their back-off are kept with the rest (JOBDIR resumes them)
        while self.waiting:
            super().push(heapq.heappop(self.waiting)[2])
        if self._wake_call is not None and self._wake_call.active():
            self._wake_call.cancel()
        return super().close()

    def __len__(self) -> int:
        return super().__len__() + len(self.waiting)

    # -- waking the engine -------------------------------------------------------------------

    def next_due(self, now: float) -> float | None:
        """When a request held back now could go: a waiting retry comes due or a held site
        with queued requests may be hit again (a site busy in the downloader is woken by
        its responses)."""
        times = [self.waiting[0][0]] if self.waiting else []
        times += [now + self.pacer.wait(site) for site in self.pqueues if not
                  self.pacer.ready(site)]
        return min(times) if times else None

    def _wake_when_due(self, now: float) -> None:
        """Ask the engine to look again when the next held request may go.

        The engine asks the scheduler for requests after each response and on a heartbeat
        every 5 s; without this, a site's hold that ends would wait for either.
        """
        due = self.next_due(now)
        if due is None or (self.wake_at is not None and now < self.wake_at <= due):
            return
        self.wake_at = due
        from twisted.internet import reactor

        if not reactor.running:
            return
        if self._wake_call is not None and self._wake_call.active():
            self._wake_call.cancel()
        self._wake_call = reactor.callLater(max(0.0, due - now), self._wake)

    def _wake(self) -> None:
        self.wake_at = None
        wake_engine(self.crawler)


def _check_serializable(request: Request, crawler: Crawler) -> None:
    """Raise ValueError, as Scrapy's disk queues do, for a request they could not store: the
    scheduler then keeps it in its memory queue instead."""
    try:
        pickle.dumps(request.to_dict(spider=crawler.spider), protocol=4)
    except Exception as error:
        raise ValueError(f"cannot serialize {request}: {error}") from error


def wake_engine(crawler: Crawler) -> None:
    """Make the engine ask the scheduler for requests now.

    Scrapy has no public call for it (its engine polls the scheduler on a 5 s heartbeat for
    schedulers that hold requests back): the engine slot's ``nextcall`` is what every
    response and scheduled request triggers. tests/test_scheduler.py fails if a Scrapy
    upgrade removes it; the heartbeat still wakes the crawl then, only later.
    """
    slot = getattr(crawler.engine, "_slot", None)
    nextcall = getattr(slot, "nextcall", None)
    if nextcall is not None:
        nextcall.schedule()
