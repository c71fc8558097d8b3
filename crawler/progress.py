"""Crawl progress while a crawl runs: what a person watching a long crawl wants to know.

Scrapy's LogStats logs "Crawled N pages (at R pages/min), scraped M items" every
``LOGSTATS_INTERVAL`` seconds; :class:`CrawlProgress` takes its place (same setting, same
final ``responses_per_minute`` stats) and says what an archive crawl is doing instead: pages
fetched, requests still queued, articles stored, errors, and pages per second over the last
interval. When stderr is a terminal (``ARCHIVE_PROGRESS_BAR = "auto"``; True or False force it)
a progress bar (tqdm) is redrawn every ``ARCHIVE_PROGRESS_BAR_SECONDS`` too, log lines
printed above it. The summary at the end is ``core.outcomes.summary``'s.

The counts come from :func:`progress_counts`, a plain function of the stats and the queue
length, tested without a crawler.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.extensions.logstats import LogStats
from scrapy.utils.asyncio import create_looping_call

from core import outcomes

logger = logging.getLogger(__name__)


def progress_counts(stats: Mapping[str, Any], queued: int | None) -> dict[str, int]:
    """Pages fetched, requests queued, articles stored (new, updated or unchanged), errors."""
    counts = outcomes.crawl_counts(stats)
    return {
        "pages": counts["pages"],
        "queued": queued or 0,
        "stored": counts["articles_new"] + counts["articles_updated"]
        + counts["articles_unchanged"],
        "errors": counts["errors"],
    }


def progress_line(counts: Mapping[str, int], pages_per_second: float) -> str:
    """The log line of one interval."""
    return (
        f"Progress: {counts['pages']} pages fetched ({pages_per_second:.1f} pages/s), "
        f"{counts['queued']} queued, {counts['stored']} articles stored, "
        f"{counts['errors']} errors"
    )


def wants_bar(setting: Any, stream: Any) -> bool:
    """Whether to draw the bar: ``"auto"`` draws it when ``stream`` is a terminal."""
    if str(setting).lower() == "auto":
        isatty = getattr(stream, "isatty", None)
        return bool(isatty and isatty())
    return str(setting).lower() in ("1", "true", "yes", "on")


class CrawlProgress(LogStats):
    """Logs :func:`progress_line` every ``LOGSTATS_INTERVAL`` seconds; draws the bar when
    wanted. Replaces Scrapy's LogStats in ``EXTENSIONS``."""

    def __init__(self, crawler: Crawler, interval: float, bar: bool, bar_seconds: float) -> None:
        super().__init__(crawler.stats, interval or 60.0)
        self.crawler = crawler
        self.log_enabled = bool(interval)
        self.bar_enabled = bar
        self.bar_seconds = bar_seconds
        self.bar: Any = None
        self.bar_task: Any = None
        self.redirect: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlProgress:
        settings = crawler.settings
        interval = settings.getfloat("LOGSTATS_INTERVAL")
        bar = wants_bar(settings.get("ARCHIVE_PROGRESS_BAR", "auto"), sys.stderr)
        if not interval and not bar:
            raise NotConfigured
        progress = cls(crawler, interval, bar,
                       settings.getfloat("ARCHIVE_PROGRESS_BAR_SECONDS", 0.5))
        crawler.signals.connect(progress.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(progress.spider_closed, signal=signals.spider_closed)
        return progress

    def queued(self) -> int | None:
        engine = self.crawler.engine
        scheduler = getattr(engine, "scheduler", None) if engine else None
        try:
            return len(scheduler) if scheduler is not None else None
        except TypeError:  # a scheduler without a length
            return None

    def counts(self) -> dict[str, int]:
        return progress_counts(self.stats.get_stats(), self.queued())

    def spider_opened(self, spider: Spider) -> None:
        self.pagesprev, self.itemsprev = 0, 0
        if self.log_enabled:
            self.task = create_looping_call(self.log, spider)
            self.task.start(self.interval, now=False)
        if self.bar_enabled:
            self.start_bar(spider)

    def log(self, spider: Spider) -> None:
        self.calculate_stats()
        rate = self.prate / 60.0  # LogStats computes pages per minute over the interval
        logger.info(progress_line(self.counts(), rate), extra={"spider": spider})

    def start_bar(self, spider: Spider) -> None:
        from tqdm import tqdm
        from tqdm.contrib.logging import logging_redirect_tqdm

        self.bar = tqdm(total=0, unit="page", desc="Crawling", file=sys.stderr,
                        dynamic_ncols=True, leave=False)
        # Log lines are written above the bar instead of through it.
        self.redirect = logging_redirect_tqdm(tqdm_class=tqdm)
        self.redirect.__enter__()
        self.bar_task = create_looping_call(self.draw_bar)
        self.bar_task.start(self.bar_seconds)

    def draw_bar(self) -> None:
        counts = self.counts()
        self.bar.total = counts["pages"] + counts["queued"]
        self.bar.n = counts["pages"]
        self.bar.set_postfix(stored=counts["stored"], errors=counts["errors"], refresh=False)
        self.bar.refresh()

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.bar_task and self.bar_task.running:
            self.bar_task.stop()
        if self.bar is not None:
            self.draw_bar()
            self.bar.close()
            self.redirect.__exit__(None, None, None)
            self.bar = None
        if self.log_enabled:
            super().spider_closed(spider, reason)
