"""The on-disk duplicate-request filter (crawler/dupefilter.py), in Scrapy's test style:
a crawler from ``get_crawler`` and requests built by hand, no reactor and no download."""

from __future__ import annotations

from pathlib import Path

from scrapy import Request
from scrapy.utils.test import get_crawler

from crawler.dupefilter import DiskDupeFilter


def dupefilter(tmp_path: Path) -> DiskDupeFilter:
    crawler = get_crawler(settings_dict={"ARCHIVE_TMPDIR": str(tmp_path)})
    crawler.stats.open_spider()
    return DiskDupeFilter.from_crawler(crawler)


def test_a_request_is_seen_the_second_time_only(tmp_path):
    seen = dupefilter(tmp_path)
    first = Request("https://j.example/2025/01/02/a/")
    assert not seen.request_seen(first)
    assert seen.request_seen(first)
    assert seen.request_seen(first.replace(meta={"via": "sitemap"}))  # meta is not the request
    assert not seen.request_seen(Request("https://j.example/2025/01/02/b/"))
    assert not seen.request_seen(Request("https://j.example/2025/01/02/a/", method="HEAD"))
    seen.close("finished")


def test_thousands_of_requests_are_told_apart(tmp_path):
    """Fingerprints are cut to 16 bytes: still no two of many URLs collide, and each is
    remembered."""
    seen = dupefilter(tmp_path)
    urls = [f"https://j.example/2025/01/{i % 28 + 1:02d}/article-{i}/" for i in range(5000)]
    assert not any(seen.request_seen(Request(u)) for u in urls)
    assert all(seen.request_seen(Request(u)) for u in urls)
    seen.close("finished")


def test_a_filtered_request_is_counted_in_the_stats(tmp_path):
    seen = dupefilter(tmp_path)
    request = Request("https://j.example/")
    seen.request_seen(request)
    seen.request_seen(request)
    seen.log(request, None)
    assert seen.stats.get_value("dupefilter/filtered") == 1
    seen.close("finished")


def test_nothing_is_left_on_disk_even_while_the_crawl_runs(tmp_path):
    """The file is unlinked as soon as it is open: a crawl killed with kill -9 leaves nothing,
    and the next crawl starts with nothing seen."""
    seen = dupefilter(tmp_path)
    seen.request_seen(Request("https://j.example/a/"))
    assert list(tmp_path.iterdir()) == []
    seen.close("shutdown")
    assert list(tmp_path.iterdir()) == []


def test_every_crawl_starts_with_nothing_seen(tmp_path):
    request = Request("https://j.example/a/")
    first = dupefilter(tmp_path)
    assert not first.request_seen(request)
    second = dupefilter(tmp_path)
    assert not second.request_seen(request)
    assert first.request_seen(request) and second.request_seen(request)
    first.close("finished")
    second.close("finished")
