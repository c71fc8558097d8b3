"""Incremental re-crawls: known, fresh articles are not fetched again.

A crawl run by cron every hour rediscovers the same article URLs through the same sitemaps,
feeds and list pages. An article archived less than ``ARCHIVE_RECHECK_HOURS`` ago is not
requested again, unless its sitemap ``lastmod`` says it changed since. This is also how a
crawl killed with ``kill -9`` resumes: the next run re-reads the discovery pages and fetches
only what the archive does not hold yet. Nothing is kept per URL in memory: each check is
one indexed lookup in the archive (read-only connection; WAL lets it read while the crawl
writes). The spider asks before it builds a request for a URL it found (a re-crawl's sitemaps
list thousands of known articles: a request built for each, then dropped by a middleware,
cost most of a re-crawl's time), and a downloader middleware checks again what is about to
be downloaded, so that the targets of redirects (a shortlink ``/?p=123`` leading to a known
article) are skipped too.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Self

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import Settings

from core.outcomes import SKIPPED_KNOWN, SkippedKnown
from core.paths import project_path
from core.urls import normalize

#: Request meta key: the URL the spider found not known (one lookup per request).
CHECKED = "known_checked_url"


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


class KnownArticles:
    """The check itself: is a URL an article archived recently (one lookup)."""

    def __init__(self, settings: Settings) -> None:
        hours = settings.getfloat("ARCHIVE_RECHECK_HOURS")
        if hours <= 0:
            raise NotConfigured  # re-fetch everything every time
        self.recheck = timedelta(hours=hours)
        self.path = project_path(settings.get("ARCHIVE_DB"))
        self._db: sqlite3.Connection | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> KnownArticles | None:
        """The check, or None when re-crawls fetch everything (``ARCHIVE_RECHECK_HOURS=0``)."""
        try:
            return cls(settings)
        except NotConfigured:
            return None

    def _reader(self) -> sqlite3.Connection | None:
        if self._db is None and self.path.exists():
            self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True,
                                       check_same_thread=False)
            self._db.execute("PRAGMA busy_timeout = 5000")
        return self._db

    def is_fresh(self, url: str, lastmod: str | None = None) -> bool:
        """Whether ``url`` is an article archived less than the recheck interval ago and not
        changed since (its sitemap ``lastmod``)."""
        db = self._reader()
        if db is None:
            return False
        try:
            row = db.execute("SELECT last_seen FROM articles WHERE url = ?",
                             [normalize(url)]).fetchone()
        except sqlite3.Error:  # no articles table yet (first crawl), busy: just fetch
            return False
        if row is None:
            return False
        return not needs_fetch(row[0], lastmod, self.recheck, datetime.now(UTC))

    def last_crawl_finished(self) -> bool:
        """Whether the archive's last crawl ran to its end (not killed, not closed early):
        only then does it hold the older pages of every list, and may a re-crawl stop
        walking a list where its articles are all known."""
        db = self._reader()
        if db is None:
            return False
        try:
            row = db.execute("SELECT status FROM crawls ORDER BY id DESC LIMIT 1").fetchone()
        except sqlite3.Error:
            return False
        return row is not None and row[0] == "finished"

    def fresh(self, request: Request) -> bool:
        """:meth:`is_fresh` for a request (start URLs and robots.txt are always fetched)."""
        if request.meta.get("via") in ("start", "robots"):
            return False
        return self.is_fresh(request.url, request.meta.get("lastmod"))


class SkipKnownArticlesMiddleware:
    """Downloader middleware: the check for every request about to be downloaded that the
    spider did not check itself, redirect targets included (a shortlink ``/?p=123`` leading
    to a known article)."""

    def __init__(self, crawler: Crawler) -> None:
        self.known = KnownArticles(crawler.settings)
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        # a redirect keeps the meta of its first request, but not its URL: checked again
        if request.meta.get(CHECKED) != request.url and self.known.fresh(request):
            self.stats.inc_value(SKIPPED_KNOWN)
            raise SkippedKnown(f"Known article, archived recently: {request.url}")
        return None
