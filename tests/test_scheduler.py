"""The paced request queue: a site's requests leave it only when the site may be hit.

In Scrapy's style: a real crawler (``get_crawler``) with its real engine and downloader,
requests built by hand, the queue's ``push``/``pop`` called directly, and the pacer's clock
injected, so that no test sleeps.
"""

from __future__ import annotations

import inspect
import threading

import pytest
from scrapy import Request, Spider
from scrapy.core.downloader import Slot
from scrapy.squeues import FifoMemoryQueue, PickleFifoDiskQueue
from scrapy.utils.test import get_crawler

from crawler import settings as project
from crawler.middlewares import PacingMiddleware
from crawler.pacing import WAIT_META, SitePacer
from crawler.scheduler import PacedPriorityQueue, wake_engine


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def crawler(clock):
    values = {name: getattr(project, name) for name in dir(project) if name.isupper()}
    # no download handlers and no item pipelines: nothing is downloaded or stored here
    values.update(CONCURRENT_REQUESTS_PER_DOMAIN=2, ITEM_PIPELINES={},
                  DOWNLOAD_HANDLERS={"http": None, "https": None})
    crawler = get_crawler(Spider, values)
    crawler.spider = crawler._create_spider("paced")
    crawler.engine = crawler._create_engine()
    crawler.get_downloader_middleware(PacingMiddleware).pacer.clock = clock
    return crawler


def queue_of(crawler, key: str = "", downstream=FifoMemoryQueue, **kw) -> PacedPriorityQueue:
    return PacedPriorityQueue.from_crawler(crawler, downstream, key, **kw)


def req(url: str, **meta) -> Request:
    return Request(url, meta=meta)


def urls(queue: PacedPriorityQueue) -> list[str]:
    """Pop until the queue gives nothing now."""
    out = []
    while (request := queue.pop()) is not None:
        out.append(request.url)
    return out


def test_the_queue_shares_the_crawls_pacer(crawler):
    pacer = crawler.get_downloader_middleware(PacingMiddleware).pacer
    assert queue_of(crawler).pacer is pacer
    assert crawler.settings["SCHEDULER_PRIORITY_QUEUE"] == "crawler.scheduler.PacedPriorityQueue"


def test_a_held_site_gives_way_to_the_others(crawler, clock):
    queue = queue_of(crawler)
    for url in ("http://slow.example/1", "http://slow.example/2", "http://fast.example/1"):
        queue.push(req(url))
    queue.pacer.hold("slow.example", 15)
    assert urls(queue) == ["http://fast.example/1"]
    assert len(queue) == 2  # still pending: the crawl does not end
    assert queue.wake_at == clock.now + 15
    clock.advance(14.9)
    assert queue.pop() is None
    clock.advance(0.1)
    assert queue.pop().url == "http://slow.example/1"


def test_crawl_delay_spaces_a_sites_requests_from_their_release(crawler, clock):
    queue = queue_of(crawler)
    queue.pacer.set_crawl_delay("polite.example", 3)
    for i in range(3):
        queue.push(req(f"http://polite.example/{i}"))
    queue.push(req("http://other.example/"))
    assert sorted(urls(queue)) == ["http://other.example/", "http://polite.example/0"]
    clock.advance(2.5)
    assert queue.pop() is None
    clock.advance(0.5)
    assert urls(queue) == ["http://polite.example/1"]
    clock.advance(3)
    assert urls(queue) == ["http://polite.example/2"]


def test_a_retry_waits_its_back_off_in_the_queue(crawler, clock):
    queue = queue_of(crawler)
    queue.push(req("http://flaky.example/a", **{WAIT_META: 4.0}))
    queue.push(req("http://flaky.example/b"))
    assert urls(queue) == ["http://flaky.example/b"]  # only the retry waits, not its site
    assert len(queue) == 1 and queue.wake_at == clock.now + 4
    clock.advance(4)
    retry = queue.pop()
    assert retry.url == "http://flaky.example/a" and WAIT_META not in retry.meta


def test_a_site_with_all_its_download_slots_busy_is_skipped(crawler):
    """CONCURRENT_REQUESTS_PER_DOMAIN=2: a third request would only wait in the downloader,
    holding a place of the global concurrency."""
    queue = queue_of(crawler)
    active = crawler.engine.downloader.active
    active.update({req("http://busy.example/x"), req("http://busy.example/y")})
    queue.push(req("http://busy.example/1"))
    queue.push(req("http://idle.example/1"))
    assert urls(queue) == ["http://idle.example/1"]
    active.pop()
    assert urls(queue) == ["http://busy.example/1"]


@pytest.mark.parametrize("delay,room", [(0, 4), (0.5, 2)])
def test_a_slot_without_delay_may_queue_one_request_per_transfer(crawler, delay, room):
    """Without a download delay a request queued in the slot starts the moment a transfer
    ends; with one, it would only wait the delay there, holding a global place."""
    crawler.engine.downloader.slots["site.example"] = Slot(2, delay, 0)
    queue = queue_of(crawler)
    for i in range(6):
        queue.push(req(f"http://site.example/{i}"))
    popped = []
    while (request := queue.pop()) is not None:
        popped.append(request)
        crawler.engine.downloader.active.add(request)
    assert len(popped) == room


def test_the_least_busy_site_goes_first(crawler):
    queue = queue_of(crawler)
    crawler.engine.downloader.active.add(req("http://a.example/x"))
    queue.push(req("http://a.example/1"))
    queue.push(req("http://b.example/1"))
    assert queue.pop().url == "http://b.example/1"


def test_a_download_slot_in_meta_is_the_site(crawler):
    queue = queue_of(crawler)
    queue.push(req("http://a.example/1", download_slot="shared"))
    queue.push(req("http://b.example/1", download_slot="shared"))
    queue.pacer.set_crawl_delay("shared", 5)
    assert len(urls(queue)) == 1


def test_waiting_retries_are_kept_when_the_queue_is_closed(crawler, tmp_path, clock):
    """With a JOBDIR, a retry still waiting its back-off is resumed like any other request."""
    queue = queue_of(crawler, str(tmp_path), PickleFifoDiskQueue)
    queue.push(req("http://flaky.example/a", **{WAIT_META: 30.0}))
    state = queue.close()
    again = queue_of(crawler, str(tmp_path), PickleFifoDiskQueue, startprios=state)
    assert len(again) == 1
    assert again.pop().url == "http://flaky.example/a"


def test_a_waiting_retry_a_disk_queue_could_not_store_is_refused_at_once(crawler, tmp_path):
    """As Scrapy's disk queues do (ValueError), so that the scheduler keeps it in memory."""
    queue = queue_of(crawler, str(tmp_path), PickleFifoDiskQueue)
    with pytest.raises(ValueError):
        queue.push(req("http://flaky.example/a", **{WAIT_META: 3.0, "lock": threading.Lock()}))
    assert len(queue) == 0


def test_nothing_due_means_no_wake_up(crawler):
    queue = queue_of(crawler)
    assert queue.pop() is None and queue.wake_at is None


def test_the_engine_hook_used_to_wake_the_crawl_exists(crawler):
    """wake_engine() uses the engine slot's ``nextcall`` (Scrapy has no public call for it):
    if an upgrade removes it, this fails, rather than the crawl silently waking 5 s late."""
    from scrapy.core.engine import _Slot

    assert "nextcall" in inspect.signature(_Slot).parameters
    assert hasattr(crawler.engine, "_slot")
    wake_engine(crawler)  # no slot before the spider is opened: nothing to do, no error


def test_the_pacer_alone(clock):
    pacer = SitePacer(clock)
    assert pacer.ready("a") and pacer.wait("a") == 0
    pacer.hold("a", 10)
    pacer.hold("a", 2)  # a shorter hold does not shorten a longer one
    assert pacer.wait("a") == 10
    pacer.hit("a")  # no Crawl-delay: a hit changes nothing
    assert pacer.wait("a") == 10
    clock.advance(10)
    assert pacer.ready("a")
    pacer.set_crawl_delay("a", 0)  # "Crawl-delay: 0" is no delay
    pacer.hit("a")
    assert pacer.ready("a")
