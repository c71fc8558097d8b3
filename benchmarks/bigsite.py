"""A large WordPress-style news site, written to disk as static files, for the crawl benchmark.

``write_site(root, base_url, pages)`` writes ``pages`` distinct article pages of 60-120 KB
each (the size of real news pages: a head full of metas, JSON-LD and inline CSS/JS, a mega
menu, a sidebar, comments, a footer, an inline SVG sprite) plus everything a crawler uses to
find them: robots.txt with a ``Sitemap:`` line, a Yoast-style sitemap index with post
sitemaps of 1,000 URLs, a Google News sitemap, an RSS feed, a home page, paginated section
pages and tag and author pages. Links carry the usual noise (``utm_*`` parameters on related
posts, share links to other hosts).

Every URL path maps to a file: ``/a/b/`` is ``a/b/index.html`` (``index.xml`` for feeds), so
nginx (``try_files $uri $uri/index.html``) or the threaded Python server of
:mod:`benchmarks.servers` can serve the directory as it is. Output is deterministic for a
given (base_url, pages, seed). The article text is assembled from the demo site's sentences
(``demo.content``, read-only) with per-article names and numbers, so no two articles share a
paragraph.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from html import escape
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from demo.content import all_articles, slugify

SITE_NAME = "La Gazette Numérique"
TAGLINE = "Toute l’actualité, en continu"
PER_PAGE = 20  # teasers per section page
SITEMAP_SIZE = 1000  # URLs per post sitemap, as Yoast SEO does
FEED_COUNT = 20
NEWS_SITEMAP_COUNT = 50
MIN_BYTES = 60 * 1024
MAX_BYTES = 120 * 1024
TZ = timezone(timedelta(hours=2))
NEWEST = datetime(2025, 6, 30, 18, 0, tzinfo=TZ)
PER_DAY = 24  # articles published per day

SECTIONS = (
    ("international", "International"), ("politique", "Politique"),
    ("economie", "Économie"), ("societe", "Société"), ("culture", "Culture"),
    ("sport", "Sport"), ("sciences", "Sciences"), ("planete", "Planète"),
)
TAGS = (
    "Union européenne", "Ukraine", "États-Unis", "Chine", "Moyen-Orient", "Afrique",
    "Assemblée nationale", "Sénat", "Gouvernement", "Élections", "Municipales", "Retraites",
    "Inflation", "Emploi", "Énergie", "Industrie", "Agriculture", "Immobilier", "Banques",
    "Éducation", "Santé", "Justice", "Police", "Transports", "Logement", "Immigration",
    "Cinéma", "Musique", "Livres", "Théâtre", "Expositions", "Patrimoine", "Séries",
    "Football", "Rugby", "Tennis", "Cyclisme", "Jeux olympiques", "Basket", "Formule 1",
    "Climat", "Biodiversité", "Océans", "Espace", "Intelligence artificielle", "Numérique",
    "Médecine", "Recherche", "Météo", "Catastrophes", "Montagne", "Littoral", "Paris",
    "Lyon", "Marseille", "Bretagne", "Occitanie", "Outre-mer", "Gastronomie", "Voyages",
)
FIRST_NAMES = (
    "Claire", "Julien", "Sophie", "Karim", "Élodie", "Thomas", "Nadia", "Pierre", "Camille",
    "Antoine", "Léa", "Mathieu", "Inès", "Hugo", "Manon", "Yann", "Sarah", "Nicolas",
    "Chloé", "Bruno", "Amélie", "Rachid", "Laure", "Vincent", "Pauline", "Olivier",
)
LAST_NAMES = (
    "Dubois", "Martin", "Lefèvre", "Benali", "Garnier", "Rousseau", "Morel", "Fontaine",
    "Chevalier", "Lambert", "Girard", "Bonnet", "Dupont", "Mercier", "Blanc", "Guérin",
    "Faure", "Roussel", "Perrin", "Masson", "Marchand", "Duval", "Renaud", "Barbier",
)
CITIES = (
    "Paris", "Lyon", "Marseille", "Toulouse", "Nantes", "Bordeaux", "Lille", "Strasbourg",
    "Rennes", "Montpellier", "Grenoble", "Dijon", "Rouen", "Brest", "Nancy", "Tours",
)
AUTHORS = tuple(f"{FIRST_NAMES[i]} {LAST_NAMES[i]}" for i in range(24))
STATIC_PAGES = (
    ("a-propos", "À propos"), ("contact", "Contact"), ("mentions-legales", "Mentions légales"),
    ("charte", "Charte de déontologie"), ("abonnement", "Abonnement"),
)


@dataclass
class Post:
    """One article of the generated site."""

    post_id: int
    title: str
    slug: str
    section: int
    author: int
    tags: tuple[int, ...]
    published: datetime
    modified: datetime
    description: str
    seed: int

    @property
    def path(self) -> str:
        return f"/{self.published:%Y/%m/%d}/{self.slug}/"


@dataclass
class SiteInfo:
    """What was written: the article URLs (the peer's input) and the site's shape."""

    root: Path
    base_url: str
    article_paths: list[str] = field(default_factory=list)
    article_bytes: int = 0
    other_pages: int = 0
    other_bytes: int = 0

    @property
    def article_urls(self) -> list[str]:
        return [self.base_url + p for p in self.article_paths]

    def article_file(self, path: str) -> Path:
        return self.root / path.strip("/") / "index.html"


# --------------------------------------------------------------------------- text pools


def _sentence_pool() -> tuple[list[str], list[str]]:
    """Sentences and titles of the demo site: realistic French news prose to recombine."""
    sentences: set[str] = set()
    titles: list[str] = []
    for article in all_articles():
        titles.append(article.title)
        for block in article.blocks:
            if block.kind == "p":
                for part in re.split(r"(?<=[.!?»])\s+", block.text):
                    if len(part) > 30:
                        sentences.add(part)
    return sorted(sentences), titles


_NUMBER = re.compile(r"\b\d+(?:[,.]\d+)?\b")
_NAME = re.compile(r"\b(?:" + "|".join(LAST_NAMES[:12]) + r")\b")


class _Writer:
    """Makes one article's text: demo sentences with this article's names and numbers."""

    def __init__(self) -> None:
        self.sentences, self.titles = _sentence_pool()
        self.title_heads = sorted({t.split(" : ")[0] for t in self.titles if " : " in t})
        self.title_tails = sorted({t.split(" : ", 1)[1] for t in self.titles if " : " in t}
                                  | {t for t in self.titles if " : " not in t})

    def sentence(self, rng: random.Random) -> str:
        text = rng.choice(self.sentences)
        text = _NUMBER.sub(lambda _m: str(rng.randint(2, 980)), text)
        return _NAME.sub(lambda _m: rng.choice(LAST_NAMES), text)

    def paragraph(self, rng: random.Random, sentences: int) -> str:
        return " ".join(self.sentence(rng) for _ in range(sentences))

    def title(self, rng: random.Random, post_id: int) -> str:
        city = CITIES[post_id % len(CITIES)]
        tail = rng.choice(self.title_tails).rstrip(".")
        if rng.random() < 0.5:
            return f"{rng.choice(self.title_heads)} : {tail} à {city}"
        return f"{tail}, selon {rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} ({city})"


# ------------------------------------------------------------------------------ helpers


def _a(value: str) -> str:
    return escape(value, quote=True)


def _t(value: str) -> str:
    return escape(value, quote=False)


def _fr_date(dt: datetime) -> str:
    months = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
              "septembre", "octobre", "novembre", "décembre")
    return f"{dt.day} {months[dt.month - 1]} {dt.year}"


def _json_ld(data: object) -> str:
    payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return f'<script type="application/ld+json" class="yoast-schema-graph">{payload}</script>'


def _css() -> str:
    """A theme's inline CSS (WordPress inlines global styles and block styles): ~9 KB."""
    rules = []
    for i in range(110):
        rules.append(
            f".wp-block-group-{i},.has-color-{i}{{color:#{(i * 4099) % 0xFFFFFF:06x};"
            f"margin:{i % 7}px {i % 5}px;padding:{i % 3}em}}"
        )
    for size in ("small", "medium", "large", "x-large", "xx-large"):
        rules.append(f".has-{size}-font-size{{font-size:var(--wp--preset--font-size--{size})"
                     " !important}")
    return "body{margin:0;font-family:Georgia,serif}" + "".join(rules)


def _head_scripts() -> str:
    """Consent manager, tag manager and ad configuration scripts, as on real news pages."""
    vendors = ",".join(f'{{"id":{i},"name":"Vendor {i}","purposes":[1,2,{i % 10}]}}'
                       for i in range(90))
    return (
        "<script>window.__tcfapiConfig={\"gdprApplies\":true,\"vendors\":[" + vendors + "]};"
        "</script>\n"
        "<script>(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':new Date()"
        ".getTime(),event:'gtm.js'});var f=d.getElementsByTagName(s)[0],j=d.createElement(s),"
        "dl=l!='dataLayer'?'&l='+l:'';j.async=true;j.src='https://www.googletagmanager.com/"
        "gtm.js?id='+i+dl;f.parentNode.insertBefore(j,f);})(window,document,'script',"
        "'dataLayer','GTM-XXXX');</script>\n"
        "<script>var googletag=googletag||{};googletag.cmd=googletag.cmd||[];"
        + "".join(f"googletag.cmd.push(function(){{googletag.defineSlot('/1234/gazette/"
                  f"slot{i}',[[300,250],[728,90]],'div-gpt-ad-{i}').addService("
                  "googletag.pubads());});" for i in range(12))
        + "</script>\n"
    )


def _footer_scripts() -> str:
    emoji = "".join(f"e{i}:\"\\ud83c\\udf{i:02x}\"," for i in range(60))
    return (
        "<script>window._wpemojiSettings={\"baseUrl\":\"https://s.w.org/images/core/emoji/"
        "15.0.3/72x72/\",\"ext\":\".png\",\"map\":{" + emoji + "}};"
        "!function(i,n){var o,s,e;function c(e){try{var t={supportTests:e,timestamp:"
        "(new Date).valueOf()};sessionStorage.setItem(o,JSON.stringify(t))}catch(e){}}"
        "}(window,document);</script>\n"
        "<script>var wpcf7={\"api\":{\"root\":\"/wp-json/\",\"namespace\":\"contact-form-7/v1\""
        "}};</script>\n"
    )


def _icons() -> list[str]:
    """Symbols of an inline SVG sprite (filler that real themes carry), ~600 bytes each."""
    icons = []
    for i in range(400):
        rng = random.Random(i)
        points = " ".join(f"{rng.randint(0, 24)}.{rng.randint(0, 99)}" for _ in range(90))
        icons.append(f'<symbol id="icon-{i}" viewBox="0 0 24 24"><path d="M{points}z"/>'
                     "</symbol>")
    return icons


# --------------------------------------------------------------------------------- site


class BigSite:
    """Builds and writes the whole site for one base URL (no trailing slash)."""

    def __init__(self, base_url: str, pages: int, seed: int = 2025) -> None:
        self.base = base_url.rstrip("/")
        self.writer = _Writer()
        self.posts = self._make_posts(pages, seed)  # oldest first
        self.latest = self.posts[::-1]
        self.by_section: list[list[Post]] = [[] for _ in SECTIONS]
        self.by_tag: list[list[Post]] = [[] for _ in TAGS]
        self.by_author: list[list[Post]] = [[] for _ in AUTHORS]
        for post in self.latest:
            self.by_section[post.section].append(post)
            self.by_author[post.author].append(post)
            for tag in post.tags:
                self.by_tag[tag].append(post)
        self.section_pos = {p.post_id: i for s in self.by_section for i, p in enumerate(s)}
        self.css = _css()
        self.head_scripts = _head_scripts()
        self.footer_scripts = _footer_scripts()
        self.icons = _icons()
        self.header = self._header()
        self.sidebar = self._sidebar()
        self.footer = self._footer()

    # -- data ---------------------------------------------------------------------------

    def _make_posts(self, pages: int, seed: int) -> list[Post]:
        rng = random.Random(seed)
        posts = []
        step = timedelta(days=1) / PER_DAY
        first = NEWEST - step * (pages - 1)
        for i in range(pages):
            post_id = 1000 + i
            title = self.writer.title(rng, post_id)
            published = first + step * i + timedelta(minutes=rng.randint(0, 40))
            modified = published + timedelta(hours=rng.choice((0, 0, 1, 3, 20)))
            posts.append(Post(
                post_id=post_id,
                title=title,
                slug=f"{slugify(title)[:70].rstrip('-')}-{post_id}",
                section=rng.randrange(len(SECTIONS)),
                author=rng.randrange(len(AUTHORS)),
                tags=tuple(sorted(rng.sample(range(len(TAGS)), rng.randint(2, 4)))),
                published=published,
                modified=modified,
                description=self.writer.sentence(rng),
                seed=rng.getrandbits(32),
            ))
        return posts

    # -- urls ---------------------------------------------------------------------------

    def url(self, post: Post) -> str:
        return self.base + post.path

    def section_url(self, index: int, page: int = 1) -> str:
        url = f"{self.base}/category/{SECTIONS[index][0]}/"
        return url if page == 1 else f"{url}page/{page}/"

    def tag_url(self, index: int) -> str:
        return f"{self.base}/tag/{slugify(TAGS[index])}/"

    def author_url(self, index: int) -> str:
        return f"{self.base}/author/{slugify(AUTHORS[index])}/"

    # -- shared page parts --------------------------------------------------------------

    def _header(self) -> str:
        menu = []
        for i, (_slug, name) in enumerate(SECTIONS):
            sub = "".join(
                f'<li class="menu-item menu-item-type-taxonomy"><a href="{self.tag_url(t)}">'
                f"{_t(TAGS[t])}</a></li>"
                for t in range(i, len(TAGS), len(SECTIONS))
            )
            menu.append(
                f'<li class="menu-item menu-item-has-children"><a href="{self.section_url(i)}">'
                f'{_t(name)}</a><ul class="sub-menu">{sub}</ul></li>'
            )
        pages = "".join(f'<a href="{self.base}/{slug}/">{_t(name)}</a> '
                        for slug, name in STATIC_PAGES[:2])
        return (
            '<div id="cookie-notice" role="dialog"><p>Nous et nos partenaires utilisons des '
            "cookies pour mesurer l’audience et personnaliser les publicités.</p><button "
            'class="cn-accept">Tout accepter</button><button class="cn-refuse">Continuer sans '
            "accepter</button></div>\n"
            '<header id="masthead" class="site-header"><div class="top-bar">'
            f'{pages}<a href="{self.base}/feed/">RSS</a> <a href="{self.base}/abonnement/">'
            "S’abonner</a></div>\n"
            f'<div class="site-branding"><p class="site-title"><a href="{self.base}/" '
            f'rel="home">{SITE_NAME}</a></p><p class="site-description">{_t(TAGLINE)}</p></div>'
            '<nav id="site-navigation" class="main-navigation"><ul id="primary-menu">'
            f'<li class="menu-item"><a href="{self.base}/">Accueil</a></li>{"".join(menu)}'
            "</ul></nav>\n"
            '<div class="breaking-news"><span>En continu</span><ul>'
            + "".join(f'<li><a href="{self.url(p)}">{_t(p.title)}</a></li>'
                      for p in self.latest[:6])
            + "</ul></div></header>\n"
        )

    def _sidebar(self) -> str:
        popular = "".join(
            f'<li><a href="{self.url(p)}?utm_source=sidebar&amp;utm_medium=widget">'
            f"{_t(p.title)}</a></li>"
            for p in self.latest[3:13]
        )
        latest = "".join(
            f'<li><time datetime="{p.published.isoformat()}">{p.published:%H:%M}</time> '
            f'<a href="{self.url(p)}">{_t(p.title)}</a> <span class="cat">'
            f"{_t(SECTIONS[p.section][1])}</span></li>"
            for p in self.latest[:15]
        )
        cloud = " ".join(f'<a class="tag-cloud-link" href="{self.tag_url(i)}">{_t(t)}</a>'
                         for i, t in enumerate(TAGS))
        ads = "".join(
            f'<div class="ad-slot" id="div-gpt-ad-{i}"><script>googletag.cmd.push(function()'
            f"{{googletag.display('div-gpt-ad-{i}');}});</script></div>"
            for i in range(3)
        )
        return (
            '<aside id="secondary" class="widget-area">'
            f'<section class="widget widget_search"><form role="search" action="{self.base}/">'
            '<input type="search" name="s"><button>Rechercher</button></form></section>'
            f'<section class="widget popular"><h2 class="widget-title">Les plus lus</h2><ol>'
            f"{popular}</ol></section>{ads}"
            f'<section class="widget latest"><h2 class="widget-title">En continu</h2><ul>'
            f"{latest}</ul></section>"
            '<section class="widget newsletter"><h2 class="widget-title">Newsletter</h2><p>'
            "Recevez chaque matin l’essentiel de l’actualité.</p><form method=\"post\">"
            '<input type="email" name="email"><button>S’inscrire</button></form></section>'
            f'<section class="widget tags"><h2 class="widget-title">Sujets</h2><p>{cloud}</p>'
            "</section></aside>\n"
        )

    def _footer(self) -> str:
        sections = "".join(f'<li><a href="{self.section_url(i)}">{_t(n)}</a></li>'
                           for i, (_s, n) in enumerate(SECTIONS))
        tags = "".join(f'<li><a href="{self.tag_url(i)}">{_t(t)}</a></li>'
                       for i, t in enumerate(TAGS))
        pages = "".join(f'<li><a href="{self.base}/{slug}/">{_t(n)}</a></li>'
                        for slug, n in STATIC_PAGES)
        social = "".join(
            f'<a href="https://www.{net}.com/lagazette" rel="noopener">{net}</a> '
            for net in ("facebook", "instagram", "linkedin", "youtube", "tiktok")
        )
        return (
            '<footer id="colophon" class="site-footer"><div class="footer-columns">'
            f'<ul class="col">{sections}</ul><ul class="col">{tags}</ul>'
            f'<ul class="col">{pages}</ul><div class="col social">{social}</div></div>'
            f'<div class="site-info">© 2025 {SITE_NAME}. Tous droits réservés. '
            f'<a href="{self.base}/feed/">Flux RSS</a></div></footer>\n'
        )

    def _head(self, title: str, description: str, canonical: str, og_type: str,
              extra: Sequence[str] = (), og_title: str | None = None) -> str:
        lines = [
            '<meta charset="UTF-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_t(title)}</title>",
            f'<meta name="description" content="{_a(description)}">',
            '<meta name="robots" content="index, follow, max-image-preview:large">',
            f'<link rel="canonical" href="{canonical}">',
            '<meta property="og:locale" content="fr_FR">',
            f'<meta property="og:type" content="{og_type}">',
            f'<meta property="og:title" content="{_a(og_title or title)}">',
            f'<meta property="og:description" content="{_a(description)}">',
            f'<meta property="og:url" content="{canonical}">',
            f'<meta property="og:site_name" content="{SITE_NAME}">',
            '<meta name="twitter:card" content="summary_large_image">',
            '<meta name="twitter:site" content="@lagazette">',
            *extra,
            f'<link rel="alternate" type="application/rss+xml" title="{SITE_NAME} » Flux" '
            f'href="{self.base}/feed/">',
            '<link rel="preconnect" href="https://fonts.gstatic.com" crossorigin>',
            '<link rel="dns-prefetch" href="//securepubads.g.doubleclick.net">',
            '<link rel="stylesheet" id="theme-css" href="https://cdn.example.net/theme.css?'
            'ver=6.7.1" media="all">',
            '<meta name="generator" content="WordPress 6.7.1">',
            f'<style id="global-styles-inline-css">{self.css}</style>',
            self.head_scripts,
        ]
        return "\n".join(lines)

    def _page(self, head: str, body_class: str, main: str, filler: int = 0) -> str:
        sprite = ""
        if filler > 0:
            icons, size = [], 80  # the <svg> wrapper
            for icon in self.icons:
                if size >= filler:
                    break
                icons.append(icon)
                size += len(icon)
            sprite = ('<svg xmlns="http://www.w3.org/2000/svg" style="display:none">'
                      + "".join(icons) + "</svg>\n")
        return (
            f'<!DOCTYPE html>\n<html lang="fr-FR" prefix="og: https://ogp.me/ns#">\n<head>\n'
            f'{head}\n</head>\n<body class="{body_class}">\n{sprite}{self.header}'
            f'<div id="content" class="site-content"><main id="main" class="site-main">\n'
            f"{main}\n</main>\n{self.sidebar}</div>\n{self.footer}{self.footer_scripts}"
            "</body>\n</html>\n"
        )

    def _teaser(self, post: Post, query: str = "") -> str:
        return (
            f'<article class="teaser post-{post.post_id}"><a class="thumb" href="{self.url(post)}'
            f'{query}"><img src="{self.base}/wp-content/uploads/{post.published:%Y/%m}/'
            f'{post.slug}-300x169.jpg" alt="" width="300" height="169" loading="lazy"></a>'
            f'<h2 class="entry-title"><a href="{self.url(post)}{query}" rel="bookmark">'
            f'{_t(post.title)}</a></h2><div class="entry-meta">Par <a href="'
            f'{self.author_url(post.author)}">{_t(AUTHORS[post.author])}</a> · <time '
            f'datetime="{post.published.isoformat()}">{_fr_date(post.published)}</time></div>'
            f'<p class="excerpt">{_t(post.description)}</p></article>'
        )

    # -- articles -----------------------------------------------------------------------

    def article_html(self, post: Post) -> str:
        """One article page, between MIN_BYTES and MAX_BYTES of UTF-8."""
        rng = random.Random(post.seed)
        canonical = self.url(post)
        section_slug, section_name = SECTIONS[post.section]
        author = AUTHORS[post.author]
        image = f"{self.base}/wp-content/uploads/{post.published:%Y/%m}/{post.slug}.jpg"
        tags = [TAGS[t] for t in post.tags]
        graph = {
            "@context": "https://schema.org",
            "@graph": [
                {"@type": "NewsArticle", "@id": canonical + "#article", "headline": post.title,
                 "description": post.description, "datePublished": post.published.isoformat(),
                 "dateModified": post.modified.isoformat(), "articleSection": section_name,
                 "keywords": tags, "inLanguage": "fr-FR", "image": image,
                 "author": {"@type": "Person", "name": author,
                            "url": self.author_url(post.author)},
                 "publisher": {"@id": self.base + "/#organization"},
                 "mainEntityOfPage": {"@id": canonical}},
                {"@type": "WebPage", "@id": canonical, "url": canonical, "name": post.title,
                 "isPartOf": {"@id": self.base + "/#website"}, "inLanguage": "fr-FR",
                 "breadcrumb": {"@id": canonical + "#breadcrumb"}},
                {"@type": "BreadcrumbList", "@id": canonical + "#breadcrumb",
                 "itemListElement": [
                     {"@type": "ListItem", "position": 1, "name": "Accueil",
                      "item": self.base + "/"},
                     {"@type": "ListItem", "position": 2, "name": section_name,
                      "item": self.section_url(post.section)},
                     {"@type": "ListItem", "position": 3, "name": post.title}]},
                {"@type": "WebSite", "@id": self.base + "/#website", "url": self.base + "/",
                 "name": SITE_NAME, "inLanguage": "fr-FR"},
                {"@type": "Organization", "@id": self.base + "/#organization",
                 "name": SITE_NAME, "logo": self.base + "/wp-content/uploads/logo.png"},
            ],
        }
        extra = [
            f'<meta property="og:image" content="{image}">',
            f'<meta property="article:published_time" content="{post.published.isoformat()}">',
            f'<meta property="article:modified_time" content="{post.modified.isoformat()}">',
            f'<meta property="article:section" content="{_a(section_name)}">',
            *(f'<meta property="article:tag" content="{_a(t)}">' for t in tags),
            f'<meta name="author" content="{_a(author)}">',
            f'<link rel="shortlink" href="{self.base}/?p={post.post_id}">',
            _json_ld(graph),
            "<script>window.dataLayer=window.dataLayer||[];dataLayer.push("
            + json.dumps({"pageType": "article", "postId": post.post_id,
                          "section": section_slug, "author": author, "tags": tags,
                          "published": post.published.isoformat(),
                          "wordCount": 0}, ensure_ascii=False)
            + ");</script>",
        ]
        head = self._head(f"{post.title} – {SITE_NAME}", post.description, canonical,
                          "article", extra, og_title=post.title)

        body = [f"<p><strong>{_t(self.writer.paragraph(rng, 2))}</strong></p>"]
        for i in range(rng.randint(6, 12)):
            if i and i % 4 == 0:
                body.append(f'<h2 class="wp-block-heading">{_t(self.writer.sentence(rng))}</h2>')
            if i == 3:
                other = self.posts[rng.randrange(len(self.posts))]
                body.append(f'<aside class="lire-aussi"><span>Lire aussi</span> <a href="'
                            f'{self.url(other)}">{_t(other.title)}</a></aside>')
            if i == 5:
                body.append('<div class="ad-slot in-article" id="div-gpt-ad-inread"><script>'
                            "googletag.cmd.push(function(){googletag.display("
                            "'div-gpt-ad-inread');});</script></div>")
            if i == 6:
                body.append(f'<blockquote class="wp-block-quote"><p>'
                            f"{_t(self.writer.sentence(rng))}</p><cite>"
                            f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}</cite>"
                            "</blockquote>")
            body.append(f"<p>{_t(self.writer.paragraph(rng, rng.randint(2, 5)))}</p>")

        pos = self.section_pos[post.post_id]
        siblings = self.by_section[post.section]
        related = [siblings[j] for j in (pos - 3, pos - 2, pos - 1, pos + 1, pos + 2, pos + 3)
                   if 0 <= j < len(siblings)]
        related_html = "".join(self._teaser(r, "?utm_source=related&utm_medium=web")
                               for r in related)
        index = post.post_id - 1000
        nav = []
        if index > 0:
            prev = self.posts[index - 1]
            nav.append(f'<a href="{self.url(prev)}" rel="prev">Article précédent : '
                       f"{_t(prev.title)}</a>")
        if index + 1 < len(self.posts):
            nxt = self.posts[index + 1]
            nav.append(f'<a href="{self.url(nxt)}" rel="next">Article suivant : '
                       f"{_t(nxt.title)}</a>")
        tag_links = ", ".join(f'<a href="{self.tag_url(t)}" rel="tag">{_t(TAGS[t])}</a>'
                              for t in post.tags)
        share = "".join(
            f'<a class="share-{net}" href="https://{host}?u={canonical}" rel="nofollow '
            f'noopener" target="_blank">{net}</a> '
            for net, host in (("facebook", "www.facebook.com/sharer/sharer.php"),
                              ("x", "x.com/intent/post"),
                              ("whatsapp", "api.whatsapp.com/send"),
                              ("linkedin", "www.linkedin.com/sharing/share-offsite/"))
        )
        comments = []
        for c in range(rng.randint(0, 25)):
            when = post.published + timedelta(minutes=17 * (c + 1))
            comments.append(
                f'<li id="comment-{post.post_id}{c:02d}" class="comment"><article '
                f'class="comment-body"><footer class="comment-meta"><b class="fn">'
                f"{rng.choice(FIRST_NAMES)}{rng.randint(1, 99)}</b> <time datetime=\""
                f'{when.isoformat()}">{_fr_date(when)}</time></footer><div '
                f'class="comment-content"><p>{_t(self.writer.sentence(rng))}</p></div>'
                f'<div class="reply"><a rel="nofollow" class="comment-reply-link" href="'
                f'#respond">Répondre</a></div></article></li>'
            )
        updated = ""
        if post.modified != post.published:
            updated = (f' · Mis à jour le <time class="updated" datetime='
                       f'"{post.modified.isoformat()}">{_fr_date(post.modified)}</time>')

        def main(comment_count: int) -> str:
            return (
                f'<nav class="breadcrumbs"><a href="{self.base}/">Accueil</a> » <a href="'
                f'{self.section_url(post.section)}">{_t(section_name)}</a> » <span>'
                f"{_t(post.title)}</span></nav>\n"
                f'<article id="post-{post.post_id}" class="post-{post.post_id} post type-post '
                f'status-publish category-{section_slug}"><header class="entry-header">'
                f'<span class="cat-links"><a href="{self.section_url(post.section)}" '
                f'rel="category tag">{_t(section_name)}</a></span><h1 class="entry-title">'
                f'{_t(post.title)}</h1><div class="entry-meta"><span class="byline">Par <a '
                f'class="url fn n" href="{self.author_url(post.author)}" rel="author">'
                f'{_t(author)}</a></span> <span class="posted-on">Publié le <time class='
                f'"entry-date published" datetime="{post.published.isoformat()}">'
                f"{_fr_date(post.published)}</time>{updated}</span></div></header>\n"
                f'<figure class="post-thumbnail"><img src="{image}" alt="" width="1200" '
                f'height="675"><figcaption>Photo d’illustration © {SITE_NAME}</figcaption>'
                f'</figure>\n<div class="entry-content">\n' + "\n".join(body) + "\n</div>\n"
                f'<footer class="entry-footer"><span class="tags-links">Étiquettes : '
                f'{tag_links}</span></footer><div class="share-bar">{share}</div></article>\n'
                f'<nav class="post-navigation">{" ".join(nav)}</nav>\n'
                f'<section class="related-posts"><h3>Sur le même sujet</h3>{related_html}'
                "</section>\n"
                f'<div id="comments" class="comments-area"><h2 class="comments-title">'
                f'{comment_count} commentaires</h2><ol class="comment-list">'
                + "".join(comments[:comment_count]) +
                '</ol><div id="respond" class="comment-respond"><h3>Laisser un commentaire'
                f'</h3><form action="{self.base}/wp-comments-post.php" method="post">'
                '<textarea name="comment"></textarea><input name="author"><input '
                'name="email" type="email"><input type="submit" value="Publier"></form>'
                "</div></div>"
            )

        target = rng.randint(MIN_BYTES + 1024, MAX_BYTES - 1024)
        count = len(comments)
        page = self._page(head, "single single-post", main(count))
        size = len(page.encode())
        while size > target and count > 0:
            count -= 1
            page = self._page(head, "single single-post", main(count))
            size = len(page.encode())
        if size < target:
            page = self._page(head, "single single-post", main(count), filler=target - size)
        return page

    # -- list pages ---------------------------------------------------------------------

    def list_html(self, title: str, canonical: str, posts: Sequence[Post],
                  pagination: str = "", body_class: str = "archive") -> str:
        head = self._head(f"{title} – {SITE_NAME}", f"{title} : les derniers articles.",
                          canonical, "website",
                          [_json_ld({"@context": "https://schema.org", "@type": "CollectionPage",
                                     "url": canonical, "name": title, "inLanguage": "fr-FR"})])
        teasers = "\n".join(self._teaser(p) for p in posts)
        main = (f'<header class="page-header"><h1 class="page-title">{_t(title)}</h1></header>'
                f"\n{teasers}\n{pagination}")
        return self._page(head, body_class, main)

    def _pagination(self, section: int, page: int, pages: int) -> str:
        links = []
        if page > 1:
            links.append(f'<a class="prev page-numbers" href="{self.section_url(section, page - 1)}'
                         '">Précédent</a>')
        near = {1, 2, page - 1, page, page + 1, pages - 1, pages}
        shown = sorted(near & set(range(1, pages + 1)))
        for number in shown:
            if number == page:
                links.append(f'<span aria-current="page" class="page-numbers current">{number}'
                             "</span>")
            else:
                links.append(f'<a class="page-numbers" href="{self.section_url(section, number)}'
                             f'">{number}</a>')
        if page < pages:
            links.append(f'<a class="next page-numbers" href="{self.section_url(section, page + 1)}'
                         '">Suivant</a>')
        return f'<nav class="navigation pagination">{" ".join(links)}</nav>'

    def list_pages(self) -> Iterator[tuple[str, str]]:
        """(path, html) of the home, section (paginated), tag, author and static pages."""
        home_main = self.latest[:30]
        yield "/", self.list_html(SITE_NAME, self.base + "/", home_main, body_class="home blog")
        for index, (slug, name) in enumerate(SECTIONS):
            posts = self.by_section[index]
            pages = max(1, -(-len(posts) // PER_PAGE))
            for page in range(1, pages + 1):
                path = f"/category/{slug}/" + (f"page/{page}/" if page > 1 else "")
                title = name if page == 1 else f"{name} – Page {page} sur {pages}"
                chunk = posts[(page - 1) * PER_PAGE: page * PER_PAGE]
                yield path, self.list_html(title, self.base + path, chunk,
                                           self._pagination(index, page, pages))
        for index, name in enumerate(TAGS):
            path = f"/tag/{slugify(name)}/"
            yield path, self.list_html(f"Étiquette : {name}", self.base + path,
                                       self.by_tag[index][:PER_PAGE])
        for index, name in enumerate(AUTHORS):
            path = f"/author/{slugify(name)}/"
            yield path, self.list_html(f"Articles de {name}", self.base + path,
                                       self.by_author[index][:PER_PAGE])
        for slug, name in STATIC_PAGES:
            head = self._head(f"{name} – {SITE_NAME}", name, f"{self.base}/{slug}/", "website")
            rng = random.Random(slug)
            text = "".join(f"<p>{_t(self.writer.paragraph(rng, 3))}</p>" for _ in range(4))
            main = (f'<article class="page"><h1 class="entry-title">{_t(name)}</h1>'
                    f'<div class="entry-content">{text}</div></article>')
            yield f"/{slug}/", self._page(head, "page", main)

    # -- robots, sitemaps, feed ---------------------------------------------------------

    def robots(self) -> str:
        return ("User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n\n"
                f"Sitemap: {self.base}/sitemap_index.xml\n")

    def sitemaps(self) -> Iterator[tuple[str, str]]:
        """(file name, xml) of the sitemap index and every sitemap it lists."""
        ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        head = '<?xml version="1.0" encoding="UTF-8"?>\n'
        names = []
        for number, start in enumerate(range(0, len(self.posts), SITEMAP_SIZE), start=1):
            chunk = self.posts[start:start + SITEMAP_SIZE]
            name = "post-sitemap.xml" if number == 1 else f"post-sitemap{number}.xml"
            rows = "".join(f"<url><loc>{self.url(p)}</loc><lastmod>{p.modified.isoformat()}"
                           "</lastmod></url>\n" for p in chunk)
            names.append((name, max(p.modified for p in chunk)))
            yield name, f"{head}<urlset {ns}>\n{rows}</urlset>\n"
        newest = self.latest[0].modified
        rows = "".join(f"<url><loc>{self.base}/{slug}/</loc></url>\n" for slug, _ in STATIC_PAGES)
        names.append(("page-sitemap.xml", newest))
        yield "page-sitemap.xml", f"{head}<urlset {ns}>\n{rows}</urlset>\n"
        rows = "".join(f"<url><loc>{self.section_url(i)}</loc></url>\n"
                       for i in range(len(SECTIONS)))
        names.append(("category-sitemap.xml", newest))
        yield "category-sitemap.xml", f"{head}<urlset {ns}>\n{rows}</urlset>\n"
        rows = "".join(
            f"<url><loc>{self.url(p)}</loc><news:news><news:publication><news:name>{SITE_NAME}"
            "</news:name><news:language>fr</news:language></news:publication>"
            f"<news:publication_date>{p.published.isoformat()}</news:publication_date>"
            f"<news:title>{xml_escape(p.title)}</news:title></news:news></url>\n"
            for p in self.latest[:NEWS_SITEMAP_COUNT]
        )
        names.append(("news-sitemap.xml", newest))
        yield "news-sitemap.xml", (
            f'{head}<urlset {ns} xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n'
            f"{rows}</urlset>\n")
        index = "".join(f"<sitemap><loc>{self.base}/{n}</loc><lastmod>{m.isoformat()}</lastmod>"
                        "</sitemap>\n" for n, m in names)
        yield "sitemap_index.xml", f"{head}<sitemapindex {ns}>\n{index}</sitemapindex>\n"

    def feed(self) -> str:
        items = "".join(
            f"<item><title>{xml_escape(p.title)}</title><link>{self.url(p)}</link>"
            f"<dc:creator><![CDATA[{AUTHORS[p.author]}]]></dc:creator>"
            f"<pubDate>{format_datetime(p.published.astimezone(UTC), usegmt=True)}</pubDate>"
            f"<category><![CDATA[{SECTIONS[p.section][1]}]]></category>"
            f'<guid isPermaLink="false">{self.base}/?p={p.post_id}</guid>'
            f"<description><![CDATA[{p.description}]]></description></item>\n"
            for p in self.latest[:FEED_COUNT]
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>\n'
            f"<title>{SITE_NAME}</title><link>{self.base}/</link>"
            f"<description>{xml_escape(TAGLINE)}</description><language>fr-FR</language>\n"
            f"{items}</channel>\n</rss>\n"
        )


def _write(root: Path, path: str, text: str, index: str = "index.html") -> int:
    """Write one URL path's body; returns its size in bytes."""
    target = root / path.strip("/") / index if path.endswith("/") else root / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode()
    target.write_bytes(data)
    return len(data)


def write_site(root: Path, base_url: str, pages: int, seed: int = 2025) -> SiteInfo:
    """Write the whole site under ``root`` for ``base_url``; returns what was written."""
    site = BigSite(base_url, pages, seed)
    info = SiteInfo(root=root, base_url=site.base)
    for post in site.posts:
        info.article_bytes += _write(root, post.path, site.article_html(post))
        info.article_paths.append(post.path)
    others = [("/robots.txt", site.robots(), ""), ("/feed/", site.feed(), "index.xml")]
    others += [(f"/{name}", xml, "") for name, xml in site.sitemaps()]
    for path, text, index in others:
        info.other_bytes += _write(root, path, text, index or "index.html")
        info.other_pages += 1
    for path, html in site.list_pages():
        info.other_bytes += _write(root, path, html)
        info.other_pages += 1
    return info
