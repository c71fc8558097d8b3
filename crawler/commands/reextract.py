"""``scrapy reextract``: re-run the project's extraction over the archived pages, offline.

    scrapy reextract -s ARCHIVE_DB=archive.db [--site HOST] [--since DATE] [--until DATE]
                     [--url GLOB] [--workers N]

Reads each selected article's page from its WARC record (no request is made: the site may be
gone), decodes it with the crawler's own charset rules (:func:`crawler.warc.decoded_html`),
extracts it in the extraction worker pool and replaces the row's text in place; prints a
progress bar on a terminal and a summary of what changed. Extraction settings given with
``-s`` (``ARCHIVE_BOILERPLATE_MIN_PAGES``, …) apply, and the rows record the extractor that
produced them.

This command is where the two sides meet, like ``scrapy crawl``: the extraction side
(``pipelines.reextract``) is imported only when the command runs, so that no other command,
and no crawl, loads the extractor.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from datetime import date
from typing import Any

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from tqdm import tqdm

from core.lock import ArchiveBusy
from core.paths import project_path
from crawler.commands.crawl import EXIT_BUSY
from crawler.warc import decoded_html


def _date(value: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value}") from err


def decode(page: Any) -> str:
    """An archived response's text, as the spider read it during the crawl."""
    return decoded_html(page.url, page.status, page.headers, page.content)


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False  # no crawl: no reactor, no Scrapy start-up log

    def syntax(self) -> str:
        return "[--site HOST] [--since DATE] [--until DATE] [--url GLOB] [--workers N]"

    def short_desc(self) -> str:
        return "Re-extract archived articles from their WARC records, offline"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--site", help="only the articles of this host")
        parser.add_argument("--since", type=_date, help="published on or after (YYYY-MM-DD)")
        parser.add_argument("--until", type=_date, help="published on or before (YYYY-MM-DD)")
        parser.add_argument("--url", help="only URLs matching this GLOB pattern (*/2025/03/*)")
        parser.add_argument("--workers", type=int, default=None,
                            help="extraction processes (default: ARCHIVE_EXTRACT_WORKERS)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        from pipelines.extractor import extractor_identity
        from pipelines.reextract import Selection, reextract

        if args:
            raise UsageError("reextract takes no arguments")
        assert self.settings is not None
        settings = self.settings
        path = project_path(settings.get("ARCHIVE_DB"))
        if not path.exists():
            print(f"news-archiver: no archive at {path}", file=sys.stderr)
            self.exitcode = 1
            return
        workers = opts.workers if opts.workers is not None else settings.getint(
            "ARCHIVE_EXTRACT_WORKERS")
        bar = tqdm(unit="article", desc="re-extracting", disable=None, file=sys.stderr)
        selection = Selection(site=opts.site, since=opts.since, until=opts.until, url=opts.url)
        try:
            summary = asyncio.run(reextract(
                path, selection,
                extractor=extractor_identity(settings),
                decode=decode,
                workers=(os.cpu_count() or 1) if workers < 0 else workers,
                learning={"min_pages": settings.getint("ARCHIVE_BOILERPLATE_MIN_PAGES"),
                          "min_share": settings.getfloat("ARCHIVE_BOILERPLATE_MIN_SHARE")},
                progress=bar.update,
                on_start=bar.reset,
            ))
        except ArchiveBusy as busy:
            print(f"news-archiver: {busy}", file=sys.stderr)
            self.exitcode = EXIT_BUSY
            return
        finally:
            bar.close()
        print(summary.text(), flush=True)
