"""Page -> article: the one function from a fetched page to its archive row, or to the reason
it is not an article.

The crawl's extract pipeline, ``scrapy reextract`` and the tests all call
:func:`page_to_article`, so that a page becomes the same row whichever way it comes in. The
steps, each owned elsewhere: what the URL alone says (:func:`core.urls.url_shape`), the
extraction (:func:`pipelines.extract.extract_article`, trafilatura: the crawl runs it in
worker processes and hands the result in), what is known of the site's boilerplate (applied,
and learnt from the page), the archive key and the content hash (:mod:`pipelines.keys`).

This module does not import trafilatura: the crawler process loads it, and extracts nothing
itself unless asked to extract inline (then the extractor is imported on the first page).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from core.items import Article, Page
from core.urls import canonical_url, host, url_shape
from pipelines.boilerplate import SiteBoilerplate
from pipelines.dates import vet_dates
from pipelines.extraction import Extraction, apply_site_knowledge
from pipelines.history import extractor_identity
from pipelines.keys import article_hash

LOGGER = logging.getLogger(__name__)

#: Site host -> what is known of that site's boilerplate (None: nothing); a dict's ``get`` will do.
SiteKnowledge = Callable[[str], "SiteBoilerplate | None"]


@dataclass(frozen=True)
class NotArticle:
    """A page that gives no article row, and why."""

    url: str
    reason: str
    #: the extraction failed on the page (an error of the crawl), rather than deciding that
    #: the page is not an article
    failed: bool = False


def url_verdict(url: str) -> NotArticle | None:
    """A NotArticle when the URL alone says the page is a list (home, section, tag, author
    page): a caller that extracts elsewhere can skip the extraction (30-60 ms of CPU)."""
    listing, why = url_shape(url)
    return NotArticle(url, why) if listing is False else None


def page_verdict(page: Page) -> NotArticle | None:
    """A NotArticle when the page is refused before any extraction: by a ``not_articles``
    pattern of its site in sites.toml, or by its URL's shape (:func:`url_verdict`) unless an
    ``articles`` pattern says it is an article."""
    if page.override is not None:
        is_article, why = page.override
        return None if is_article else NotArticle(page.url, why)
    return url_verdict(page.url)


def page_to_article(
    page: Page,
    site_knowledge: SiteKnowledge | None = None,
    *,
    extraction: Extraction | None = None,
) -> Article | NotArticle:
    """The archive row of a fetched page, or why there is none. Never raises on bad pages.

    ``site_knowledge`` gives what is known of a site's boilerplate: its recognised blocks are
    removed from the text, and the site's knowledge learns from the page
    (:meth:`SiteBoilerplate.observe`; the caller sees new blocks in ``knowledge.blocks``).
    ``extraction`` is the page's extraction when it was made elsewhere (in a worker process,
    by :func:`pipelines.extract.extract_article` without site knowledge); otherwise it is made
    here.
    """
    refused = page_verdict(page)
    if refused is not None:
        return refused
    if extraction is None:
        from pipelines.extract import extract_article  # trafilatura: loaded where pages are

        extraction = extract_article(page.html, page.url)
    if not extraction.is_article:
        failed = extraction.reason.startswith("extraction failed")
        if page.override is None or failed or not extraction.word_count:
            reason = extraction.reason
            if page.override is not None and not failed:
                reason = f"{page.override[1]}, but {reason or 'no text'}"
            return NotArticle(page.url, reason, failed=failed)
        # the site's articles pattern wins over the classification
    if site_knowledge is not None:
        try:
            knowledge = site_knowledge(host(canonical_url(page.url, extraction.canonical)))
            if knowledge is not None:
                article = article_from_page(page, apply_site_knowledge(extraction, knowledge))
                knowledge.observe(article.url, extraction.blocks)
                return article
        except Exception:  # learning is an improvement: it must never cost an article
            LOGGER.exception("Site boilerplate learning failed on %s", page.url)
    return article_from_page(page, extraction)


def article_from_page(page: Page, extraction: Extraction) -> Article:
    """The archive row of an extracted page: keyed, fingerprinted, with its crawl facts.

    Dates are vetted against the fetch time (:func:`pipelines.dates.vet_dates`: a published
    date after the fetch is rejected and ``sources`` says so) before they are hashed."""
    url = canonical_url(page.url, extraction.canonical)
    sources = dict(extraction.sources)
    dates = vet_dates({"published": extraction.published, "modified": extraction.modified},
                      sources, page.fetched_at)
    return Article(
        url=url,
        fetched_url=page.url,
        site=host(url),
        title=extraction.title,
        author=extraction.author,
        published=dates["published"],
        modified=dates["modified"],
        language=extraction.language,
        site_name=extraction.site_name,
        description=extraction.description,
        tags=list(extraction.tags),
        image=extraction.image,
        text=extraction.text,
        word_count=extraction.word_count,
        content_hash=article_hash(extraction, **dates),
        http_status=page.status,
        fetched_at=page.fetched_at,
        discovered_via=page.discovered_via,
        sources=sources,
        etag=page.etag,
        last_modified=page.last_modified,
        listed_dates=dict(page.listed_dates),
        extractor=extractor_identity(),
    )
