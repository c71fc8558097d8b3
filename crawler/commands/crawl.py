"""``scrapy crawl``, refusing at once (exit status 2, one clear line) when the archive is busy.

The store pipeline holds the archive's writer lock for the whole crawl; this check runs
before Scrapy starts anything, so a cron job that overlaps a slow earlier run says so in one
line instead of a traceback. (The pipeline's own lock stays the guarantee: this is the
friendly front door.)
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from scrapy.commands.crawl import Command as ScrapyCrawl

from core.lock import ArchiveBusy, ArchiveLock
from core.paths import project_path

#: Exit status of a crawl refused because another crawl writes the same archive.
EXIT_BUSY = 2


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        if self.settings.get("REDIS_URL"):
            # a worker of a distributed crawl: the archive writer alone holds the archive
            from crawler.distributed.spider import DistributedNewsSpider

            if args == [DistributedNewsSpider.name]:
                args = [DistributedNewsSpider]  # type: ignore[list-item]
            super().run(args, opts)
            exit_now(self.exitcode)
        path = project_path(self.settings.get("ARCHIVE_DB"))
        try:
            with ArchiveLock(path):
                pass
        except ArchiveBusy as busy:
            print(f"news-archiver: {busy}", file=sys.stderr)
            self.exitcode = EXIT_BUSY
            return
        super().run(args, opts)
        exit_now(self.exitcode)


def exit_now(status: int) -> None:
    """End the process at once, its output flushed.

    Everything is written and closed when the crawl ends (archive, lock, worker pool); what
    remains is the interpreter tearing down every module of Scrapy, Twisted, lxml and
    trafilatura, about half a second, which a re-crawl of a few seconds would spend on
    nothing. (The forkserver and the resource tracker exit when this process's pipes close.)
    """
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
