"""End to end: article detection on real pages, as a user's crawl meets them (issue 17).

Real article pages served on 127.0.0.1 at their original paths and crawled from a sitemap
must be archived (recall); the labelled non-article pages must not be (precision); every page
refused keeps its reason in ``rejections``; sites.toml overrides win; and each URL is
requested exactly as the site listed it.
"""

from __future__ import annotations

import gzip
import json
from html import escape
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlite_utils
from w3lib.url import safe_url_string

from tests.conftest import SHARED, run_crawl
from tests.faultsite import FaultSite, Resp, article_response, html_response, prose

BENCH = SHARED / "bench" / "extraction" / "scrapinghub"
NONARTICLES = Path(__file__).parent / "data" / "nonarticles"
#: sitemap-only crawls: the pages' own links lead to paths this server does not have
SITEMAP_ONLY = {"ARCHIVE_FOLLOW_LINKS": "False", "ARCHIVE_EXTRACT_WORKERS": "1"}


def path_of(url: str) -> str:
    """Path and query of a URL as a client sends them (percent-encoded)."""
    parts = urlsplit(safe_url_string(url))
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def sitemap(site: FaultSite, paths: list[str]) -> Resp:
    entries = "".join(f"<url><loc>{escape(site.url(p))}</loc></url>" for p in paths)
    body = ('<?xml version="1.0" encoding="UTF-8"?>'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>')
    return Resp(body=body.encode(), content_type="application/xml")


def crawl_sitemap(site: FaultSite, pages: dict[str, bytes], archive: Path,
                  **settings: str) -> sqlite_utils.Database:
    """Serve ``pages`` (path -> HTML bytes) and crawl them from a sitemap."""
    for path, html in pages.items():
        site.route(path, Resp(body=html, content_type="text/html"))
    site.route("/sitemap.xml", sitemap(site, list(pages)))
    result = run_crawl(archive, "-a", f"start={site.url('/sitemap.xml')}",
                       settings={**SITEMAP_ONLY, **settings})
    assert result.returncode == 0, result.output[-3000:]
    return sqlite_utils.Database(archive)


def test_real_articles_at_their_original_paths_are_archived(tmp_path):
    if not (BENCH / "ground-truth.json").exists():
        pytest.skip(f"{BENCH} is absent: the benchmark pages ship with the development "
                    "checkout only (set NEWS_ARCHIVER_SHARED)")
    truth = json.loads((BENCH / "ground-truth.json").read_text())
    pages: dict[str, bytes] = {}
    for pid, item in truth.items():
        pages.setdefault(path_of(item["url"]), gzip.decompress(
            (BENCH / "html" / f"{pid}.html.gz").read_bytes()))
    with FaultSite() as site:
        db = crawl_sitemap(site, pages, tmp_path / "archive.db")
        fetched = {h.path for h in site.hits()}
    assert set(pages) <= fetched
    archived = {path_of(r["fetched_url"]) for r in db["articles"].rows}
    refused = {path_of(r["url"]): r["reason"] for r in db["rejections"].rows}
    missed = {p: refused.get(p, "no rejection row") for p in pages if p not in archived}
    assert len(missed) <= 1, missed
    # every page refused says why
    assert set(missed) <= set(refused)


def test_labelled_non_article_pages_are_not_archived_and_say_why(tmp_path):
    labels = json.loads((NONARTICLES / "pages.json").read_text())
    with FaultSite() as site:
        pages = {path_of(site.url(item["path"])): (NONARTICLES / name).read_bytes()
                 for name, item in labels.items()}
        db = crawl_sitemap(site, pages, tmp_path / "archive.db")
    assert [r["fetched_url"] for r in db["articles"].rows] == []
    reasons = {path_of(r["url"]): r["reason"] for r in db["rejections"].rows}
    assert set(reasons) == set(pages)
    assert all(reasons.values())


def test_a_sitemap_url_is_requested_byte_for_byte_as_listed(tmp_path):
    listed = "/news_view.html?idx=8576&page=1&bc=03&mc=08&find=&sch_date="
    with FaultSite() as site:
        url = site.url(listed)
        db = crawl_sitemap(site, {listed: article_response(url, "Listed as is").body},
                           tmp_path / "archive.db")
        requested = [h.path for h in site.hits() if h.path.startswith("/news_view")]
    assert requested == [listed]
    assert [r["fetched_url"] for r in db["articles"].rows] == [url]


def test_sites_toml_patterns_win_over_the_classification(tmp_path):
    """An undeclared short page under /dossiers/ is an article for this site; its live
    pages, although declared articles, never are; the pattern is the reason shown."""
    with FaultSite() as site:
        short = "\n".join(f"<p>{p}</p>" for p in prose("dossier", words=50))
        dossier = f"<html><head><title>Dossier</title></head><body>{short}</body></html>"
        pages = {
            "/dossiers/4711": dossier.encode(),
            "/2025/01/02/live-election-night/": article_response(
                site.url("/2025/01/02/live-election-night/"), "Live").body,
            "/2025/01/02/a-plain-article/": article_response(
                site.url("/2025/01/02/a-plain-article/"), "Plain").body,
        }
        sites = tmp_path / "sites.toml"
        sites.write_text(
            f'[[site]]\nname = "Override"\nstart = ["{site.url("/sitemap.xml")}"]\n'
            'articles = ["/dossiers/\\\\d+$"]\nnot_articles = ["/live-"]\n')
        for path, html in pages.items():
            site.route(path, Resp(body=html, content_type="text/html"))
        site.route("/sitemap.xml", sitemap(site, list(pages)))
        result = run_crawl(tmp_path / "archive.db",
                           settings={**SITEMAP_ONLY, "ARCHIVE_SITES_FILE": str(sites)})
        assert result.returncode == 0, result.output[-3000:]
    db = sqlite_utils.Database(tmp_path / "archive.db")
    assert sorted(urlsplit(r["url"]).path for r in db["articles"].rows) == [
        "/2025/01/02/a-plain-article/", "/dossiers/4711"]
    assert [(urlsplit(r["url"]).path, r["reason"]) for r in db["rejections"].rows] == [
        ("/2025/01/02/live-election-night/", "sites.toml not_articles pattern '/live-'")]


def test_an_undeclared_page_that_is_only_short_is_refused_with_its_reason(tmp_path):
    with FaultSite() as site:
        db = crawl_sitemap(site, {"/dossiers/4711": html_response(
            "<html><body><p>Only a few words here.</p></body></html>").body},
            tmp_path / "archive.db")
    assert db["articles"].count == 0
    assert [r["reason"] for r in db["rejections"].rows] == ["too little text (5 words)"]
