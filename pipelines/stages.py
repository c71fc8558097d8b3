"""Scrapy adapters over the domain modules: page -> article, then store.

Each class reads its settings once in ``from_crawler`` and calls plain functions; the logic
they drive lives in :mod:`pipelines.article` (which the extraction workers serve) and
:mod:`pipelines.store`, which are tested without a reactor. Nothing here imports trafilatura:
the crawler process hands pages to the workers, which extract them.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from sqlite_utils import Database
from twisted.internet import task

from core import outcomes
from core.items import Article, FetchFailure, NewsListing, NotModified, Page, utc_now
from core.lock import ArchiveLock
from core.paths import project_path
from core.signals import (
    boilerplate_learnt,
    fetch_recorded,
    page_rejected,
    warc_records_written,
)
from core.urls import normalize
from pipelines.article import NotArticle, page_to_article, page_verdict
from pipelines.boilerplate import (
    SiteBoilerplate,
    clean_article,
    load_site,
    reclean,
    save_blocks,
)
from pipelines.extraction import Extraction
from pipelines.extractor import extractor_identity
from pipelines.store import Archive, rejection_row
from pipelines.workers import ExtractorPool

logger = logging.getLogger(__name__)


class ExtractPipeline:
    """Page -> Article (:func:`pipelines.article.page_to_article`), or dropped and counted.

    The extraction runs in worker processes (:class:`ExtractorPool`); the site boilerplate
    knowledge lives here, loaded from the archive once per site and crawl.
    """

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        workers = settings.getint("ARCHIVE_EXTRACT_WORKERS", -1)
        self.pool = ExtractorPool((os.cpu_count() or 1) if workers < 0 else workers)
        self.archive_path = project_path(settings.get("ARCHIVE_DB"))
        self.learning = {
            "min_pages": settings.getint("ARCHIVE_BOILERPLATE_MIN_PAGES"),
            "min_share": settings.getfloat("ARCHIVE_BOILERPLATE_MIN_SHARE"),
        }
        self.sites: dict[str, SiteBoilerplate] = {}
        self.announced: dict[str, int] = {}  # per site: blocks known when last announced
        self.fallback_said = False
        self.extractor = extractor_identity(settings)  # recorded with each article

    def _site(self, site: str) -> SiteBoilerplate | None:
        """What the archive already knows of the site's boilerplate (loaded once per crawl)."""
        if site not in self.sites:
            try:
                with Database(self.archive_path) as db:  # a second connection: WAL lets it read
                    self.sites[site] = load_site(db, site, **self.learning)
            except Exception:  # learning is an improvement: it must never cost an article
                logger.exception("Loading the boilerplate known of %s failed", site)
                self.stats.inc_value("archive/boilerplate/error")
                return None
            self.announced[site] = len(self.sites[site].blocks)
        return self.sites[site]

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        return cls(crawler)

    def close_spider(self) -> None:
        self.pool.close()

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, Page):
            return item
        return self.article(item, await self.extract(item))

    async def extract(self, page: Page) -> Extraction | None:
        """The page's extraction, in a worker process (None: the page is refused before)."""
        if page_verdict(page) is not None:  # no worker spends 30-60 ms on a list page
            return None
        extraction = await self.pool.extract(page.html, page.url, page.fetched_at)  # never raises
        if extraction.cascade_fallback:
            self._cascade_fallback(extraction.cascade_fallback)
        return extraction

    def article(self, page: Page, extraction: Extraction | None) -> Article:
        """The page's row, with what is known of its site (and learnt from it); not an
        article: counted, its reason announced, and dropped. (A distributed crawl's writer
        calls this on what the workers extracted.)"""
        knowledge = self._site if self.learning["min_pages"] else None
        result = page_to_article(page, knowledge, extraction=extraction)
        if isinstance(result, NotArticle):
            self.stats.inc_value(outcomes.EXTRACT_ERROR if result.failed else outcomes.NOT_ARTICLE)
            if result.failed:
                logger.warning("Extraction failed on %s: %s", page.url, result.reason)
            row = rejection_row(page, result.reason, result.failed)
            self.crawler.signals.send_catch_log(page_rejected, row=row)
            raise DropItem(f"not an article ({result.reason})", log_level="DEBUG")
        result.extractor, result.extracted_at = self.extractor, utc_now()
        site = self.sites.get(result.site)
        if site is not None and len(site.blocks) > self.announced[result.site]:
            self.announced[result.site] = len(site.blocks)
            self.stats.inc_value("archive/boilerplate/learnt")
            self.crawler.signals.send_catch_log(boilerplate_learnt, knowledge=site)
        return result

    def _cascade_fallback(self, reason: str) -> None:
        """Count a page extracted with bare_extraction because trafilatura failed the
        cascade's guard (pipelines.cascade); say why once per crawl."""
        self.stats.inc_value(outcomes.EXTRACTION_FALLBACK)
        if not self.fallback_said:
            self.fallback_said = True
            logger.warning("Extracting with trafilatura's bare_extraction, not the project's "
                           "cascade (same text, about a third more CPU): %s", reason)


class StorePipeline:
    """Writes articles and fetch records to the archive in batched transactions.

    It holds the archive's writer lock for the whole crawl (a second crawl of the same file
    fails at start), writes the ``fetches`` rows announced by FetchRecorderMiddleware and the
    spider's errback, and writes the ``crawls`` row and the end-of-crawl summary.
    """

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.path = project_path(settings.get("ARCHIVE_DB"))
        self.lock = ArchiveLock(self.path)
        self.lock.acquire()  # raises ArchiveBusy: the crawl does not start
        self.archive = Archive(self.path,
                               min_change_words=settings.getint("ARCHIVE_MIN_CHANGE_WORDS", 1))
        self.batch_size = settings.getint("ARCHIVE_BATCH_SIZE")
        self.flush_every = settings.getfloat("ARCHIVE_FLUSH_SECONDS")
        self.articles: list[Article] = []
        self.fetches: list[dict[str, Any]] = []
        self.listings: list[NewsListing] = []
        self.gone: list[tuple[str, int, str]] = []
        self.rejections: list[dict[str, Any]] = []
        self.not_modified: list[NotModified] = []
        self.warc_records: list[dict[str, Any]] = []  # WARC index rows, records on disk
        self.knowledge: dict[str, SiteBoilerplate] = {}  # sites with learnt boilerplate
        self.crawl_id = 0
        self.flusher = task.LoopingCall(self.flush)
        crawler.signals.connect(self.fetch_recorded, signal=fetch_recorded)
        crawler.signals.connect(self.boilerplate_learnt, signal=boilerplate_learnt)
        crawler.signals.connect(self.page_rejected, signal=page_rejected)
        crawler.signals.connect(self.warc_records_written, signal=warc_records_written)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        spider = self.crawler.spider
        self.crawl_id = self.archive.start_crawl(spider.name, getattr(spider, "start_urls_all", []))
        self.flusher.start(self.flush_every, now=False)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, Article):
            knowledge = self.knowledge.get(item.site)
            self.articles.append(clean_article(item, knowledge) if knowledge else item)
        elif isinstance(item, NewsListing):
            self.listings.append(item)
        elif isinstance(item, NotModified):
            self.not_modified.append(item)
        elif isinstance(item, FetchFailure):
            self.fetch_recorded({
                "url": item.url, "status": item.status, "fetched_at": item.fetched_at,
                "size": None, "content_type": None,
                "outcome": item.outcome, "error": item.error,
            })
        if (len(self.articles) + len(self.fetches) + len(self.listings)
                + len(self.not_modified) >= self.batch_size):
            self.flush()
        return item

    def fetch_recorded(self, row: dict[str, Any]) -> None:
        if row.get("status") is None:
            self.stats.inc_value(outcomes.FAILURE_PREFIX + row["outcome"])
        elif row["status"] in (404, 410):
            self.gone.append((normalize(row["url"]), row["status"], row["fetched_at"]))
        self.fetches.append({"crawl_id": self.crawl_id, **row})

    def page_rejected(self, row: dict[str, Any]) -> None:
        self.rejections.append({"crawl_id": self.crawl_id, **row})

    def warc_records_written(self, rows: list[dict[str, Any]]) -> None:
        self.warc_records.extend(rows)

    def boilerplate_learnt(self, knowledge: SiteBoilerplate) -> None:
        """A site's pages revealed new boilerplate: remove it from the site's archived rows."""
        self.knowledge[knowledge.site] = knowledge  # articles still on their way get cleaned
        self.flush()  # the site's rows still in the buffer are re-cleaned too
        self.apply_boilerplate(knowledge)

    def apply_boilerplate(self, knowledge: SiteBoilerplate) -> None:
        """Re-clean the site's archived rows of its learnt boilerplate and keep the blocks."""
        rows = reclean(self.archive.db, knowledge.site, knowledge)
        save_blocks(self.archive.db, knowledge)
        self.stats.inc_value("archive/boilerplate/rows_recleaned", rows)
        logger.info("Learnt %d boilerplate block(s) of %s; re-cleaned %d archived article(s)",
                    len(knowledge.blocks), knowledge.site, rows)

    def pending(self) -> bool:
        """Whether rows wait to be written (a flush that failed keeps them)."""
        return bool(self.articles or self.fetches or self.listings or self.gone
                    or self.not_modified or self.rejections or self.warc_records)

    def flush(self) -> None:
        """Write what is buffered in one transaction and count the outcomes."""
        if not (self.articles or self.fetches or self.listings or self.gone
                or self.not_modified or self.warc_records):
            self._flush_rejections()
            return
        articles, fetches, listings, gone = self.articles, self.fetches, self.listings, self.gone
        not_modified, self.not_modified = self.not_modified, []
        self.articles, self.fetches, self.listings, self.gone = [], [], [], []
        warc_records, self.warc_records = self.warc_records, []
        try:
            written = self.archive.save(articles, fetches, listings, gone, not_modified,
                                        warc_records)
        except sqlite3.Error:
            # The transaction was rolled back: keep the rows and try again at the next flush
            # (a locked or momentarily full disk must not lose what was extracted).
            logger.exception("Writing %d article(s) to %s failed; will retry", len(articles),
                             self.path)
            self.stats.inc_value("archive/store_error")
            self.articles[:0], self.fetches[:0] = articles, fetches
            self.listings[:0], self.gone[:0] = listings, gone
            self.not_modified[:0] = not_modified
            self.warc_records[:0] = warc_records
            return
        for outcome in written.values():
            self.stats.inc_value(outcomes.GONE if outcome == "gone" else
                                 f"archive/articles/{outcome}")
        self._flush_rejections()

    def _flush_rejections(self) -> None:
        """Keep why each fetched page gave no article (its own transaction: a failure keeps
        the rows for the next flush and never holds back the articles)."""
        if not self.rejections:
            return
        rows, self.rejections = self.rejections, []
        try:
            self.archive.save_rejections(rows)
        except sqlite3.Error:
            logger.exception("Writing %d rejection(s) to %s failed; will retry", len(rows),
                             self.path)
            self.stats.inc_value("archive/store_error")
            self.rejections[:0] = rows

    def close_spider(self) -> None:
        if self.flusher.running:
            self.flusher.stop()
        self.flush()

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Record the run in ``crawls``, print its summary and let the next crawl in."""
        try:
            self.flush()  # responses that arrived after close_spider
            stats = self.stats.get_stats()
            counts = outcomes.crawl_counts(stats)
            found = outcomes.crawl_outcomes(stats)
            self.archive.finish_crawl(
                self.crawl_id, status=reason, counts=counts, outcomes=found, stats=stats
            )
            text = outcomes.summary(self.crawl_id, reason, counts, found, str(self.path))
            logger.info(text)
            print(text, flush=True)
        finally:
            self.archive.close()
            self.lock.release()
