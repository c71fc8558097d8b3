"""The spider asks for each URL once, whichever way it is found first.

Real Scrapy responses fed to the spider's callbacks (no reactor, no download): the requests
it yields are what the scheduler and its duplicate filter would otherwise have to refuse.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.http import HtmlResponse, XmlResponse

from crawler.spiders.news import NewsSpider
from tests.conftest import news_spider

SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://j.example/2025/01/02/a/</loc></url>
<url><loc>https://j.example/2025/01/02/b/</loc></url>
<url><loc>https://j.example/2025/01/02/a/</loc></url>
</urlset>"""

PAGE = """<html><head><title>c</title></head><body>
<a href="/2025/01/02/a/">A</a>
<a href="https://j.example/2025/01/02/b/?utm_source=related&amp;utm_medium=web">B</a>
<a href="/2025/01/02/b/#respond">B</a>
<a href="/2025/01/02/d/">D</a> <a href="/2025/01/02/d/?utm_source=sidebar">D</a>
<p>text</p></body></html>"""


def _spider(tmp_path) -> NewsSpider:
    return news_spider(tmp_path / "archive.db", "https://j.example/")


def _requested(outputs) -> list[str]:
    return [o.url for o in outputs if isinstance(o, Request)]


def test_links_to_articles_a_sitemap_listed_are_not_requested_again(tmp_path):
    spider = _spider(tmp_path)
    sitemap = XmlResponse("https://j.example/sitemap.xml", body=SITEMAP,
                          request=Request("https://j.example/sitemap.xml", meta={"site": 0}))
    assert _requested(spider.parse(sitemap)) == [
        "https://j.example/2025/01/02/a/", "https://j.example/2025/01/02/b/"]

    url = "https://j.example/2025/01/02/c/"
    page = HtmlResponse(url, body=PAGE.encode(), encoding="utf-8",
                        request=Request(url, meta={"site": 0, "via": "link"}))
    # a, and b behind tracking parameters or a fragment, were requested from the sitemap;
    # d is new, and asked for once
    assert _requested(spider.parse(page)) == ["https://j.example/2025/01/02/d/"]


def test_a_sitemap_entry_already_linked_is_not_requested_again(tmp_path):
    spider = _spider(tmp_path)
    url = "https://j.example/2025/01/02/c/"
    page = HtmlResponse(url, body=PAGE.encode(), encoding="utf-8",
                        request=Request(url, meta={"site": 0, "via": "link"}))
    # requested as linked (tracking parameters too: the site gave that URL); its normalised
    # form is what the duplicate checks know it by
    assert _requested(spider.parse(page)) == [
        "https://j.example/2025/01/02/a/",
        "https://j.example/2025/01/02/b/?utm_source=related&utm_medium=web",
        "https://j.example/2025/01/02/d/"]
    sitemap = XmlResponse("https://j.example/sitemap.xml", body=SITEMAP,
                          request=Request("https://j.example/sitemap.xml", meta={"site": 0}))
    assert _requested(spider.parse(sitemap)) == []


def test_a_sitemap_url_is_requested_as_listed_not_rewritten(tmp_path):
    """Empty and unsorted parameters stay: some servers answer a reordered or trimmed query
    with another page or a 404."""
    listed = "https://j.example/news_view.html?idx=8576&page=1&bc=03&mc=08&find=&sch_date="
    sitemap = XmlResponse("https://j.example/sitemap.xml", body=(
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f'<url><loc>{listed.replace("&", "&amp;")}</loc></url></urlset>').encode(),
        request=Request("https://j.example/sitemap.xml", meta={"site": 0}))
    assert _requested(_spider(tmp_path).parse(sitemap)) == [listed]
