"""The front page at scale (issue #15): its chart reads the writer's per-day counts
(``article_days``, migration ``m040_front_day_counts``), which stay equal to a recount of the
articles whatever the writer does, and Datasette's count of every table on that page reads an
index (``m040_front_fts_count_index``), never the FTS blocks.

``benchmarks/bench_archive.py`` times the page on a big archive; these tests use small ones.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from pipelines.store import Archive
from tests import test_scale
from tests.test_datasette import archive_datasette, get
from tests.test_scale import full_scans, make, traced_sql

#: The small archive of tests/test_scale.py (30 articles of two sites, one crawl).
archive_path = test_scale.archive_path


def per_day(path: Path, sql: str) -> dict[tuple[str, str], int]:
    """{(day, site): articles} from a query giving those three columns."""
    conn = sqlite3.connect(path)
    try:
        return {(day, site): n for day, site, n in conn.execute(sql)}
    finally:
        conn.close()


def day_counts(path: Path) -> dict[tuple[str, str], int]:
    return per_day(path, "select day, site, articles from article_days")


def recounted_days(path: Path) -> dict[tuple[str, str], int]:
    """The same counts made from the rows, as the chart grouped them before."""
    return per_day(path, "select substr(published, 1, 10), site, count(*) from articles "
                         "where site is not null and published is not null group by 1, 2")


def test_the_writer_keeps_the_day_counts_through_inserts_updates_and_deletes(archive_path):
    assert day_counts(archive_path) == recounted_days(archive_path)
    assert day_counts(archive_path)[("2025-01-02", "de.example")] == 2  # stories 1 and 29
    archive = Archive(archive_path)
    crawl_id = archive.start_crawl("news", [])
    # a new version moved to another day, one without a date, a new article
    archive.save([make(4, published="2025-03-01T08:00:00+00:00", content_hash="h4b",
                       title="Story 4, moved"),
                  make(6, published=None, content_hash="h6b", title="Story 6, undated"),
                  make(99)],
                 [{"crawl_id": crawl_id, "url": make(99).url, "status": 200,
                   "fetched_at": "2025-03-02T00:00:00+00:00", "outcome": "ok"}])
    assert day_counts(archive_path) == recounted_days(archive_path)
    assert day_counts(archive_path)[("2025-03-01", "fr.example")] == 1
    # a re-extraction that finds another date, the same day at another time, a site change
    archive.replace_extraction(make(8).url, make(8, published="2024-12-31", extractor="y"))
    archive.replace_extraction(make(10).url, make(10, published="2025-01-11T23:59:00+02:00",
                                                  extractor="y"))
    archive.db.execute("update articles set site = 'other.example' where url = ?",
                       [make(12).url])
    # deletes, down to the last article of a day (its row goes)
    archive.db.execute("delete from articles where url in (?, ?)", [make(5).url, make(99).url])
    archive.close()
    assert day_counts(archive_path) == recounted_days(archive_path)
    assert ("2024-12-31", "fr.example") in day_counts(archive_path)
    assert ("2025-01-13", "other.example") in day_counts(archive_path)
    assert all(n > 0 for n in day_counts(archive_path).values())


def test_the_writer_keeps_the_access_and_agency_counts(archive_path):
    archive = Archive(archive_path)
    archive.save([make(n, agencies=["AFP", "Reuters"], access="paywalled", content_hash=f"a{n}",
                       text=f"Un texte réécrit, version {n}.\nAvec un paragraphe neuf.")
                  for n in range(4)] + [make(50, agencies=["AFP", "AFP"])])
    assert test_scale.counts(archive_path) == test_scale.recounted(archive_path)
    assert test_scale.counts(archive_path)[("agencies", "AFP")] == 5
    # a new version drops an agency and the paywall; a direct update; deletes
    archive.save([make(1, agencies=["AFP"], access="free", content_hash="a1b",
                       text="Un texte réécrit encore.\nTout autre chose ici.")])
    archive.db.execute("update articles set agencies = '[]', access = null where url = ?",
                       [make(2).url])
    archive.db.execute("delete from articles where url in (?, ?)", [make(3).url, make(50).url])
    assert test_scale.counts(archive_path) == test_scale.recounted(archive_path)
    assert test_scale.counts(archive_path)[("agencies", "Reuters")] == 1
    assert test_scale.counts(archive_path)[("access", "paywalled")] == 1
    # a value that is not a JSON array counts nothing, and is written all the same
    archive.db.execute("update articles set agencies = 'not json' where url = ?", [make(0).url])
    archive.close()
    assert test_scale.counts(archive_path)[("agencies", "AFP")] == 1
    assert ("agencies", "Reuters") not in test_scale.counts(archive_path)


def test_the_migrations_count_an_archive_written_before_them(tmp_path):
    path = tmp_path / "old.db"
    archive = Archive(path)
    archive.save([make(n, agencies=["AFP", "AFP"] if n % 3 else ["dpa"],
                       access="paywalled" if n % 4 == 0 else "free") for n in range(10)])
    # an archive from before m040: no table, no triggers, no index, no migration recorded
    archive.db.execute("drop table article_days")
    for name in ("article_days_ai", "article_days_ad", "article_days_au",
                 "article_counts_access_ai", "article_counts_access_ad",
                 "article_counts_access_au"):
        archive.db.execute(f"drop trigger {name}")
    archive.db.execute("drop index articles_fts_data_count")
    archive.db.execute("delete from article_counts where facet in ('access', 'agencies')")
    archive.db.execute("delete from _sqlite_migrations where name like 'm040_front_%'")
    archive.save([make(n) for n in range(10, 14)])
    archive.close()
    Archive(path).close()  # migrates
    assert day_counts(path) == recounted_days(path)
    assert sum(day_counts(path).values()) == 14
    assert test_scale.counts(path) == test_scale.recounted(path)
    assert {(f, v): n for (f, v), n in test_scale.counts(path).items()
            if f in ("access", "agencies")} == {
        ("access", "free"): 11, ("access", "paywalled"): 3,
        ("agencies", "AFP"): 6, ("agencies", "dpa"): 4}


def plan(path: Path, sql: str, params: object = None) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [row[3] for row in conn.execute(f"explain query plan {sql}", params or [])]
    finally:
        conn.close()


def test_the_front_page_chart_reads_the_day_counts_by_their_key(archive_path):
    statements = traced_sql(archive_path, "/archive?from=2025-01-01&to=2025-01-31")
    chart = [(sql, params) for sql, params in statements
             if "from article_days" in sql and "count(*)" not in sql]
    assert len(chart) == 2  # the newest day, then the period
    for sql, params in chart:
        assert plan(archive_path, sql, params) == ["SEARCH article_days USING PRIMARY KEY "
                                                   "(day>? AND day<?)"]
    assert not any("group by site, day" in sql for sql, _ in statements)


def test_the_day_counts_are_hidden_like_the_other_counts(archive_path):
    ds = archive_datasette(archive_path)
    try:
        tables = {t["name"]: t["hidden"] for t in get(ds, "/archive.json").json()["tables"]}
    finally:
        for database in ds.databases.values():
            database.close()
    assert tables["article_days"] and tables["article_counts"] and not tables["articles"]


def test_datasette_counts_the_fts_blocks_from_an_index(archive_path):
    statements = traced_sql(archive_path, "/archive")
    counts = [sql for sql, _ in statements
              if re.fullmatch(r"select count\(\*\) from \[\w+\]", sql)]
    assert "select count(*) from [articles_fts_data]" in counts
    assert plan(archive_path, "select count(*) from [articles_fts_data]") == [
        "SCAN articles_fts_data USING COVERING INDEX articles_fts_data_count"]
    # the articles themselves: counted from an index too
    assert not full_scans(archive_path, "select count(*) from [articles]", [])


@pytest.mark.parametrize("period", ["", "?from=2025-01-01&to=2025-01-31"])
def test_the_chart_is_the_same_drawn_from_the_counts_or_the_articles(archive_path, period):
    def bars(path: Path) -> list[tuple[str, str, str]]:
        ds = archive_datasette(path)
        try:
            html = get(ds, "/archive" + period).text
        finally:
            for database in ds.databases.values():
                database.close()
        return re.findall(r'<figure class="site-chart" data-site="([^"]+)">|'
                          r'data-date="([\d-]+)" data-count="(\d+)"', html)

    counted = bars(archive_path)
    assert any(n not in ("", "0") for _, _, n in counted)
    conn = sqlite3.connect(archive_path)
    conn.execute("drop table article_days")
    conn.commit()
    conn.close()
    assert bars(archive_path) == counted


def test_a_long_period_is_drawn_one_bar_per_week():
    from datetime import date

    from tests.test_browse import front

    first, last = date(2025, 1, 1), date(2025, 12, 31)
    assert front.bar_days(first, first.replace(month=4, day=2)) == 1  # 92 days
    assert front.bar_days(first, last) == 7
    rows = [{"site": "a", "day": "2025-01-01", "n": 2}, {"site": "a", "day": "2025-01-07", "n": 3},
            {"site": "a", "day": "2025-01-08", "n": 1}, {"site": "a", "day": "2025-12-31", "n": 4},
            {"site": "a", "day": "2025-13", "n": 5}]  # a malformed date counts in the total only
    chart, = front.day_charts(rows, first, last, 7)
    assert len(chart.bars) == 53 and chart.total == 15 and chart.peak == 5
    assert [(b.day, b.last_day, b.count) for b in chart.bars[:2]] == [
        ("2025-01-01", "2025-01-07", 5), ("2025-01-08", "2025-01-14", 1)]
    assert (chart.bars[-1].day, chart.bars[-1].last_day, chart.bars[-1].count) == (
        "2025-12-31", "2025-12-31", 4)
    assert chart.bars[0].height == front.CHART_HEIGHT
    assert "<title>2025-01-01 – 2025-01-07: 5 articles</title>" in front.svg_bars(chart)


def test_the_front_page_draws_a_year_by_week(archive_path):
    ds = archive_datasette(archive_path)
    try:
        html = get(ds, "/archive?from=2024-02-01&to=2025-01-31").text
    finally:
        for database in ds.databases.values():
            database.close()
    chart = re.search(r'<figure class="site-chart" data-site="fr.example">(.*?)</figure>',
                      html, re.S).group(1)
    bars = re.findall(r'data-date="([\d-]+)" data-count="(\d+)"', chart)
    assert len(bars) == 53 and sum(int(n) for _, n in bars) == 15
    assert "a week)" in chart
