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
from core.items import FetchFailure, NewsListing, Page, utc_now
from core.outcomes import SKIPPED_KNOWN
from core.paths import project_path
from core.urls import url_shape
from crawler import discovery
from crawler.encoding import detect_encoding
from crawler.incremental import CHECKED, KNOWN, KnownArticles
from crawler.sites import Site, load_sites, sites_from_start


class NewsSpider(scrapy.Spider):
    name = "news"

    def __init__(self, *args: Any, start: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.start_arg = start
        self.sites: list[Site] = []
        self.known: KnownArticles | None = None
        self.stop_paging = False

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
        for sitemap in sitemap_urls_from_robots(response.body, base_url=response.url):
            yield from self._follow(response, sitemap, "sitemap")

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        body = self._body(response)
        kind = discovery.sniff(content_type, body)
        self.crawler.stats.inc_value(f"archive/response/{kind}")
        if kind == discovery.SITEMAP:
            yield from self._parse_sitemap(response, body)
        elif kind == discovery.FEED:
            for entry in discovery.parse_feed(body):
                yield from self._follow(response, entry.link, "feed")
        elif kind == discovery.HTML and isinstance(response, TextResponse):
            encoding, how = detect_encoding(response.body, content_type)
            if encoding != response.encoding:
                self.logger.debug("%s decoded as %s (%s)", response.url, encoding, how)
                response = response.replace(encoding=encoding)
            yield from self._parse_html(response)
        else:
            self.logger.info("Not HTML, not archived: %s (%s)", response.url, content_type)

    def _parse_sitemap(self, response: Response, body: bytes) -> Iterator[Any]:
        sitemap_type, entries = discovery.parse_sitemap(body)
        for entry in entries:
            if sitemap_type == "sitemapindex":
                yield from self._follow(response, entry.loc, "sitemap")
            elif entry.news:
                yield NewsListing(
                    url=urls.normalize(discovery.absolute_url(response.url, entry.loc)),
                    title=entry.news.get("title") or None,
                    published=entry.news.get("publication_date") or None,
                )
                yield from self._follow(response, entry.loc, "news-sitemap", lastmod=entry.lastmod)
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
            offsite = links.offsite
            base, hrefs = get_base_url(response), discovery.page_hrefs(html)
            found = list(links.follow(base, hrefs))
            if self.stop_paging and any(map(discovery.is_pagination, found)) and (
                self._lists_only_known_articles(base, hrefs, links)
            ):
                self.crawler.stats.inc_value("archive/pagination_stopped")
                found = [url for url in found if not discovery.is_pagination(url)]
            for url in found:
                yield from self._follow(response, url, "link", filtered=True)
            self.crawler.stats.inc_value("offsite/filtered", links.offsite - offsite)

        canonical = urls.canonical_url(response.url, discovery.declared_canonical(link_tags))
        if canonical != urls.normalize(response.url):
            # An AMP, print or tracking variant: archive the page it names as canonical, once.
            self.crawler.stats.inc_value("archive/variant_to_canonical")
            yield from self._follow(response, canonical, response.meta.get("via", "link"))
            return
        redirects = response.meta.get("redirect_urls") or [response.url]
        yield Page(
            url=response.url,
            requested_url=redirects[0],
            status=response.status,
            html=html,
            fetched_at=utc_now(),
            discovered_via=response.meta.get("via", "link"),
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
            url = discovery.absolute_url(base, href.strip())
            if links.on_site(url) and url_shape(url)[0] is True:
                articles.add(urls.normalize(url))
        return bool(articles) and all(self.known.is_fresh(url) for url in articles)

    def on_error(self, failure: Failure) -> Iterator[FetchFailure]:
        """Record a request refused before download (robots.txt, private address, loop...).

        Responses and network failures were recorded by FetchRecorderMiddleware already.
        Off-site links are only counted (by OffsiteMiddleware): they are not this archive's
        business, and a news page has dozens of them.
        """
        if not failure.check(IgnoreRequest) or failure.check(HttpError):
            return
        request = failure.request
        error = f"{failure.type.__name__}: {failure.getErrorMessage()}"[:500]
        if "offsite" in error.lower() or KNOWN in error:
            return
        self.logger.info("Refused %s: %s", request.url, error)
        yield FetchFailure(url=request.url, error=error, fetched_at=utc_now())

    # -- helpers --------------------------------------------------------------------------

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
        """A request for ``url``, unless this crawl has requested it already or it is an
        article archived recently (:class:`KnownArticles`).

        In-site links come ``filtered`` by the site's LinkFilter; URLs from sitemaps, feeds
        and canonical links are checked against (and remembered in) the same bounded cache,
        so that an article listed by a sitemap and linked from ten pages is one request, not
        eleven that the duplicate filter then refuses. The duplicate filter stays the exact
        check for anything the cache has forgotten.
        """
        absolute = url if filtered else discovery.absolute_url(response.url, url)
        site = response.meta.get("site", 0)
        links = self.link_filters[site]
        if not filtered and not links.first_time(absolute):
            return
        normalized = urls.normalize(absolute)  # the same article behind ?utm_… or #respond
        if normalized != absolute and not links.first_time(normalized):
            return
        if self.known is not None and self.known.is_fresh(normalized, lastmod):
            self.crawler.stats.inc_value(SKIPPED_KNOWN)
            return
        request = self._request(normalized, site, via)
        if lastmod:
            request.meta["lastmod"] = lastmod
        if self.known is not None:
            request.meta[CHECKED] = request.url  # the downloader middleware need not ask again
        yield request

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
