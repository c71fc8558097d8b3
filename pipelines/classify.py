"""Page classification: is a page an article, and why (or why not).

A plain function of what was read from the page (its URL, its declarations, how much text it
has and how much of it is links), so that it is tested on its own and every verdict carries
its reason into the crawl's counts.
"""

from __future__ import annotations

from core.urls import url_shape
from pipelines import metadata as md
from pipelines.text import norm

# below this many words a page has nothing worth archiving as an article
MIN_WORDS = 80
# a page that declares itself an article may be a short news brief: trust it down to this
MIN_WORDS_DECLARED = 40
# share of extracted lines that are link texts above which the page is a list of links
MAX_LINK_LINE_SHARE = 0.4
# og:type values other than article that declare a non-article page
NON_ARTICLE_OG_TYPES = ("website", "profile", "book", "music.", "video.", "product", "place")


def link_line_share(anchors: set[str], text: str) -> float:
    """Share of extracted lines that are the text of a link on the page (a list of links)."""
    lines = [norm(line.removeprefix("- ")) for line in text.splitlines() if line.strip()]
    if not lines:
        return 0.0
    return sum(line in anchors for line in lines) / len(lines)


def classify(
    url: str,
    *,
    og_type: str | None = None,
    jsonld_types: list[str] | tuple[str, ...] = (),
    word_count: int = 0,
    link_line_share: float = 0.0,
    page_type: str | None = None,
) -> tuple[bool, str]:
    """Decide whether a page is an article, and say why.

    Order: URL shapes of list pages (reliable even on sites that mark every page
    og:type=article), then the page's own declarations (JSON-LD before og:type), then text
    length, link lists, URL shape and trafilatura's page type for undeclared pages.
    """
    url_verdict, url_reason = url_shape(url)
    if url_verdict is False:
        return False, url_reason

    og = (og_type or "").strip().lower()
    article_types = [t for t in jsonld_types if md.is_article_type(t)]
    page_types = [t for t in jsonld_types if t in md.NON_ARTICLE_PAGE_TYPES]
    declared: str | None = None
    # a site-wide template declaration ("website", WebSite-only JSON-LD) that an article-shaped
    # URL contradicts: decide on the content instead of dropping every article of the site
    generic: str | None = None
    if article_types:
        declared = f"json-ld @type={article_types[0]}"
    elif page_types:
        return False, f"json-ld @type={page_types[0]}"
    elif og == "article":
        declared = "og:type=article"
    elif og == "website" and url_verdict:
        generic = "og:type=website"
    elif og.startswith(NON_ARTICLE_OG_TYPES):
        return False, f"og:type={og}"
    elif "WebSite" in jsonld_types and all(t in md.AUXILIARY_TYPES for t in jsonld_types):
        if not url_verdict:
            return False, "json-ld declares only the WebSite"
        generic = "json-ld declares only the WebSite"

    if declared:
        if word_count < MIN_WORDS_DECLARED:
            return False, f"{declared} but too little text ({word_count} words)"
        return True, declared
    if word_count < MIN_WORDS:
        return False, f"too little text ({word_count} words)"
    if link_line_share > MAX_LINK_LINE_SHARE:
        return False, f"mostly a list of links ({link_line_share:.0%} of lines are links)"
    if url_verdict:
        prefix = f"{generic} but " if generic else ""
        return True, f"{prefix}{url_reason}, {word_count} words"
    traf_type = (page_type or "").strip().lower()
    if traf_type == "blogposting" or traf_type.endswith("article"):
        return True, f"trafilatura page type {traf_type}, {word_count} words"
    return False, f"no article declaration, url not article-like ({word_count} words)"
