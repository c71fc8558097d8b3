"""scrapy-redis's scheduler, per crawl run, with leases, shared politeness and a shared end.

scrapy-redis keeps the request queue (a priority queue) and the duplicate filter in Redis,
so any number of workers share one crawl. Around it this scheduler:

- keys both by the run (:class:`~crawler.distributed.run.CrawlRun`), so a new crawl starts
  with an empty filter while the previous run's keys stay untouched;
- takes requests with the run's atomic take-and-hold, and lets a request go only once the
  engine is done with it (downloaded, its output scheduled and its item handed off): a
  worker killed with ``kill -9`` loses none of them;
- asks the shared per-site pacer (:mod:`.pacing`) before handing a request to the
  downloader, and defers it in Redis when its site may not be hit yet;
- queues a request carrying a wait (a retry's back-off, ``archive_wait`` in its meta) in the
  run's deferred set instead of letting anything sleep;
- ends the worker only when the whole run is over (:meth:`CrawlRun.check_done`), or never
  with ``ARCHIVE_KEEP_RUNNING``.
"""

from __future__ import annotations

import itertools
import logging
import threading

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler

from core.handoff import redis_client
from crawler.distributed.pacing import RedisSitePacer
from crawler.distributed.run import CrawlRun
from crawler.dupefilter import canonical_request
from crawler.pacing import WAIT_META, site_of

logger = logging.getLogger(__name__)

#: Request meta: (site, lease) of the place the request holds at its site.
LEASE_META = "archive_site_lease"
#: Requests tried per call before the engine is told to come back later.
TRIES = 8
#: How often an idle worker looks at the shared queue again (seconds).
IDLE_POLL = 0.5


class CanonicalDupeFilter(RFPDupeFilter):
    """scrapy-redis's shared duplicate filter, keyed as the one-machine crawl's is: on the
    normalised URL. Keyed on the URL as written, two workers that found one article under
    two spellings (``?utm_source=…``, ``?noamp=mobile``) both fetched it; a worker's own link
    cache hid this within one process, not across workers."""

    def request_fingerprint(self, request: Request) -> str:
        return str(super().request_fingerprint(canonical_request(request)))


class DistributedScheduler(Scheduler):
    crawler: Crawler
    run: CrawlRun
    pacer: RedisSitePacer
    held: dict[Request, bytes]

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DistributedScheduler:
        settings = crawler.settings
        server = redis_client(settings)
        server.ping()  # fail at start, with Redis's own message, when it is not there
        scheduler = cls(server=server, persist=True,
                        queue_cls="scrapy_redis.queue.PriorityQueue")
        scheduler.stats = crawler.stats
        scheduler.crawler = crawler
        scheduler.keep_running = settings.getbool("ARCHIVE_KEEP_RUNNING")
        scheduler.debug = settings.getbool("DUPEFILTER_DEBUG")
        scheduler.held = {}  # request -> its queue entry, while the engine has it
        scheduler.leases = itertools.count()
        scheduler.heart_stop = threading.Event()
        crawler.signals.connect(scheduler._left_downloader, signal=signals.request_left_downloader)
        crawler.signals.connect(scheduler._idle, signal=signals.spider_idle)
        return scheduler

    def open(self, spider: Spider) -> None:
        self.run = spider.run  # joined by the spider, which needs the run's sites first
        settings = self.crawler.settings
        self.pacer = RedisSitePacer(
            self.server, self.run.keys,
            limit=settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"),
            download_delay=settings.getfloat("DOWNLOAD_DELAY"),
            lease_seconds=settings.getfloat("DOWNLOAD_TIMEOUT") + 30,
        )
        self.queue_key = self.run.key("requests")
        self.df = CanonicalDupeFilter(self.server, key=self.run.key("dupefilter"),
                                      debug=self.debug)
        super().open(spider)
        # in a thread: the heartbeat says the process is alive, even while its event loop
        # is busy (a CPU-starved machine must not have its requests taken from it)
        threading.Thread(target=self._beat, name="heartbeat", daemon=True).start()
        logger.info("Worker %s %s crawl run %s", self.run.worker,
                    "started" if self.run.created else "joined", self.run.id)

    def close(self, reason: str) -> None:
        self.heart_stop.set()
        self.run.leave()  # anything still held goes back to the queue

    def _beat(self) -> None:
        while not self.heart_stop.wait(self.run.beat_every):
            try:
                self.run.beat()
            except Exception:  # Redis restarting: the next beat will do
                logger.warning("Heartbeat to Redis failed", exc_info=True)

    # -- queueing ---------------------------------------------------------------------------

    def enqueue_request(self, request: Request) -> bool:
        request.meta.pop(LEASE_META, None)  # a retry or redirect: a new request
        wait = float(request.meta.pop(WAIT_META, 0) or 0)
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            self.stats.inc_value("dupefilter/filtered")
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        if wait > 0:
            self.run.push_later(self.queue._encode_request(request), -request.priority, wait)
        else:
            self.queue.push(request)
        return True

    def next_request(self) -> Request | None:
        self._let_go()
        for _ in range(TRIES):
            taken = self.run.take()
            if taken is None:
                return None
            request = self.queue._decode_request(taken.member)
            site, lease = site_of(request), f"{self.run.worker}:{next(self.leases)}"
            wait = self.pacer.acquire(site, lease)
            if wait:
                self.run.defer(taken, wait)
                self.stats.inc_value("archive/distributed/deferred")
                self._wake(min(wait, IDLE_POLL))
                continue
            request.meta[LEASE_META] = (site, lease)
            self.held[request] = taken.member
            self.stats.inc_value("scheduler/dequeued/redis")
            return request
        return None

    def has_pending_requests(self) -> bool:
        # The shared queue is the whole crawl's: whether this worker may end is decided when
        # it is idle (_idle), not here.
        return False

    def _let_go(self) -> None:
        """Release the requests the engine is done with (no longer in its in-progress set)."""
        slot = getattr(self.crawler.engine, "_slot", None)
        inprogress = getattr(slot, "inprogress", None)
        if inprogress is None or not self.held:
            return
        done = [request for request in self.held if request not in inprogress]
        self._release(done)

    def _release(self, requests: list[Request]) -> None:
        if not requests:
            return
        members = [self.held.pop(request) for request in requests]
        self.run.release(members)
        for request in requests:
            self._left_downloader(request)

    def _left_downloader(self, request: Request, spider: Spider | None = None) -> None:
        lease = request.meta.get(LEASE_META)
        if lease:
            self.pacer.release(*lease)

    # -- the end --------------------------------------------------------------------------

    def _wake(self, seconds: float) -> None:
        """Have the engine ask for requests again in ``seconds`` (its own heartbeat is 5 s)."""
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None:
            slot.nextcall.schedule(seconds)

    def _idle(self, spider: Spider) -> None:
        """The engine has nothing in flight: end only if the whole run is over."""
        self._release(list(self.held))
        if orphans := self.run.give_back():
            logger.warning("Gave back %d request(s) held without the engine's knowledge "
                           "(a Redis answer lost)", orphans)
            self.stats.inc_value("archive/distributed/given_back", orphans)
        if not self.keep_running and self.run.check_done():
            logger.info("Crawl run %s is over: this worker ends", self.run.id)
            return
        self._wake(IDLE_POLL)
        raise DontCloseSpider

    def __len__(self) -> int:
        return self.run.pending()
