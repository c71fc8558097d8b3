"""Extraction: HTML + URL (+ site knowledge) -> article text, metadata and a verdict.

The step of :func:`pipelines.article.page_to_article` that needs trafilatura, and so the one
the crawl runs in its worker processes (:mod:`pipelines.workers`); the crawler process never
imports this module. Plain functions with no Scrapy inside. What it runs, in order, each in
the module that owns it:

- the page's declarations and the fields taken from them (:mod:`pipelines.fields`), read on
  the page as published;
- elements hidden from readers are removed (:func:`pipelines.boilerplate.drop_hidden`);
- trafilatura's text, in precision mode unless that lost part of the article, through the
  project's run of trafilatura's cascade (:mod:`pipelines.cascade`, with its guard);
- the block clean-up of that text (:mod:`pipelines.cleanup`);
- the language, and the site's learnt boilerplate when known
  (:func:`pipelines.extraction.apply_site_knowledge`);
- the verdict: article or not, and why (:mod:`pipelines.classify`).

The text is trafilatura's, made cleaner in general ways, each measured on real annotated pages
(``make bench-extract``) and kept only when it helped on both benchmark sets.
"""

from __future__ import annotations

import logging

from lxml import etree
from lxml.html import HtmlElement
from trafilatura.utils import load_html
from trafilatura.xml import xmltotxt

from pipelines import cascade
from pipelines import metadata as md
from pipelines.boilerplate import SiteBoilerplate, drop_hidden
from pipelines.classify import (
    classify,
    headline_links,
    link_line_share,
    long_paragraphs,
    longest_text_block,
)
from pipelines.cleanup import anchor_texts, caption_texts, clean_body, drop_leading_title
from pipelines.extraction import Extraction, apply_site_knowledge
from pipelines.fields import detect_language, fill_language, fill_metadata
from pipelines.text import body_text

__all__ = [  # the names callers import from here (their homes are the modules above)
    "Extraction",
    "apply_site_knowledge",
    "classify",
    "detect_language",
    "extract_article",
]

LOGGER = logging.getLogger(__name__)

# trafilatura's own MAX_FILE_SIZE; it only enforces it on compressed bytes, so we do it here
MAX_HTML_CHARS = 20_000_000
# elements that never hold article text; trafilatura's first cleaning deletes them too
_NEVER_TEXT = ("script", "style", "svg")


def extract_article(
    html: str | bytes, url: str, site: SiteBoilerplate | None = None
) -> Extraction:
    """Extract one page. Never raises: bad input gives ``is_article=False`` with a reason.

    ``site`` is what is known of the page's site; its recognised blocks are removed from the
    text. It is only read: learning from the result (``site.observe(url, ex.blocks)``) is the
    caller's decision, so that extraction stays a plain function of its inputs.
    """
    if not isinstance(html, (str, bytes)) or not html.strip():
        return Extraction(is_article=False, reason="empty document")
    if len(html) > MAX_HTML_CHARS:
        return Extraction(is_article=False, reason=f"document too large ({len(html)} characters)")
    try:
        tree = load_html(html)
    except Exception as err:  # load_html is lenient, but a broken byte stream must not escape
        LOGGER.debug("could not parse %s: %r", url, err)
        tree = None
    if tree is None or tree.find(".//body") is None:
        return Extraction(is_article=False, reason="not an HTML document")
    try:
        return _extract(tree, url, site)
    except Exception as err:  # keep the crawl going: one odd page must not stop the pipeline
        LOGGER.warning("extraction failed for %s: %r", url, err, exc_info=True)
        return Extraction(is_article=False, reason=f"extraction failed: {type(err).__name__}")


def _extract(tree: HtmlElement, url: str, site: SiteBoilerplate | None) -> Extraction:
    decl = md.read_declarations(tree)
    ex = Extraction(is_article=False, reason="", cascade_fallback=cascade.FALLBACK)
    ex.canonical = md.absolute_url(decl.canonical, url)
    if ex.canonical:
        ex.sources["canonical"] = "link@rel=canonical"
    # everything read from the page as published comes first: the tree is then cut down, in
    # place, to what readers see
    page_type = fill_metadata(ex, decl, tree, url)
    anchors = anchor_texts(tree)
    captions = caption_texts(tree)
    drop_hidden(tree)
    # trafilatura deletes these first thing anyway; gone before its passes, every XPath it
    # runs over the raw page (several per pass) has less to walk
    etree.strip_elements(tree, *_NEVER_TEXT, with_tail=False)
    # the page's shape as readers see it, before trafilatura cuts the tree down
    block_words, headlines = longest_text_block(tree), headline_links(tree)
    body, ex.text = cascade.main_text(tree, url)
    ex.sources["text"] = "trafilatura"
    if body is not None:
        clean_body(body, titles=[ex.title] if ex.title else [], description=ex.description,
                   anchors=anchors, captions=captions)
        ex.text = body_text(xmltotxt(body, False))
    if ex.title and ex.text:
        ex.text = drop_leading_title(ex.text, ex.title)
    ex.blocks = ex.text.split("\n") if ex.text else []
    ex.word_count = len(ex.text.split())
    fill_language(ex, decl)
    if site is not None:
        apply_site_knowledge(ex, site)

    og_type, _ = decl.meta("og:type")
    ex.is_article, ex.reason = classify(
        url,
        og_type=og_type,
        jsonld_types=md.jsonld_types(decl),
        word_count=ex.word_count,
        link_line_share=link_line_share(anchors, ex.text),
        page_type=page_type,
        text_block_words=block_words,
        long_paragraphs=long_paragraphs(ex.text),
        headlines=headlines,
    )
    return ex
