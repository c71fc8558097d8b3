"""Block clean-up: what is dropped from trafilatura's block tree because it is not the article.

trafilatura keeps some of a news page's furniture as text. On its block tree (``<p>``,
``<head>``, ``<list>``, ... elements), this module drops, in general ways each measured on real
annotated pages (``make bench-extract``):

- leading headings that repeat the title or the description (which have their own fields);
- paragraphs that are a picture's caption on the page (:func:`caption_texts`, read on the page
  before extraction, where the markup says what a caption is);
- lists made only of links to other pages (:func:`anchor_texts`) or of article cards;
- short blocks worded like site furniture (:func:`pipelines.boilerplate.furniture_kind`);
- headings left at the end of the text with nothing under them.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml.etree import _Element
from lxml.html import HtmlElement

from pipelines.boilerplate import furniture_kind
from pipelines.text import elem_text, norm

# a list whose items are links of the page in at least this share is a list of other pages
LINK_LIST_SHARE = 0.7

_BLOCK_TAGS = ("p", "list", "quote", "table", "head", "code")


def clean_body(
    body: _Element,
    *,
    titles: list[str],
    description: str | None,
    anchors: set[str],
    captions: frozenset[str] | set[str] = frozenset(),
) -> None:
    """Drop from trafilatura's block tree what is not the article's own text (in place).

    ``captions`` are the normalised texts of the page's picture captions
    (:func:`caption_texts` of the original page)."""
    _drop_leading_headings(body, titles, description)
    if captions:
        _drop_captions(body, captions)
    for block in list(body):
        if block.tag == "list" and (_is_link_list(block, anchors) or _is_teaser_list(block)):
            body.remove(block)
    # innermost first: a furniture line nested in a list item goes, the item's own text stays
    for elem in reversed(list(body.iter("p", "head", "item", "quote"))):
        parent = elem.getparent()
        if parent is not None and furniture_kind(elem_text(elem)):
            parent.remove(elem)
    _drop_trailing_headings(body)


def _drop_trailing_headings(body: _Element) -> None:
    """Headings that end the text head nothing: what they announced (related articles, a
    comment section, "more on the topic", the next article's teaser) was not kept as
    article text, so the heading alone is the start of the page's furniture. A heading
    worded as a sentence (a full stop: a pull quote set as a heading) is text, and stays."""
    for elem in reversed(list(body.iter(*_BLOCK_TAGS, "item", "cell"))):
        text = elem_text(elem)
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
        if parent is root or elem_text(parent):
            return
        elem, parent = parent, parent.getparent()


# elements that hold a picture's caption: <figcaption>, and those whose class names one
# ("caption", "wp-caption-text", "photo-caption", "image__caption"...); testing the class
# attributes alone is the cheap way to find them on a large page
_CAPTIONS = etree.XPath("//figcaption|//@class[contains(., 'caption')]/..")
# a caption shorter than this is a credit or a label, which the furniture rules handle
MIN_CAPTION_WORDS = 4


def caption_texts(tree: _Element) -> set[str]:
    """The normalised texts of the page's picture captions.

    A caption describes a picture; once the picture is gone it reads as a stray sentence in
    the middle of the article (trafilatura keeps captions that sit outside <figure>, or in
    a <p> of their own). Found on the original page, where their markup says what they are.
    """
    found = set()
    for elem in _CAPTIONS(tree):
        text = norm(elem.text_content())
        if len(text.split()) >= MIN_CAPTION_WORDS:
            found.add(text)
    return found


def _drop_captions(body: _Element, captions: set[str]) -> None:
    """Drop paragraphs that are, whole, one of the page's picture captions."""
    for elem in list(body.iter("p")):
        if elem_text(elem).casefold() in captions:  # elem_text is norm but for case
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
        text = norm(elem_text(block))
        if block.get("rend") == "h1" or any(_similar(text, norm(t)) for t in titles):
            body.remove(block)
            after_title = True
        elif after_title and description and _is_standfirst(text, norm(description)):
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
    items = [norm(elem_text(item)) for item in block.iter("item")]
    items = [item for item in items if item]
    return bool(items) and sum(i in anchors for i in items) / len(items) >= LINK_LIST_SHARE


def _is_teaser_list(block: _Element) -> bool:
    """A list whose every item is made of headings only (a title, and a one-line summary set
    as a smaller heading): the cards of other articles, not points of this one."""
    items = [item for item in block.iter("item") if elem_text(item)]
    if not items:
        return False
    for item in items:
        if (item.text or "").strip() or not len(item):
            return False
        if any(child.tag != "head" or (child.tail or "").strip() for child in item):
            return False
    return True



def drop_leading_title(text: str, title: str) -> str:
    """trafilatura sometimes keeps the <h1> as the first line; the title has its own field."""
    first, _, rest = text.partition("\n")
    if norm(first) == norm(title):
        return rest
    return text


def anchor_texts(tree: HtmlElement) -> set[str]:
    """The normalised texts of the page's links: lines that are only one of them are links."""
    # most links are a bare text node: reading it directly costs a third of text_content()
    anchors = {
        norm(a.text_content() if len(a) else a.text or "")
        for a in tree.iter("a")
        if a.get("href")
    }
    anchors.discard("")
    return anchors
