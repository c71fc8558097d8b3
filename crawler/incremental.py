"""Incremental re-crawls: known, fresh articles are not fetched again, and the others are
fetched only if they changed.

A crawl run by cron every hour rediscovers the same article URLs through the same sitemaps,
feeds and list pages. Recent articles are where edits happen, so the re-check interval grows
with an article's age (from ``published``, else ``first_seen``; :class:`RecheckPolicy`):
younger than ``ARCHIVE_RECHECK_YOUNG_HOURS``, at every crawl; younger than
``ARCHIVE_RECHECK_OLD_DAYS``, every ``ARCHIVE_RECHECK_HOURS``; older, every
``ARCHIVE_RECHECK_OLD_HOURS``. A listing date (sitemap ``lastmod``, news-sitemap publication
date, feed entry date) that differs from the one the same kind of listing gave at the last
crawl means the page changed, whatever the clocks say (many sites' dates are in the wrong time
zone or lag behind); one never seen before counts when it is later than the last fetch.
A known article fetched again is asked for conditionally (``If-None-Match`` /
``If-Modified-Since`` with the validators of its last response, kept in the archive): a 304
costs a few hundred bytes and only moves ``last_seen``. Re-checks go after new URLs
(:data:`RECHECK_PRIORITY`). This is also how a
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
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Self

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import Settings

from core.known import KNOWN_FIELDS, Known
from core.outcomes import SKIPPED_KNOWN, SkippedKnown
from core.paths import project_path
from core.urls import normalize

#: Request meta key: the URL the spider found not known (one lookup per request).
CHECKED = "known_checked_url"
#: Priority of a request re-checking a known article: after every new URL (priority 0).
RECHECK_PRIORITY = -10


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 (sitemaps, Atom) or RFC 2822 (RSS) date or datetime as an aware UTC
    datetime (naive ones taken as UTC)."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value.strip())
        except (TypeError, ValueError, IndexError):
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def same_date(a: str, b: str) -> bool:
    """Whether two listing dates are the same (an RSS and an Atom feed write one date in two
    ways); dates that do not parse are compared as text."""
    first, second = parse_time(a), parse_time(b)
    if first is not None and second is not None:
        return first == second
    return " ".join(a.split()) == " ".join(b.split())


@dataclass(frozen=True)
class RecheckPolicy:
    """How long a known article may go unchecked, by age (documented in the README)."""

    young: timedelta  # younger than this: re-checked at every crawl
    old: timedelta  # older than this: re-checked every ``old_interval``
    interval: timedelta  # in between
    old_interval: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> RecheckPolicy:
        return cls(
            young=timedelta(hours=settings.getfloat("ARCHIVE_RECHECK_YOUNG_HOURS", 24)),
            old=timedelta(days=settings.getfloat("ARCHIVE_RECHECK_OLD_DAYS", 7)),
            interval=timedelta(hours=settings.getfloat("ARCHIVE_RECHECK_HOURS", 24)),
            old_interval=timedelta(hours=settings.getfloat("ARCHIVE_RECHECK_OLD_HOURS", 168)),
        )

    def interval_for(self, age: timedelta) -> timedelta:
        if age < self.young:
            return timedelta(0)
        return self.interval if age < self.old else self.old_interval


def needs_fetch(known: Known, listed_via: str | None, listed_date: str | None,
                policy: RecheckPolicy, now: datetime) -> bool:
    """Whether a known article must be fetched again.

    ``listed_date`` is what a listing of kind ``listed_via`` (``sitemap``, ``news-sitemap``,
    ``feed``) gives as the article's date at this crawl.
    """
    seen = parse_time(known.last_seen)
    if seen is None:
        return True
    if listed_date:
        before = known.listed().get(listed_via or "")
        if before is not None:
            if not same_date(str(before), listed_date):
                return True  # the listing's date moved: the page changed, whatever the clocks
        else:
            changed = parse_time(listed_date)
            if changed is not None and changed > seen:
                return True
    born = parse_time(known.published) or parse_time(known.first_seen) or seen
    return now - seen >= policy.interval_for(now - born)


def conditional_headers(known: Known) -> dict[str, str]:
    """The headers of a conditional re-fetch of a known article."""
    headers = {}
    if known.etag:
        headers["If-None-Match"] = known.etag
    if known.last_modified:
        headers["If-Modified-Since"] = known.last_modified
    return headers


class KnownArticles:
    """The check itself: is a URL an article archived recently (one lookup)."""

    def __init__(self, settings: Settings) -> None:
        hours = settings.getfloat("ARCHIVE_RECHECK_HOURS")
        if hours <= 0:
            raise NotConfigured  # re-fetch everything every time
        self.policy = RecheckPolicy.from_settings(settings)
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

    def lookup(self, url: str) -> Known | None:
        """What the archive holds of ``url`` (normalised), or None for a URL it does not hold."""
        db = self._reader()
        if db is None:
            return None
        try:
            row = db.execute(
                f"SELECT {', '.join(KNOWN_FIELDS)} FROM articles WHERE url = ?",
                [normalize(url)]).fetchone()
        except sqlite3.Error:  # no articles table yet (first crawl), busy: just fetch
            return None
        return Known(*row) if row is not None else None

    def is_fresh(self, url: str, lastmod: str | None = None, via: str | None = None,
                 known: Known | None = None) -> bool:
        """Whether ``url`` is an article archived recently enough for its age and not changed
        since by what its listing (of kind ``via``) says: ``lastmod``."""
        known = known or self.lookup(url)
        if known is None:
            return False
        return not needs_fetch(known, via, lastmod, self.policy, datetime.now(UTC))

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
        return self.is_fresh(request.url, request.meta.get("lastmod"), request.meta.get("via"))


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
