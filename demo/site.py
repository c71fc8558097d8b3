"""Renders the demo WordPress-style news site for any base URL, with no I/O.

``DemoSite.render`` is a pure function of (base_url, path and query), so the threaded HTTP
server, the end-to-end crawl tests and ``make demo`` all see byte-identical pages. The
site deliberately carries what real news sites carry and a crawler must cope with:
boilerplate (cookie banner, share bar, related posts, comments, newsletter, footer),
canonical links, AMP duplicates, WordPress shortlinks, tracking parameters, sitemaps,
feeds and a robots.txt-disallowed article-looking page.
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from urllib.parse import parse_qs, quote, unquote, urlsplit
from xml.sax.saxutils import escape as xml_escape

from demo.content import (
    AUTHORS,
    DRAFT_ARTICLE,
    SECTIONS,
    SEED_PATH,
    SITE_NAME,
    SITE_TAGLINE,
    Article,
    Author,
    Section,
    all_articles,
    french_date,
    slugify,
)

Response = tuple[int, dict[str, str], bytes]

HTML_TYPE = "text/html; charset=UTF-8"
XML_TYPE = "application/xml; charset=UTF-8"
PER_PAGE = 10
HOME_COUNT = 15
FEED_COUNT = 20
NEWS_SITEMAP_COUNT = 10
LOGO_PATH = "/wp-content/uploads/logo.png"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"

_SECTION_COLOURS = {
    "international": (31, 78, 121),
    "politique": (142, 36, 52),
    "economie": (38, 110, 70),
    "culture": (120, 72, 150),
    "sport": (214, 120, 24),
}

_STYLE = (
    "body{font-family:Georgia,serif;margin:0;color:#222}"
    ".site-header,.site-footer{background:#1f2d3d;color:#fff;padding:1em}"
    ".site-header a,.site-footer a{color:#fff}"
    "#content{display:flex;gap:2em;max-width:1100px;margin:auto;padding:1em}"
    ".site-main{flex:3}.widget-area{flex:1}"
    "#cookie-notice{position:fixed;bottom:0;left:0;right:0;background:#eee;padding:.5em}"
    ".amp-mobile-version-switcher{display:none}"
)

_ABOUT_PARAGRAPHS = (
    "Fondé en 1998 par un petit groupe de journalistes indépendants, Le Journal du Monde "
    "est un quotidien d’information générale publié exclusivement en ligne depuis 2012.",
    "Notre rédaction réunit une quarantaine de journalistes à Paris et un réseau de "
    "correspondants en région et à l’étranger. Elle couvre l’actualité internationale, la "
    "politique, l’économie, la culture et le sport.",
    "Le Journal du Monde est indépendant de tout groupe industriel ou financier. Il est "
    "financé par ses abonnés et par une publicité que nous voulons discrète.",
    "Nos journalistes respectent la Charte d’éthique professionnelle des journalistes. "
    "Les erreurs sont signalées et corrigées en pied d’article, avec la date de la "
    "correction.",
)

_LEGAL_SECTIONS = (
    ("Éditeur", "Le site est édité par la société Le Journal du Monde SAS, au capital de "
     "150 000 euros, dont le siège est situé 12 rue des Imprimeurs, 75011 Paris. "
     "Directrice de la publication : Anne Vasseur."),
    ("Hébergement", "Le site est hébergé par un prestataire établi dans l’Union "
     "européenne. Les données des lecteurs ne quittent pas l’Espace économique européen."),
    ("Propriété intellectuelle", "Toute reproduction, même partielle, des contenus publiés "
     "sur ce site est interdite sans autorisation écrite préalable de l’éditeur."),
    ("Cookies", "Nous utilisons des cookies de mesure d’audience et de personnalisation. "
     "Vous pouvez à tout moment modifier vos préférences depuis le bandeau prévu à cet "
     "effet."),
)


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A tiny solid-colour PNG, so og:image and <img> URLs answer without binary assets."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(tag + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)

    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def _attr(value: str) -> str:
    return escape(value, quote=True)


def _text(value: str) -> str:
    return escape(value, quote=False)


def _json_ld(data: object) -> str:
    payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return f'<script type="application/ld+json">{payload}</script>'


def _rfc822(dt: datetime) -> str:
    return format_datetime(dt)


def _http_date(dt: datetime) -> str:
    return format_datetime(dt.astimezone(UTC), usegmt=True)


def _clock(dt: datetime) -> str:
    return f"{dt.hour} h {dt.minute:02d}"


class DemoSite:
    """The whole demo site for one base URL (e.g. "http://127.0.0.1:8000", no slash)."""

    def __init__(self, base_url: str, inline_box: str | None = None) -> None:
        """``inline_box``: a text the site places inside the body of every article (after the
        first paragraph), like a donation or newsletter box; for boilerplate-learning tests."""
        self.base_url = base_url.rstrip("/")  # public: tests and the Makefile build URLs on it
        self.inline_box = inline_box
        self.articles: tuple[Article, ...] = all_articles()  # oldest first
        self.latest: tuple[Article, ...] = tuple(
            sorted(self.articles, key=lambda a: (a.published, a.post_id), reverse=True)
        )
        self._by_path = {a.path: a for a in self.articles}
        self._by_id = {a.post_id: a for a in self.articles}
        self._order = {a.path: i for i, a in enumerate(self.articles)}
        self._sections: dict[str, Section] = {s.slug: s for s in SECTIONS}
        self._authors: dict[str, Author] = {a.slug: a for a in AUTHORS}
        self._tags: dict[str, str] = {}
        for article in self.articles:
            for tag in article.tags:
                self._tags.setdefault(slugify(tag), tag)
        self._tags = dict(sorted(self._tags.items()))

    # ------------------------------------------------------------------ public API

    def seed_url(self) -> str:
        """The reference article the extraction tests compare against."""
        return self.base_url + SEED_PATH

    def _with_inline_box(self, body: str) -> str:
        if not self.inline_box:
            return body
        box = f'<div class="encart"><p><strong>{_text(self.inline_box)}</strong></p></div>'
        cut = body.find("</p>") + len("</p>")
        return body[:cut] + "\n" + box + body[cut:]

    def article_urls(self) -> set[str]:
        """Canonical URLs a correct crawler must store (robots-disallowed pages excluded)."""
        return {self.base_url + a.path for a in self.articles}

    def amp_urls(self) -> set[str]:
        """AMP duplicates; each declares rel=canonical to its article URL."""
        return {self.base_url + a.path + "amp/" for a in self.articles}

    def non_article_urls(self) -> set[str]:
        """HTML pages that are not articles: home, lists (all pages), about, legal."""
        urls = {self.base_url + path for path in ("/", "/a-propos/", "/mentions-legales/")}
        for kind, slug, items in self._lists():
            for page in range(1, self._page_count(items) + 1):
                urls.add(self._list_url(kind, slug, page))
        return urls

    def disallowed_urls(self) -> set[str]:
        """Article-looking pages under a robots.txt Disallow path: never to be fetched."""
        return {self.base_url + DRAFT_ARTICLE.path}

    def article_metadata(self) -> dict[str, dict[str, object]]:
        """Expected metadata per canonical article URL, for end-to-end extraction checks."""
        return {
            self.base_url + a.path: {
                "title": a.title,
                "author": self._authors[a.author].name,
                "published": a.published.isoformat(),
                "modified": a.modified.isoformat(),
                "section": self._sections[a.section].name,
                "tags": list(a.tags),
                "language": "fr",
                "site_name": SITE_NAME,
                "description": a.description,
                "image": self.base_url + a.image_path,
                "shortlink": f"{self.base_url}/?p={a.post_id}",
                "body": [b.text for b in a.blocks],
            }
            for a in self.articles
        }

    def render(self, path_and_query: str) -> Response:
        """Answer one GET: (status, headers, body). Same input, same bytes."""
        split = urlsplit(path_and_query)
        path = unquote(split.path) or "/"
        query = parse_qs(split.query)
        response = self._route(path, query)
        if response is not None:
            return response
        last_segment = path.rsplit("/", 1)[-1]
        if not path.endswith("/") and "." not in last_segment:
            if (found := self._route(path + "/", query)) is not None and found[0] < 400:
                suffix = f"?{split.query}" if split.query else ""
                return self._redirect(self.base_url + path + "/" + suffix)
        return self._not_found()

    # -------------------------------------------------------------------- routing

    def _route(self, path: str, query: dict[str, list[str]]) -> Response | None:
        if path == "/":
            if "p" in query:
                return self._shortlink(query["p"][0])
            return self._html(200, self._home())
        if path == "/robots.txt":
            return 200, {"Content-Type": "text/plain; charset=UTF-8"}, self._robots().encode()
        fixed = {
            "/sitemap_index.xml": (XML_TYPE, self._sitemap_index),
            "/post-sitemap.xml": (XML_TYPE, self._post_sitemap),
            "/page-sitemap.xml": (XML_TYPE, self._page_sitemap),
            "/category-sitemap.xml": (XML_TYPE, self._category_sitemap),
            "/news-sitemap.xml": (XML_TYPE, self._news_sitemap),
            "/feed/": ("application/rss+xml; charset=UTF-8", self._rss),
            "/feed/atom/": ("application/atom+xml; charset=UTF-8", self._atom),
            "/a-propos/": (HTML_TYPE, self._about),
            "/mentions-legales/": (HTML_TYPE, self._legal),
        }
        if path in fixed:
            content_type, build = fixed[path]
            return 200, {"Content-Type": content_type}, build().encode()
        if path == DRAFT_ARTICLE.path:
            return self._article_response(DRAFT_ARTICLE, amp=False)
        if path.startswith("/wp-admin/"):
            return self._html(403, self._message_page(
                "Accès refusé", "Cet espace est réservé à la rédaction.", self.base_url + "/"))
        if m := re.fullmatch(r"/(\d{4}/\d{2}/\d{2}/[a-z0-9-]+/)(amp/)?", path):
            article = self._by_path.get("/" + m.group(1))
            if article is None:
                return None
            return self._article_response(article, amp=bool(m.group(2)))
        if m := re.fullmatch(r"/category/([a-z0-9-]+)/feed/", path):
            if m.group(1) not in self._sections:
                return None
            body = self._category_rss(m.group(1))
            return 200, {"Content-Type": "application/rss+xml; charset=UTF-8"}, body.encode()
        if m := re.fullmatch(r"/(category|tag|author)/([a-z0-9-]+)/(?:page/(\d+)/)?", path):
            kind, slug, page = m.group(1), m.group(2), m.group(3)
            if page is not None and int(page) == 1 and self._list_items(kind, slug):
                # WordPress sends /page/1/ back to the archive's first page
                return self._redirect(self._list_url(kind, slug, 1))
            return self._list_response(kind, slug, int(page or 1))
        if re.fullmatch(r"/wp-content/uploads/\d{4}/\d{2}/[a-z0-9-]+\.png", path):
            article = next(
                (a for a in self.articles if a.image_path == path),
                DRAFT_ARTICLE if DRAFT_ARTICLE.image_path == path else None,
            )
            if article is None:
                return None
            return 200, {"Content-Type": "image/png"}, _png(
                160, 90, _SECTION_COLOURS[article.section])
        if path == LOGO_PATH:
            return 200, {"Content-Type": "image/png"}, _png(60, 60, (31, 45, 61))
        return None

    def _shortlink(self, value: str) -> Response | None:
        article = self._by_id.get(int(value)) if value.isdigit() else None
        if article is None:
            return None
        return self._redirect(self.base_url + article.path)

    def _redirect(self, location: str) -> Response:
        body = f'<!DOCTYPE html><title>301</title><a href="{_attr(location)}">Moved</a>'
        return 301, {"Location": location, "Content-Type": HTML_TYPE}, body.encode()

    def _html(self, status: int, page: str, extra: dict[str, str] | None = None) -> Response:
        headers = {"Content-Type": HTML_TYPE, **(extra or {})}
        return status, headers, page.encode()

    def _not_found(self) -> Response:
        return self._html(404, self._message_page(
            "Page introuvable",
            "Désolé, la page que vous cherchez n’existe pas ou a été déplacée. Essayez la "
            "recherche ou revenez à la page d’accueil.",
            self.base_url + "/",
        ))

    # ------------------------------------------------------------------- helpers

    def _section_url(self, slug: str) -> str:
        return f"{self.base_url}/category/{slug}/"

    def _tag_url(self, tag: str) -> str:
        return f"{self.base_url}/tag/{slugify(tag)}/"

    def _author_url(self, slug: str) -> str:
        return f"{self.base_url}/author/{slug}/"

    def _list_url(self, kind: str, slug: str, page: int) -> str:
        url = f"{self.base_url}/{kind}/{slug}/"
        return url if page == 1 else f"{url}page/{page}/"

    def _lists(self) -> Iterable[tuple[str, str, list[Article]]]:
        for slug in self._sections:
            yield "category", slug, [a for a in self.latest if a.section == slug]
        for slug, name in self._tags.items():
            yield "tag", slug, [a for a in self.latest if name in a.tags]
        for slug in self._authors:
            items = [a for a in self.latest if a.author == slug]
            if items:
                yield "author", slug, items

    @staticmethod
    def _page_count(items: Sequence[Article]) -> int:
        return max(1, -(-len(items) // PER_PAGE))

    def _list_items(self, kind: str, slug: str) -> list[Article] | None:
        if kind == "category" and slug in self._sections:
            return [a for a in self.latest if a.section == slug]
        if kind == "tag" and slug in self._tags:
            return [a for a in self.latest if self._tags[slug] in a.tags]
        if kind == "author" and slug in self._authors:
            return [a for a in self.latest if a.author == slug] or None
        return None

    def _href(self, article: Article, variant: str = "clean") -> str:
        """A link to an article as WordPress themes and newsletters produce them."""
        clean = self.base_url + article.path
        if variant == "shortlink":
            return f"{self.base_url}/?p={article.post_id}"
        if variant == "newsletter":
            return clean + "?utm_source=newsletter&utm_campaign=matin"
        if variant == "related":
            return clean + "?utm_source=related&utm_medium=web"
        if variant == "fbclid":
            return clean + "?fbclid=abc123"
        if variant == "sidebar":
            return clean + "?utm_source=sidebar&utm_medium=widget"
        return clean

    # -------------------------------------------------------------------- layout

    def _head_common(
        self, title: str, description: str, canonical: str | None, og_type: str,
        og_title: str, image: str | None = None,
    ) -> list[str]:
        lines = [
            f"<title>{_text(title)}</title>",
            f'<meta name="description" content="{_attr(description)}">',
            '<meta name="robots" content="index, follow, max-image-preview:large">',
        ]
        if canonical:
            lines.append(f'<link rel="canonical" href="{_attr(canonical)}">')
        lines += [
            '<meta property="og:locale" content="fr_FR">',
            f'<meta property="og:type" content="{og_type}">',
            f'<meta property="og:title" content="{_attr(og_title)}">',
            f'<meta property="og:description" content="{_attr(description)}">',
            f'<meta property="og:site_name" content="{SITE_NAME}">',
        ]
        if canonical:
            lines.append(f'<meta property="og:url" content="{_attr(canonical)}">')
        if image:
            lines.append(f'<meta property="og:image" content="{_attr(image)}">')
        lines += [
            '<meta name="twitter:card" content="summary_large_image">',
            f'<meta name="twitter:title" content="{_attr(og_title)}">',
            f'<link rel="alternate" type="application/rss+xml" title="{SITE_NAME} &raquo; '
            f'Flux" href="{self.base_url}/feed/">',
            f'<link rel="alternate" type="application/atom+xml" title="{SITE_NAME} &raquo; '
            f'Flux Atom" href="{self.base_url}/feed/atom/">',
        ]
        return lines

    def _layout(self, *, head: list[str], body_class: str, main: str, page_url: str) -> str:
        nav = "".join(
            f'<li class="menu-item"><a href="{self._section_url(s.slug)}">{_text(s.name)}</a>'
            "</li>"
            for s in SECTIONS
        )
        breaking = " ".join(
            f'<a href="{self._href(a)}">{_text(a.title)}</a>' for a in self.latest[:2]
        )
        edition = french_date(self.latest[0].published)
        return f"""<!DOCTYPE html>
<html lang="fr-FR" prefix="og: https://ogp.me/ns#">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{chr(10).join(head)}
<meta name="generator" content="WordPress 6.7.1">
<style>{_STYLE}</style>
</head>
<body class="{body_class}">
<div id="cookie-notice" class="cookie-notice" role="dialog" aria-label="Cookies"><p>Nous \
utilisons des cookies pour améliorer votre expérience sur notre site. En poursuivant votre \
navigation, vous en acceptez l’utilisation.</p> <button type="button" class="cn-accept">\
Accepter</button> <a href="{self.base_url}/mentions-legales/#cookies">En savoir plus</a></div>
<header id="masthead" class="site-header">
 <div class="top-bar"><span class="edition">Édition du {edition}</span> \
<a href="{self.base_url}/a-propos/">Qui sommes-nous ?</a> \
<a href="{self.base_url}/feed/">RSS</a></div>
 <div class="site-branding"><p class="site-title"><a href="{self.base_url}/" rel="home">\
{SITE_NAME}</a></p><p class="site-description">{_text(SITE_TAGLINE)}</p></div>
 <nav id="site-navigation" class="main-navigation" aria-label="Menu principal">\
<ul id="primary-menu"><li class="menu-item"><a href="{self.base_url}/">Accueil</a></li>{nav}</ul>\
</nav>
 <div class="breaking-news"><span>Dernières nouvelles</span> {breaking}</div>
</header>
<div id="content" class="site-content">
<main id="main" class="site-main">
{main}
</main>
{self._sidebar()}
</div>
<footer id="colophon" class="site-footer">
 <nav class="footer-menu"><a href="{self.base_url}/a-propos/">À propos</a> \
<a href="{self.base_url}/mentions-legales/">Mentions légales</a> \
<a href="{self.base_url}/feed/">Flux RSS</a> \
<a href="{self.base_url}/wp-admin/">Espace rédaction</a></nav>
 <div class="site-info">© 2025 {SITE_NAME}. Tous droits réservés.</div>
 <a class="amp-mobile-version-switcher" href="{_attr(page_url)}?noamp=mobile" rel="nofollow">\
Exit mobile version</a>
</footer>
</body>
</html>
"""

    def _sidebar(self) -> str:
        recent = "".join(
            f'<li><a href="{self._href(a)}">{_text(a.title)}</a></li>' for a in self.latest[:5]
        )
        popular_paths = (SEED_PATH, self.articles[len(self.articles) // 2].path,
                         self.articles[len(self.articles) // 3].path)
        popular = "".join(
            f'<li><a href="{self._href(self._by_path[p], "sidebar")}">'
            f"{_text(self._by_path[p].title)}</a></li>"
            for p in popular_paths
        )
        return f"""<aside id="secondary" class="widget-area">
 <section class="widget widget_search"><form role="search" method="get" action="{self.base_url}/">\
<label>Rechercher : <input type="search" name="s"></label> <button type="submit">OK</button>\
</form></section>
 <section class="widget widget_recent_entries"><h2 class="widget-title">Articles récents</h2>\
<ul>{recent}</ul></section>
 <section class="widget widget_popular"><h2 class="widget-title">Les plus lus</h2>\
<ol>{popular}</ol></section>
 <section class="widget widget_newsletter"><h2 class="widget-title">Newsletter</h2>\
<p>Recevez chaque matin l’essentiel de l’actualité, directement dans votre boîte mail.</p>\
<form action="#" method="post"><input type="email" name="email" placeholder="Votre adresse \
e-mail" required> <button type="submit">S’abonner</button></form></section>
</aside>"""

    def _teaser(self, article: Article, href: str, amp_link: bool = False) -> str:
        author = self._authors[article.author]
        section = self._sections[article.section]
        amp = (
            f' <a class="amp-link" href="{self.base_url}{article.path}amp/">Version AMP</a>'
            if amp_link else ""
        )
        return (
            f'<article class="teaser post-{article.post_id} category-{article.section}">'
            f'<h2 class="entry-title"><a href="{_attr(href)}" rel="bookmark">'
            f"{_text(article.title)}</a></h2>"
            f'<div class="entry-meta">Par <a href="{self._author_url(author.slug)}">'
            f"{_text(author.name)}</a> · <time datetime=\"{article.published.isoformat()}\">"
            f"{french_date(article.published)}</time> · "
            f'<a href="{self._section_url(section.slug)}">{_text(section.name)}</a></div>'
            f'<p class="excerpt">{_text(article.description)}</p>{amp}</article>'
        )

    # ------------------------------------------------------------------- articles

    def _blocks_html(self, article: Article, *, amp: bool) -> str:
        parts = []
        h2 = "<h2>" if amp else '<h2 class="wp-block-heading">'
        quote = "<blockquote>" if amp else '<blockquote class="wp-block-quote">'
        for block in article.blocks:
            if block.kind == "h2":
                parts.append(f"{h2}{_text(block.text)}</h2>")
            elif block.kind == "quote":
                cite = f"<cite>{_text(block.cite)}</cite>" if block.cite else ""
                parts.append(f"{quote}<p>{_text(block.text)}</p>{cite}</blockquote>")
            else:
                parts.append(f"<p>{_text(block.text)}</p>")
        return "\n".join(parts)

    def _article_json_ld(self, article: Article) -> dict[str, object]:
        canonical = self.base_url + article.path
        author = self._authors[article.author]
        return {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": article.title,
            "description": article.description,
            "datePublished": article.published.isoformat(),
            "dateModified": article.modified.isoformat(),
            "author": {"@type": "Person", "name": author.name,
                       "url": self._author_url(author.slug)},
            "publisher": {"@type": "Organization", "name": SITE_NAME,
                          "logo": {"@type": "ImageObject", "url": self.base_url + LOGO_PATH}},
            "keywords": list(article.tags),
            "inLanguage": "fr-FR",
            "articleSection": self._sections[article.section].name,
            "image": self.base_url + article.image_path,
            "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
            "url": canonical,
        }

    def _related(self, article: Article) -> list[Article]:
        same = [a for a in self.articles if a.section == article.section and a is not article]
        same.sort(key=lambda a: (abs((a.published - article.published).total_seconds()),
                                 a.post_id))
        return same[:3]

    def _article_response(self, article: Article, *, amp: bool) -> Response:
        is_draft = article is DRAFT_ARTICLE
        page = self._amp_page(article) if amp else self._article_page(article, is_draft)
        headers = {
            "Last-Modified": _http_date(article.modified),
            "Link": f"<{self.base_url}/?p={article.post_id}>; rel=shortlink",
        }
        return self._html(200, page, headers)

    def _article_page(self, article: Article, is_draft: bool) -> str:
        canonical = self.base_url + article.path
        author = self._authors[article.author]
        section = self._sections[article.section]
        image = self.base_url + article.image_path
        head = self._head_common(
            f"{article.title} – {SITE_NAME}", article.description, canonical, "article",
            article.title, image,
        )
        head += [
            f'<meta property="article:published_time" content="{article.published.isoformat()}">',
            f'<meta property="article:modified_time" content="{article.modified.isoformat()}">',
            f'<meta property="article:section" content="{_attr(section.name)}">',
            *(f'<meta property="article:tag" content="{_attr(t)}">' for t in article.tags),
            f'<meta name="author" content="{_attr(author.name)}">',
            f'<link rel="shortlink" href="{self.base_url}/?p={article.post_id}">',
        ]
        if not is_draft:
            head.append(f'<link rel="amphtml" href="{canonical}amp/">')
        head.append(_json_ld(self._article_json_ld(article)))

        updated = ""
        if article.modified != article.published:
            updated = (
                f' · Mis à jour le <time class="updated" datetime="'
                f'{article.modified.isoformat()}">{french_date(article.modified)} à '
                f"{_clock(article.modified)}</time>"
            )
        tags = ", ".join(
            f'<a href="{self._tag_url(t)}" rel="tag">{_text(t)}</a>' for t in article.tags
        )
        tag_classes = " ".join(f"tag-{slugify(t)}" for t in article.tags)
        shared = quote(canonical, safe="")
        share = (
            '<div class="sharedaddy share-bar"><span class="share-label">Partager.</span> '
            f'<a class="share-facebook" href="https://www.facebook.com/sharer/sharer.php?u='
            f'{shared}" rel="nofollow noopener" target="_blank">Facebook</a> '
            f'<a class="share-x" href="https://x.com/intent/post?url={shared}" '
            'rel="nofollow noopener" target="_blank">X</a> '
            f'<a class="share-whatsapp" href="https://api.whatsapp.com/send?text={shared}" '
            'rel="nofollow noopener" target="_blank">WhatsApp</a> '
            f'<a class="share-email" href="mailto:?subject={quote(article.title)}&amp;body='
            f'{shared}">E-mail</a></div>'
        )
        navigation = ""
        if not is_draft:
            index = self._order[article.path]
            links = []
            if index > 0:
                prev = self.articles[index - 1]
                links.append(f'<a href="{self._href(prev)}" rel="prev">Article précédent : '
                             f"{_text(prev.title)}</a>")
            if index + 1 < len(self.articles):
                nxt = self.articles[index + 1]
                links.append(f'<a href="{self._href(nxt)}" rel="next">Article suivant : '
                             f"{_text(nxt.title)}</a>")
            navigation = f'<nav class="post-navigation">{" ".join(links)}</nav>'
        variants = [
            "clean",
            "related" if article.post_id % 2 == 0 else "clean",
            "fbclid" if article.post_id % 3 == 0 else "clean",
        ]
        related = "".join(
            f'<li><a href="{_attr(self._href(r, v))}">{_text(r.title)}</a></li>'
            for r, v in zip(self._related(article), variants, strict=False)
        )
        main = f"""<nav class="breadcrumbs" aria-label="Fil d’Ariane"><a href="{self.base_url}/">\
Accueil</a> » <a href="{self._section_url(section.slug)}">{_text(section.name)}</a> » \
<span>{_text(article.title)}</span></nav>
<article id="post-{article.post_id}" class="post-{article.post_id} post type-post \
status-publish format-standard has-post-thumbnail category-{section.slug} {tag_classes}">
 <header class="entry-header">
  <span class="cat-links"><a href="{self._section_url(section.slug)}" rel="category tag">\
{_text(section.name)}</a></span>
  <h1 class="entry-title">{_text(article.title)}</h1>
  <div class="entry-meta"><span class="byline">Par <a class="url fn n" \
href="{self._author_url(author.slug)}" rel="author">{_text(author.name)}</a></span> \
<span class="posted-on">Publié le <time class="entry-date published" \
datetime="{article.published.isoformat()}">{french_date(article.published)} à \
{_clock(article.published)}</time>{updated}</span> <span class="comments-link">\
<a href="#respond">Aucun commentaire</a></span></div>
 </header>
 <figure class="post-thumbnail"><img src="{image}" alt="{_attr(article.image_alt)}" \
width="160" height="90"><figcaption>Photo d’illustration © {SITE_NAME}</figcaption></figure>
 <div class="entry-content">
{self._with_inline_box(self._blocks_html(article, amp=False))}
 </div>
 <footer class="entry-footer"><span class="cat-links">Publié dans <a \
href="{self._section_url(section.slug)}" rel="category tag">{_text(section.name)}</a></span> \
<span class="tags-links">Étiquettes : {tags}</span></footer>
 {share}
</article>
{navigation}
<section class="related-posts"><h3>Articles similaires</h3><ul>{related}</ul></section>
<div id="comments" class="comments-area">
 <div id="respond" class="comment-respond"><h3 id="reply-title" class="comment-reply-title">\
Laisser une réponse</h3>
 <form action="{self.base_url}/wp-comments-post.php" method="post" id="commentform" \
class="comment-form"><p class="comment-notes">Votre adresse e-mail ne sera pas publiée. Les \
champs obligatoires sont indiqués avec *</p>
 <p class="comment-form-comment"><label for="comment">Commentaire *</label> \
<textarea id="comment" name="comment" required></textarea></p>
 <p class="comment-form-author"><label for="author">Nom *</label> \
<input id="author" name="author" type="text" required></p>
 <p class="comment-form-email"><label for="email">E-mail *</label> \
<input id="email" name="email" type="email" required></p>
 <p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" \
value="Laisser un commentaire"><input type="hidden" name="comment_post_ID" \
value="{article.post_id}"></p></form></div>
</div>"""
        body_class = (
            f"post-template-default single single-post postid-{article.post_id} "
            "single-format-standard"
        )
        return self._layout(head=head, body_class=body_class, main=main, page_url=canonical)

    def _amp_page(self, article: Article) -> str:
        canonical = self.base_url + article.path
        author = self._authors[article.author]
        section = self._sections[article.section]
        tags = ", ".join(
            f'<a href="{self._tag_url(t)}">{_text(t)}</a>' for t in article.tags
        )
        return f"""<!doctype html>
<html amp lang="fr">
<head>
<meta charset="utf-8">
<title>{_text(article.title)} – {SITE_NAME}</title>
<link rel="canonical" href="{canonical}">
<meta name="viewport" content="width=device-width,minimum-scale=1,initial-scale=1">
<script async src="https://cdn.ampproject.org/v0.js"></script>
<style amp-boilerplate>body{{-webkit-animation:none;animation:none}}</style>
<style amp-custom>body{{font-family:sans-serif;margin:0 1em}}\
.amp-wp-header{{background:#1f2d3d;padding:.5em}}.amp-wp-header a{{color:#fff}}</style>
{_json_ld(self._article_json_ld(article))}
</head>
<body class="amp-wp">
<header class="amp-wp-header"><a href="{self.base_url}/">{SITE_NAME}</a></header>
<article class="amp-wp-article">
<header class="amp-wp-article-header"><h1 class="amp-wp-title">{_text(article.title)}</h1>
<div class="amp-wp-meta">Par {_text(author.name)} · <time \
datetime="{article.published.isoformat()}">{french_date(article.published)}</time></div>
</header>
<div class="amp-wp-article-content">
{self._blocks_html(article, amp=True)}
</div>
<footer class="amp-wp-article-footer"><p>Rubrique : <a \
href="{self._section_url(section.slug)}">{_text(section.name)}</a></p><p>Étiquettes : {tags}\
</p></footer>
</article>
<footer class="amp-wp-footer"><p>© 2025 {SITE_NAME}</p><a href="{canonical}">Voir la version \
complète</a></footer>
</body>
</html>
"""

    # ---------------------------------------------------------------- list pages

    def _home(self) -> str:
        canonical = self.base_url + "/"
        description = f"{SITE_NAME} : {SITE_TAGLINE}."
        head = self._head_common(f"{SITE_NAME} – {SITE_TAGLINE}", description, canonical,
                                 "website", SITE_NAME)
        head.append(_json_ld({
            "@context": "https://schema.org",
            "@graph": [
                {"@type": "WebSite", "@id": canonical + "#website", "url": canonical,
                 "name": SITE_NAME, "inLanguage": "fr-FR",
                 "potentialAction": {"@type": "SearchAction",
                                     "target": canonical + "?s={search_term_string}",
                                     "query-input": "required name=search_term_string"}},
                {"@type": "CollectionPage", "@id": canonical, "url": canonical,
                 "name": SITE_NAME, "isPartOf": {"@id": canonical + "#website"},
                 "inLanguage": "fr-FR"},
            ],
        }))
        variants = ("clean", "shortlink", "clean", "newsletter", "clean")
        latest = self.latest[:HOME_COUNT]
        lead = self._teaser(latest[0], self._href(latest[0]), amp_link=True)
        teasers = "\n".join(
            self._teaser(a, self._href(a, variants[i % 5]), amp_link=i % 4 == 2)
            for i, a in enumerate(latest[1:], start=1)
        )
        sections = "".join(
            f'<li><a href="{self._section_url(s.slug)}">{_text(s.name)}</a> '
            f'<a class="feed" href="{self._section_url(s.slug)}feed/">(flux)</a></li>'
            for s in SECTIONS
        )
        tags = " ".join(
            f'<a class="tag-cloud-link" href="{self.base_url}/tag/{slug}/">{_text(name)}</a>'
            for slug, name in self._tags.items()
        )
        main = f"""<h1 class="screen-reader-text">{SITE_NAME}</h1>
<section class="a-la-une"><h2 class="section-title">À la une</h2>
{lead}
</section>
<aside class="exclusive"><h2 class="section-title">Exclusif</h2><p><a \
href="{self.base_url}{DRAFT_ARTICLE.path}">{_text(DRAFT_ARTICLE.title)}</a></p></aside>
<section class="latest-posts"><h2 class="section-title">Dernières actualités</h2>
{teasers}
</section>
<section class="rubriques"><h2 class="section-title">Rubriques</h2><ul>{sections}</ul></section>
<section class="tag-cloud"><h2 class="section-title">Sujets</h2><p>{tags}</p></section>
<p class="follow">Suivez-nous : <a href="{self.base_url}/feed/">Flux RSS</a> · \
<a href="{self.base_url}/feed/atom/">Flux Atom</a></p>"""
        return self._layout(head=head, body_class="home blog", main=main, page_url=canonical)

    def _list_response(self, kind: str, slug: str, page: int) -> Response | None:
        items = self._list_items(kind, slug)
        if items is None:
            return None
        pages = self._page_count(items)
        if page < 1 or page > pages:
            return None
        return self._html(200, self._list_page(kind, slug, page, pages, items))

    def _list_page(self, kind: str, slug: str, page: int, pages: int,
                   items: list[Article]) -> str:
        url = self._list_url(kind, slug, page)
        if kind == "category":
            section = self._sections[slug]
            name, intro = section.name, section.description
            variants: tuple[str, ...] = ("clean", "clean", "shortlink", "clean")
            feed = f"{self.base_url}/category/{slug}/feed/"
        elif kind == "tag":
            name = self._tags[slug]
            intro = f"Tous nos articles sur le sujet « {name} »."
            variants, feed = ("clean", "newsletter", "clean"), None
        else:
            author = self._authors[slug]
            name, intro = author.name, author.bio
            variants, feed = ("clean",), None
        heading = {"category": name, "tag": f"Étiquette : {name}",
                   "author": f"Articles de {name}"}[kind]
        suffix = f" – Page {page} sur {pages}" if page > 1 else ""
        head = self._head_common(f"{heading}{suffix} – {SITE_NAME}", intro, url, "website",
                                 f"{heading}{suffix}")
        if page > 1:
            head.append(f'<link rel="prev" href="{self._list_url(kind, slug, page - 1)}">')
        if page < pages:
            head.append(f'<link rel="next" href="{self._list_url(kind, slug, page + 1)}">')
        if feed:
            head.append(f'<link rel="alternate" type="application/rss+xml" title="{SITE_NAME} '
                        f'&raquo; {_attr(name)} Flux" href="{feed}">')
        schema_type = "ProfilePage" if kind == "author" else "CollectionPage"
        head.append(_json_ld({"@context": "https://schema.org", "@type": schema_type,
                              "url": url, "name": heading, "inLanguage": "fr-FR"}))

        chunk = items[(page - 1) * PER_PAGE: page * PER_PAGE]
        teasers = "\n".join(
            self._teaser(a, self._href(a, variants[i % len(variants)]),
                         amp_link=kind == "category" and i % 3 == 0)
            for i, a in enumerate(chunk)
        )
        nav = []
        if page > 1:
            nav.append(f'<a class="prev page-numbers" rel="prev" '
                       f'href="{self._list_url(kind, slug, page - 1)}">Page précédente</a>')
        for number in range(1, pages + 1):
            if number == page:
                nav.append(f'<span aria-current="page" class="page-numbers current">'
                           f"{number}</span>")
            else:
                nav.append(f'<a class="page-numbers" href="{self._list_url(kind, slug, number)}"'
                           f">{number}</a>")
        if page < pages:
            nav.append(f'<a class="next page-numbers" rel="next" '
                       f'href="{self._list_url(kind, slug, page + 1)}">Page suivante</a>')
        main = f"""<header class="page-header"><h1 class="page-title">{_text(heading)}</h1>
<div class="archive-description"><p>{_text(intro)}</p></div></header>
{teasers}
<nav class="navigation pagination" aria-label="Pagination">{" ".join(nav)}</nav>"""
        body_class = f"archive {kind} {kind}-{slug}" + (f" paged paged-{page}" if page > 1 else "")
        return self._layout(head=head, body_class=body_class, main=main, page_url=url)

    # ---------------------------------------------------------------- static pages

    def _about(self) -> str:
        url = self.base_url + "/a-propos/"
        head = self._head_common(f"À propos – {SITE_NAME}", _ABOUT_PARAGRAPHS[0], url,
                                 "website", "À propos")
        head.append(_json_ld({"@context": "https://schema.org", "@type": "AboutPage",
                              "url": url, "name": "À propos", "inLanguage": "fr-FR",
                              "publisher": {"@type": "Organization", "name": SITE_NAME}}))
        paragraphs = "\n".join(f"<p>{_text(p)}</p>" for p in _ABOUT_PARAGRAPHS)
        main = f"""<article class="page type-page"><header class="entry-header">\
<h1 class="entry-title">À propos</h1></header>
<div class="entry-content">
{paragraphs}
</div></article>"""
        return self._layout(head=head, body_class="page page-template-default", main=main,
                            page_url=url)

    def _legal(self) -> str:
        url = self.base_url + "/mentions-legales/"
        head = self._head_common(f"Mentions légales – {SITE_NAME}",
                                 "Mentions légales du site Le Journal du Monde.", url,
                                 "website", "Mentions légales")
        head.append(_json_ld({"@context": "https://schema.org", "@type": "WebPage",
                              "url": url, "name": "Mentions légales", "inLanguage": "fr-FR"}))
        sections = "\n".join(
            f'<h2 id="{slugify(title)}">{_text(title)}</h2>\n<p>{_text(text)}</p>'
            for title, text in _LEGAL_SECTIONS
        )
        main = f"""<article class="page type-page"><header class="entry-header">\
<h1 class="entry-title">Mentions légales</h1></header>
<div class="entry-content">
{sections}
</div></article>"""
        return self._layout(head=head, body_class="page page-template-default", main=main,
                            page_url=url)

    def _message_page(self, title: str, message: str, home: str) -> str:
        head = [f"<title>{_text(title)} – {SITE_NAME}</title>",
                '<meta name="robots" content="noindex, follow">']
        main = f"""<section class="error-404 not-found"><header class="page-header">\
<h1 class="page-title">{_text(title)}</h1></header>
<div class="page-content"><p>{_text(message)}</p><p><a href="{home}">Retour à l’accueil</a></p>\
</div></section>"""
        return self._layout(head=head, body_class="error404", main=main, page_url=home)

    # ------------------------------------------------------------ robots, sitemaps

    def _robots(self) -> str:
        return (
            "User-agent: *\n"
            "Disallow: /private/\n"
            "Disallow: /wp-admin/\n"
            "Allow: /wp-admin/admin-ajax.php\n"
            "\n"
            f"Sitemap: {self.base_url}/sitemap_index.xml\n"
        )

    def _sitemap_index(self) -> str:
        newest = max(a.modified for a in self.articles).isoformat()
        entries = "".join(
            f"<sitemap><loc>{self.base_url}/{name}</loc><lastmod>{newest}</lastmod></sitemap>\n"
            for name in ("post-sitemap.xml", "page-sitemap.xml", "category-sitemap.xml",
                         "news-sitemap.xml")
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<sitemapindex xmlns="{SITEMAP_NS}">\n{entries}</sitemapindex>\n'
        )

    def _urlset(self, rows: Iterable[str], extra_ns: str = "") -> str:
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="{SITEMAP_NS}"{extra_ns}>\n{"".join(rows)}</urlset>\n'
        )

    def _post_sitemap(self) -> str:
        rows = (
            f"<url><loc>{self.base_url}{a.path}</loc><lastmod>{a.modified.isoformat()}</lastmod>"
            f"<image:image><image:loc>{self.base_url}{a.image_path}</image:loc></image:image>"
            "</url>\n"
            for a in self.articles
        )
        return self._urlset(
            rows, ' xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"')

    def _page_sitemap(self) -> str:
        newest = max(a.modified for a in self.articles).isoformat()
        rows = (
            f"<url><loc>{self.base_url}{path}</loc><lastmod>{newest}</lastmod></url>\n"
            for path in ("/", "/a-propos/", "/mentions-legales/")
        )
        return self._urlset(rows)

    def _category_sitemap(self) -> str:
        rows = []
        for section in SECTIONS:
            newest = max(a.modified for a in self.articles if a.section == section.slug)
            rows.append(f"<url><loc>{self._section_url(section.slug)}</loc>"
                        f"<lastmod>{newest.isoformat()}</lastmod></url>\n")
        return self._urlset(rows)

    def _news_sitemap(self) -> str:
        rows = (
            f"<url><loc>{self.base_url}{a.path}</loc><news:news><news:publication>"
            f"<news:name>{SITE_NAME}</news:name><news:language>fr</news:language>"
            f"</news:publication><news:publication_date>{a.published.isoformat()}"
            f"</news:publication_date><news:title>{xml_escape(a.title)}</news:title>"
            "</news:news></url>\n"
            for a in self.latest[:NEWS_SITEMAP_COUNT]
        )
        return self._urlset(rows, f' xmlns:news="{NEWS_NS}"')

    # ---------------------------------------------------------------------- feeds

    def _rss_channel(self, title: str, link: str, self_url: str,
                     items: Sequence[Article]) -> str:
        entries = []
        for a in items:
            categories = "".join(
                f"<category><![CDATA[{c}]]></category>"
                for c in (self._sections[a.section].name, *a.tags)
            )
            canonical = self.base_url + a.path
            entries.append(
                f"<item>\n<title>{xml_escape(a.title)}</title>\n<link>{canonical}</link>\n"
                f"<comments>{canonical}#respond</comments>\n"
                f"<dc:creator><![CDATA[{self._authors[a.author].name}]]></dc:creator>\n"
                f"<pubDate>{_rfc822(a.published)}</pubDate>\n{categories}\n"
                f'<guid isPermaLink="false">{self.base_url}/?p={a.post_id}</guid>\n'
                f"<description><![CDATA[{a.description}]]></description>\n"
                f"<content:encoded><![CDATA[{self._blocks_html(a, amp=True)}]]>"
                "</content:encoded>\n</item>\n"
            )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:atom="http://www.w3.org/2005/Atom" '
            'xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">\n<channel>\n'
            f"<title>{xml_escape(title)}</title>\n"
            f'<atom:link href="{self_url}" rel="self" type="application/rss+xml"/>\n'
            f"<link>{link}</link>\n<description>{xml_escape(SITE_TAGLINE)}</description>\n"
            f"<lastBuildDate>{_rfc822(max(a.modified for a in items))}</lastBuildDate>\n"
            "<language>fr-FR</language>\n<sy:updatePeriod>hourly</sy:updatePeriod>\n"
            "<generator>https://wordpress.org/?v=6.7.1</generator>\n"
            f"{''.join(entries)}</channel>\n</rss>\n"
        )

    def _rss(self) -> str:
        return self._rss_channel(SITE_NAME, self.base_url + "/", self.base_url + "/feed/",
                                 self.latest[:FEED_COUNT])

    def _category_rss(self, slug: str) -> str:
        section = self._sections[slug]
        items = [a for a in self.latest if a.section == slug][:FEED_COUNT]
        return self._rss_channel(f"{SITE_NAME} » {section.name}", self._section_url(slug),
                                 f"{self._section_url(slug)}feed/", items)

    def _atom(self) -> str:
        items = self.latest[:FEED_COUNT]
        entries = []
        for a in items:
            author = self._authors[a.author]
            categories = "".join(
                f'<category scheme="{self.base_url}" term="{xml_escape(c)}"/>'
                for c in (self._sections[a.section].name, *a.tags)
            )
            entries.append(
                f"<entry>\n<author><name>{xml_escape(author.name)}</name>"
                f"<uri>{self._author_url(author.slug)}</uri></author>\n"
                f'<title type="html"><![CDATA[{a.title}]]></title>\n'
                f'<link rel="alternate" type="text/html" href="{self.base_url}{a.path}"/>\n'
                f"<id>{self.base_url}/?p={a.post_id}</id>\n"
                f"<updated>{a.modified.isoformat()}</updated>\n"
                f"<published>{a.published.isoformat()}</published>\n{categories}\n"
                f'<summary type="html"><![CDATA[{a.description}]]></summary>\n</entry>\n'
            )
        updated = max(a.modified for a in items).isoformat()
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr-FR">\n'
            f'<title type="text">{SITE_NAME}</title>\n'
            f'<subtitle type="text">{xml_escape(SITE_TAGLINE)}</subtitle>\n'
            f"<updated>{updated}</updated>\n"
            f'<link rel="alternate" type="text/html" href="{self.base_url}/"/>\n'
            f"<id>{self.base_url}/feed/atom/</id>\n"
            f'<link rel="self" type="application/atom+xml" href="{self.base_url}/feed/atom/"/>\n'
            '<generator uri="https://wordpress.org/" version="6.7.1">WordPress</generator>\n'
            f"{''.join(entries)}</feed>\n"
        )
