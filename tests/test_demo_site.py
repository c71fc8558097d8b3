"""The bundled demo site, checked over real HTTP the way the crawler will see it.

The end-to-end crawl tests trust ``DemoSite.article_urls()`` as ground truth, so these tests
pin down that the site really exposes exactly those articles through its discovery routes,
and that the traps (tracking parameters, shortlinks, AMP, robots.txt) behave as documented.
"""

from __future__ import annotations

import html
import json
import re
import urllib.error
import urllib.request
import urllib.robotparser
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit, urlunsplit

import feedparser
import pytest

from demo.content import all_articles
from demo.serve import serve_in_thread
from demo.site import DemoSite

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
NS = {"sm": SITEMAP_NS, "news": NEWS_NS}

Fetched = tuple[int, dict[str, str], bytes]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Lets a test see the 301 itself instead of where it leads."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, method: str = "GET") -> Fetched:
    """GET without following redirects; HTTP errors are returned, not raised."""
    request = urllib.request.Request(url, method=method)
    try:
        with _OPENER.open(request, timeout=5) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers.items()), error.read()


class _PageParser(HTMLParser):
    """Collects what a crawler reads from a page: links, canonical, og:type, JSON-LD."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.canonical: str | None = None
        self.og: dict[str, list[str]] = {}
        self.json_ld: list[object] = []
        self._in_json_ld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "link" and a.get("rel") == "canonical":
            self.canonical = a["href"]
        elif tag == "meta" and "property" in a:
            self.og.setdefault(a["property"], []).append(a.get("content", ""))
        elif tag == "script" and a.get("type") == "application/ld+json":
            self._in_json_ld = True

    def handle_endtag(self, tag: str) -> None:
        self._in_json_ld = False if tag == "script" else self._in_json_ld

    def handle_data(self, data: str) -> None:
        if self._in_json_ld:
            self.json_ld.append(json.loads(data))


def parse(body: bytes) -> _PageParser:
    parser = _PageParser()
    parser.feed(body.decode("utf-8"))
    return parser


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, DemoSite]]:
    base_url, stop = serve_in_thread(port=0)
    try:
        yield base_url, DemoSite(base_url)
    finally:
        stop()


# --------------------------------------------------------------------------- discovery


def test_base_url_uses_real_port(server: tuple[str, DemoSite]) -> None:
    base, site = server
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", base)
    assert not base.endswith(":0")
    assert site.base_url == base  # other tests and the Makefile build URLs on it
    assert site.seed_url() == base + "/2025/02/13/poutine-accepte-de-negocier-avec-trump/"


def test_robots_txt(server: tuple[str, DemoSite]) -> None:
    base, site = server
    status, headers, body = fetch(base + "/robots.txt")
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain")
    text = body.decode()
    assert "User-agent: *" in text
    assert "Disallow: /private/" in text
    assert "Disallow: /wp-admin/" in text
    assert f"Sitemap: {base}/sitemap_index.xml" in text

    robots = urllib.robotparser.RobotFileParser()
    robots.parse(text.splitlines())
    assert all(not robots.can_fetch("*", url) for url in site.disallowed_urls())
    assert all(robots.can_fetch("*", url) for url in site.article_urls())


def test_sitemaps(server: tuple[str, DemoSite]) -> None:
    base, site = server
    status, headers, body = fetch(base + "/sitemap_index.xml")
    assert status == 200 and headers["Content-Type"].startswith("application/xml")
    index = ET.fromstring(body)
    assert index.tag == f"{{{SITEMAP_NS}}}sitemapindex"
    children = [loc.text for loc in index.findall("sm:sitemap/sm:loc", NS)]
    assert children == [f"{base}/{name}" for name in (
        "post-sitemap.xml", "page-sitemap.xml", "category-sitemap.xml", "news-sitemap.xml")]

    posts = ET.fromstring(fetch(base + "/post-sitemap.xml")[2])
    assert {loc.text for loc in posts.findall("sm:url/sm:loc", NS)} == site.article_urls()
    assert all(u.find("sm:lastmod", NS) is not None for u in posts.findall("sm:url", NS))

    pages = ET.fromstring(fetch(base + "/page-sitemap.xml")[2])
    assert {loc.text for loc in pages.findall("sm:url/sm:loc", NS)} == {
        base + "/", base + "/a-propos/", base + "/mentions-legales/"}


def test_news_sitemap(server: tuple[str, DemoSite]) -> None:
    base, site = server
    status, headers, body = fetch(base + "/news-sitemap.xml")
    assert status == 200 and headers["Content-Type"].startswith("application/xml")
    root = ET.fromstring(body)
    urls = root.findall("sm:url", NS)
    assert len(urls) == 10
    newest = sorted(all_articles(), key=lambda a: a.published, reverse=True)[:10]
    assert [u.findtext("sm:loc", namespaces=NS) for u in urls] == [
        base + a.path for a in newest]
    for url, article in zip(urls, newest, strict=True):
        news = url.find("news:news", NS)
        assert news is not None
        assert news.findtext("news:publication/news:name", namespaces=NS) == "Le Journal du Monde"
        assert news.findtext("news:publication/news:language", namespaces=NS) == "fr"
        assert news.findtext("news:publication_date", namespaces=NS) == (
            article.published.isoformat())
        assert news.findtext("news:title", namespaces=NS) == article.title


def test_rss_and_atom_feeds(server: tuple[str, DemoSite]) -> None:
    base, site = server
    status, headers, body = fetch(base + "/feed/")
    assert status == 200 and headers["Content-Type"].startswith("application/rss+xml")
    rss = feedparser.parse(body)
    assert not rss.bozo, rss.get("bozo_exception")
    assert rss.version == "rss20"
    assert len(rss.entries) == 20
    assert {e.link for e in rss.entries} <= site.article_urls()
    first = rss.entries[0]
    assert first.author and first.published_parsed and first.tags and first.summary
    assert first.id.startswith(base + "/?p=")

    status, headers, body = fetch(base + "/feed/atom/")
    assert status == 200 and headers["Content-Type"].startswith("application/atom+xml")
    atom = feedparser.parse(body)
    assert not atom.bozo and atom.version == "atom10"
    assert [e.link for e in atom.entries] == [e.link for e in rss.entries]

    category = feedparser.parse(fetch(base + "/category/sport/feed/")[2])
    assert category.entries and not category.bozo


def test_pages_announce_feeds_and_link_variants(server: tuple[str, DemoSite]) -> None:
    base, _ = server
    home = fetch(base + "/")[2].decode()
    rss_link = f'type="application/rss+xml" title="Le Journal du Monde &raquo; Flux" href="{base}/'
    assert rss_link + 'feed/"' in home
    assert 'type="application/atom+xml"' in home
    assert f'href="{base}/?p=' in home  # shortlink teasers
    assert "?utm_source=newsletter&amp;utm_campaign=matin" in home
    assert "Version AMP" in home
    assert f'href="{base}/private/brouillon-exclusif/"' in home  # the robots trap is linked

    section = fetch(base + "/category/international/")[2].decode()
    assert f'<link rel="next" href="{base}/category/international/page/2/">' in section
    assert "Page suivante" in section
    second = fetch(base + "/category/international/page/2/")
    assert second[0] == 200 and "Page précédente" in second[2].decode()
    assert fetch(base + "/category/international/page/1/")[0] == 301
    assert fetch(base + "/category/international/page/9/")[0] == 404


# ----------------------------------------------------------------------------- articles


def test_seed_article_text_and_boilerplate(server: tuple[str, DemoSite],
                                           seed_expected: dict) -> None:
    expected = seed_expected
    base, site = server
    status, headers, body = fetch(site.seed_url())
    assert status == 200
    page = html.unescape(body.decode("utf-8"))
    positions = []
    for text in expected["must_contain"]:
        assert text in page, f"missing: {text[:60]}"
        positions.append(page.index(text))
    assert positions == sorted(positions), "seed paragraphs out of order"
    for boilerplate in expected["must_not_contain"]:
        assert boilerplate in page, f"boilerplate to strip is absent: {boilerplate}"
    assert expected["title"] in page and expected["author"] in page


def test_seed_article_metadata(server: tuple[str, DemoSite]) -> None:
    base, site = server
    status, headers, body = fetch(site.seed_url())
    assert headers["Content-Type"] == "text/html; charset=UTF-8"
    text = body.decode()
    assert '<html lang="fr-FR"' in text and '<meta charset="UTF-8">' in text
    page = parse(body)
    assert page.canonical == site.seed_url()
    assert page.og["og:type"] == ["article"]
    assert page.og["og:site_name"] == ["Le Journal du Monde"]
    assert page.og["og:locale"] == ["fr_FR"]
    assert page.og["article:tag"] == ["Russie", "Ukraine"]
    assert page.og["article:section"] == ["International"]
    assert page.og["article:published_time"] == ["2025-02-13T09:30:00+01:00"]
    assert page.og["article:modified_time"] == ["2025-02-13T09:30:00+01:00"]
    assert f'<link rel="amphtml" href="{site.seed_url()}amp/">' in text
    assert "Par <a " in text and ">Claire Dubois</a>" in text
    (ld,) = page.json_ld
    assert isinstance(ld, dict)
    assert ld["@type"] == "NewsArticle"
    assert ld["headline"] == (
        "Poutine accepte de négocier avec Trump pour mettre fin à la guerre en Ukraine")
    assert ld["author"]["name"] == "Claire Dubois"
    assert ld["publisher"]["name"] == "Le Journal du Monde"
    assert ld["keywords"] == ["Russie", "Ukraine"]
    assert ld["inLanguage"] == "fr-FR"
    assert ld["datePublished"] == ld["dateModified"] == "2025-02-13T09:30:00+01:00"
    assert ld["mainEntityOfPage"]["@id"] == site.seed_url()


def test_amp_page_points_to_canonical(server: tuple[str, DemoSite]) -> None:
    base, site = server
    status, _, body = fetch(site.seed_url() + "amp/")
    assert status == 200
    text = body.decode()
    assert "<html amp lang=\"fr\">" in text
    assert parse(body).canonical == site.seed_url()
    assert "« Je suis reconnaissant au président Trump. »" in text
    assert site.amp_urls().isdisjoint(site.article_urls())


def test_shortlink_redirects_to_clean_url(server: tuple[str, DemoSite]) -> None:
    base, site = server
    status, headers, _ = fetch(base + "/?p=48213")
    assert status == 301
    assert headers["Location"] == site.seed_url()
    assert fetch(base + "/?p=999999")[0] == 404
    status, headers, _ = fetch(site.seed_url().rstrip("/"))  # no trailing slash
    assert status == 301 and headers["Location"] == site.seed_url()


def test_tracking_params_keep_clean_canonical(server: tuple[str, DemoSite]) -> None:
    base, site = server
    for query in ("?utm_source=newsletter&utm_campaign=matin", "?fbclid=abc123",
                  "?utm_source=related&utm_medium=web", "?noamp=mobile"):
        status, _, body = fetch(site.seed_url() + query)
        assert status == 200
        assert parse(body).canonical == site.seed_url()


def test_unknown_path_is_404(server: tuple[str, DemoSite]) -> None:
    base, _ = server
    status, headers, body = fetch(base + "/cette-page-n-existe-pas/")
    assert status == 404
    assert headers["Content-Type"] == "text/html; charset=UTF-8"
    assert "Page introuvable" in body.decode()
    assert fetch(base + "/2025/02/13/article-inconnu/")[0] == 404


def test_counts(server: tuple[str, DemoSite]) -> None:
    _, site = server
    articles = all_articles()
    assert len(site.article_urls()) == len(articles) >= 60
    assert site.seed_url() in site.article_urls()
    assert len({a.section for a in articles}) >= 4
    assert len({a.author for a in articles}) >= 4
    assert all(1 <= len(a.tags) <= 3 for a in articles)
    assert {a.published.year for a in articles} == {2024, 2025}
    assert any(a.modified > a.published for a in articles)
    assert site.article_urls().isdisjoint(site.non_article_urls())
    assert site.article_urls().isdisjoint(site.disallowed_urls())


def test_every_article_answers_200(server: tuple[str, DemoSite]) -> None:
    _, site = server
    for url in sorted(site.article_urls()):
        status, headers, body = fetch(url)
        assert status == 200, url
        page = parse(body)
        assert page.canonical == url
        assert page.og["og:type"] == ["article"]


def test_non_article_pages_are_websites(server: tuple[str, DemoSite]) -> None:
    _, site = server
    for url in sorted(site.non_article_urls()):
        status, _, body = fetch(url)
        assert status == 200, url
        assert parse(body).og["og:type"] == ["website"], url


def test_generated_paragraphs_are_not_shared(server: tuple[str, DemoSite]) -> None:
    """A repeated block would be learnt as boilerplate by the extractor."""
    counts = Counter(b.text for a in all_articles() for b in a.blocks)
    assert [text for text, n in counts.items() if n > 1] == []
    for article in all_articles():
        paragraphs = [b for b in article.blocks if b.kind == "p"]
        headings = [b for b in article.blocks if b.kind == "h2"]
        assert len(paragraphs) >= 4 and headings
        assert re.search(r"[éèàêç]", " ".join(b.text for b in article.blocks))
    bodies = [" ".join(b.text for b in a.blocks) for a in all_articles()]
    assert sum("’" in body for body in bodies) > 0.9 * len(bodies)
    assert sum("« " in body and " »" in body for body in bodies) > 0.8 * len(bodies)


def test_rendering_is_deterministic(server: tuple[str, DemoSite]) -> None:
    base, site = server
    other = DemoSite(base)
    for path in ("/", "/feed/", "/news-sitemap.xml", "/category/sport/page/2/",
                 "/2025/02/13/poutine-accepte-de-negocier-avec-trump/amp/",
                 urlsplit(site.seed_url()).path):
        assert site.render(path) == other.render(path)
    assert fetch(site.seed_url())[2] == fetch(site.seed_url())[2]


def test_link_graph_yields_exactly_the_articles(server: tuple[str, DemoSite]) -> None:
    """A robots-respecting, same-host crawl that trusts rel=canonical finds the truth."""
    base, site = server
    host = urlsplit(base).netloc
    robots = urllib.robotparser.RobotFileParser()
    robots.parse(site.render("/robots.txt")[2].decode().splitlines())
    seen: set[str] = set()
    queue = [base + "/"]
    articles: set[str] = set()
    others: set[str] = set()
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        parts = urlsplit(url)
        if not robots.can_fetch("*", url):
            continue
        status, headers, body = site.render(parts.path + (f"?{parts.query}" if parts.query else ""))
        if status == 301:
            queue.append(headers["Location"])
            continue
        assert status == 200, url
        if not headers["Content-Type"].startswith("text/html"):
            continue
        page = parse(body)
        if page.og.get("og:type") == ["article"]:
            articles.add(page.canonical or url)
        elif "/amp/" not in parts.path:
            others.add(page.canonical or url)
        for href in page.links:
            link = urlsplit(urljoin(url, href))
            if link.netloc == host and link.path.startswith("/"):
                queue.append(urlunsplit((link.scheme, link.netloc, link.path, link.query, "")))
    assert articles == site.article_urls()
    assert others == site.non_article_urls()
    assert site.disallowed_urls() <= seen  # linked, yet never fetched
