"""The duplicate-request filter: on disk, fresh for every crawl.

Scrapy's RFPDupeFilter keeps every fingerprint in a Python set for the whole crawl (memory
that grows with every URL) and, with ``JOBDIR``, persists them in a file that outlives a
``kill -9`` while the scheduler's queue does not: the next run would then skip list pages it
never finished reading. This filter keeps fingerprints in a throw-away SQLite file (a primary
key of 16-byte blobs, no journal, no fsync) that lives only as long as the crawl, so memory
stays flat, and resuming after a crash is left to the archive itself (see
:mod:`crawler.incremental`). The file is unlinked as soon as it is open, so nothing is left
behind even by a crawl killed with ``kill -9``.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.dupefilters import BaseDupeFilter

from core.urls import normalize


def canonical_request(request: Request) -> Request:
    """The request as duplicate filters see it: requests go out as the site wrote their URL,
    but two spellings of one page (tracking parameters, ``?noamp=``, a fragment, another
    parameter order) are one request (the distributed crawl's filter uses it too)."""
    canonical = normalize(request.url)
    return request if canonical == request.url else request.replace(url=canonical)


class DiskDupeFilter(BaseDupeFilter):
    def __init__(self, crawler: Crawler) -> None:
        self.fingerprinter = crawler.request_fingerprinter
        self.stats = crawler.stats
        directory = crawler.settings.get("ARCHIVE_TMPDIR") or None
        handle, self.path = tempfile.mkstemp(prefix="news-archiver-seen-", suffix=".db",
                                             dir=directory)
        os.close(handle)
        self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode = OFF")
        self.db.execute("PRAGMA synchronous = OFF")
        self.db.execute("PRAGMA cache_size = -8000")  # at most 8 MB of page cache
        self.db.execute("CREATE TABLE seen (fp BLOB PRIMARY KEY) WITHOUT ROWID")
        # The open connection keeps the file alive; unlinked now, it never outlives the
        # crawl, even one killed with kill -9.
        os.unlink(self.path)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DiskDupeFilter:
        return cls(crawler)

    def request_seen(self, request: Request) -> bool:
        fingerprint = self.fingerprinter.fingerprint(canonical_request(request))[:16]
        cursor = self.db.execute("INSERT OR IGNORE INTO seen (fp) VALUES (?)", [fingerprint])
        return cursor.rowcount == 0

    def log(self, request: Request, spider: object) -> None:
        self.stats.inc_value("dupefilter/filtered")

    def close(self, reason: str) -> None:
        self.db.close()
