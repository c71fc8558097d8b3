"""Page classification: is a page an article, and why (or why not).

A plain function of what was read from the page (its URL, its declarations, how much text it
has and how much of it is links), so that it is tested on its own and every verdict carries
its reason into the crawl's counts.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from core.urls import url_shape
from pipelines import metadata as md
from pipelines.text import norm

# below this many words a page has nothing worth archiving as an article
MIN_WORDS = 80
# a page that declares itself an article may be a short news brief (a photo or video story,
# a paywalled teaser): trust it down to this
MIN_WORDS_DECLARED = 15
# share of extracted lines that are link texts above which the page is a list of links
MAX_LINK_LINE_SHARE = 0.4
# og:type values other than article that declare a non-article page ("website" is left
# out: many sites put it on every page, articles included)
NON_ARTICLE_OG_TYPES = ("profile", "book", "music.", "video.", "product", "place")
# words of well-formed paragraphs side by side in one container from which a page holds
# the long main text of an article, whatever its declarations or URL: list pages cut their
# text into one teaser per card (40-50 words at most on real section fronts)
LONG_BLOCK_WORDS = 150
# ...or, where the text is not in <p> elements, extracted paragraphs this long
LONG_PARAGRAPH_WORDS = 60
LONG_PARAGRAPHS = 3
# a page only og:type=article declares, at a URL that says nothing, is a list of headlines
# (a theme that marks every page so) when it links this many headlines and no text block
# reaches SHORT_BLOCK_WORDS
LIST_HEADLINES = 8
SHORT_BLOCK_WORDS = 60
# a paragraph is well-formed from this many words, ending a sentence
_WELL_FORMED_WORDS = 8
_SENTENCE_END = re.compile(r"[.!?…。！？:;\"'”“»«)\]]\s*$")


def link_line_share(anchors: set[str], text: str) -> float:
    """Share of extracted lines that are the text of a link on the page (a list of links)."""
    lines = [norm(line.removeprefix("- ")) for line in text.splitlines() if line.strip()]
    if not lines:
        return 0.0
    return sum(line in anchors for line in lines) / len(lines)


def long_paragraphs(text: str) -> int:
    """Extracted paragraphs of LONG_PARAGRAPH_WORDS or more that end a sentence."""
    return sum(
        1 for line in text.splitlines()
        if len(line.split()) >= LONG_PARAGRAPH_WORDS and _SENTENCE_END.search(line)
    )


def longest_text_block(tree: HtmlElement) -> int:
    """Words of well-formed ``<p>`` paragraphs that sit side by side in one container, for
    the container that holds the most: the body of an article, where a list page has one
    short teaser per card.

    A paragraph wrapped alone in its own element (``<div class="para"><p>…``, as some
    sites do for ad slots) counts for the container of its wrapper.
    """
    words: dict[HtmlElement, int] = {}
    for paragraph in tree.iter("p"):
        text = " ".join(paragraph.text_content().split())
        count = len(text.split())
        if count < _WELL_FORMED_WORDS or not _SENTENCE_END.search(text):
            continue
        parent = paragraph.getparent()
        while parent is not None and len(parent) == 1 and parent.getparent() is not None:
            parent = parent.getparent()
        if parent is not None:
            words[parent] = words.get(parent, 0) + count
    return max(words.values(), default=0)


def headline_links(tree: HtmlElement) -> int:
    """Distinct targets of links that are headlines (``<h2><a>``, ``<a><h3>``): a list
    page's cards."""
    hrefs = tree.xpath(
        "//*[self::h2 or self::h3 or self::h4]//a/@href"
        " | //a[.//*[self::h2 or self::h3 or self::h4]]/@href"
    )
    return len({str(h).strip() for h in hrefs if str(h).strip() not in ("", "#")})


def classify(
    url: str,
    *,
    og_type: str | None = None,
    jsonld_types: list[str] | tuple[str, ...] = (),
    word_count: int = 0,
    link_line_share: float = 0.0,
    page_type: str | None = None,
    text_block_words: int = 0,
    long_paragraphs: int = 0,
    headlines: int = 0,
) -> tuple[bool, str]:
    """Decide whether a page is an article, and say why.

    Order: URL shapes of list pages (reliable even on sites that mark every page
    og:type=article), then the page's own declarations (JSON-LD before og:type), then for
    undeclared pages: text length, a long main text (a whole class of sites declares
    nothing and puts no date or slug in its URLs), link lists, URL shape and trafilatura's
    page type.
    """
    url_verdict, url_reason = url_shape(url)
    if url_verdict is False:
        return False, url_reason

    og = (og_type or "").strip().lower()
    article_types = [t for t in jsonld_types if md.is_article_type(t)]
    page_types = [t for t in jsonld_types if t in md.NON_ARTICLE_PAGE_TYPES]
    declared: str | None = None
    # a site-wide template declaration ("website", WebSite-only JSON-LD): the content and
    # the URL decide
    generic: str | None = None
    if article_types:
        declared = f"json-ld @type={article_types[0]}"
    elif page_types:
        return False, f"json-ld @type={page_types[0]}"
    elif og == "article":
        if not url_verdict and headlines >= LIST_HEADLINES and (
            text_block_words < SHORT_BLOCK_WORDS
        ):
            return False, (f"og:type=article but a list of {headlines} headlines "
                           f"(longest text block {text_block_words} words)")
        declared = "og:type=article"
    elif og == "website":
        generic = "og:type=website"
    elif og.startswith(NON_ARTICLE_OG_TYPES):
        return False, f"og:type={og}"
    elif "WebSite" in jsonld_types and all(t in md.AUXILIARY_TYPES for t in jsonld_types):
        generic = "json-ld declares only the WebSite"

    if declared:
        if word_count < MIN_WORDS_DECLARED:
            return False, f"{declared} but too little text ({word_count} words)"
        return True, declared
    prefix = f"{generic} but " if generic else ""
    if word_count < MIN_WORDS:
        return False, f"{prefix}too little text ({word_count} words)"
    links = link_line_share > MAX_LINK_LINE_SHARE
    if url_verdict and not links:
        return True, f"{prefix}{url_reason}, {word_count} words"
    # an article's body is one long text, whatever links it carries (a roundup, a list of
    # sources): a list page's text is cut into teasers
    if text_block_words >= LONG_BLOCK_WORDS:
        return True, f"{prefix}long main text ({text_block_words} words in one block)"
    if long_paragraphs >= LONG_PARAGRAPHS:
        return True, f"{prefix}long main text ({long_paragraphs} long paragraphs)"
    if links:
        return False, f"{prefix}mostly a list of links ({link_line_share:.0%} of lines are links)"
    traf_type = (page_type or "").strip().lower()
    if traf_type == "blogposting" or traf_type.endswith("article"):
        return True, f"{prefix}trafilatura page type {traf_type}, {word_count} words"
    if generic:
        return False, (f"{generic}, url not article-like, no long main text "
                       f"({word_count} words)")
    return False, f"no article declaration, url not article-like ({word_count} words)"
