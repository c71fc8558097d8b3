"""The data that flows from the spider through the pipelines into the archive.

Plain dataclasses (Scrapy accepts them as items through itemadapter), so the domain
code in ``pipelines/`` can build and test them without a running crawler.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime


def utc_now() -> str:
    """The current time as an ISO 8601 UTC string, the archive's one time format."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Page:
    """One HTML response the spider believes may be an article.

    The spider only fetches and discovers; deciding whether the page is an article
    and extracting it is the job of the extract pipeline.
    """

    url: str  # the URL that answered (after redirects)
    requested_url: str  # the URL first requested (before redirects)
    status: int
    html: str = field(repr=False)
    fetched_at: str  # ISO 8601, UTC
    discovered_via: str = "link"  # "sitemap", "news-sitemap", "feed", "link", "start"
    #: what the site's entry in sites.toml says of this URL, when it says something: True
    #: (an article) or False (never one) and why; it wins over the page classification
    override: tuple[bool, str] | None = None
    # HTTP validators of the response, sent back on the next fetch (If-None-Match/-Modified-Since)
    etag: str | None = None
    last_modified: str | None = None
    # what the listing that led here said of the page's date: {"sitemap": "<lastmod>"}, ...
    listed_dates: dict[str, str] = field(default_factory=dict)


@dataclass
class Article:
    """One extracted article, keyed by its canonical URL."""

    url: str  # canonical URL: the archive's key
    fetched_url: str
    site: str  # host the article was crawled from, e.g. "www.example.org"
    title: str | None = None
    author: str | None = None
    published: str | None = None  # ISO 8601 date or datetime
    modified: str | None = None
    language: str | None = None  # ISO 639-1
    site_name: str | None = None
    description: str | None = None
    tags: list[str] = field(default_factory=list)
    image: str | None = None
    text: str = field(default="", repr=False)
    word_count: int = 0
    content_hash: str = ""
    http_status: int = 200
    fetched_at: str = ""
    discovered_via: str = "link"
    news_title: str | None = None  # from a Google News sitemap, when it listed the page
    news_published: str | None = None
    sources: dict[str, str] = field(default_factory=dict)  # field name -> where it came from
    etag: str | None = None  # HTTP validators of the response the article was extracted from
    last_modified: str | None = None
    listed_dates: dict[str, str] = field(default_factory=dict)  # see Page.listed_dates
    # which extraction made the text (trafilatura's version + a hash of the project's
    # extraction code): versions are compared like for like (pipelines.history)
    extractor: str = ""


@dataclass
class NotModified:
    """A known article that answered 304 Not Modified to a conditional request: only its
    ``last_seen`` (and the listing dates that led to it) move."""

    url: str  # the archive's key (the URL requested, normalised)
    fetched_at: str
    listed_dates: dict[str, str] = field(default_factory=dict)


@dataclass
class NewsListing:
    """What a Google News sitemap says of one article: kept whichever way the page is reached.

    It travels as its own item (not in request meta) because the article may have been
    fetched through a link before the sitemap was read; the archive joins the two by URL.
    """

    url: str
    title: str | None = None
    published: str | None = None


@dataclass
class FetchFailure:
    """A request that produced no usable response (DNS, timeout, robots.txt, off-site...)."""

    url: str
    error: str
    fetched_at: str
    status: int | None = None
    outcome: str = "network_error"  # core.outcomes.failure_outcome of its exception
