"""Scrapy's scheduler, always with its queue of pending requests on disk.

A sitemap of 50,000 articles turns into 50,000 pending requests at once; in Scrapy's memory
queue they would make the crawl's memory grow with the site. Scrapy keeps the queue on disk
only when ``JOBDIR`` is set; this scheduler gives it a throw-away directory otherwise (removed
when the crawl ends, or by the next crawl when a crawl was killed), so memory stays flat.
With a ``JOBDIR`` it behaves as Scrapy's.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from scrapy.core.scheduler import Scheduler
from scrapy.crawler import Crawler

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
