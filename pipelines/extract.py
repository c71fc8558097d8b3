"""Extraction: HTML + URL (+ site knowledge) -> article text, metadata and a verdict.

Plain functions with no Scrapy inside, so the crawl pipeline, a re-extraction command and the
tests all share one code path. trafilatura finds the text and its own metadata guesses; the
page's declarations (pipelines.metadata) take precedence where the archive needs fields kept
apart or must know where a value came from.

The text is trafilatura's, made cleaner in general ways, each measured on real annotated pages
(``make bench-extract``) and kept only when it helped on both benchmark sets:

- elements hidden from readers are removed before extraction (:func:`boilerplate.drop_hidden`);
- trafilatura runs with ``favor_precision``, which trims furniture its default balance keeps;
  when that text is short, the default mode runs too and is taken instead if precision mode
  lost part of it (:func:`_main_text`): one pass for long articles, two for short pages;
- on trafilatura's block tree, leading headings that repeat the title or the description
  (which have their own fields), paragraphs that are a picture's caption on the page, lists
  made only of links to other pages or of article cards (headings only), short blocks worded
  like site furniture (:func:`boilerplate.furniture_kind`) and headings left at the end of the
  text with nothing under them are dropped;
- with a :class:`boilerplate.SiteBoilerplate`, blocks the site repeats on many pages go too.

What it costs: the trafilatura passes are most of an extraction's CPU. The project runs
trafilatura's own cascade step by step (:class:`_Cascade`), so that:

- the raw-page prunes every pass begins with run once for both passes, in place on the
  page's tree, instead of on a fresh copy of the page per pass;
- trafilatura's readability/jusText comparison (a copy of the page, in precision mode a
  prune of the whole raw page, and a readability run: about a third of a pass) runs only for
  a text under ``SHORT_TEXT`` characters or not made of clean paragraphs. It can change
  another text only if readability finds over twice as much of it, which never happened on
  the annotated pages (:func:`_comparison_is_moot`);
- the default pass's test of how much of the page its text covers (html2txt: another copy
  and prune of the page) is settled by a cheap bound of the page's text where it can be.

A long article is thus one pass without the comparison, a short page two full passes. With
the comparison always run, the cascade gives exactly ``bare_extraction``'s result
(tests/test_extract_speedpath.py); leaving it out changed no text of ``make
bench-extract``'s pages, nor of the generated benchmark site's, where an extraction costs
about a third less CPU than with one ``bare_extraction`` per pass (old and new alternated
page by page in one process).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from copy import copy
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from lxml import etree
from lxml.etree import _Element
from lxml.html import HtmlElement
from trafilatura import bare_extraction
from trafilatura.metadata import extract_metadata
from trafilatura.utils import load_html
from trafilatura.xml import xmltotxt

try:  # trafilatura's cascade, run step by step by _Cascade (bare_extraction without them)
    from trafilatura.baseline import baseline, html2txt
    from trafilatura.core import (
        ESCALATION_ACCEPT_RATIO,
        ESCALATION_JUSTEXT_RATIO,
        ESCALATION_MAX_LENGTH,
        ESCALATION_PAGE_SHARE,
        _forum_thread_page,
        _prepare_tree,
        _recall_retry,
    )
    from trafilatura.external import SANITIZED_XPATH, compare_extraction, justext_rescue
    from trafilatura.htmlprocessing import prune_unwanted_nodes
    from trafilatura.main_extractor import extract_content
    from trafilatura.settings import Extractor
    from trafilatura.xpaths import (
        RAW_TREE_PRUNE_XPATH,
        REMOVE_COMMENTS_AND_LISTS_XPATH,
        REMOVE_COMMENTS_XPATH,
    )

    _CASCADE_INTERNALS = True
    _UNCLEAN = etree.XPath(SANITIZED_XPATH)
except ImportError:  # pragma: no cover - another trafilatura version
    _CASCADE_INTERNALS = False

from core.urls import url_shape
from pipelines import metadata as md
from pipelines.access import article_access
from pipelines.boilerplate import SiteBoilerplate, drop_hidden, furniture_kind
from pipelines.bylines import find_credits
from pipelines.dates import find_dates

LOGGER = logging.getLogger(__name__)

# trafilatura's own MAX_FILE_SIZE; it only enforces it on compressed bytes, so we do it here
MAX_HTML_CHARS = 20_000_000
# below this many words a page has nothing worth archiving as an article
MIN_WORDS = 80
# a page that declares itself an article may be a short news brief: trust it down to this
MIN_WORDS_DECLARED = 40
# share of extracted lines that are link texts above which the page is a list of links
MAX_LINK_LINE_SHARE = 0.4
# a short precise extraction is used when it keeps at least this share of the default one's text
PRECISION_AGREEMENT = 0.85
# characters under which an extraction is short: where trafilatura's readability/jusText
# comparison finds what its main extractor missed (its own ESCALATION_MAX_LENGTH)
SHORT_TEXT = 3000
# a list whose items are links of the page in at least this share is a list of other pages
LINK_LIST_SHARE = 0.7
# elements that never hold article text; trafilatura's first cleaning deletes them too
_NEVER_TEXT = ("script", "style", "svg")
# og:type values other than article that declare a non-article page
NON_ARTICLE_OG_TYPES = ("website", "profile", "book", "music.", "video.", "product", "place")



@dataclass
class Extraction:
    """The result of extracting one page; is_article=False results still carry what was found."""

    is_article: bool
    reason: str
    canonical: str | None = None
    title: str | None = None
    author: str | None = None
    published: str | None = None
    modified: str | None = None
    language: str | None = None
    site_name: str | None = None
    description: str | None = None
    tags: list[str] = field(default_factory=list)
    image: str | None = None
    text: str = ""
    word_count: int = 0
    sources: dict[str, str] = field(default_factory=dict)
    # credits, date confidence and access (pipelines.bylines, .dates, .access)
    authors: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)
    published_confidence: str | None = None
    modified_confidence: str | None = None
    date_notes: list[str] = field(default_factory=list)
    access: str = "free"
    # the text's lines before the site's learnt boilerplate was removed: what
    # SiteBoilerplate.observe() learns from
    blocks: list[str] = field(default_factory=list, repr=False)
    # the lines removed as the site's boilerplate
    site_boilerplate: list[str] = field(default_factory=list, repr=False)


def extract_article(
    html: str | bytes, url: str, site: SiteBoilerplate | None = None,
    fetched_at: str | None = None,
) -> Extraction:
    """Extract one page. Never raises: bad input gives ``is_article=False`` with a reason.

    ``site`` is what is known of the page's site; its recognised blocks are removed from the
    text. It is only read: learning from the result (``site.observe(url, ex.blocks)``) is the
    caller's decision, so that extraction stays a plain function of its inputs.
    ``fetched_at`` (ISO 8601) is when the page was fetched: relative dates ("3 hours ago")
    are resolved against it and dates after it are rejected (the current time without it).
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
        return _extract(tree, url, site, fetched_at)
    except Exception as err:  # keep the crawl going: one odd page must not stop the pipeline
        LOGGER.warning("extraction failed for %s: %r", url, err, exc_info=True)
        return Extraction(is_article=False, reason=f"extraction failed: {type(err).__name__}")


def _extract(
    tree: HtmlElement, url: str, site: SiteBoilerplate | None, fetched_at: str | None = None
) -> Extraction:
    decl = md.read_declarations(tree)
    ex = Extraction(is_article=False, reason="")
    ex.canonical = md.absolute_url(decl.canonical, url)
    if ex.canonical:
        ex.sources["canonical"] = "link@rel=canonical"
    # everything read from the page as published comes first: the tree is then cut down, in
    # place, to what readers see
    page_type = _fill_metadata(ex, decl, tree, url, fetched_at)
    anchors = _anchor_texts(tree)
    captions = _caption_texts(tree)
    drop_hidden(tree)
    # trafilatura deletes these first thing anyway; gone before its passes, every XPath it
    # runs over the raw page (several per pass) has less to walk
    etree.strip_elements(tree, *_NEVER_TEXT, with_tail=False)
    page_text = tree.text_content()  # what readers see, for the paywall prompt test
    body, ex.text = _main_text(tree, url)
    ex.sources["text"] = "trafilatura"
    if body is not None:
        _clean_body(body, titles=[ex.title] if ex.title else [], description=ex.description,
                    anchors=anchors, captions=captions)
        ex.text = _body_text(xmltotxt(body, False))
    if ex.title and ex.text:
        ex.text = _drop_leading_title(ex.text, ex.title)
    ex.blocks = ex.text.split("\n") if ex.text else []
    ex.word_count = len(ex.text.split())
    _fill_language(ex, decl)
    ex.access, access_source = article_access(decl, ex.text, page_text)
    if access_source:
        ex.sources["access"] = access_source
    if site is not None:
        apply_site_knowledge(ex, site)

    og_type, _ = decl.meta("og:type")
    ex.is_article, ex.reason = classify(
        url,
        og_type=og_type,
        jsonld_types=md.jsonld_types(decl),
        word_count=ex.word_count,
        link_line_share=_link_line_share(anchors, ex.text),
        page_type=page_type,
    )
    return ex


def apply_site_knowledge(ex: Extraction, site: SiteBoilerplate) -> Extraction:
    """Remove the site's recognised blocks from an extraction's text (in place, returned).

    ``extract_article(html, url, site)`` calls it; a caller that extracts in worker processes
    can extract without ``site`` and call it in the process that holds the site knowledge
    (the lines it works on are ``ex.blocks``, the text before any site cleaning).
    """
    kept, ex.site_boilerplate = site.split("\n".join(ex.blocks))
    if ex.site_boilerplate:
        ex.text = "\n".join(kept)
        ex.word_count = len(ex.text.split())
        ex.sources["text"] = "trafilatura, site boilerplate removed"
    return ex


def _main_text(tree: HtmlElement, url: str) -> tuple[_Element | None, str]:
    """trafilatura's block tree and text: in precision mode unless it lost the article.

    favor_precision trims furniture the default mode keeps, but on some pages it also drops
    a real part of the article. A long precise text is kept as it is. A short one is where
    that happens (and where trafilatura's readability/jusText comparison finds what its main
    extractor missed), so the default pass runs too, and the precise text is kept only if it
    has most of the default one's.

    Both passes work on ``tree`` itself, which they prune (see :class:`_Cascade`).
    """
    cascade = _Cascade(tree, url)
    precise = cascade.run(precision=True)
    precise_len = len(precise[1]) if precise is not None else 0
    if precise is not None and precise_len >= SHORT_TEXT:
        return precise[0], _body_text(precise[1])
    default = cascade.run(precision=False)
    if default is None:
        return (precise[0], _body_text(precise[1])) if precise is not None else (None, "")
    if precise is not None and precise_len >= PRECISION_AGREEMENT * len(default[1]):
        return precise[0], _body_text(precise[1])
    return default[0], _body_text(default[1])


def _comparison_is_moot(body: _Element, text: str) -> bool:
    """Whether trafilatura's readability/jusText comparison is left out for this result of
    its main extractor (see :class:`_Cascade`).

    The comparison replaces the main extractor's text when readability's is more than twice
    as long, when the text is structurally deficient (no paragraph text, more tables than
    paragraphs), when it is "unclean" (holds elements such as <aside> or <figure>) or shorter
    than trafilatura's MIN_EXTRACTED_SIZE (jusText). A text of at least SHORT_TEXT
    characters in well-formed paragraphs is none of these but for the first, which on such
    a text would mean readability found over twice as much article: on the annotated pages
    of ``make bench-extract`` that never happened (the texts in well-formed paragraphs the
    comparison changed were all under 1,600 characters), while every long text paid for a
    readability run.
    """
    if len(text) < SHORT_TEXT or _UNCLEAN(body):
        return False
    paragraphs = len(body.findall(".//p"))
    return paragraphs >= len(body.findall(".//table")) and bool(_PARAGRAPH_TEXT(body))


def _page_text_above(tree: HtmlElement, share: float, length: int) -> bool:
    """``length < share * len(html2txt(tree))``: whether a text of ``length`` characters covers
    less than ``share`` of the page's text, as trafilatura's recall escalation asks.

    html2txt copies the page and prunes it with an XPath over every element (about a fifth
    of a pass); its length is at most the page's whitespace-collapsed text plus the spaces
    it inserts, two per element. Only when that bound does not settle the question does
    html2txt run."""
    body = tree.find(".//body")
    if body is not None:
        bound = len(" ".join(body.text_content().split())) + 2 * int(_COUNT_ELEMENTS(body))
        if not length < share * bound:
            return False
    return length < share * len(html2txt(tree))


_PARAGRAPH_TEXT = etree.XPath(".//p//text()")
_COUNT_ELEMENTS = etree.XPath("count(.//*)")


class _Cascade:
    """trafilatura's extraction cascade (``trafilatura_sequence`` as ``bare_extraction`` runs
    it without comments and metadata), run by the project so that its passes share work:

    - the raw-tree prunes that begin every pass are the same for both modes: they run once,
      in place on the caller's tree (``bare_extraction`` copies the tree for each pass);
    - the readability/jusText comparison (about a third of a pass: a copy of the page,
      a prune of the whole raw page, readability) is skipped where it cannot reasonably
      change the result (:func:`_comparison_is_moot`).

    Every step is trafilatura's own function, in its order. A thread-forum page (whose two
    modes prune the raw tree differently), or a trafilatura without these internals, gets
    ``bare_extraction`` unchanged.
    """

    def __init__(self, tree: HtmlElement, url: str) -> None:
        self.url = url
        self.tree = tree
        self.own = _CASCADE_INTERNALS and not _forum_thread_page(tree)
        self.failed = False
        if self.own:
            try:
                prune_unwanted_nodes(tree, RAW_TREE_PRUNE_XPATH)
                prune_unwanted_nodes(tree, REMOVE_COMMENTS_AND_LISTS_XPATH)
            except (TypeError, ValueError):  # as bare_extraction: a failed pass finds nothing
                self.failed = True

    def run(self, *, precision: bool) -> tuple[_Element, str] | None:
        """(block tree, text) of one pass, None when trafilatura finds nothing."""
        if not self.own:
            doc = bare_extraction(
                self.tree, url=self.url, include_comments=False, with_metadata=False,
                output_format="python", favor_precision=precision,
            )
            if doc is None or doc.body is None:
                return None
            return doc.body, doc.text or ""
        if self.failed:
            return None
        options = Extractor(output_format="python", precision=precision, comments=False,
                            url=self.url)
        try:
            body, text = self._sequence(options)
        except (TypeError, ValueError):  # as bare_extraction: a failed pass finds nothing
            return None
        if len(text) < options.min_output_size:
            return None
        return body, xmltotxt(body, options.formatting)

    def _sequence(self, options: Any) -> tuple[_Element, str]:
        tree, url = self.tree, self.url
        cleaned, backup = _prepare_tree(tree, options, url)
        if options.focus == "precision":
            cleaned = prune_unwanted_nodes(cleaned, REMOVE_COMMENTS_XPATH)
        body, text = extract_content(cleaned, options)
        if not _comparison_is_moot(body, text):
            body, text = compare_extraction(backup, copy(tree), body, text, options)
        # baseline rescue (default mode)
        if len(text) < options.min_extracted_size and options.focus != "precision":
            b_body, b_text, b_len = baseline(tree)
            if b_len > len(text):
                body, text = b_body, b_text
        # recall escalation (default mode): a short text covering little of the page
        if (
            options.focus == "balanced"
            and 0 < len(text) < ESCALATION_MAX_LENGTH
            and _page_text_above(tree, ESCALATION_PAGE_SHARE, len(text))
        ):
            r_options = copy(options)
            r_options.focus = "recall"
            r_body, r_text = None, ""
            try:
                r_body, r_text = _recall_retry(tree, r_options, url)
            except Exception as err:  # as trafilatura: a failed retry is no candidate
                LOGGER.debug("recall retry failed: %r %s", err, url)
            j_body, j_text = None, ""
            try:
                j_body, j_text = justext_rescue(copy(tree), options)
            except Exception as err:
                LOGGER.debug("justext candidate failed: %r %s", err, url)
            if len(j_text) > len(r_text) and len(j_text) > ESCALATION_JUSTEXT_RATIO * len(text):
                body, text = j_body, j_text
            elif (
                len(r_text) >= options.min_extracted_size
                and len(r_text) > ESCALATION_ACCEPT_RATIO * len(text)
            ):
                body, text = r_body, r_text
        return body, text


_BLOCK_TAGS = ("p", "list", "quote", "table", "head", "code")


def _clean_body(
    body: _Element,
    *,
    titles: list[str],
    description: str | None,
    anchors: set[str],
    captions: frozenset[str] | set[str] = frozenset(),
) -> None:
    """Drop from trafilatura's block tree what is not the article's own text (in place).

    ``captions`` are the normalised texts of the page's picture captions
    (:func:`_caption_texts` of the original page)."""
    _drop_leading_headings(body, titles, description)
    if captions:
        _drop_captions(body, captions)
    for block in list(body):
        if block.tag == "list" and (_is_link_list(block, anchors) or _is_teaser_list(block)):
            body.remove(block)
    # innermost first: a furniture line nested in a list item goes, the item's own text stays
    for elem in reversed(list(body.iter("p", "head", "item", "quote"))):
        parent = elem.getparent()
        if parent is not None and furniture_kind(_elem_text(elem)):
            parent.remove(elem)
    _drop_trailing_headings(body)


def _drop_trailing_headings(body: _Element) -> None:
    """Headings that end the text head nothing: what they announced (related articles, a
    comment section, "more on the topic", the next article's teaser) was not kept as
    article text, so the heading alone is the start of the page's furniture. A heading
    worded as a sentence (a full stop: a pull quote set as a heading) is text, and stays."""
    for elem in reversed(list(body.iter(*_BLOCK_TAGS, "item", "cell"))):
        text = _elem_text(elem)
        if not text:
            continue
        if elem.tag != "head" or (elem.tail or "").strip():  # text follows it
            return
        if text.endswith((".", "…", ":")) and len(text.split()) > 4:
            return
        _remove_with_empty_parents(elem, body)


def _remove_with_empty_parents(elem: _Element, root: _Element) -> None:
    """Remove ``elem``, and the containers (list items, lists, quotes) it leaves empty."""
    parent = elem.getparent()
    while parent is not None:
        parent.remove(elem)
        if parent is root or _elem_text(parent):
            return
        elem, parent = parent, parent.getparent()


# elements that hold a picture's caption: <figcaption>, and those whose class names one
# ("caption", "wp-caption-text", "photo-caption", "image__caption"...); testing the class
# attributes alone is the cheap way to find them on a large page
_CAPTIONS = etree.XPath("//figcaption|//@class[contains(., 'caption')]/..")
# a caption shorter than this is a credit or a label, which the furniture rules handle
MIN_CAPTION_WORDS = 4


def _caption_texts(tree: _Element) -> set[str]:
    """The normalised texts of the page's picture captions.

    A caption describes a picture; once the picture is gone it reads as a stray sentence in
    the middle of the article (trafilatura keeps captions that sit outside <figure>, or in
    a <p> of their own). Found on the original page, where their markup says what they are.
    """
    found = set()
    for elem in _CAPTIONS(tree):
        text = _norm(elem.text_content())
        if len(text.split()) >= MIN_CAPTION_WORDS:
            found.add(text)
    return found


def _drop_captions(body: _Element, captions: set[str]) -> None:
    """Drop paragraphs that are, whole, one of the page's picture captions."""
    for elem in list(body.iter("p")):
        if _elem_text(elem).casefold() in captions:  # _elem_text is _norm but for case
            parent = elem.getparent()
            if parent is not None:
                parent.remove(elem)


def _drop_leading_headings(body: _Element, titles: list[str], description: str | None) -> None:
    """Headings before the first paragraph that are the page's title (its <h1>, or a heading
    saying what the title says) or its standfirst (the description, kept in its own field)."""
    after_title = False
    for block in list(body):
        if block.tag != "head" or any(child.tag in _BLOCK_TAGS for child in block):
            break
        text = _norm(_elem_text(block))
        if block.get("rend") == "h1" or any(_similar(text, _norm(t)) for t in titles):
            body.remove(block)
            after_title = True
        elif after_title and description and _is_standfirst(text, _norm(description)):
            body.remove(block)


_WORD = re.compile(r"\w+")


def _similar(a: str, b: str) -> bool:
    """Two headlines that say the same (a site suffix or a shortened form differ)."""
    wa, wb = set(_WORD.findall(a)), set(_WORD.findall(b))
    if not wa or not wb:
        return False
    common = len(wa & wb)
    return common / min(len(wa), len(wb)) >= 0.7 and common / max(len(wa), len(wb)) >= 0.4


_STANDFIRST_END = re.compile(r"[\s.…]+$")


def _is_standfirst(text: str, description: str) -> bool:
    text, description = _STANDFIRST_END.sub("", text), _STANDFIRST_END.sub("", description)
    if len(text) < 20:
        return False
    if text == description:
        return True
    return len(text) > 40 and (description.startswith(text) or text.startswith(description))


def _is_link_list(block: _Element, anchors: set[str]) -> bool:
    items = [_norm(_elem_text(item)) for item in block.iter("item")]
    items = [item for item in items if item]
    return bool(items) and sum(i in anchors for i in items) / len(items) >= LINK_LIST_SHARE


def _is_teaser_list(block: _Element) -> bool:
    """A list whose every item is made of headings only (a title, and a one-line summary set
    as a smaller heading): the cards of other articles, not points of this one."""
    items = [item for item in block.iter("item") if _elem_text(item)]
    if not items:
        return False
    for item in items:
        if (item.text or "").strip() or not len(item):
            return False
        if any(child.tag != "head" or (child.tail or "").strip() for child in item):
            return False
    return True


def _elem_text(elem: _Element) -> str:
    return " ".join("".join(elem.itertext()).split())


def _body_text(text: str | None) -> str:
    """One paragraph per line, NFC like trafilatura's own text output (bare_extraction skips
    that step), without blank lines or stray whitespace."""
    lines = (line.strip() for line in unicodedata.normalize("NFC", text or "").splitlines())
    return "\n".join(line for line in lines if line)


def _drop_leading_title(text: str, title: str) -> str:
    """trafilatura sometimes keeps the <h1> as the first line; the title has its own field."""
    first, _, rest = text.partition("\n")
    if _norm(first) == _norm(title):
        return rest
    return text


def _norm(value: str) -> str:
    return " ".join(value.split()).casefold()


class _TrafilaturaMetadata:
    """trafilatura's own metadata guesses (title from headings, author, htmldate's date...),
    computed on first use: the fallback for fields a page does not declare. Most news pages
    declare them all, and the guesses cost a tenth of the extraction."""

    def __init__(self, tree: HtmlElement, url: str) -> None:
        self._tree, self._url = tree, url
        self._doc: Any = None

    def get(self, attr: str) -> Any:
        if self._doc is None:
            # extensive=False: what bare_extraction asks of htmldate in its default mode
            self._doc = extract_metadata(self._tree, self._url, extensive=False)
        return getattr(self._doc, attr, None)


Candidate = tuple["str | None | Callable[[], str | None]", "str | None"]


def _fill_metadata(
    ex: Extraction, decl: md.Declarations, tree: HtmlElement, url: str,
    fetched_at: str | None = None,
) -> str | None:
    """Pick each field from the first source that has it, recording the source.

    Returns trafilatura's page type when the page declares no type of its own (the last
    clue :func:`classify` uses).
    """
    traf_meta = _TrafilaturaMetadata(tree, url)

    def pick(name: str, *candidates: Candidate) -> str | None:
        for value, source in candidates:
            if callable(value):
                value = value()
            if value and source:
                ex.sources[name] = source
                return unicodedata.normalize("NFC", value)
        return None

    def meta(*keys: str) -> tuple[str | None, str | None]:
        value, key = decl.meta(*keys)
        return value, (f"meta:{key}" if key else None)

    def traf(attr: str, then: Callable[[str | None], str | None] = lambda v: v) -> Candidate:
        def value() -> str | None:
            found = traf_meta.get(attr)
            return then(found if isinstance(found, str) else None)

        return value, "trafilatura"

    ex.title = pick(
        "title", meta("og:title"), (md.jsonld_field(decl, "headline"), "json-ld"), traf("title")
    )
    ex.site_name = pick(
        "site_name",
        meta("og:site_name"),
        (md.jsonld_publisher(decl), "json-ld:publisher"),
        (md.jsonld_website_name(decl), "json-ld:WebSite"),
        meta("application-name"),
        # a host name is not a site name
        traf("sitename", lambda name: None if name and _is_hostname_of(name, url) else name),
    )
    ex.description = pick(
        "description",
        meta("description"),
        meta("og:description"),
        (md.jsonld_field(decl, "description"), "json-ld"),
        traf("description"),
    )
    image_meta, image_source = meta("og:image", "og:image:url", "og:image:secure_url")
    ex.image = pick(
        "image",
        (md.absolute_url(image_meta, url), image_source),
        (md.absolute_url(md.jsonld_image(decl), url), "json-ld"),
        traf("image", lambda image: md.absolute_url(image, url)),
    )
    _fill_tags(ex, decl, traf_meta)
    _fill_credits_and_dates(ex, decl, tree, url, fetched_at, traf_meta)
    if decl.meta("og:type")[0] or md.jsonld_types(decl):
        return None
    return traf_meta.get("pagetype")


def _fill_credits_and_dates(
    ex: Extraction, decl: md.Declarations, tree: HtmlElement, url: str,
    fetched_at: str | None, traf_meta: _TrafilaturaMetadata,
) -> None:
    """Authors and agencies (pipelines.bylines), published/modified dates with their source
    and confidence (pipelines.dates); trafilatura's date only as the last resort."""
    credits = find_credits(tree, decl, url, ex.site_name)
    ex.authors, ex.agencies = credits.authors, credits.agencies
    if credits.display and credits.source:
        ex.author = unicodedata.normalize("NFC", credits.display)
        ex.sources["author"] = credits.source
    found = find_dates(
        tree, decl, url, md.normalize_language(decl.html_lang), fetched_at,
        guess=lambda: traf_meta.get("date"),
    )
    ex.date_notes = found.notes
    for name, value in (("published", found.published), ("modified", found.modified)):
        if value is not None:
            setattr(ex, name, value.value)
            setattr(ex, f"{name}_confidence", value.confidence)
            ex.sources[name] = value.source


def _is_hostname_of(name: str, url: str) -> bool:
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    return name.lower().removeprefix("www.") == host


def _fill_language(ex: Extraction, decl: md.Declarations) -> None:
    """Declared language first (ISO 639-1), detection from the extracted text only without one."""
    og_locale, _ = decl.meta("og:locale")
    content_language, _ = decl.meta("content-language")
    for value, source in (
        (decl.html_lang, "html@lang"),
        (og_locale, "meta:og:locale"),
        (md.jsonld_language(decl), "json-ld:inLanguage"),
        (content_language, "meta:content-language"),
    ):
        code = md.normalize_language(value)
        if code:
            ex.language = code
            ex.sources["language"] = source
            return
    detected = detect_language(ex.text)
    if detected:
        ex.language = detected
        ex.sources["language"] = "py3langid"


def detect_language(text: str) -> str | None:
    """py3langid on the text; None for texts too short to say (the model loads on first use)."""
    if len(text.split()) < 5:
        return None
    import py3langid  # imported lazily: loading the model takes ~1 s

    code, _score = py3langid.classify(text[:5000])
    return md.normalize_language(code)


def _fill_tags(ex: Extraction, decl: md.Declarations, traf_meta: _TrafilaturaMetadata) -> None:
    """Tags from every declared source, deduplicated case-insensitively, first spelling and
    order kept; trafilatura's guesses only for pages that declare none.

    Visible rel="tag" links come first because their order is the one readers see; the
    section/categories are used only when the page names no tags at all.
    """
    candidates: list[tuple[Callable[[], list[str]], str]] = [
        (lambda: decl.rel_tags, "rel=tag"),
        (lambda: [t for v in decl.meta_all("article:tag") for t in md.split_tags(v)],
         "meta:article:tag"),
        (lambda: md.jsonld_keywords(decl), "json-ld:keywords"),
        (lambda: [t for v in traf_meta.get("tags") or [] for t in md.split_tags(v)],
         "trafilatura"),
        (lambda: [c for v in traf_meta.get("categories") or [] for c in md.split_tags(v)],
         "trafilatura:categories"),
    ]
    tags: dict[str, str] = {}
    used: list[str] = []
    for index, (values, source) in enumerate(candidates):
        if index >= 3 and tags:  # trafilatura's guesses: only for pages that declare no tags
            break
        added = False
        for tag in values():
            key = tag.casefold()
            if key not in tags:
                tags[key] = tag
                added = True
        if added:
            used.append(source)
    ex.tags = list(tags.values())
    if used:
        ex.sources["tags"] = "+".join(used)


def _anchor_texts(tree: HtmlElement) -> set[str]:
    """The normalised texts of the page's links: lines that are only one of them are links."""
    # most links are a bare text node: reading it directly costs a third of text_content()
    anchors = {
        _norm(a.text_content() if len(a) else a.text or "")
        for a in tree.iter("a")
        if a.get("href")
    }
    anchors.discard("")
    return anchors


def _link_line_share(anchors: set[str], text: str) -> float:
    """Share of extracted lines that are the text of a link on the page (a list of links)."""
    lines = [_norm(line.removeprefix("- ")) for line in text.splitlines() if line.strip()]
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
