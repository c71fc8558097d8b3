"""The news spider: finds a site's articles and hands their pages to the pipelines.

It does discovery and nothing else. Each start URL may be a home or section page, a feed, a
sitemap or a sitemap index, so every response is first sniffed (:func:`discovery.sniff`) and
read accordingly: sitemaps and sitemap indexes (also those named by robots.txt ``Sitemap:``
lines), Google News sitemaps (their title and date travel with the request), RSS/Atom feeds
(also those announced by ``<link rel="alternate">``) and in-site links. Scrapy's
``SitemapSpider`` is not used because its start URLs must all be sitemaps and it drops the
news metadata; its parser and helpers are.

Whether a page is an article, and what it says, is decided later by the extract pipeline.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.response import get_base_url
from scrapy.utils.sitemap import sitemap_urls_from_robots
from twisted.python.failure import Failure

from core import urls
from core.items import FetchFailure, NewsListing, NotModified, Page, utc_now
from core.outcomes import (
    DISCOVERY_ERROR,
    SKIPPED_KNOWN,
    RefusedOffsite,
    SkippedKnown,
    failure_outcome,
)
from core.paths import project_path
from core.urls import url_shape
from crawler import discovery
from crawler.encoding import detect_encoding
from crawler.incremental import (
    CHECKED,
    RECHECK_PRIORITY,
    KnownArticles,
    conditional_headers,
)
from crawler.sites import Site, load_sites, sites_from_start

#: Request meta key: the listing date that led to the request, by kind ({"sitemap": lastmod}).
LISTED = "listed_dates"
#: Listing dates kept for pages not parsed yet (bounded: a page parsed before its second
#: listing was read keeps only its first listing's date).
MAX_LATE_LISTED = 50_000


class NewsSpider(scrapy.Spider):
    name = "news"

    def __init__(self, *args: Any, start: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.start_arg = start
        self.sites: list[Site] = []
        self.known: KnownArticles | None = None
        self.stop_paging = False
        # listing dates of URLs requested this crawl through another listing, merged into
        # their page: the next crawl compares each kind of listing with its own date
        self.late_listed: dict[str, dict[str, str]] = {}

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        if spider.start_arg:
            spider.sites = sites_from_start(spider.start_arg)
        else:
            spider.sites = load_sites(project_path(crawler.settings.get("ARCHIVE_SITES_FILE")))
        spider.max_sitemap_size = crawler.settings.getint("DOWNLOAD_MAXSIZE")
        spider.follow_links = crawler.settings.getbool("ARCHIVE_FOLLOW_LINKS")
        cache = crawler.settings.getint("ARCHIVE_LINK_CACHE")
        # re-crawls: links and sitemap entries to articles archived recently are not requested
        spider.known = KnownArticles.from_settings(crawler.settings)
        # ...and stop walking a list's older pages at a page whose articles are all known,
        # when the last crawl walked them all (a killed one may not have)
        spider.stop_paging = (
            crawler.settings.getbool("ARCHIVE_STOP_PAGING_AT_KNOWN")
            and spider.known is not None
            and spider.known.last_crawl_finished()
        )
        spider.use_sites(spider.sites, cache)
        return spider

    def use_sites(self, sites: list[Site], cache_size: int) -> None:
        """Crawl these sites: their hosts are the allowed domains, each has its link filter
        (requests name their site by its index in this list)."""
        self.sites = sites
        self.allowed_domains = sorted({h for site in sites for h in site.hosts})
        self.link_filters = [
            discovery.LinkFilter(site.hosts, site.allow, site.deny, cache_size=cache_size)
            for site in sites
        ]

    @property
    def start_urls_all(self) -> list[str]:
        return [u for site in self.sites for u in site.start]

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """robots.txt of every start host (for its Sitemap: lines), then the start URLs.

        With ``ARCHIVE_FOLLOW_LINKS`` off, only the start URLs and what they list are read.
        """
        seen_robots: set[str] = set()
        for index, site in enumerate(self.sites):
            for url in site.start:
                parts = urlsplit(url)
                robots = urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
                if self.follow_links and robots not in seen_robots:
                    seen_robots.add(robots)
                    yield self._request(robots, index, "robots", callback=self.parse_robots)
                yield self._request(url, index, "start")

    # -- callbacks ------------------------------------------------------------------------

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        try:
            sitemaps = list(sitemap_urls_from_robots(response.body, base_url=response.url))
        except Exception as error:  # a Sitemap: line urljoin refuses
            self._discovery_error(response, "sitemap", response.body[:200], error)
            return
        for sitemap in sitemaps:
            yield from self._follow(response, sitemap, "sitemap")

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        if response.status == 304:  # a conditional re-check of a known article: unchanged
            yield NotModified(url=urls.normalize(response.request.url if response.request
                                                 else response.url),
                              fetched_at=utc_now(), listed_dates=self._listed_dates(response))
            return
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        body = self._body(response)
        kind = discovery.sniff(content_type, body)
        self.crawler.stats.inc_value(f"archive/response/{kind}")
        if kind == discovery.SITEMAP:
            yield from self._parse_sitemap(response, body)
        elif kind == discovery.FEED:
            try:
                entries = discovery.parse_feed(body)
            except Exception as error:
                self._discovery_error(response, "feed", body[:200], error)
                return
            for entry in entries:
                yield from self._follow(response, entry.link, "feed", lastmod=entry.published)
        elif kind == discovery.HTML and isinstance(response, TextResponse):
            encoding, how = detect_encoding(response.body, content_type)
            if encoding != response.encoding:
                self.logger.debug("%s decoded as %s (%s)", response.url, encoding, how)
                response = response.replace(encoding=encoding)
            yield from self._parse_html(response)
        else:
            self.logger.info("Not HTML, not archived: %s (%s)", response.url, content_type)

    def _parse_sitemap(self, response: Response, body: bytes) -> Iterator[Any]:
        try:
            sitemap_type, entries = discovery.parse_sitemap(body)
        except Exception as error:
            self._discovery_error(response, "sitemap", body[:200], error)
            return
        for entry in entries:
            if sitemap_type == "sitemapindex":
                yield from self._follow(response, entry.loc, "sitemap")
            elif entry.news:
                try:
                    url = urls.normalize(discovery.absolute_url(response.url, entry.loc))
                except Exception as error:
                    self._discovery_error(response, "sitemap", entry.loc, error)
                    continue
                yield NewsListing(
                    url=url,
                    title=entry.news.get("title") or None,
                    published=entry.news.get("publication_date") or None,
                )
                yield from self._follow(response, entry.loc, "news-sitemap",
                                        lastmod=entry.lastmod
                                        or entry.news.get("publication_date"))
            else:
                yield from self._follow(response, entry.loc, "sitemap", lastmod=entry.lastmod)

    def _parse_html(self, response: TextResponse) -> Iterator[Any]:
        html = response.text
        link_tags = discovery.page_link_tags(html)
        if self.follow_links or response.meta.get("via") == "start":
            feeds = (
                (tag.get("type", ""), tag.get("href", ""))
                for tag in link_tags
                if "alternate" in discovery.rel_values(tag)
            )
            for feed in discovery.announced_feeds(feeds):
                yield from self._follow(response, feed, "feed")
        if self.follow_links:
            links = self.link_filters[response.meta.get("site", 0)]
            offsite, malformed = links.offsite, links.malformed
            base, hrefs = self._base_url(response), discovery.page_hrefs(html)
            found = list(links.follow(base, hrefs))
            if links.malformed > malformed:
                self._count_discovery_errors("link", links.malformed - malformed)
            if self.stop_paging and any(map(discovery.is_pagination, found)) and (
                self._lists_only_known_articles(base, hrefs, links)
            ):
                self.crawler.stats.inc_value("archive/pagination_stopped")
                found = [url for url in found if not discovery.is_pagination(url)]
            for url in found:
                yield from self._follow(response, url, "link", filtered=True)
            self.crawler.stats.inc_value("offsite/filtered", links.offsite - offsite)

        declared = discovery.declared_canonical(link_tags)
        try:
            canonical = urls.canonical_url(response.url, declared)
        except Exception as error:  # a malformed rel=canonical: the page is its own
            self._discovery_error(response, "canonical", declared, error)
            canonical = urls.normalize(response.url)
        if canonical != urls.normalize(response.url):
            # An AMP, print or tracking variant: archive the page it names as canonical, once.
            self.crawler.stats.inc_value("archive/variant_to_canonical")
            yield from self._follow(response, canonical, response.meta.get("via", "link"))
            return
        redirects = response.meta.get("redirect_urls") or [response.url]
        site = self.sites[response.meta.get("site", 0)]
        headers = response.headers
        yield Page(
            url=response.url,
            requested_url=redirects[0],
            status=response.status,
            html=html,
            fetched_at=utc_now(),
            discovered_via=response.meta.get("via", "link"),
            override=site.override(response.url),
            etag=(headers.get(b"ETag") or b"").decode("latin-1") or None,
            last_modified=(headers.get(b"Last-Modified") or b"").decode("latin-1") or None,
            listed_dates=self._listed_dates(response),
        )

    def _lists_only_known_articles(self, base: str, hrefs: list[str],
                                   links: discovery.LinkFilter) -> bool:
        """Whether every article a list page links to is archived and fresh.

        A news list runs newest first: when none of a page's articles is new, its older
        pages hold nothing new either, so a re-crawl need not walk them (thousands of pages
        on a large site, every hour). Pages without article links say nothing: keep going.
        """
        assert self.known is not None
        articles = set()
        for href in hrefs:
            try:
                url = discovery.absolute_url(base, href.strip())
                if links.on_site(url) and url_shape(url)[0] is True:
                    articles.add(urls.normalize(url))
            except ValueError:
                continue  # malformed: counted once already, by the link filter
        return bool(articles) and all(self.known.is_fresh(url) for url in articles)

    def on_error(self, failure: Failure) -> Iterator[FetchFailure]:
        """Record a request refused before download (robots.txt, private address, loop...).

        Responses and network failures were recorded by FetchRecorderMiddleware already.
        Off-site links are only counted (by OffsiteMiddleware): they are not this archive's
        business, and a news page has dozens of them.
        """
        if not failure.check(IgnoreRequest) or failure.check(HttpError, RefusedOffsite,
                                                             SkippedKnown):
            return
        request = failure.request
        error = f"{failure.type.__name__}: {failure.getErrorMessage()}"[:500]
        self.logger.info("Refused %s: %s", request.url, error)
        yield FetchFailure(url=request.url, error=error, fetched_at=utc_now(),
                           outcome=failure_outcome(failure.value))

    # -- helpers --------------------------------------------------------------------------

    def _listed_dates(self, response: Response) -> dict[str, str]:
        """The dates the listings of this crawl gave the page, by kind of listing."""
        listed = dict(response.meta.get(LISTED) or {})
        request = response.request
        if self.late_listed and request is not None:
            listed.update(self.late_listed.pop(request.url, {}))
        return listed

    def _body(self, response: Response) -> bytes:
        """The body, gunzipped when it is a ``.gz`` sitemap served as a file."""
        body = response.body
        if gzip_magic_number(response):
            try:
                return gunzip(body, max_size=self.max_sitemap_size)
            except OSError:
                return b""
        return body

    def _follow(self, response: Response, url: str, via: str, lastmod: str | None = None,
                *, filtered: bool = False) -> Iterator[scrapy.Request]:
        """A request for ``url`` as given (made absolute), unless this crawl has requested
        it already or it is an article archived recently (:class:`KnownArticles`). A known
        article is re-checked with a conditional request, after the new URLs.

        In-site links come ``filtered`` by the site's LinkFilter; URLs from sitemaps, feeds
        and canonical links are checked against (and remembered in) the same bounded cache,
        so that an article listed by a sitemap and linked from ten pages is one request, not
        eleven that the duplicate filter then refuses. The duplicate filter stays the exact
        check for anything the cache has forgotten. A known article given with a listing date
        is not refused by the cache: a link to it may have been skipped as fresh earlier in
        the crawl, before this listing said it changed.
        """
        try:
            request = self._new_request(response, url, via, lastmod, filtered)
        except Exception as error:  # a malformed URL costs that URL, not the page
            self._discovery_error(response, via, url, error)
            return
        if request is not None:
            yield request

    def _new_request(self, response: Response, url: str, via: str, lastmod: str | None,
                     filtered: bool) -> scrapy.Request | None:
        absolute = url if filtered else discovery.absolute_url(response.url, url)
        site = response.meta.get("site", 0)
        links = self.link_filters[site]
        first = filtered or links.first_time(absolute)
        if not first and not lastmod:
            return None
        normalized = urls.normalize(absolute)  # the same article behind ?utm_… or #respond
        if normalized != absolute:
            first = links.first_time(normalized) and first
            if not first and not lastmod:
                return None
        if not first and lastmod and len(self.late_listed) < MAX_LATE_LISTED:
            # seen already this crawl: if it was requested, its page gets this date too
            self.late_listed.setdefault(normalized, {})[via] = lastmod
        known = self.known.lookup(normalized) if self.known is not None else None
        if not first and known is None:
            return None  # a new URL, requested already
        if known is not None and self.known.is_fresh(normalized, lastmod, via, known):
            self.crawler.stats.inc_value(SKIPPED_KNOWN)
            return None
        # the URL as the site gave it: some servers answer a reordered or trimmed query
        # (``?idx=8576&page=1&find=``) with another page or a 404; the normalised form is
        # only the archive's key and the duplicate filter's
        request = self._request(absolute, site, via)
        if lastmod:
            request.meta["lastmod"] = lastmod
            request.meta[LISTED] = {via: lastmod}
        if self.known is not None:
            request.meta[CHECKED] = request.url  # the downloader middleware need not ask again
        if known is not None:
            # a re-check: after new URLs, and conditional (a 304 costs no body, no extraction)
            request.priority = RECHECK_PRIORITY
            headers = conditional_headers(known)
            if headers:
                request.headers.update(headers)
                request.meta["handle_httpstatus_list"] = [304]
        return request

    def _base_url(self, response: TextResponse) -> str:
        """The page's ``<base href>`` (or its URL, when that base is malformed)."""
        try:
            return get_base_url(response)
        except ValueError as error:
            self._discovery_error(response, "link", "<base href>", error)
            return response.url

    def _discovery_error(self, response: Response, kind: str, entry: object,
                         error: Exception) -> None:
        """Count (and log at debug level) one link, feed or sitemap entry that could not be
        followed: the rest of the page, feed or sitemap goes on."""
        self._count_discovery_errors(kind, 1)
        self.logger.debug("Skipped a malformed %s entry %r on %s: %s: %s", kind,
                          str(entry)[:200], response.url, type(error).__name__, error)

    def _count_discovery_errors(self, kind: str, count: int) -> None:
        self.crawler.stats.inc_value(DISCOVERY_ERROR, count)
        self.crawler.stats.inc_value(f"{DISCOVERY_ERROR}/{kind}", count)

    def _request(
        self,
        url: str,
        site: int,
        via: str,
        *,
        callback: Any = None,
    ) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=callback or self.parse,
            errback=self.on_error,
            meta={"site": site, "via": via},
        )
