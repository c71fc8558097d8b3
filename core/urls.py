"""Canonical URLs: the one key under which an article is archived.

One article reaches a crawler under many addresses: with ``utm_*`` or ``fbclid`` tracking
parameters, a ``#fragment``, an AMP or print variant, a redirecting shortlink. All of them must
collapse into one row, so every URL is normalised here before it is requested and again
before it is stored.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from urllib.parse import parse_qs, parse_qsl, unquote, urlencode, urljoin, urlsplit, urlunsplit

from courlan import normalize_url

#: Query parameters that only track where a reader came from; never part of an article's identity.
TRACKING_PARAM = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|igshid|yclid|_ga|_gl"
    r"|ref_src|cmpid|at_medium|at_campaign|xtor)$",
    re.IGNORECASE,
)
#: Query parameters that select a variant of the same article (AMP or print view).
VARIANT_PARAM = re.compile(r"^(amp|output|print|outputType)$", re.IGNORECASE)
#: Path suffixes of AMP and print variants, e.g. ``/2025/02/13/slug/amp/``.
VARIANT_SUFFIX = re.compile(r"/(amp|print)/?$", re.IGNORECASE)


@functools.lru_cache(maxsize=4096)
def normalize(url: str) -> str:
    """A URL without fragment or tracking parameters, host lowercased, default port dropped.

    Other query parameters are kept (sorted), since on many sites they select the article
    (``?p=123``, ``article.php?id=9``). Cached (a bounded cache): a URL is normalised when
    it is found, checked against the archive, requested and stored.
    """
    try:
        url = normalize_url(url.strip())
    except (ValueError, AttributeError):
        url = url.strip()
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not TRACKING_PARAM.match(k)]
    path = parts.path or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, urlencode(query), ""))


def strip_variant(url: str) -> str:
    """The article URL behind an AMP or print variant (``/amp/``, ``?amp=1``, ``?output=amp``)."""
    parts = urlsplit(url)
    path = VARIANT_SUFFIX.sub("/", parts.path)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not VARIANT_PARAM.match(k)]
    return urlunsplit((parts.scheme, parts.netloc, path, urlencode(query), ""))


def host(url: str) -> str:
    """The host name of a URL, lowercased, without port."""
    return (urlsplit(url).hostname or "").lower()


def site_key(url: str) -> str:
    """The host without a leading ``www.``/``m.``/``amp.``: what counts as the same site."""
    return re.sub(r"^(www\d?|m|amp|mobile)\.", "", host(url))


def same_site(a: str, b: str) -> bool:
    return bool(site_key(a)) and site_key(a) == site_key(b)


def canonical_url(page_url: str, declared: str | None = None) -> str:
    """The archive key of a page fetched at ``page_url`` that declares ``declared`` canonical.

    A ``rel=canonical`` on the same site is trusted (it is how AMP, print and tracking
    variants point home); one on another site is ignored (syndication, mistakes, spam),
    and the page's own URL is used without its variant suffix.
    """
    if declared:
        absolute = urljoin(page_url, declared.strip())
        parts = urlsplit(absolute)
        # A canonical pointing at the home page from a deeper page is a template mistake
        # (common in themes); following it would fold every article into one row.
        points_home = parts.path in ("", "/") and urlsplit(page_url).path not in ("", "/")
        if parts.scheme in ("http", "https") and same_site(absolute, page_url) and not points_home:
            return normalize(absolute)
    return normalize(strip_variant(page_url))


@functools.lru_cache(maxsize=4096)
def is_private_address(hostname: str) -> bool:
    """True for loopback, private and link-local IP literals (used to keep crawls public).

    Asked for every link and request of a crawl, about a handful of hosts: cached."""
    try:
        address = ipaddress.ip_address(hostname.strip("[]"))
    except ValueError:
        return hostname in ("localhost",) or hostname.endswith(".localhost")
    return address.is_private or address.is_loopback or address.is_link_local


# What a URL alone says of its page (list pages and article-like URLs): used by the
# spider to order discovery and by the classifier before any extraction.
_LISTING_SEGMENTS = (
    "tag|tags|category|categories|author|authors|topic|topics|schlagwort|schlagworte|"
    "thema|themen|autor|autoren|auteur|rubrique|etiqueta|categoria"
)
# (pattern on the lowercased path, reason), checked in order; the home page is handled apart
_NON_ARTICLE_PATHS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"/(?:feed|rss|atom)(?:\.xml)?/?$|/feed/[a-z0-9]+/?$"), "feed"),
    (re.compile(r"/search(?:/|$)|/suche(?:/|$)"), "search page"),
    (re.compile(rf"/(?:{_LISTING_SEGMENTS})/[^/]+/?(?:page/\d+/?)?$"), "tag/category/author page"),
    # WordPress nests categories: /category/world/europe/
    (
        re.compile(r"/(?:category|categories|rubrique|categoria)/[^/]+(?:/[^/]+)*/?$"),
        "tag/category/author page",
    ),
    (re.compile(rf"/(?:{_LISTING_SEGMENTS})/?$"), "tag/category/author index"),
    (re.compile(r"/page/\d+/?$"), "paginated list page"),
    (
        re.compile(
            r"^/(?:about|about-us|contact|contact-us|impressum|imprint|privacy|datenschutz|"
            r"terms|ueber-uns|uber-uns|kontakt|a-propos|mentions-legales|legal|"
            # the legal, help and job pages every site has, under their usual names
            r"privacy-policy|privacy-notice|cookies?|cookie-policy|terms-of-(?:use|service)|"
            r"terms-and-conditions|agb|nutzungsbedingungen|datenschutzerklaerung|cgu|cgv|"
            r"politique-de-confidentialite|aviso-legal|privacidad|faq|help|hilfe|careers|"
            r"jobs|karriere|newsletters?|subscribe|sitemap)(?:\.html?|\.php)?/?$"
        ),
        "site page (about/contact/legal)",
    ),
)
_SEARCH_PARAMS = ("s", "q", "query", "search")
_NEWS_SECTIONS = (
    "news|aktuell|aktuelles|artikel|article|articles|story|stories|nachrichten|meldung|meldungen|"
    "blog|post|posts|actualite|actualites|noticia|noticias|notizie|beitrag|beitraege"
)
# (pattern on the lowercased path, reason), checked in order
_ARTICLE_PATHS: tuple[tuple[re.Pattern[str], str], ...] = (
    # /2025/02/13/slug, /2025/02/slug, /2025/slug-words (a bare /2025/02/ is an archive)
    (
        re.compile(
            r"/(?:19|20)\d{2}/(?:(?:0?[1-9]|1[0-2])/(?:(?:0?[1-9]|[12]\d|3[01])/)?[^/]+"
            r"|[^/]*[a-z][^/]*-[^/]+)"
        ),
        "dated url path",
    ),
    (
        re.compile(r"(?:19|20)\d{2}-\d{2}-\d{2}|\d{2}-\d{2}-(?:19|20)\d{2}|/(?:19|20)\d{6}(?:/|$)"),
        "date in url",
    ),
    (re.compile(r"/[^/]*\d[^/]*\.(?:s?html?|php|aspx?)$"), "numbered .html url"),
    (re.compile(r"(?:^|[-_/.])\d{5,}(?:[-_./]|$)"), "url carries an article id"),
    (re.compile(r"/[^/.]*[a-z0-9]+(?:[-_][a-z0-9]+){3,}"), "url slug of many words"),
    (
        re.compile(rf"/(?:{_NEWS_SECTIONS})/(?:[^/]+/)*[^/]*[a-z][-_][a-z][^/]*"),
        "slug in a news section",
    ),
)
# ?p=123, ?storyid=504, ?newsid=..., ?tx_ttnews[tt_news]=5793, ?article8532
_QUERY_ID = re.compile(
    r"(?:^|[&;])(?:p|id|[a-z_]*(?:news|article|artikel|story|post)[a-z_]*(?:\[\w+\])?)=\d{2,}"
    r"|(?:^|[&;])(?:article|artikel)\d+(?:[&;=]|$)"
)
_IGNORED_SEGMENTS = ("/amp/", "/amp", "/index.html", "/index.htm")


def url_shape(url: str) -> tuple[bool | None, str]:
    """What the URL alone says: (False, why) for list and site pages, (True, why) for
    article-like URLs, (None, "") when it says nothing."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None, ""
    path = parts.path.lower()
    for suffix in _IGNORED_SEGMENTS:
        path = path.removesuffix(suffix)
    query = unquote(parts.query).lower()
    if any(parse_qs(query).get(p) for p in _SEARCH_PARAMS):
        return False, "url looks like a search page"
    if path in ("", "/") and not query:
        return False, "url looks like a home page"
    for pattern, what in _NON_ARTICLE_PATHS:
        if pattern.search(path):
            return False, f"url looks like a {what}"
    for pattern, what in _ARTICLE_PATHS:
        if pattern.search(path):
            return True, what
    if _QUERY_ID.search(query):
        return True, "url carries an article id"
    return None, ""
