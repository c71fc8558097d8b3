"""Field precedence: which source each article field is taken from, and where it came from.

The page's own declarations (:mod:`pipelines.metadata`: meta tags, JSON-LD, bylines, rel=tag
links) come first, because the archive needs fields kept apart (published vs modified,
declared vs detected language, tags vs section) and must know where each value came from
(``Extraction.sources``); trafilatura's own metadata guesses (title from headings, author,
htmldate's date...) are the fallback, computed only when a page does not declare a field.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from lxml.html import HtmlElement
from trafilatura.metadata import extract_metadata

from pipelines import metadata as md
from pipelines.bylines import BylineArea, find_credits
from pipelines.dates import find_dates
from pipelines.extraction import Extraction


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


def fill_metadata(
    ex: Extraction, decl: md.Declarations, tree: HtmlElement, url: str,
    fetched_at: str | None = None,
) -> str | None:
    """Pick each field from the first source that has it, recording the source.

    Returns trafilatura's page type when the page declares no type of its own (the last
    clue :func:`pipelines.classify.classify` uses).
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
    fill_credits_and_dates(ex, decl, tree, url, fetched_at, traf_meta)
    if decl.meta("og:type")[0] or md.jsonld_types(decl):
        return None
    return traf_meta.get("pagetype")


def fill_credits_and_dates(
    ex: Extraction, decl: md.Declarations, tree: HtmlElement, url: str,
    fetched_at: str | None, traf_meta: _TrafilaturaMetadata,
) -> None:
    """Authors and agencies (pipelines.bylines), published/modified dates with their source
    and confidence (pipelines.dates); trafilatura's date only as the last resort."""
    area = BylineArea(tree)  # read by both
    credits = find_credits(tree, decl, url, ex.site_name, area)
    ex.authors, ex.agencies = credits.authors, credits.agencies
    if credits.display and credits.source:
        ex.author = unicodedata.normalize("NFC", credits.display)
        ex.sources["author"] = credits.source
    found = find_dates(
        tree, decl, url, md.normalize_language(decl.html_lang), fetched_at,
        guess=lambda: traf_meta.get("date"), area=area,
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


def fill_language(ex: Extraction, decl: md.Declarations) -> None:
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
