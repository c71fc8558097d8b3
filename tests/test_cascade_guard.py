"""The guard of the project's run of trafilatura's cascade (pipelines.cascade).

The cascade mirrors trafilatura internals that are no stable API. Three things keep that safe:
the mirror agrees with ``bare_extraction`` on the real benchmark pages (the comparison forced
on, as it is for every short page); a trafilatura whose internals are missing or changed is
detected; and then every page is extracted with ``bare_extraction`` instead, which the crawl
says in its log (a WARNING, once) and counts in its summary (``extraction_fallback``).
"""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import os
import re
from pathlib import Path

import pytest
import trafilatura.core
from lxml import etree
from trafilatura import bare_extraction
from trafilatura.utils import load_html

import pipelines.cascade as cascade
from core import outcomes
from core.items import Page
from pipelines.extract import extract_article
from tests.conftest import project_settings

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEWS_ARCHIVER_SHARED") or ROOT.parent / "shared")
BENCH = SHARED / "bench" / "extraction"
#: Benchmark pages checked by default (every n-th of both sets); NEWS_ARCHIVER_BENCH_PAGES=all
#: checks all 586 (about 90 s on one core), a number checks that many.
SAMPLE = 60

PAGE = Path(__file__).resolve().parent / "pages" / "en_blog_article.html"
URL = "https://quietcorner.example/what-a-year-of-baking-bread-taught-me/"


def bench_pages() -> list[tuple[str, Path, str]]:
    """(id, gzipped page, URL) of the benchmark pages to check, a fixed spread of both sets."""
    if not (BENCH / "scrapinghub" / "ground-truth.json").exists():
        return []
    truth = json.loads((BENCH / "scrapinghub" / "ground-truth.json").read_text())
    pages = [(f"scrapinghub:{pid}", BENCH / "scrapinghub" / "html" / f"{pid}.html.gz",
              item.get("url") or "") for pid, item in truth.items()]
    evaldata = json.loads((BENCH / "trafilatura" / "evaldata.json").read_text())
    pages += [(f"trafilatura:{pid}", BENCH / "trafilatura" / item["file"],
               pid.strip() if "://" in pid else "") for pid, item in evaldata.items()]
    wanted = os.environ.get("NEWS_ARCHIVER_BENCH_PAGES", str(SAMPLE))
    count = len(pages) if wanted == "all" else min(int(wanted), len(pages))
    step = len(pages) / count
    return [pages[int(i * step)] for i in range(count)]


PAGES = bench_pages()


def bare(html: bytes, url: str, precision: bool) -> tuple[bytes, str] | None:
    doc = bare_extraction(
        load_html(html), url=url, include_comments=False, with_metadata=False,
        output_format="python", favor_precision=precision,
    )
    return None if doc is None or doc.body is None else (etree.tostring(doc.body), doc.text)


@pytest.mark.skipif(not PAGES, reason=f"benchmark pages not found in {BENCH} "
                    "(set NEWS_ARCHIVER_SHARED to the folder holding bench/extraction)")
@pytest.mark.parametrize(("pid", "path", "url"), PAGES, ids=[p[0] for p in PAGES])
def test_the_cascade_is_bare_extraction_on_real_pages(pid, path, url, monkeypatch):
    """Both passes, on one tree as the extraction runs them, with the comparison forced on."""
    monkeypatch.setattr(cascade, "_comparison_is_moot", lambda body, text: False)
    html = gzip.open(path).read()
    passes = cascade._Cascade(load_html(html), url)
    for precision in (True, False):
        result = passes.run(precision=precision)
        own = None if result is None else (etree.tostring(result[0]), result[1])
        assert own == bare(html, url, precision), f"{pid}, precision={precision}"


def test_the_installed_trafilatura_passes_the_guard():
    """Fails after a trafilatura upgrade that touched what the cascade mirrors: check the
    cascade against the new release (the test above, on all pages) and update
    MIRRORED_FINGERPRINT, or leave the crawl on bare_extraction."""
    assert cascade.check_internals() is None
    assert cascade.FALLBACK is None


def test_a_changed_cascade_step_in_trafilatura_is_detected(monkeypatch):
    real = trafilatura.core._recall_retry

    def _recall_retry(esc_tree, r_options, url):  # a release that changed this step
        return real(esc_tree, r_options, url)

    monkeypatch.setattr(trafilatura.core, "_recall_retry", _recall_retry)
    reason = cascade.check_internals()
    assert reason is not None and "changed the internals the cascade mirrors" in reason


def test_a_changed_signature_is_detected(monkeypatch):
    monkeypatch.setattr(cascade, "baseline", lambda tree, options: None)
    assert "changed the internals" in (cascade.check_internals() or "")


def test_missing_internals_are_detected(monkeypatch):
    monkeypatch.setattr(cascade, "_MISSING", "cannot import name '_prepare_tree'")
    reason = cascade.check_internals()
    assert reason is not None and "lacks the internals" in reason and "_prepare_tree" in reason


def test_after_a_failed_guard_pages_get_bare_extraction_and_say_so(monkeypatch):
    html = PAGE.read_text(encoding="utf-8")
    normal = extract_article(html, URL)
    assert normal.cascade_fallback is None
    monkeypatch.setattr(cascade, "FALLBACK", "trafilatura 9.0 changed the internals")
    assert cascade._Cascade(load_html(html), URL).own is False
    fallback = extract_article(html, URL)
    assert fallback.cascade_fallback == "trafilatura 9.0 changed the internals"
    assert fallback.text == normal.text and fallback.is_article


def test_the_crawl_warns_once_and_counts_the_fallback(tmp_path, monkeypatch, caplog):
    """The extract pipeline of a crawl with the project's settings, extracting inline."""
    from scrapy.utils.test import get_crawler

    from pipelines.stages import ExtractPipeline

    monkeypatch.setattr(cascade, "FALLBACK", "trafilatura 9.0 changed the internals")
    crawler = get_crawler(settings_dict=project_settings(
        ARCHIVE_DB=str(tmp_path / "a.db"), ARCHIVE_EXTRACT_WORKERS=0,
        ARCHIVE_BOILERPLATE_MIN_PAGES=0,
    ))
    crawler.stats.open_spider()
    pipeline = ExtractPipeline.from_crawler(crawler)
    html = PAGE.read_text(encoding="utf-8")
    pages = [Page(url=f"{URL}?v={i}", requested_url=URL, status=200, html=html,
                  fetched_at="2025-03-04T10:00:00+00:00") for i in range(3)]
    with caplog.at_level(logging.WARNING, logger="pipelines.stages"):
        for page in pages:
            asyncio.run(pipeline.process_item(page))
    pipeline.close_spider()
    warnings = [r for r in caplog.records if "bare_extraction" in r.getMessage()]
    assert len(warnings) == 1 and "9.0 changed the internals" in warnings[0].getMessage()
    stats = crawler.stats.get_stats()
    found = outcomes.crawl_outcomes(stats)
    assert found["extraction_fallback"] == 3
    summary = outcomes.summary(1, "finished", outcomes.crawl_counts(stats), found, "a.db")
    assert re.search(r"^\s*extraction_fallback\s+3$", summary, re.M)
