"""trafilatura's extraction cascade, run by the project so that its passes share work, behind a
guard that falls back to ``bare_extraction`` (and says so) when trafilatura changed.

The archive runs trafilatura twice on a short page (precision mode, then the default mode:
:func:`main_text`). Run as ``bare_extraction`` runs it, each pass copies and prunes the whole
raw page again and runs a readability/jusText comparison (about a third of a pass). The project
runs trafilatura's own cascade (``trafilatura.core.trafilatura_sequence`` as ``bare_extraction``
runs it without comments and metadata) step by step with trafilatura's own functions, so that:

- the raw-page prunes every pass begins with run once for both passes, in place on the
  page's tree;
- the readability/jusText comparison runs only for a text under ``SHORT_TEXT`` characters or
  not made of clean paragraphs (:func:`_comparison_is_moot`);
- the default pass's test of how much of the page its text covers (html2txt: another copy
  and prune of the page) is settled by a cheap bound of the page's text where it can be.

With the comparison always run, the cascade gives exactly ``bare_extraction``'s result
(tests/test_extract_speedpath.py on synthetic pages, tests/test_cascade_guard.py on the real
benchmark pages); leaving it out changed no text of ``make bench-extract``'s pages.

The guard: the cascade mirrors internals of trafilatura that are no stable API. At import this
module checks that they are all there and that the mirrored functions (their source, the
signatures and constants the mirror uses) are those of the trafilatura the mirror was written
against (:data:`MIRRORED_FINGERPRINT`). Otherwise every page is extracted with
``bare_extraction`` and every extraction says why (``Extraction.cascade_fallback``): the crawl
logs a WARNING once and counts ``extraction_fallback`` in its summary. Upgrading trafilatura
is then a decision: check the cascade against the new version (the tests above), and update
the fingerprint.
"""

from __future__ import annotations

import hashlib
import inspect
import logging
from copy import copy
from typing import Any

import trafilatura
from lxml import etree
from lxml.etree import _Element
from lxml.html import HtmlElement
from trafilatura import bare_extraction
from trafilatura.xml import xmltotxt

from pipelines.text import body_text

LOGGER = logging.getLogger(__name__)

try:  # trafilatura's cascade, run step by step by _Cascade (bare_extraction without them)
    import trafilatura.core as _core
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

    _UNCLEAN = etree.XPath(SANITIZED_XPATH)
    _MISSING: str | None = None
except ImportError as err:  # another trafilatura: the guard below says so
    _MISSING = str(err)

#: The trafilatura release the cascade mirrors.
MIRRORED_VERSION = "2.3.1"
#: trafilatura functions whose source the cascade mirrors step by step.
MIRRORED_SOURCES = ("trafilatura_sequence", "_extract_and_compare", "_prepare_tree",
                    "_recall_retry")
#: trafilatura functions the cascade calls, whose signatures it relies on.
CALLED = ("baseline", "html2txt", "compare_extraction", "justext_rescue", "prune_unwanted_nodes",
          "extract_content", "_forum_thread_page", "Extractor")
#: trafilatura constants the cascade reads.
CONSTANTS = ("ESCALATION_ACCEPT_RATIO", "ESCALATION_JUSTEXT_RATIO", "ESCALATION_MAX_LENGTH",
             "ESCALATION_PAGE_SHARE")
#: :func:`fingerprint` of trafilatura MIRRORED_VERSION.
MIRRORED_FINGERPRINT = "077a8261ad9b2a67"

# characters under which an extraction is short: where trafilatura's readability/jusText
# comparison finds what its main extractor missed (its own ESCALATION_MAX_LENGTH)
SHORT_TEXT = 3000
# a short precise extraction is used when it keeps at least this share of the default one's text
PRECISION_AGREEMENT = 0.85


def fingerprint() -> str:
    """A digest of what the cascade mirrors and relies on in the installed trafilatura: the
    source of the mirrored functions, the signatures of those it calls, the constants."""
    names = globals()
    parts = [inspect.getsource(getattr(_core, name)) for name in MIRRORED_SOURCES]
    # parameter names only: a default's repr may hold an address that differs per process
    parts += [f"{name}({', '.join(inspect.signature(names[name]).parameters)})"
              for name in CALLED]
    parts += [f"{name}={names[name]!r}" for name in CONSTANTS]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]


def check_internals() -> str | None:
    """Why the project's cascade cannot be trusted with the installed trafilatura (None: it can)."""
    version = getattr(trafilatura, "__version__", "?")
    if _MISSING is not None:
        return f"trafilatura {version} lacks the internals the cascade uses ({_MISSING})"
    try:
        found = fingerprint()
    except (AttributeError, KeyError, OSError, TypeError, ValueError) as err:
        return f"trafilatura {version}: the cascade's internals cannot be checked ({err!r})"
    if found != MIRRORED_FINGERPRINT:
        return (f"trafilatura {version} changed the internals the cascade mirrors (written "
                f"against {MIRRORED_VERSION}; fingerprint {found}, expected "
                f"{MIRRORED_FINGERPRINT})")
    return None


#: Why every page is extracted with ``bare_extraction`` in this process (None: the cascade runs).
FALLBACK: str | None = check_internals()


def main_text(tree: HtmlElement, url: str) -> tuple[_Element | None, str]:
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
        return precise[0], body_text(precise[1])
    default = cascade.run(precision=False)
    if default is None:
        return (precise[0], body_text(precise[1])) if precise is not None else (None, "")
    if precise is not None and precise_len >= PRECISION_AGREEMENT * len(default[1]):
        return precise[0], body_text(precise[1])
    return default[0], body_text(default[1])


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
    modes prune the raw tree differently), or a trafilatura that failed the guard
    (:data:`FALLBACK`), gets ``bare_extraction`` unchanged.
    """

    def __init__(self, tree: HtmlElement, url: str) -> None:
        self.url = url
        self.tree = tree
        self.own = FALLBACK is None and not _forum_thread_page(tree)
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
