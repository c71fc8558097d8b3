"""The pieces of a distributed crawl, against a real redis-server, without a reactor: the item
envelope, the crawl run's take/release/defer/end, the shared per-site pacer, known articles
read from Redis, and the writer's merge of worker stats."""

from __future__ import annotations

import json
import os
import pickle
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector

from core import handoff
from core.handoff import Envelope, EnvelopeError, Keys
from core.items import Article
from tests.redis_server import RedisServer, redis_server_or_skip


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory) -> Iterator[RedisServer]:
    yield from redis_server_or_skip(tmp_path_factory)


@pytest.fixture
def server(redis_server):
    client = redis_server.client()
    client.flushall()
    yield client
    client.flushall()


KEYS = Keys("news")
SITES = [{"name": "a.example", "start": ["https://a.example/"], "allow": [], "deny": []}]


# -- the envelope -------------------------------------------------------------------------


def test_an_envelope_carries_any_item_with_its_bytes():
    article = Article(url="https://a.example/x", fetched_url="https://a.example/x",
                      site="a.example", text="Un texte.", tags=["é"])
    for payload in (article, {"body": b"\x00\x01raw page", "url": "https://a.example/x"}):
        envelope = Envelope(handoff.ITEM, "3", "host:1", payload, 1.5)
        assert handoff.loads(handoff.dumps(envelope)) == envelope


def test_an_envelope_that_would_run_code_is_refused():
    class Evil:
        def __reduce__(self):
            return (os.system, ("true",))

    with pytest.raises(EnvelopeError, match="refused"):
        handoff.loads(pickle.dumps(Envelope(handoff.ITEM, "1", "w", Evil())))
    with pytest.raises(EnvelopeError):
        handoff.loads(b"not a pickle")
    with pytest.raises(EnvelopeError, match="not an envelope"):
        handoff.loads(pickle.dumps({"kind": "item"}))


def test_an_exchange_travels_compressed_and_comes_back_whole():
    from core.warc import PackedExchange

    exchange = an_exchange(1)
    exchange.body = b"<html><body>" + b"<p>Un paragraphe qui se repete.</p>" * 500 + b"</body>"
    packed = PackedExchange.pack(exchange)
    data = handoff.dumps(Envelope(handoff.ITEM, "1", "h:1", packed))
    assert len(data) < len(exchange.body) / 10
    assert handoff.loads(data).payload.unpack() == exchange


# -- the crawl run --------------------------------------------------------------------------


def run_for(server, worker: str, sites=SITES):
    from crawler.distributed.run import CrawlRun

    run = CrawlRun(server, KEYS, worker)
    run.join(sites)
    return run


def test_workers_join_one_run_and_adopt_its_sites(server):
    first = run_for(server, "h:1")
    other_sites = [{**SITES[0], "name": "b", "start": ["https://b.example/"]}]
    second = run_for(server, "h:2", other_sites)
    assert first.created and not second.created
    assert first.id == second.id
    assert second.sites == SITES
    assert server.smembers(first.key("members")) == {b"h:1", b"h:2"}


def test_a_taken_request_is_held_until_released_and_the_run_ends_after(server):
    run = run_for(server, "h:1")
    server.zadd(run.key("requests"), {b"r1": 0, b"r2": -1})
    taken = run.take()
    assert taken is not None and taken.member == b"r2"  # best priority first
    assert server.hget(run.inflight, b"r2") is not None
    assert not run.check_done()  # queued and in flight
    second = run.take()
    assert second is not None
    assert run.take() is None
    assert not run.check_done()  # both still held
    run.release([taken.member, second.member])
    assert run.check_done() and run.is_done()
    assert not run_for(server, "h:3").id == run.id  # a finished run is not joined again


def test_a_dead_workers_requests_go_back_to_the_queue(server):
    dead, alive = run_for(server, "h:1"), run_for(server, "h:2")
    server.zadd(dead.key("requests"), {b"r1": 0})
    assert dead.take() is not None
    server.delete(KEYS.heartbeat("h:1"))  # as if kill -9: no heartbeat any more
    assert not alive.check_done()  # it requeued r1
    taken = alive.take()
    assert taken is not None and taken.member == b"r1"
    alive.release([taken.member])
    assert alive.check_done()


def test_the_heartbeat_timeout_is_the_setting(server, redis_server, tmp_path):
    """ARCHIVE_HEARTBEAT_TIMEOUT: how long a silent worker keeps its requests; the worker
    beats five times per period."""
    _, spider = worker_spider(redis_server, tmp_path, "https://a.example/",
                              ARCHIVE_HEARTBEAT_TIMEOUT="0.5")
    assert spider.run.beat_every == pytest.approx(0.1)
    heartbeat = KEYS.heartbeat(spider.run.worker)
    assert 0 < server.pttl(heartbeat) <= 500
    other = run_for(server, "h:2")
    server.zadd(other.key("requests"), {b"r1": 0})
    taken = spider.run.take()
    assert taken is not None
    time.sleep(0.6)  # no beat: the worker is taken for dead and its request requeued
    assert not server.exists(heartbeat)
    assert not other.check_done()
    again = other.take()
    assert again is not None and again.member == b"r1"


def test_a_deferred_request_waits_its_time_in_redis(server):
    run = run_for(server, "h:1")
    server.zadd(run.key("requests"), {b"r1": -5})
    taken = run.take()
    run.defer(taken, 0.3)
    assert run.take() is None  # not before its time
    assert not run.check_done()  # a deferred request is pending work
    time.sleep(0.35)
    again = run.take()
    assert again is not None and again.member == b"r1" and again.score == -5
    run.push_later(b"r2", -1, 0.2)
    assert run.take() is None


def test_requests_held_without_the_engines_knowledge_are_given_back(server):
    """A take that Redis ran but whose answer was lost (Redis restarting) leaves an entry in
    the worker's in-flight hash; the idle worker gives it back instead of holding the run."""
    run = run_for(server, "h:1")
    server.zadd(run.key("requests"), {b"r1": -2})
    run.take()  # the answer "lost": the worker never hands r1 to its engine
    assert not run.check_done()
    assert run.give_back() == 1
    assert server.zrange(run.key("requests"), 0, -1, withscores=True) == [(b"r1", -2.0)]


def test_leaving_gives_back_what_the_worker_holds(server):
    run = run_for(server, "h:1")
    server.zadd(run.key("requests"), {b"r1": 0})
    run.take()
    run.leave()
    assert server.zrange(run.key("requests"), 0, -1) == [b"r1"]
    assert not server.sismember(run.key("workers"), "h:1")


# -- shared politeness ----------------------------------------------------------------------


def pacer(server, limit=2, delay=0.0):
    from crawler.distributed.pacing import RedisSitePacer

    return RedisSitePacer(server, KEYS, limit=limit, download_delay=delay, lease_seconds=30)


def test_a_site_takes_at_most_its_concurrency_from_all_workers(server):
    worker1, worker2 = pacer(server), pacer(server)
    assert worker1.acquire("a.example", "w1:1") == 0
    assert worker2.acquire("a.example", "w2:1") == 0
    assert worker2.acquire("a.example", "w2:2") > 0  # the third must wait
    assert worker2.acquire("b.example", "w2:3") == 0  # another site is free
    worker1.release("a.example", "w1:1")
    assert worker2.acquire("a.example", "w2:2") == 0


def test_retry_after_and_crawl_delay_hold_the_site_for_every_worker(server):
    worker1, worker2 = pacer(server, limit=0), pacer(server, limit=0)
    worker1.hold("a.example", 0.5)
    assert worker2.acquire("a.example", "w2:1") > 0.3
    assert not worker2.ready("a.example")
    worker1.set_crawl_delay("c.example", 0.5)
    assert worker1.acquire("c.example", "w1:1") == 0
    assert worker2.acquire("c.example", "w2:2") > 0.3  # the delay spaces all workers' requests
    time.sleep(0.5)
    worker2.hit("c.example")  # a response: the delay counts from it too
    assert worker1.acquire("c.example", "w1:3") > 0.3


def test_download_delay_is_shared_too(server):
    assert pacer(server, limit=0, delay=0.4).acquire("a.example", "1") == 0
    assert pacer(server, limit=0, delay=0.4).acquire("a.example", "2") > 0.2


# -- known articles from Redis --------------------------------------------------------------


def test_known_fresh_articles_are_read_from_redis(server, tmp_path):
    import json

    from core.items import utc_now
    from crawler.distributed.known import RedisKnownArticles

    settings = Settings({"ARCHIVE_RECHECK_HOURS": 24, "ARCHIVE_DB": str(tmp_path / "none.db")})
    known = RedisKnownArticles(settings, server, KEYS)
    url = "https://a.example/2024/01/article.html"
    assert not known.is_fresh(url)
    server.hset(KEYS.known, url, json.dumps({"last_seen": utc_now(), "published": "2024-01-02",
                                             "etag": '"v1"'}))
    assert known.is_fresh(url + "?utm_source=x")  # normalised as the archive's keys are
    assert known.lookup(url).etag == '"v1"'  # validators reach the workers too
    assert not known.is_fresh(url, lastmod="2999-01-01")  # its sitemap says it changed
    assert not known.last_crawl_finished()
    server.set(KEYS.last_crawl_status, "finished")
    assert known.last_crawl_finished()
    assert not (tmp_path / "none.db").exists()
    settings.set("ARCHIVE_RECHECK_HOURS", 0)
    assert RedisKnownArticles.connect(settings, server, KEYS) is None


# -- the writer -----------------------------------------------------------------------------


def test_worker_stats_add_up_in_the_runs_stats():
    from datetime import UTC, datetime

    from pipelines.writer import merge_stats

    stats = MemoryStatsCollector(SimpleNamespace(settings=Settings()))
    early, late = datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 1, 2, tzinfo=UTC)
    merge_stats(stats, {"response_received_count": 3, "start_time": late,
                        "memusage/max": 10, "finish_reason": "finished"})
    merge_stats(stats, {"response_received_count": 4, "start_time": early, "memusage/max": 7})
    assert stats.get_value("response_received_count") == 7
    assert stats.get_value("start_time") == early
    assert stats.get_value("memusage/max") == 10
    assert stats.get_value("finish_reason") is None


# -- the worker spider ---------------------------------------------------------------------


def worker_spider(redis_server, tmp_path, start: str, **settings):
    from scrapy.utils.test import get_crawler

    from crawler import settings as project
    from crawler.distributed.spider import DistributedNewsSpider

    values = {name: getattr(project, name) for name in dir(project) if name.isupper()}
    crawler = get_crawler(DistributedNewsSpider, {
        **values, "ARCHIVE_DB": str(tmp_path / "none.db"), "REDIS_URL": redis_server.url,
        **settings})
    crawler.stats.open_spider()
    return crawler, DistributedNewsSpider.from_crawler(crawler, start=start)


def test_redis_url_makes_the_spider_a_worker(server, redis_server, tmp_path):
    crawler, spider = worker_spider(redis_server, tmp_path, "https://a.example/")
    assert crawler.settings["SCHEDULER"].endswith("DistributedScheduler")
    pipelines = crawler.settings.getdict("ITEM_PIPELINES")
    assert pipelines["pipelines.handoff.HandOffPipeline"] and (
        pipelines["pipelines.stages.StorePipeline"] is None)  # the writer alone stores
    assert spider.run.created and spider.start_urls_all == ["https://a.example/"]
    # the worker captures the WARC exchanges as one machine does; the writer writes them
    middlewares = crawler.settings.getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares["crawler.warc.WarcCaptureMiddleware"] == 940
    assert pipelines["pipelines.warc.WarcPipeline"] is None
    # a second worker with other start URLs joins the run and crawls its sites
    _, joining = worker_spider(redis_server, tmp_path, "https://b.example/")
    assert joining.run.id == spider.run.id and joining.allowed_domains == ["a.example"]
    assert not (tmp_path / "none.db").exists()


def test_start_urls_pushed_to_redis_become_start_requests(server, redis_server, tmp_path):
    _, spider = worker_spider(redis_server, tmp_path, "https://a.example/")
    server.rpush(KEYS.start_urls, "https://a.example/section/", '{"url": "https://a.example/x"}',
                 "https://elsewhere.example/")
    requests = list(spider.next_requests())
    assert [r.url for r in requests] == ["https://a.example/section/", "https://a.example/x"]
    assert all(r.dont_filter and r.meta["via"] == "start" and r.meta["site"] == 0
               for r in requests)


def test_the_shared_duplicate_filter_sees_one_page_under_its_spellings(server):
    """Two workers finding one article as /x/?utm_source=… and /x/?utm_medium=… fetch it
    once, as one machine does (the filter keys on the normalised URL)."""
    from scrapy import Request

    from crawler.distributed.scheduler import CanonicalDupeFilter

    first = CanonicalDupeFilter(server, key="news:run:1:dupefilter")
    second = CanonicalDupeFilter(server, key="news:run:1:dupefilter")
    assert not first.request_seen(Request("https://a.example/x/?utm_source=newsletter"))
    assert second.request_seen(Request("https://a.example/x/?utm_source=related&utm_medium=web"))
    assert second.request_seen(Request("https://a.example/x/#comments"))
    assert not second.request_seen(Request("https://a.example/y/"))


# -- the writer killed and restarted ------------------------------------------------------


def writer_settings(tmp_path) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("ARCHIVE_DB", str(tmp_path / "archive.db"))
    settings.set("ARCHIVE_EXTRACT_WORKERS", 0)
    return settings


def an_exchange(n: int):
    import uuid

    from core.warc import Exchange

    return Exchange(record_id=str(uuid.uuid4()), url=f"https://a.example/{n}/", method="GET",
                    request_headers=[("Host", "a.example")], protocol="HTTP/1.1", status=200,
                    response_headers=[("Content-Type", "text/html; charset=utf-8")],
                    body=f"<html><body><p>Page {n}</p></body></html>".encode(),
                    fetched_at="2025-02-15T10:00:00+00:00")


def push(server, kind: str, payload, worker: str = "h:1") -> None:
    server.lpush(KEYS.items, handoff.dumps(Envelope(kind, "1", worker, payload, 0.0)))


def killed_writer(settings, server, then) -> None:
    """A writer that takes one batch, handles it, does ``then(store, batch)`` and dies there
    (its archive and lock let go, as a ``kill -9`` does)."""
    from pipelines.writer import ArchiveWriter

    writer = ArchiveWriter(settings, server, KEYS)
    batch, resumed = next(writer.batches())
    assert batch and not resumed
    for data in batch:
        writer.handle(handoff.loads(data))
    assert writer.store is not None
    then(writer.store, batch)
    writer.store.close()


def next_writer_finishes(settings, server) -> None:
    from pipelines.writer import ArchiveWriter

    server.set(KEYS.of_run("1", "done"), 1)
    assert ArchiveWriter(settings, server, KEYS).serve() == 0


def archive_rows(tmp_path, table: str) -> list[dict]:
    import sqlite_utils

    return list(sqlite_utils.Database(tmp_path / "archive.db")[table].rows)


def records_on_disk(folder) -> Counter:
    """WARC-Record-IDs of the response and revisit records in ``folder/warc``'s files."""
    from pipelines.warc import complete_records

    found: Counter = Counter()
    for path in (folder / "warc").glob("*.warc.gz"):
        for _, _, record in complete_records(path):
            if record.rec_type in ("response", "revisit"):
                found[record.rec_headers.get_header("WARC-Record-ID")] += 1
    return found


def test_records_a_killed_writer_put_on_disk_are_indexed_not_written_again(server, tmp_path):
    from core.warc import PackedExchange

    settings = writer_settings(tmp_path)
    exchanges = [an_exchange(1), an_exchange(2)]
    push(server, handoff.JOIN, ["https://a.example/"])
    for exchange in exchanges:
        push(server, handoff.ITEM, PackedExchange.pack(exchange))
    # fsynced, not committed: the batch is still in Redis, its records in the WARC file
    killed_writer(settings, server, lambda store, batch: store.write_warc())
    assert len(records_on_disk(tmp_path)) == 2 and not archive_rows(tmp_path, "warc_records")
    next_writer_finishes(settings, server)
    rows = archive_rows(tmp_path, "warc_records")
    assert {row["record_id"] for row in rows} == {e.record_id for e in exchanges}
    assert set(records_on_disk(tmp_path).values()) == {1}  # each record once
    [crawl] = archive_rows(tmp_path, "crawls")
    assert crawl["status"] == "finished"
    assert json.loads(crawl["stats"])["archive/warc/records"] == 2
    from pipelines.warc import archived_page

    with sqlite3.connect(tmp_path / "archive.db") as db:
        page = archived_page(db, exchanges[1].record_id, tmp_path)
    assert page is not None and page.body == exchanges[1].body


def test_a_restarted_writer_neither_rewrites_a_committed_batch_nor_forgets_counts(
        server, tmp_path):
    """Killed after its commit and before Redis heard of it: the next writer acknowledges
    the batch without writing it again; the crawl's counts cover both writers."""
    from core.warc import PackedExchange
    from pipelines.writer import batch_digest

    settings = writer_settings(tmp_path)
    fetch = {"url": "https://a.example/1/", "status": 200, "size": 10, "fetched_at":
             "2025-02-15T10:00:00+00:00", "content_type": "text/html", "outcome": "ok",
             "error": None}
    push(server, handoff.JOIN, ["https://a.example/"])
    push(server, handoff.SIGNAL, ("fetch_recorded", fetch))
    push(server, handoff.ITEM, PackedExchange.pack(an_exchange(1)))
    push(server, handoff.LEAVE, {"response_received_count": 5}, worker="h:1")

    def committed_only(store, batch):
        assert store.commit(batch_digest(batch))

    killed_writer(settings, server, committed_only)
    assert server.llen(KEYS.items_taken) == 4  # not acknowledged
    # the next batch: committed and acknowledged, then that writer is killed too
    push(server, handoff.ITEM, PackedExchange.pack(an_exchange(2)), worker="h:2")
    push(server, handoff.LEAVE, {"response_received_count": 2}, worker="h:2")
    next_writer_finishes(settings, server)
    assert len(archive_rows(tmp_path, "fetches")) == 1  # the batch was not written twice
    assert len(archive_rows(tmp_path, "warc_records")) == 2
    assert set(records_on_disk(tmp_path).values()) == {1}
    [crawl] = archive_rows(tmp_path, "crawls")
    assert crawl["status"] == "finished" and crawl["pages"] == 7  # both writers' counts
    assert json.loads(crawl["stats"])["archive/warc/records"] == 2


def test_an_envelope_pushed_twice_is_written_once(server, tmp_path):
    """A worker's push that Redis ran but whose answer was lost in a Redis restart is sent
    again by its client: the same bytes twice on the list, one fetch row."""
    settings = writer_settings(tmp_path)
    fetch = {"url": "https://a.example/1/", "status": 200, "size": 10, "fetched_at":
             "2025-02-15T10:00:00+00:00", "content_type": "text/html", "outcome": "ok",
             "error": None}
    push(server, handoff.JOIN, ["https://a.example/"])
    data = handoff.dumps(Envelope(handoff.SIGNAL, "1", "h:1", ("fetch_recorded", fetch), 1.0))
    server.lpush(KEYS.items, data, data)
    next_writer_finishes(settings, server)
    assert len(archive_rows(tmp_path, "fetches")) == 1
    [crawl] = archive_rows(tmp_path, "crawls")
    assert json.loads(crawl["stats"])["archive/distributed/duplicate_envelope"] == 1


def test_a_workers_captured_exchange_goes_to_the_writer_compressed(server, redis_server,
                                                                   tmp_path):
    from core.signals import response_captured
    from core.warc import PackedExchange
    from pipelines.handoff import HandOffPipeline

    crawler, spider = worker_spider(redis_server, tmp_path, "https://a.example/")
    crawler.spider = spider
    HandOffPipeline.from_crawler(crawler)
    exchange = an_exchange(1)
    crawler.signals.send_catch_log(response_captured, exchange=exchange)
    [data] = server.lrange(KEYS.items, 0, -1)
    envelope = handoff.loads(data)
    assert envelope.kind == handoff.ITEM and isinstance(envelope.payload, PackedExchange)
    assert envelope.payload.unpack() == exchange
    assert crawler.stats.get_value("archive/distributed/warc_bytes") == len(data)
    assert crawler.stats.get_value("archive/distributed/warc_exchanges") == 1


def test_boilerplate_learnt_mid_batch_is_applied_in_the_batchs_transaction(tmp_path):
    """The writer re-cleans the archive of new boilerplate when the batch commits, not
    before: a writer killed mid-batch has written nothing of it (the batch comes again)."""
    from core.signals import boilerplate_learnt
    from pipelines.boilerplate import SiteBoilerplate
    from pipelines.writer import RunStore

    def article(n: int) -> Article:
        return Article(url=f"https://news.example/{n}/", fetched_url=f"https://news.example/{n}/",
                       site="news.example", title=f"Story {n}", content_hash=f"h{n}",
                       text=f"Real text of story {n}.\nSupport us today\nMore of story {n}.")

    def texts() -> list[str]:
        return [row["text"] for row in archive_rows(tmp_path, "articles")]

    store = RunStore(writer_settings(tmp_path), "1", [], None)
    store.pipeline.process_item(article(1))
    assert store.commit("batch-1")
    knowledge = SiteBoilerplate("news.example", min_pages=3)
    for n in range(3):
        knowledge.observe(f"https://news.example/{n}/", ["Support us today"])
    assert knowledge.blocks
    store.signals.send_catch_log(boilerplate_learnt, knowledge=knowledge)  # mid-batch
    store.pipeline.process_item(article(2))
    assert texts() == [article(1).text]  # nothing of the batch written yet
    assert not archive_rows(tmp_path, "boilerplate_blocks")
    assert store.commit("batch-2")
    assert all("Support us" not in text for text in texts()) and len(texts()) == 2
    assert archive_rows(tmp_path, "boilerplate_blocks")
    store.close()
