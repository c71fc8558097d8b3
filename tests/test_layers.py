"""Layers that point one way: the crawler process never loads the extractor (trafilatura).

Each check runs in a fresh interpreter, so that what other tests imported cannot mask it: a
real crawler is built with the project's settings, its spider, downloader and spider
middlewares, extensions and item pipelines are instantiated, and a real article page goes
through the extract pipeline (extracted in a worker process).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

CRAWLER_PROCESS = r"""
import asyncio, json, sys
from pathlib import Path

from scrapy.core.downloader.middleware import DownloaderMiddlewareManager
from scrapy.core.spidermw import SpiderMiddlewareManager
from scrapy.extension import ExtensionManager
from scrapy.pipelines import ItemPipelineManager
from scrapy.utils.test import get_crawler

from core.items import Article, Page
from crawler.spiders.news import NewsSpider
from tests.conftest import project_settings

archive, workers, url = sys.argv[1], sys.argv[2], sys.argv[3]
crawler = get_crawler(NewsSpider, project_settings(ARCHIVE_DB=archive,
                                                   ARCHIVE_EXTRACT_WORKERS=workers))
crawler.stats.open_spider()
crawler.spider = NewsSpider.from_crawler(crawler, start=url)
loaded = [type(c).__name__ for manager in (DownloaderMiddlewareManager, SpiderMiddlewareManager,
                                           ExtensionManager)
          for c in manager.from_crawler(crawler).middlewares]
pipelines = ItemPipelineManager.from_crawler(crawler)
loaded += [type(c).__name__ for c in pipelines.middlewares]
loaded_before = "trafilatura" in sys.modules
extract = next(c for c in pipelines.middlewares if type(c).__name__ == "ExtractPipeline")
page = Page(url=url, requested_url=url, status=200, fetched_at="2025-03-04T10:00:00+00:00",
            html=Path(sys.argv[4]).read_text(encoding="utf-8"))
try:
    item = asyncio.run(extract.process_item(page))
finally:
    extract.close_spider()
print(json.dumps({"loaded": loaded, "before_page": loaded_before,
                  "after_page": "trafilatura" in sys.modules,
                  "article": isinstance(item, Article), "words": item.word_count}))
"""

#: The project's modules that import trafilatura: the extraction workers' side.
EXTRACTOR = {"pipelines.extract", "pipelines.cascade", "pipelines.fields"}

URL = "https://quietcorner.example/what-a-year-of-baking-bread-taught-me/"


def crawler_process(tmp_path: Path, workers: int) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", CRAWLER_PROCESS, str(tmp_path / "archive.db"), str(workers), URL,
         str(ROOT / "tests" / "pages" / "en_blog_article.html")],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_crawler_process_does_not_import_trafilatura(tmp_path):
    found = crawler_process(tmp_path, workers=1)
    assert {"ExtractPipeline", "StorePipeline", "FetchRecorderMiddleware"} <= set(found["loaded"])
    assert found["article"] and found["words"] > 80  # the page was extracted: in the worker
    assert found["before_page"] is False
    assert found["after_page"] is False


@pytest.mark.parametrize("module", ["pipelines.stages", "pipelines.article", "crawler.settings",
                                    "crawler.spiders.news", "crawler.middlewares"])
def test_no_module_of_the_crawler_side_imports_the_extractor(module):
    code = (f"import sys, {module}; print(sorted(m for m in sys.modules if m.split('.')[0] == "
            f"'trafilatura' or m in {sorted(EXTRACTOR)!r}))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_extracting_inline_imports_trafilatura_on_the_first_page(tmp_path):
    """ARCHIVE_EXTRACT_WORKERS=0 extracts in the crawler process: then, and only from the first
    page on, trafilatura is loaded there (this also shows the check above can fail)."""
    found = crawler_process(tmp_path, workers=0)
    assert found["article"]
    assert found["before_page"] is False
    assert found["after_page"] is True
