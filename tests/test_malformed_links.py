"""A malformed link, feed entry or sitemap entry costs that entry, not the page it is on.

Real Scrapy responses fed to the spider's callbacks, as in test_spider_requests.py. The
malformed URLs are those real pages carry: a bracketed word as host (``urlsplit`` raises
ValueError on it), a bad ``<base href>``, a broken canonical.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.http import HtmlResponse, XmlResponse

from core.items import NewsListing, Page
from core.outcomes import DISCOVERY_ERROR, crawl_outcomes
from crawler.discovery import LinkFilter
from tests.conftest import news_spider

BAD = "http://[ccpa-preferences]/"


def _page(url: str, body: str) -> HtmlResponse:
    return HtmlResponse(url, body=body.encode(), encoding="utf-8",
                        request=Request(url, meta={"site": 0, "via": "link"}))


def test_the_link_filter_skips_and_counts_a_malformed_link():
    links = LinkFilter({"j.example"})
    found = list(links.follow("https://j.example/", ["/a/", BAD, "https://[::1", "/b/"]))
    assert found == ["https://j.example/a/", "https://j.example/b/"]
    assert links.malformed == 2


def test_a_page_with_malformed_links_keeps_its_other_links_and_is_archived(tmp_path):
    spider = news_spider(tmp_path / "archive.db", "https://j.example/")
    url = "https://j.example/2025/01/02/story/"
    page = _page(url, f"""<html><head><title>t</title>
        <link rel="alternate" type="application/rss+xml" href="{BAD}feed/">
        <link rel="canonical" href="https://[broken/2025/01/02/story/"></head><body>
        <a href="/2025/01/02/before/">before</a> <a href="{BAD}">Do not sell my data</a>
        <a href="/2025/01/02/after/">after</a></body></html>""")
    out = list(spider.parse(page))
    assert [o.url for o in out if isinstance(o, Request)] == [
        "https://j.example/2025/01/02/before/", "https://j.example/2025/01/02/after/"]
    assert [o.url for o in out if isinstance(o, Page)] == [url]
    stats = spider.crawler.stats
    assert stats.get_value(DISCOVERY_ERROR) == 3  # the link, the feed, the canonical
    assert stats.get_value(f"{DISCOVERY_ERROR}/link") == 1
    assert stats.get_value(f"{DISCOVERY_ERROR}/feed") == 1
    assert stats.get_value(f"{DISCOVERY_ERROR}/canonical") == 1
    assert crawl_outcomes(stats.get_stats())["discovery_error"] == 3


def test_a_malformed_base_href_falls_back_to_the_page_url(tmp_path):
    spider = news_spider(tmp_path / "archive.db", "https://j.example/")
    url = "https://j.example/section/"
    page = _page(url, f'<html><head><base href="{BAD}"></head><body>'
                      '<a href="2025/01/02/rel/">r</a></body></html>')
    requested = [o.url for o in spider.parse(page) if isinstance(o, Request)]
    assert requested == ["https://j.example/section/2025/01/02/rel/"]
    assert spider.crawler.stats.get_value(f"{DISCOVERY_ERROR}/link") == 1


def test_sitemap_and_feed_entries_fail_one_by_one(tmp_path):
    spider = news_spider(tmp_path / "archive.db", "https://j.example/")
    sitemap = XmlResponse("https://j.example/news-sitemap.xml", body=f"""<?xml version="1.0"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>{BAD}2025/01/02/x/</loc><news:news><news:title>Bad</news:title></news:news></url>
<url><loc>https://j.example/2025/01/02/good/</loc>
  <news:news><news:title>Good</news:title></news:news></url>
</urlset>""".encode(), request=Request("https://j.example/news-sitemap.xml", meta={"site": 0}))
    out = list(spider.parse(sitemap))
    assert [o.url for o in out if isinstance(o, NewsListing)] == [
        "https://j.example/2025/01/02/good/"]
    assert [o.url for o in out if isinstance(o, Request)] == [
        "https://j.example/2025/01/02/good/"]

    feed = XmlResponse("https://j.example/feed/", body=f"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>J</title>
<item><title>bad</title><link>{BAD}2025/01/03/y/</link></item>
<item><title>good</title><link>https://j.example/2025/01/03/ok/</link></item>
</channel></rss>""".encode(), request=Request("https://j.example/feed/", meta={"site": 0}))
    assert [o.url for o in spider.parse(feed) if isinstance(o, Request)] == [
        "https://j.example/2025/01/03/ok/"]
    assert spider.crawler.stats.get_value(f"{DISCOVERY_ERROR}/sitemap") == 1
    assert spider.crawler.stats.get_value(f"{DISCOVERY_ERROR}/feed") == 1
