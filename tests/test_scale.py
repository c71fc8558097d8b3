"""The archive at scale (issue #15): the pages the benchmark times read indexes, never the
whole ``articles`` table, and the writer's counts stay right.

Every SQL statement Datasette runs for a page is captured (Datasette's own tracer) and
explained on the same small archive: a plan that scans ``articles`` row by row (``SCAN
articles`` without an index) would read every text of a million-article archive.
``benchmarks/bench_archive.py`` measures the same pages on a big one.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from pathlib import Path

import pytest
from datasette.tracer import capture_traces
from datasette.utils import tilde_encode

from core.items import Article
from pipelines.store import Archive, fts_query
from tests.test_datasette import archive_datasette

SITES = ("fr.example", "de.example")


def make(n: int, **kw) -> Article:
    site = SITES[n % 2]
    url = f"https://{site}/2025/01/{n % 28 + 1:02d}/story-{n}/"
    fields = {"site": site, "title": f"Story {n}", "author": f"Writer {n % 3}",
              "language": "fr" if n % 2 == 0 else "de",
              "published": f"2025-01-{n % 28 + 1:02d}T10:00:00+00:00",
              "text": f"Le climat et la réforme, épisode {n}.\nDeuxième paragraphe.",
              "content_hash": f"h{n}", "fetched_at": "2025-02-01T00:00:00+00:00",
              "tags": ["climat", f"t{n % 4}"], "extractor": "x"}
    fields.update(kw)
    return Article(url=url, fetched_url=url, **fields)


@pytest.fixture
def archive_path(tmp_path: Path) -> Path:
    archive = Archive(tmp_path / "archive.db")
    crawl_id = archive.start_crawl("news", [])
    articles = [make(n) for n in range(30)]
    archive.save(articles, [{"crawl_id": crawl_id, "url": a.url, "status": 200,
                             "fetched_at": a.fetched_at, "outcome": "ok"} for a in articles])
    archive.save([make(3, text="Le climat change.\nUn paragraphe ajouté.", content_hash="h3b")])
    archive.finish_crawl(crawl_id, status="finished", counts={}, outcomes={}, stats={})
    archive.close()
    return tmp_path / "archive.db"


def traced_sql(archive_path: Path, path: str) -> list[tuple[str, object]]:
    """(sql, params) of every query Datasette runs to answer ``path``."""
    ds = archive_datasette(archive_path)
    traces: list[dict] = []

    async def fetch() -> int:
        with capture_traces(traces):
            response = await ds.client.get(path)
        return response.status_code

    try:
        assert asyncio.run(fetch()) == 200
    finally:
        for database in ds.databases.values():
            database.close()
    return [(t["sql"], t.get("params")) for t in traces
            if t.get("type") == "sql" and t.get("database") == "archive"]


def full_scans(archive_path: Path, sql: str, params: object) -> list[str]:
    """The lines of the query's plan that read ``articles`` (or an alias of it) row by row."""
    names = {"articles", *re.findall(r"\barticles\s+as\s+(\w+)", sql, re.IGNORECASE)}
    conn = sqlite3.connect(archive_path)
    conn.create_function("fts_words", 1, fts_query, deterministic=True)
    try:
        plan = conn.execute(f"explain query plan {sql}", params or []).fetchall()
    finally:
        conn.close()
    return [row[3] for row in plan
            if (m := re.fullmatch(r"SCAN (\w+)", row[3])) and m.group(1) in names]


PAGES = {
    "search": "/archive/search?q=climat",
    "search with filters": "/archive/search?q=climat&site=fr.example&since=2025-01-01"
                           "&until=2025-01-31&language=fr",
    "search feed": "/archive/feed.atom?q=climat",
    "front page": "/archive",
    "articles table with facets": "/archive/articles",
    "reading page": f"/archive/articles/{tilde_encode(make(3).url)}",
}


@pytest.mark.parametrize("page", PAGES)
def test_pages_read_indexes_not_the_whole_articles_table(archive_path, page):
    statements = traced_sql(archive_path, PAGES[page])
    assert any("articles" in sql for sql, _ in statements)
    scans = {sql: found for sql, params in statements
             if (found := full_scans(archive_path, sql, params))}
    assert not scans


def test_the_check_sees_a_full_scan(archive_path):
    assert full_scans(archive_path, "select count(*) from articles where text like '%x%'", [])


def counts(path: Path) -> dict[tuple[str, str], int]:
    conn = sqlite3.connect(path)
    try:
        return {(f, v): n for f, v, n in conn.execute("select * from article_counts")}
    finally:
        conn.close()


def recounted(path: Path) -> dict[tuple[str, str], int]:
    """The same counts made from the rows, as Datasette's facets count them."""
    conn = sqlite3.connect(path)
    try:
        found = {}
        for column in ("site", "language", "author", "access"):
            for value, n in conn.execute(f"select {column}, count(*) from articles "
                                         f"where {column} is not null group by {column}"):
                found[(column, value)] = n
        for value, n in conn.execute("select j.value, count(distinct articles.rowid) from "
                                     "articles, json_each(articles.tags) j group by j.value"):
            found[("tags", value)] = n
        for value, n in conn.execute("select j.value, count(distinct articles.rowid) from "
                                     "articles, json_each(articles.agencies) j group by j.value"):
            found[("agencies", value)] = n
        return found
    finally:
        conn.close()


def test_the_writer_keeps_the_facet_counts(archive_path):
    assert counts(archive_path) == recounted(archive_path)
    assert counts(archive_path)[("tags", "climat")] == 30
    archive = Archive(archive_path)
    # a new version with another byline and tags, a new article, an article deleted
    archive.save([make(4, author="Someone Else", tags=["t9", "t9"], content_hash="h4b",
                       title="Story 4, corrected"), make(99)])
    archive.db.execute("delete from articles where url = ?", [make(5).url])
    archive.close()
    assert counts(archive_path) == recounted(archive_path)
    assert counts(archive_path)[("tags", "t9")] == 1


def test_facets_of_the_whole_table_are_the_counts_and_filtered_ones_are_counted(archive_path):
    ds = archive_datasette(archive_path)
    try:
        whole = asyncio.run(ds.client.get("/archive/articles.json")).json()["facet_results"]
        assert {r["value"]: r["count"] for r in whole["site"]["results"]} == {
            "fr.example": 15, "de.example": 15}
        assert {r["value"]: r["count"] for r in whole["tags"]["results"]}["climat"] == 30
        assert "tags__arraycontains=climat" in whole["tags"]["results"][0]["toggle_url"]
        some = asyncio.run(ds.client.get("/archive/articles.json?site=fr.example")).json()
        facets = some["facet_results"]
        assert {r["value"]: r["count"] for r in facets["site"]["results"]} == {"fr.example": 15}
        assert {r["value"]: r["count"] for r in facets["language"]["results"]} == {"fr": 15}
        assert not some.get("facets_timed_out")
    finally:
        for database in ds.databases.values():
            database.close()


def test_the_latest_version_text_is_stored_once(archive_path):
    conn = sqlite3.connect(archive_path)
    try:
        rows = conn.execute("select version, text is null from versions where url = ? "
                            "order by version", [make(3).url]).fetchall()
    finally:
        conn.close()
    assert rows == [(1, 0), (2, 1)]
