"""``scrapy archive-writer -s REDIS_URL=… -s ARCHIVE_DB=PATH``: the writer of a distributed crawl.

Registered as a Scrapy command by an entry point (pyproject.toml), since the Scrapy side's own
commands (``crawler/commands``) never import the archive.
"""

from __future__ import annotations

import argparse
import sys

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.utils.log import configure_logging

from core.handoff import redis_client
from core.lock import ArchiveBusy
from pipelines.writer import WriterBusy, serve

#: Exit status when the archive or the crawl already has a writer (as `scrapy crawl`'s).
EXIT_BUSY = 2


class Command(ScrapyCommand):
    requires_project = True

    def syntax(self) -> str:
        return "-s REDIS_URL=redis://host:6379/0 [-s ARCHIVE_DB=archive.db]"

    def short_desc(self) -> str:
        return "Write the items of a distributed crawl into the archive (the one writer)"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        if not self.settings.get("REDIS_URL"):
            raise UsageError("give the crawl's Redis: -s REDIS_URL=redis://host:6379/0")
        configure_logging(self.settings)
        server = redis_client(self.settings)
        try:
            server.ping()
            self.exitcode = serve(self.settings, server)
        except (ArchiveBusy, WriterBusy) as busy:
            print(f"news-archiver: {busy}", file=sys.stderr)
            self.exitcode = EXIT_BUSY
