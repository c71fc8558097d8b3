"""How a news site tells us where its articles are: sitemaps, news sitemaps and feeds.

Plain functions over response bodies, so they are tested without a reactor. The spider asks
:func:`sniff` what a response is, then reads its links with the matching parser. Sitemaps are
read with Scrapy's own parser (extended to keep Google News' nested publication date and
title); feeds with feedparser, which copes with RSS 0.9x/1.0/2.0 and Atom in all their
real-world variants.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html import unescape
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
import lxml.etree
from scrapy.linkextractors import IGNORED_EXTENSIONS
from scrapy.utils.sitemap import Sitemap

from core.urls import is_private_address

logger = logging.getLogger(__name__)

#: What a response can be, for discovery purposes.
SITEMAP, FEED, HTML, OTHER = "sitemap", "feed", "html", "other"

_XML_ROOT = re.compile(rb"<(?:[\w-]+:)?(urlset|sitemapindex|rss|feed|RDF)\b", re.IGNORECASE)
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")


def sniff(content_type: str, body: bytes) -> str:
    """Classify a response as a sitemap, a feed, an HTML page or something else.

    The body wins over the Content-Type: feeds are served as text/xml, text/html or
    application/octet-stream often enough that headers alone mislead.
    """
    head = body[:2048].lstrip()
    match = _XML_ROOT.search(head)
    if match and (head.startswith(b"<?xml") or head.startswith(b"<") and match.start() < 512):
        root = match.group(1).decode("ascii").lower()
        if root in ("urlset", "sitemapindex"):
            return SITEMAP
        return FEED
    ctype = content_type.split(";")[0].strip().lower()
    if ctype in _FEED_TYPES:
        return FEED
    if ctype in ("text/html", "application/xhtml+xml") or (
        not ctype and re.search(rb"<html|<!doctype html", head, re.IGNORECASE)
    ):
        return HTML
    return OTHER


@dataclass
class SitemapEntry:
    """One ``<url>`` or ``<sitemap>`` of a sitemap, with its Google News facts if any."""

    loc: str
    lastmod: str | None = None
    news: dict[str, str] = field(default_factory=dict)  # "title", "publication_date", ...


class NewsSitemap(Sitemap):
    """Scrapy's sitemap parser, keeping the children of ``<news:news>`` it would flatten away."""

    __slots__ = ()

    def _process_sitemap_element(self, elem: lxml.etree._Element) -> dict[str, Any] | None:
        news: dict[str, str] = {}
        for child in elem:
            if self._get_tag_name(child) == "news":
                for item in child.iter():
                    name = self._get_tag_name(item)
                    if name in ("title", "publication_date", "keywords", "language", "name"):
                        news[name] = (item.text or "").strip()
        d = super()._process_sitemap_element(elem)
        if d is not None and news:
            d["news"] = news
        return d


def parse_sitemap(body: bytes) -> tuple[str, list[SitemapEntry]]:
    """The type (``"sitemapindex"`` or ``"urlset"``) and entries of a sitemap document."""
    try:
        sitemap = NewsSitemap(body)
        entries = [
            SitemapEntry(
                loc=d["loc"],
                lastmod=d.get("lastmod") or None,
                news=d["news"] if isinstance(d.get("news"), dict) else {},
            )
            for d in sitemap
            if d.get("loc")
        ]
    except (lxml.etree.XMLSyntaxError, StopIteration, ValueError):
        return "", []
    return sitemap.type, entries


@dataclass
class FeedEntry:
    link: str
    title: str | None = None
    published: str | None = None


def parse_feed(body: bytes) -> list[FeedEntry]:
    """The article links of an RSS or Atom feed, with their titles and dates."""
    parsed = feedparser.parse(body)
    entries = []
    for entry in parsed.entries:
        link = entry.get("link") or next(
            (lk.get("href") for lk in entry.get("links", []) if lk.get("href")), None
        )
        if link:
            entries.append(
                FeedEntry(link=link, title=entry.get("title"), published=entry.get("published"))
            )
    return entries


_A_HREF = re.compile(r"""<a\s[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_LINK_TAG = re.compile(r"<link\s[^>]*>", re.I)
_ATTRIBUTE = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")


def page_hrefs(html: str) -> list[str]:
    """The distinct ``href`` of a page's ``<a>`` tags, in page order, entities decoded.

    A scan with one regular expression, ten times cheaper than building a DOM: the crawler
    reads links from every page it fetches, while only the extraction workers need the tree.
    Links inside comments or scripts may come along; the link filter and the scheduler's
    rules apply to them like to any other. A news page links most places two or three times
    (menu, sidebar, footer, tag lists): they are filtered once.
    """
    return list(dict.fromkeys(unescape(a or b or c) for a, b, c in _A_HREF.findall(html)))


def page_link_tags(html: str) -> list[dict[str, str]]:
    """The attributes of every ``<link>`` tag (lowercased names, decoded values)."""
    tags = []
    for tag in _LINK_TAG.findall(html):
        tags.append({
            name.lower(): unescape(a or b or c)
            for name, a, b, c in _ATTRIBUTE.findall(tag[5:])
        })
    return tags


def rel_values(tag: dict[str, str]) -> set[str]:
    return set(tag.get("rel", "").lower().split())


def declared_canonical(tags: list[dict[str, str]]) -> str | None:
    """The href of the page's first ``<link rel="canonical">``."""
    return next((t.get("href") for t in tags if "canonical" in rel_values(t)), None)


def announced_feeds(links: Iterable[tuple[str, str]]) -> Iterator[str]:
    """Feed URLs among a page's ``<link rel="alternate" type=… href=…>`` (type, href) pairs."""
    for link_type, href in links:
        if href and link_type.split(";")[0].strip().lower() in _FEED_TYPES:
            yield href


#: Links to the next (older) pages of a list: WordPress ``/page/2/``, ``?page=2``, ``?paged=2``.
_PAGINATION = re.compile(r"/page/\d+/?(?:$|\?)|[?&](?:page|paged|pg|seite|start|offset)=\d+")


def is_pagination(url: str) -> bool:
    """Whether ``url`` is a further page of a paginated list (not ``?p=123``, a post id)."""
    return bool(_PAGINATION.search(url))


#: Links never worth following on a news site: admin, login, search, comment replies, feeds of
#: comments, share endpoints and calendar traps.
NEVER_FOLLOW = (
    r"/wp-admin/",
    r"/wp-login\.php",
    r"/wp-json/",
    r"/xmlrpc\.php",
    r"[?&](replytocom|share|s|search|q|print)=",
    r"/comments/feed/?$",
    r"/(login|logout|signin|signup|register|cart|checkout|account)(/|$)",
    r"/search(/|$|\?)",
    r"/calendar/",
    r"/embed/?$",
    r"/trackback/?$",
    r"/feed/(atom|rdf|rss2?)?/?\?",
)

_NEVER_FOLLOW = re.compile("|".join(NEVER_FOLLOW))
_NOT_PAGES = tuple(f".{ext}" for ext in IGNORED_EXTENSIONS)
_NOT_LINKS = ("#", "javascript:", "mailto:", "tel:", "data:", "sms:", "whatsapp:", "ftp:")


def _origin(url: str) -> str:
    """``scheme://host[:port]`` of an absolute URL, as urljoin prefixes root-relative links."""
    scheme, sep, rest = url.partition("://")
    return scheme + sep + rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]


def absolute_url(base_url: str, href: str) -> str:
    """``urljoin(base_url, href)``, without its cost for the absolute URLs that sitemaps,
    feeds and menus mostly give."""
    if href.startswith(("http://", "https://")) and "/." not in href:
        return href
    return urljoin(base_url, href)


class LinkFilter:
    """Which of a page's links to follow: new, on a start host, not a file, not a trap.

    Most links of a news page are its menus and sidebars, repeated on every page (nine in
    ten on a typical site). A bounded cache of the absolute URLs already seen drops those
    before any costlier work (normalising, building requests, fingerprinting), and keeps
    memory flat however long the crawl: the duplicate filter remains the exact check.
    Links to other hosts are counted (``offsite``) and dropped; links to private addresses
    are kept so that the off-site middleware refuses and records them. A malformed link
    (``http://[ccpa-preferences]/``, which ``urlsplit`` refuses) costs that link only: it is
    counted (``malformed``) and the page's other links go on.
    """

    def __init__(self, hosts: set[str], allow: list[str] | None = None,
                 deny: list[str] | None = None, cache_size: int = 50_000) -> None:
        self.hosts = {h.lower() for h in hosts}
        self.allow = re.compile("|".join(allow)) if allow else None
        self.deny = re.compile("|".join(deny)) if deny else None
        self.cache_size = cache_size
        self.seen: OrderedDict[str, None] = OrderedDict()
        self.offsite = 0
        self.malformed = 0

    def _on_site(self, host: str) -> bool:
        return host in self.hosts or any(host.endswith("." + h) for h in self.hosts)

    def on_site(self, url: str) -> bool:
        """Whether an absolute URL is on one of the filter's hosts."""
        return self._on_site((urlsplit(url).hostname or "").lower())

    def first_time(self, url: str) -> bool:
        """Whether ``url`` is new to the cache (and remember it): links and sitemap entries
        share it, so a URL is requested once whichever way it is found first."""
        if url in self.seen:
            self.seen.move_to_end(url)
            return False
        self.seen[url] = None
        if len(self.seen) > self.cache_size:
            self.seen.popitem(last=False)
        return True

    def follow(self, base_url: str, hrefs: Iterable[str]) -> Iterator[str]:
        """Absolute URLs (not yet normalised) of the links worth requesting."""
        origin = _origin(base_url)
        for href in hrefs:
            try:
                url = self._worth_following(base_url, origin, href)
            except ValueError as error:  # what urljoin and urlsplit raise on a malformed URL
                self.malformed += 1
                logger.debug("Malformed link %r on %s: %s", href[:200], base_url, error)
                continue
            if url is not None:
                yield url

    def _worth_following(self, base_url: str, origin: str, href: str) -> str | None:
        href = href.strip()
        if not href or href.lower().startswith(_NOT_LINKS):
            return None
        # the menus' links are absolute or root-relative: their URL is known without
        # urljoin, which would otherwise be most of the cost of a page's links
        if href.startswith("/") and not href.startswith("//") and "/." not in href:
            url = origin + href
        else:
            url = absolute_url(base_url, href)
        if not self.first_time(url):
            return None
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return None
        host = (parts.hostname or "").lower()
        if not self._on_site(host) and not is_private_address(host):
            self.offsite += 1
            return None
        if parts.path.lower().endswith(_NOT_PAGES) or _NEVER_FOLLOW.search(url):
            return None
        if (self.allow and not self.allow.search(url)) or (
            self.deny and self.deny.search(url)
        ):
            return None
        return url
