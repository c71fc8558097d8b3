"""Discovery parsers: sitemaps (with Google News facts), feeds and the response sniffer."""

from __future__ import annotations

import gzip

from crawler import discovery

NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url>
    <loc>https://j.example/2025/02/13/poutine/</loc>
    <news:news>
      <news:publication><news:name>Le Journal</news:name><news:language>fr</news:language>
      </news:publication>
      <news:publication_date>2025-02-13T09:30:00+01:00</news:publication_date>
      <news:title>Poutine accepte de n\xc3\xa9gocier</news:title>
    </news:news>
  </url>
  <url><loc>https://j.example/2025/02/12/autre/</loc><lastmod>2025-02-12</lastmod></url>
</urlset>"""

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://j.example/post-sitemap.xml</loc></sitemap>
  <sitemap><loc>https://j.example/news-sitemap.xml</loc></sitemap>
</sitemapindex>"""

RSS = b"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>J</title>
<item><title>Un</title><link>https://j.example/un/</link>
<pubDate>Thu, 13 Feb 2025 09:30:00 +0100</pubDate></item>
<item><title>Deux</title><link>https://j.example/deux/?utm_source=rss</link></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>J</title><entry><title>Un</title><link href="https://j.example/un/"/>
<updated>2025-02-13T09:30:00Z</updated></entry></feed>"""


def test_news_sitemap_keeps_title_and_date():
    kind, entries = discovery.parse_sitemap(NEWS_SITEMAP)
    assert kind == "urlset"
    assert [e.loc for e in entries] == [
        "https://j.example/2025/02/13/poutine/",
        "https://j.example/2025/02/12/autre/",
    ]
    assert entries[0].news["title"] == "Poutine accepte de négocier"
    assert entries[0].news["publication_date"] == "2025-02-13T09:30:00+01:00"
    assert entries[1].news == {} and entries[1].lastmod == "2025-02-12"


def test_sitemap_index():
    kind, entries = discovery.parse_sitemap(INDEX)
    assert kind == "sitemapindex"
    assert len(entries) == 2


def test_broken_sitemap_gives_nothing():
    assert discovery.parse_sitemap(b"<urlset><url><loc>") [1] == []
    assert discovery.parse_sitemap(b"") == ("", [])


def test_feeds_rss_and_atom():
    assert [e.link for e in discovery.parse_feed(RSS)] == [
        "https://j.example/un/",
        "https://j.example/deux/?utm_source=rss",
    ]
    assert [e.link for e in discovery.parse_feed(ATOM)] == ["https://j.example/un/"]


def test_sniff_by_body_before_header():
    assert discovery.sniff("text/xml", NEWS_SITEMAP) == discovery.SITEMAP
    assert discovery.sniff("application/xml", INDEX) == discovery.SITEMAP
    assert discovery.sniff("text/html; charset=utf-8", RSS) == discovery.FEED
    assert discovery.sniff("application/atom+xml", ATOM) == discovery.FEED
    assert discovery.sniff("text/html; charset=UTF-8", b"<!doctype html><html>") == discovery.HTML
    assert discovery.sniff("", b"<html><body>x") == discovery.HTML
    assert discovery.sniff("application/pdf", b"%PDF-1.4 ...") == discovery.OTHER
    assert discovery.sniff("image/png", b"\x89PNG\r\n") == discovery.OTHER
    gz = gzip.compress(INDEX)
    assert discovery.sniff("application/gzip", gz) == discovery.OTHER  # the spider gunzips first


def test_announced_feeds():
    links = [("application/rss+xml", "/feed/"), ("text/html", "/fr/"),
             ("application/atom+xml; charset=utf-8", "/feed/atom/")]
    assert list(discovery.announced_feeds(links)) == ["/feed/", "/feed/atom/"]


def test_link_filter_keeps_new_on_site_pages_only():
    links = discovery.LinkFilter({"j.example"}, deny=["/shop/"])
    base = "https://j.example/2025/01/02/a/"
    hrefs = ["/b/", "../c/", "#top", "javascript:void(0)", "mailto:x@j.example",
             "https://other.example/x", "https://www.j.example/d/", "/e.pdf", "/shop/item/",
             "/wp-admin/", "http://10.0.0.1/x", "ftp://j.example/f", "/b/"]
    assert list(links.follow(base, hrefs)) == [
        "https://j.example/b/", "https://j.example/2025/01/02/c/",
        "https://www.j.example/d/", "http://10.0.0.1/x",
    ]
    assert links.offsite == 1


def test_link_filter_cache_is_bounded():
    """Old entries are forgotten, so their links come back (the scheduler's duplicate
    filter stays the exact check); memory stays flat."""
    links = discovery.LinkFilter({"j.example"}, cache_size=2)
    assert len(list(links.follow("https://j.example/", ["/a/", "/b/", "/c/", "/a/"]))) == 4
    assert len(links.seen) == 2


def test_link_filter_allow_patterns():
    links = discovery.LinkFilter({"j.example"}, allow=[r"/20\d\d/", r"/category/"])
    assert list(links.follow("https://j.example/", ["/2025/x/", "/about/", "/category/a/"])) == [
        "https://j.example/2025/x/", "https://j.example/category/a/"]


PAGE = """<html><head>
<link rel="canonical" href="https://j.example/a/?x=1&amp;y=2">
<LINK REL='alternate' type='application/rss+xml' href='/feed/'>
<link rel="stylesheet alternate" href="/s.css"><link href="/feed/atom/" rel="alternate"
 type="application/atom+xml" />
</head><body>
<a href="/one/">1</a> <A class=x HREF='/two/?a=1&amp;b=2'>2</A> <a href=/three/>3</a>
<a name="top">no href</a> <abbr href="/no/">x</abbr>
</body></html>"""


def test_page_links_without_a_dom():
    assert discovery.page_hrefs(PAGE) == ["/one/", "/two/?a=1&b=2", "/three/"]
    tags = discovery.page_link_tags(PAGE)
    assert discovery.declared_canonical(tags) == "https://j.example/a/?x=1&y=2"
    feeds = [(t.get("type", ""), t.get("href", "")) for t in tags
             if "alternate" in discovery.rel_values(t)]
    assert list(discovery.announced_feeds(feeds)) == ["/feed/", "/feed/atom/"]
    assert discovery.declared_canonical([]) is None
