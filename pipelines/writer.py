"""The archive writer of a distributed crawl: the one process that writes ``archive.db``.

SQLite has one writer; in a distributed crawl that is this loop (``scrapy archive-writer``).
It takes the workers' envelopes (:mod:`core.handoff`) from Redis in batches and hands them to
the very store pipeline a one-machine crawl uses (so the rows are the same), one crawl run at
a time: the run's ``crawls`` row, its ``fetches``, articles, news listings, gone marks and the
site boilerplate learning that needs every worker's articles. What the writer alone owns
(versions, validators, the WARC files and their index) is written here too, from the items
the envelopes carry: the workers capture each HTML exchange as a one-machine crawl does and
send it (:class:`core.warc.PackedExchange`); the writer writes its WARC records (revisits
decided against the index it owns), fsyncs them, then commits their index rows with the
batch's rows.

Delivery: a batch is moved to a "taken" list (``LMOVE``), its WARC records written and
fsynced, its rows committed in one transaction with the crawl's counts so far and a digest
of the batch, and only then dropped from Redis, so a writer killed at any moment loses
nothing. The next one starts with the batch the last one had taken: if the archive says
that batch was committed, it is only acknowledged; otherwise it is written, and records the
last writer had put on disk without indexing them are found in the WARC files and indexed,
not written twice. The crawl's counts are kept in its ``crawls`` row with every batch, so
they cover the whole crawl however often the writer restarts. After each batch, the archived
articles' facts go back to Redis for the workers' incremental checks. A run's ``crawls`` row
is finished when the run is over and every worker that took part has sent its stats (or is
gone); it lists the workers.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import signal
import socket
import time
from collections import deque
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from scrapy.exceptions import DropItem
from scrapy.settings import Settings
from scrapy.signalmanager import SignalManager
from scrapy.statscollectors import MemoryStatsCollector
from sqlite_utils import Database

from core import handoff, outcomes
from core import signals as project_signals
from core.handoff import Envelope, EnvelopeError, Keys
from core.items import Article
from core.known import KNOWN_FIELDS
from core.paths import project_path
from core.warc import Exchange, PackedExchange
from pipelines.boilerplate import SiteBoilerplate
from pipelines.handoff import Extracted
from pipelines.stages import ExtractPipeline, StorePipeline
from pipelines.warc import DigestLookup, WarcWriter, find_records, warc_directory, warcinfo

logger = logging.getLogger(__name__)

#: How long the writer's claim on the crawl lasts without being renewed.
WRITER_TTL_MS = 30_000
#: What a finished run leaves in Redis that the writer removes.
RUN_STATE = ("requests", "dupefilter", "delayed", "priorities", "workers", "keepalive",
             "left", "sites", "members")
#: Articles' facts published to the workers per Redis round trip.
PUBLISH_CHUNK = 1000
#: Envelopes remembered to recognise one pushed twice (20 bytes each).
RECENT_ENVELOPES = 100_000


class WriterBusy(RuntimeError):
    """Another archive writer serves this crawl."""


def known_facts(db: Database, urls: list[str] | None = None) -> Iterator[dict[str, str]]:
    """url -> JSON of what a re-crawl must know of each archived article (its validators
    included), in chunks; all articles, or those of ``urls``."""
    columns = ", ".join(KNOWN_FIELDS)
    if "articles" not in db.table_names():
        return
    if urls is None:
        rows = db.execute(f"SELECT url, {columns} FROM articles")
    else:
        rows = db.execute(f"SELECT url, {columns} FROM articles "
                          "WHERE url IN (SELECT value FROM json_each(?))", [json.dumps(urls)])
    while chunk := rows.fetchmany(PUBLISH_CHUNK):
        yield {row[0]: json.dumps(dict(zip(KNOWN_FIELDS, row[1:], strict=True)))
               for row in chunk}


def batch_digest(batch: list[bytes]) -> str:
    """What identifies a batch of envelopes (the same taken list gives the same digest)."""
    digest = hashlib.sha1()
    for data in batch:
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


class RunStore:
    """The store pipeline (and WARC writer) of one crawl run, driven without a reactor."""

    def __init__(self, settings: Settings, run: str, start_urls: list[str],
                 crawl_id: int | None) -> None:
        crawler = SimpleNamespace(
            settings=settings, signals=SignalManager(),
            spider=SimpleNamespace(name="news", start_urls_all=start_urls),
        )
        crawler.stats = MemoryStatsCollector(crawler)
        self.run = run
        self.stats = crawler.stats
        self.signals = crawler.signals
        self.pipeline = StorePipeline(crawler)  # takes the archive's writer lock
        self.last_batch: str | None = None
        if crawl_id is None:
            self.pipeline.open_spider()
        else:  # a restarted writer goes on with the run's row, and its counts so far
            self.pipeline.crawl_id = crawl_id
            stats, self.last_batch = self.pipeline.archive.crawl_progress(crawl_id)
            for key, value in stats.items():
                if isinstance(value, int | float) and not isinstance(value, bool):
                    self.stats.set_value(key, value)
        if self.pipeline.flusher.running:
            self.pipeline.flusher.stop()  # this loop flushes after every batch
        # the one-machine page -> row step, without its pool (the workers extracted): the
        # site boilerplate knowledge and learning, announced to the store by its signal
        self.rows = ExtractPipeline(crawler)
        self.left: set[str] = set()
        # boilerplate learnt re-cleans the archive inside the batch's transaction
        self.learnt: dict[str, SiteBoilerplate] = {}
        self.signals.disconnect(self.pipeline.boilerplate_learnt,
                                signal=project_signals.boilerplate_learnt)
        self.signals.connect(self._learnt, signal=project_signals.boilerplate_learnt)
        self.warc = self._warc_writer(settings)
        self.exchanges: list[Exchange] = []  # received, their WARC records not written yet

    def _warc_writer(self, settings: Settings) -> WarcWriter | None:
        """The run's WARC writer (None with ``ARCHIVE_WARC_ENABLED`` off), used without its
        thread: the loop writes and fsyncs a batch's records before committing the batch."""
        if not settings.getbool("ARCHIVE_WARC_ENABLED"):
            return None
        archive = self.pipeline.path
        return WarcWriter(
            warc_directory(settings.get("ARCHIVE_WARC_DIR"), archive),
            max_size=settings.getint("ARCHIVE_WARC_MAX_SIZE"), info=warcinfo(settings),
            archive_dir=archive.parent, on_written=self.pipeline.warc_records_written,
            lookup=DigestLookup(archive),
        )

    @property
    def crawl_id(self) -> int:
        return self.pipeline.crawl_id

    def take(self, envelope: Envelope) -> Article | None:
        """Hand one envelope to the store; returns the article row it made, if any."""
        if envelope.kind == handoff.ITEM:
            item = envelope.payload
            if isinstance(item, PackedExchange):
                self._exchange(item)
                return None
            if isinstance(item, Extracted):
                try:
                    item = self.rows.article(item.page, item.extraction)
                except DropItem:  # counted; the worker had found an article there
                    return None
            self.pipeline.process_item(item)
            return item if isinstance(item, Article) else None
        if envelope.kind == handoff.SIGNAL:
            name, row = envelope.payload
            self.signals.send_catch_log(getattr(project_signals, name), row=row)
        elif envelope.kind == handoff.LEAVE:
            self.left.add(envelope.worker)
            merge_stats(self.stats, envelope.payload)
        return None

    def _learnt(self, knowledge: SiteBoilerplate) -> None:
        """New boilerplate of a site: the articles still to come are cleaned of it at once,
        the archived ones (this batch's included) when the batch is committed, in its
        transaction, so that a writer killed mid-batch has written nothing of the batch."""
        self.pipeline.knowledge[knowledge.site] = knowledge
        self.learnt[knowledge.site] = knowledge

    def _exchange(self, packed: PackedExchange) -> None:
        if self.warc is None:  # the workers capture, but this writer keeps no WARC files
            self.stats.inc_value("archive/warc/not_written")
            return
        try:
            self.exchanges.append(packed.unpack())
        except Exception as error:  # a damaged body: log, count, go on
            logger.error("Dropping the WARC exchange of %s: %s", packed.exchange.url, error)
            self.stats.inc_value("archive/distributed/bad_envelope")

    def write_warc(self, *, recover: bool = False) -> bool:
        """Write and fsync the WARC records of the exchanges received (their index rows go
        to the store's next commit); False if they could not be made durable (kept, to be
        tried again). Records the index holds already are not written again; with
        ``recover`` (the batch a killed writer had taken), those it had put on disk without
        indexing them are looked for in the WARC files and indexed."""
        if self.warc is None or not self.exchanges:
            return True
        exchanges = list({e.record_id: e for e in self.exchanges}.values())  # a re-sent one
        ids = {e.record_id for e in exchanges}
        done = self.pipeline.archive.warc_indexed(ids)
        if recover and ids - done:
            ends = self.pipeline.archive.warc_file_ends()
            found = find_records(self.warc.directory, self.warc.archive_dir, ids - done,
                                 lambda file: ends.get(file, 0))
            if found:
                logger.info("Indexing %d WARC record(s) the previous writer had written",
                            len(found))
                self.warc.adopt(found)
                self.pipeline.warc_records_written(found)
                self.stats.inc_value("archive/warc/records", len(found))  # this crawl's
                self.stats.inc_value("archive/warc/recovered", len(found))
                done |= {row["record_id"] for row in found}
        before = dict(vars(self.warc.stats))
        durable = self.warc.write([e for e in exchanges if e.record_id not in done])
        for name, value in vars(self.warc.stats).items():
            self.stats.inc_value(f"archive/warc/{name}", value - before[name])
        if durable:
            self.exchanges = []
        return durable

    def commit(self, batch: str | None = None, *, recover: bool = False) -> bool:
        """Write what is buffered: the WARC records (fsynced), then in one transaction the
        rows, the WARC index rows and the crawl's counts so far with the batch's digest
        (``batch``; None keeps the last). False if it could not be (it stays buffered)."""
        if not self.write_warc(recover=recover):
            return False
        archive = self.pipeline.archive
        with archive.db.atomic():
            self.pipeline.flush()
            if self.pipeline.pending():
                return False
            for knowledge in self.learnt.values():
                self.pipeline.apply_boilerplate(knowledge)
            self.learnt.clear()
            stats = self.stats.get_stats()
            archive.save_crawl_progress(
                self.crawl_id, counts=outcomes.crawl_counts(stats),
                outcomes=outcomes.crawl_outcomes(stats), stats=stats,
                batch=self.last_batch if batch is None else batch)
        if batch is not None:
            self.last_batch = batch
        return True

    def finish(self, reason: str, workers: list[str]) -> None:
        """Record the run (its workers, merged stats, summary) and let the archive go."""
        while not self.commit():
            time.sleep(1)  # the archive or the disk is full or failing: the run waits
        self.stats.set_value("finish_reason", reason)
        db = self.pipeline.archive.db
        with db.atomic():
            db["crawls"].update(self.crawl_id, {"workers": json.dumps(sorted(workers))})
        self.pipeline.spider_closed(self.pipeline.crawler.spider, reason)
        if self.warc is not None:
            self.warc.close()

    def close(self) -> None:
        """Let the archive and the WARC file go without finishing the run (the writer was
        stopped; the next one goes on with it)."""
        if self.warc is not None:
            self.warc.close()
        self.pipeline.archive.close()
        self.pipeline.lock.release()


def merge_stats(stats: MemoryStatsCollector, worker: dict[str, Any]) -> None:
    """A worker's final stats into the run's: counters add up, the earliest start stays."""
    for key, value in worker.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            if key == "start_time":
                stats.min_value(key, value)
            elif key not in ("finish_time", "finish_reason", "elapsed_time_seconds"):
                stats.set_value(key, value)
        elif key.startswith("memusage/"):
            stats.max_value(key, value)
        else:
            stats.inc_value(key, value)


class ArchiveWriter:
    """The loop: take a batch, write it, acknowledge it, tell the workers, finish runs."""

    def __init__(self, settings: Settings, server: Redis, keys: Keys) -> None:
        self.settings = settings
        self.server = server
        self.keys = keys
        self.path = project_path(settings.get("ARCHIVE_DB"))
        self.batch_size = max(1, settings.getint("ARCHIVE_BATCH_SIZE"))
        self.keep_running = settings.getbool("ARCHIVE_KEEP_RUNNING")
        self.me = f"{socket.gethostname()}:{os.getpid()}"
        self.store: RunStore | None = None
        self.finished_runs: set[str] = set()
        self.stopping = False
        self.runs_finished = 0
        self.recent: deque[bytes] = deque()  # digests of the latest envelopes, oldest first
        self.recent_set: set[bytes] = set()

    # -- Redis ------------------------------------------------------------------------------

    def claim(self) -> None:
        """Be the crawl's only writer (renewed every batch); raise WriterBusy otherwise.

        A claim left by a writer of this machine that is gone (``kill -9``) is taken over at
        once; one from another machine only once it has expired."""
        holder = self.server.get(self.keys.writer)
        if holder not in (None, self.me.encode()) and not self._gone(holder.decode()):
            raise WriterBusy(f"another archive writer ({holder.decode()}) serves this crawl")
        self.server.set(self.keys.writer, self.me, px=WRITER_TTL_MS)

    @staticmethod
    def _gone(holder: str) -> bool:
        host, _, pid = holder.rpartition(":")
        if host != socket.gethostname() or not pid.isdigit():
            return False
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False

    def batches(self) -> Iterator[tuple[list[bytes], bool]]:
        """Envelopes, oldest first, and whether they are those a previous writer took and
        did not acknowledge (the first batch only).

        A batch is whatever the taken list holds, not what the moves answered: a move that
        Redis ran but whose answer was lost (a Redis restart; the client retries it) leaves
        its envelope there too, and it is written with the others."""
        taken = self.server.lrange(self.keys.items_taken, 0, -1)
        if taken:
            logger.info("Resuming %d envelope(s) taken by the previous writer", len(taken))
        resumed = bool(taken)
        while not self.stopping:
            if not taken:
                first = self.server.blmove(self.keys.items, self.keys.items_taken, 1.0,
                                           "RIGHT", "LEFT")
                if first is None:
                    yield [], False
                    continue
                with self.server.pipeline() as pipe:
                    for _ in range(self.batch_size - 1):
                        pipe.lmove(self.keys.items, self.keys.items_taken, "RIGHT", "LEFT")
                    pipe.execute()
                taken = self.server.lrange(self.keys.items_taken, 0, -1)
            yield list(reversed(taken)), resumed  # acknowledged by the caller once written
            taken, resumed = [], False

    def publish_all_known(self) -> int:
        """Every archived article's facts, for the workers' incremental checks (replaces the
        hash at once, so an article deleted from the archive is fetched again)."""
        if not self.path.exists():
            return 0
        db = Database(self.path)
        try:
            temp, count = f"{self.keys.known}:building", 0
            self.server.delete(temp)
            for chunk in known_facts(db):
                self.server.hset(temp, mapping=chunk)
                count += len(chunk)
            if count:
                self.server.rename(temp, self.keys.known)
            if "crawls" in db.table_names():
                last = db.execute("SELECT status FROM crawls ORDER BY id DESC LIMIT 1")
                if row := last.fetchone():
                    self.server.set(self.keys.last_crawl_status, row[0])
            return count
        finally:
            db.close()

    # -- runs ----------------------------------------------------------------------------------

    def open_run(self, run: str, start_urls: list[str]) -> RunStore:
        crawl_key = self.keys.of_run(run, "crawl-id")
        known = self.server.get(crawl_key)
        store = RunStore(self.settings, run, start_urls, int(known) if known else None)
        self.server.set(crawl_key, store.crawl_id)
        logger.info("Writing crawl run %s as crawl #%d of %s", run, store.crawl_id, self.path)
        return store

    def run_over(self, store: RunStore) -> bool:
        """The run is over and every worker that took part has said its last (or is gone)."""
        if not self.server.exists(self.keys.of_run(store.run, "done")):
            return False
        if self.server.llen(self.keys.items):
            return False
        members = {m.decode() for m in self.server.smembers(self.keys.of_run(store.run,
                                                                            "members"))}
        for worker in members - store.left:
            if self.server.exists(self.keys.heartbeat(worker)):
                return False
        return True

    def finish_run(self, reason: str) -> None:
        store, self.store = self.store, None
        assert store is not None
        members = [m.decode() for m in self.server.smembers(self.keys.of_run(store.run,
                                                                            "members"))]
        store.finish(reason, members)
        self.server.set(self.keys.last_crawl_status, reason)
        # the run's queue, filter and bookkeeping are not needed any more (an hourly crawl
        # would otherwise leave a filter of every URL in Redis each hour); "done" stays, so
        # that no worker joins the run again
        self.server.delete(*(self.keys.of_run(store.run, what) for what in RUN_STATE))
        self.finished_runs.add(store.run)
        self.runs_finished += 1

    def handle(self, envelope: Envelope) -> Article | None:
        if self.store is not None and self.store.run != envelope.run:
            done = self.server.exists(self.keys.of_run(self.store.run, "done"))
            self.finish_run("finished" if done else "interrupted")
        if self.store is None:
            if envelope.run in self.finished_runs and envelope.kind != handoff.ITEM:
                return None  # a late word from a worker of a run already recorded
            urls = envelope.payload if envelope.kind == handoff.JOIN else []
            self.store = self.open_run(envelope.run, urls)
        return self.store.take(envelope)

    # -- the loop ------------------------------------------------------------------------------

    def serve(self) -> int:
        """Write until the crawl run is over (or for ever with ARCHIVE_KEEP_RUNNING)."""
        self.claim()
        published = self.publish_all_known()
        logger.info("Archive writer %s: %d known article(s) published; waiting for items",
                    self.me, published)
        for batch, resumed in self.batches():
            self.claim()
            digest = batch_digest(batch)
            if resumed and self.committed_before(batch[0], digest):
                logger.info("The %d envelope(s) taken by the previous writer were committed "
                            "by it: acknowledged", len(batch))
                self.server.delete(self.keys.items_taken)
                continue
            articles: list[Article] = []
            for data in batch:
                if self.seen_before(data):
                    if self.store is not None:
                        self.store.stats.inc_value("archive/distributed/duplicate_envelope")
                    continue
                try:
                    envelope = handoff.loads(data)
                except EnvelopeError as error:
                    logger.error("Dropping an unreadable envelope: %s", error)
                    if self.store is not None:
                        self.store.stats.inc_value("archive/distributed/bad_envelope")
                    continue
                article = self.handle(envelope)
                if article is not None:
                    articles.append(article)
            while self.store is not None and not self.store.commit(digest, recover=resumed):
                time.sleep(1)  # the archive is busy or full: the batch waits, in Redis too
            self.server.delete(self.keys.items_taken)  # committed: acknowledged
            self.publish(articles)
            if self.store is not None and not batch and self.run_over(self.store):
                self.finish_run("finished")
                if not self.keep_running:
                    return 0
        if self.store is not None:  # stopped by a signal: the run goes on without us
            self.store.commit()
            self.store.close()
        return 0

    def seen_before(self, data: bytes) -> bool:
        """Whether this very envelope was among the latest ``RECENT_ENVELOPES`` handled.

        Every envelope a worker sends is unique (it carries its sending time), so one seen
        twice was pushed twice: a push Redis ran but whose answer was lost while it
        restarted, which the worker's client sent again; or an envelope of a batch this
        writer was handling when Redis went away and which it takes again."""
        key = hashlib.sha1(data).digest()
        if key in self.recent_set:
            return True
        self.recent.append(key)
        self.recent_set.add(key)
        if len(self.recent) > RECENT_ENVELOPES:
            self.recent_set.discard(self.recent.popleft())
        return False

    def committed_before(self, first: bytes, digest: str) -> bool:
        """Whether the batch a previous writer took (``first`` its oldest envelope) is the
        one its run's ``crawls`` row says it committed last (killed before acknowledging)."""
        try:
            envelope = handoff.loads(first)
        except EnvelopeError:
            return False
        if self.store is None and self.server.exists(self.keys.of_run(envelope.run,
                                                                      "crawl-id")):
            self.store = self.open_run(envelope.run, [])
        return self.store is not None and self.store.last_batch == digest

    def publish(self, articles: list[Article]) -> None:
        """The facts of the articles just written, for the workers' incremental checks."""
        if articles and self.store is not None:
            urls = [article.url for article in articles]
            for chunk in known_facts(self.store.pipeline.archive.db, urls):
                self.server.hset(self.keys.known, mapping=chunk)

    def stop(self, *_: Any) -> None:
        self.stopping = True


def serve(settings: Settings, server: Redis) -> int:
    """Run the writer; a Redis restart is waited out (the taken batch is still there)."""
    writer = ArchiveWriter(settings, server, Keys("news"))
    signal.signal(signal.SIGINT, writer.stop)
    signal.signal(signal.SIGTERM, writer.stop)
    while True:
        try:
            return writer.serve()
        except (RedisConnectionError, RedisTimeoutError) as error:
            if writer.stopping:
                return 1
            logger.warning("Redis unreachable (%s); trying again", error)
            time.sleep(1)
