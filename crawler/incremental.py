"""Incremental re-crawls: known, fresh articles are not fetched again.

A crawl run by cron every hour rediscovers the same article URLs through the same sitemaps,
feeds and list pages. An article archived less than ``ARCHIVE_RECHECK_HOURS`` ago is not
requested again, unless its sitemap ``lastmod`` says it changed since. This is also how a
crawl killed with ``kill -9`` resumes: the next run re-reads the discovery pages and fetches
only what the archive does not hold yet. Nothing is kept per URL in memory: each check is
one indexed lookup in the archive (read-only connection; WAL lets it read while the crawl
writes). It is a downloader middleware, not a spider middleware, so that it also sees the
targets of redirects (a shortlink ``/?p=123`` leading to a known article).
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured

from crawler.paths import project_path
from crawler.urls import normalize
from pipelines.outcomes import SKIPPED_KNOWN

#: The start of the message of requests skipped because their article is known and fresh.
KNOWN = "Known article, archived recently:"


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 date or datetime as an aware UTC datetime (naive ones taken as UTC)."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def needs_fetch(last_seen: str | None, lastmod: str | None, recheck: timedelta,
                now: datetime) -> bool:
    """Whether an article last archived at ``last_seen`` must be fetched again."""
    seen = parse_time(last_seen)
    if seen is None:
        return True
    changed = parse_time(lastmod)
    if changed is not None and changed > seen:
        return True
    return now - seen >= recheck


class SkipKnownArticlesMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        hours = crawler.settings.getfloat("ARCHIVE_RECHECK_HOURS")
        if hours <= 0:
            raise NotConfigured  # re-fetch everything every time
        self.recheck = timedelta(hours=hours)
        self.path = project_path(crawler.settings.get("ARCHIVE_DB"))
        self.stats = crawler.stats
        self._db: sqlite3.Connection | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SkipKnownArticlesMiddleware:
        return cls(crawler)

    def _reader(self) -> sqlite3.Connection | None:
        if self._db is None and self.path.exists():
            self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True,
                                       check_same_thread=False)
            self._db.execute("PRAGMA busy_timeout = 5000")
        return self._db

    def _known_and_fresh(self, request: Request) -> bool:
        if request.meta.get("via") in ("start", "robots"):
            return False
        db = self._reader()
        if db is None:
            return False
        try:
            row = db.execute("SELECT last_seen FROM articles WHERE url = ?",
                             [normalize(request.url)]).fetchone()
        except sqlite3.Error:  # no articles table yet (first crawl), busy: just fetch
            return False
        if row is None:
            return False
        return not needs_fetch(row[0], request.meta.get("lastmod"), self.recheck,
                               datetime.now(UTC))

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if self._known_and_fresh(request):
            self.stats.inc_value(SKIPPED_KNOWN)
            raise IgnoreRequest(f"{KNOWN} {request.url}")
        return None
