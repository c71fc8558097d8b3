"""Read a page's own declarations (meta tags, JSON-LD, links, bylines) from a parsed tree.

trafilatura merges these into one best guess per field; the archive needs them kept apart
(published vs modified, declared vs detected language, tags vs section) and needs to know
where each value came from, so this module reads them itself. Every function here takes an
lxml tree that has already been parsed and never modifies it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

# schema.org types whose page is one article (any other type ending in "Article" counts too)
ARTICLE_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "BlogPosting",
        "LiveBlogPosting",
        "Report",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "ReviewNewsArticle",
        "AskPublicNewsArticle",
        "SatiricalArticle",
        "ScholarlyArticle",
        "TechArticle",
    }
)
# schema.org page types that declare "this page is not an article"
NON_ARTICLE_PAGE_TYPES = frozenset(
    {
        "CollectionPage",
        "AboutPage",
        "ProfilePage",
        "SearchResultsPage",
        "ContactPage",
        "FAQPage",
        "QAPage",
        "CheckoutPage",
        "ItemList",
        "MediaGallery",
        "ImageGallery",
        "VideoGallery",
    }
)
# types that say nothing about the page itself (they sit beside the page's own type)
AUXILIARY_TYPES = frozenset(
    {
        "WebSite",
        "Organization",
        "NewsMediaOrganization",
        "Corporation",
        "LocalBusiness",
        "Person",
        "BreadcrumbList",
        "ImageObject",
        "SiteNavigationElement",
        "WPHeader",
        "WPFooter",
        "WPSideBar",
        "SearchAction",
    }
)

_LANG = re.compile(r"^([A-Za-z]{2})(?:[-_][A-Za-z0-9]{1,8})*$")
_SPACES = re.compile(r"\s+")


@dataclass
class Declarations:
    """What the page says about itself, read once from the tree."""

    html_lang: str | None = None
    metas: dict[str, list[str]] = field(default_factory=dict)  # lowercased key -> contents
    canonical: str | None = None  # raw href
    jsonld: list[dict[str, Any]] = field(default_factory=list)  # top-level nodes (lists, @graph)
    jsonld_by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    jsonld_invalid: int = 0  # scripts that could not be parsed
    rel_tags: list[str] = field(default_factory=list)  # texts of rel="tag" links of the article

    def meta(self, *keys: str) -> tuple[str, str] | tuple[None, None]:
        """First non-empty content among ``keys`` (in that order) and the key it came from."""
        for key in keys:
            for value in self.metas.get(key, ()):
                if value:
                    return value, key
        return None, None

    def meta_all(self, key: str) -> list[str]:
        return [v for v in self.metas.get(key, ()) if v]


def read_declarations(tree: HtmlElement) -> Declarations:
    """Collect metas, JSON-LD, canonical and rel=tag links from the tree."""
    decl = Declarations()
    root = tree.getroottree().getroot()
    decl.html_lang = (root.get("lang") or root.get("xml:lang") or "").strip() or None
    for meta in tree.iter("meta"):
        content = meta.get("content")
        if content is None:
            continue
        content = _clean(content)
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = meta.get(attr)
            if key:
                decl.metas.setdefault(key.strip().lower(), []).append(content)
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        if "canonical" in rel and decl.canonical is None and (link.get("href") or "").strip():
            decl.canonical = link.get("href", "").strip()
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        data = _load_json(script.text or "")
        if data is None:
            decl.jsonld_invalid += 1
            continue
        _collect_nodes(data, decl.jsonld)
    for node in decl.jsonld:
        _index_ids(node, decl.jsonld_by_id, depth=0)
    decl.rel_tags = _rel_tags(tree)
    return decl


# --- JSON-LD -------------------------------------------------------------------------------


def _load_json(text: str) -> Any:
    """Parse one JSON-LD script, forgiving the usual CMS slips (comments, CDATA, trailing ;)."""
    text = text.strip()
    if not text:
        return None
    for candidate in (text, _strip_wrappers(text)):
        try:
            return json.loads(candidate, strict=False)
        except ValueError:
            continue
    return None


def _strip_wrappers(text: str) -> str:
    text = re.sub(r"^\s*(?:<!--|/\*\s*<!\[CDATA\[\s*\*/|<!\[CDATA\[)", "", text)
    text = re.sub(r"(?:-->|/\*\s*\]\]>\s*\*/|\]\]>)\s*$", "", text)
    return text.strip().rstrip(";")


def _collect_nodes(data: Any, out: list[dict[str, Any]]) -> None:
    """Flatten lists and @graph containers into top-level nodes (the page's own statements)."""
    if isinstance(data, list):
        for item in data:
            _collect_nodes(item, out)
    elif isinstance(data, dict):
        if "@graph" in data:
            _collect_nodes(data["@graph"], out)
        if "@type" in data:
            out.append(data)
            # an article nested as the page's main entity is as good as a top-level one
            main = data.get("mainEntity")
            if isinstance(main, dict) and "@type" in main:
                out.append(main)


def _index_ids(node: Any, index: dict[str, dict[str, Any]], depth: int) -> None:
    """Map @id -> node so that references such as {"@id": ".../#/schema/person/1"} resolve."""
    if depth > 6:
        return
    if isinstance(node, list):
        for item in node:
            _index_ids(item, index, depth + 1)
    elif isinstance(node, dict):
        node_id = node.get("@id")
        if isinstance(node_id, str) and len(node) > 1:
            index.setdefault(node_id, node)
        for value in node.values():
            if isinstance(value, (dict, list)):
                _index_ids(value, index, depth + 1)


def type_names(node: dict[str, Any]) -> list[str]:
    """@type as short names: "https://schema.org/NewsArticle" -> "NewsArticle"."""
    raw = node.get("@type")
    types = raw if isinstance(raw, list) else [raw]
    return [re.split(r"[/:#]", t.strip())[-1] for t in types if isinstance(t, str) and t.strip()]


def is_article_type(name: str) -> bool:
    return name in ARTICLE_TYPES or name.endswith("Article")


def jsonld_types(decl: Declarations) -> list[str]:
    """All top-level JSON-LD types, in order, without duplicates."""
    return list(dict.fromkeys(t for node in decl.jsonld for t in type_names(node)))


def article_node(decl: Declarations) -> dict[str, Any] | None:
    """The JSON-LD node describing the article, if the page declares one."""
    return next((n for n in decl.jsonld if any(is_article_type(t) for t in type_names(n))), None)


def resolve(decl: Declarations, value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"@id"}:
        return decl.jsonld_by_id.get(value["@id"], value)
    return value


def _names(decl: Declarations, value: Any) -> list[str]:
    """Names out of a string, a {"name": ...} object, an @id reference or a list of those."""
    value = resolve(decl, value)
    if isinstance(value, list):
        return [name for item in value for name in _names(decl, item)]
    if isinstance(value, dict):
        value = value.get("name") or value.get("legalName") or value.get("alternateName")
        if isinstance(value, list):
            value = value[0] if value else None
    if isinstance(value, str) and _clean(value):
        return [_clean(value)]
    return []


def _text_value(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name")
    return _clean(value) if isinstance(value, str) and _clean(value) else None


def jsonld_field(decl: Declarations, key: str) -> str | None:
    """A plain text property (headline, datePublished...) of the article node."""
    node = article_node(decl)
    return _text_value(node.get(key)) if node else None


def jsonld_authors(decl: Declarations) -> list[str]:
    node = article_node(decl)
    if not node:
        return []
    return list(dict.fromkeys(_names(decl, node.get("author"))))


def jsonld_publisher(decl: Declarations) -> str | None:
    node = article_node(decl)
    names = _names(decl, node.get("publisher")) if node else []
    return names[0] if names else None


def jsonld_website_name(decl: Declarations) -> str | None:
    for node in decl.jsonld:
        if "WebSite" in type_names(node):
            names = _names(decl, node)
            if names:
                return names[0]
    return None


def jsonld_language(decl: Declarations) -> str | None:
    """inLanguage of the article node first, then of any page/site node."""
    node = article_node(decl)
    nodes = ([node] if node else []) + decl.jsonld
    for candidate in nodes:
        value = candidate.get("inLanguage")
        if isinstance(value, dict):
            value = value.get("alternateName") or value.get("name")
        if isinstance(value, list):
            value = value[0] if value else None
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def jsonld_keywords(decl: Declarations) -> list[str]:
    node = article_node(decl)
    if not node:
        return []
    value = node.get("keywords")
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("name")
        if isinstance(item, str):
            out.extend(split_tags(item))
    return out


def jsonld_image(decl: Declarations) -> str | None:
    node = article_node(decl)
    if not node:
        return None
    value = resolve(decl, node.get("image"))
    if isinstance(value, list):
        value = resolve(decl, value[0]) if value else None
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl")
    return value.strip() if isinstance(value, str) and value.strip() else None


# --- visible page parts -------------------------------------------------------------------------


def _rel_tags(tree: HtmlElement) -> list[str]:
    """Texts of rel="tag" links (the rel-tag microformat) in the article, in reading order.

    Category links (rel="category tag") are the section, not tags. Links are taken from the
    <article> with the most text when there is one, so that tags printed on teasers of other
    articles are not mixed in; more than 20 links is a tag cloud, not this article's tags.
    """
    articles = list(tree.iter("article"))
    scope = max(articles, key=lambda a: len(a.text_content())) if articles else tree
    tags: list[str] = []
    for link in scope.iter("a"):
        rel = (link.get("rel") or "").lower().split()
        if "tag" in rel and "category" not in rel:
            text = _clean(link.text_content())
            if text:
                tags.append(text)
    return [] if len(tags) > 20 else tags


# --- normalisation ----------------------------------------------------------------------------


def _clean(value: str) -> str:
    return _SPACES.sub(" ", value).strip()


def split_tags(value: str) -> list[str]:
    """ "a, b; c" -> ["a", "b", "c"]."""
    return [t for t in (_clean(p) for p in re.split(r"[,;]", value)) if t]


def normalize_language(value: str | None) -> str | None:
    """ "fr-FR", "fr_FR", "FR" -> "fr"; None for anything that is not a 2-letter ISO 639-1 code."""
    if not value:
        return None
    first = value.split(",")[0].strip()
    match = _LANG.match(first)
    return match.group(1).lower() if match else None


def normalize_date(value: str | None) -> str | None:
    """ISO 8601 date or datetime (timezone kept) from ISO or RFC 2822 text, else None."""
    if not value:
        return None
    value = value.strip()
    parsed: date | datetime | None = None
    try:
        parsed = datetime.fromisoformat(value.replace(" ", "T", 1) if " " in value else value)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            match = re.match(r"^(\d{4})-(\d{2})-(\d{2})", value)
            if match:
                try:
                    parsed = date(*map(int, match.groups()))
                except ValueError:
                    parsed = None
    if parsed is None or not 1900 <= parsed.year <= 2100:
        return None
    if isinstance(parsed, datetime):
        is_midnight_date = len(value) <= 10
        return parsed.date().isoformat() if is_midnight_date else parsed.isoformat()
    return parsed.isoformat()


def absolute_url(href: str | None, base: str) -> str | None:
    """``href`` resolved against ``base``; None unless the result is http(s)."""
    if not href or not href.strip():
        return None
    try:
        resolved = urljoin(base, href.strip())
    except ValueError:
        return None
    return resolved if urlsplit(resolved).scheme in ("http", "https") else None
