"""Pins a Scrapy behaviour the spider depends on: how start requests are declared.

With Scrapy 2.19, a spider that defines only the old ``start_requests()`` makes no request at
all (silently: the crawl "finishes" at once), while ``async def start()`` (Scrapy 2.13+) works.
The news spider therefore declares ``start()``. If a Scrapy upgrade changes this, this test
says so.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from crawler.spiders.news import NewsSpider

SPIDER = """
import scrapy

class Probe(scrapy.Spider):
    name = "probe"
    {method}
        yield scrapy.Request({url!r})

    def parse(self, response):
        print("FETCHED", response.status, flush=True)
"""


def run_probe(tmp_path, method: str, url: str) -> str:
    path = tmp_path / "probe.py"
    path.write_text(textwrap.dedent(SPIDER.format(method=method, url=url)))
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "runspider", str(path), "-s", "LOG_LEVEL=WARNING",
         "-s", "TELNETCONSOLE_ENABLED=False"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
        # Scrapy's defaults, not this project's settings (another test may have set this).
        env={k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout + "\n--- stderr ---\n" + done.stderr[-3000:]


@pytest.mark.parametrize(
    "method,fetches",
    [("async def start(self):", True), ("def start_requests(self):", False)],
)
def test_start_versus_start_requests(demo_site, tmp_path, method, fetches):
    out = run_probe(tmp_path, method, demo_site.base_url + "/robots.txt")
    assert ("FETCHED 200" in out) is fetches, out


def test_news_spider_uses_async_start():
    assert "start" in NewsSpider.__dict__
    assert "start_requests" not in NewsSpider.__dict__
