"""The archive schema, migrations, upserts and full-text search, on a real SQLite file."""

from __future__ import annotations

import json
import sqlite3

import pytest

from core.items import Article, NewsListing
from pipelines.store import Archive, fts_query, migrations


def make_article(url: str = "https://news.example/2025/02/13/a/", **kw) -> Article:
    fields = dict(
        fetched_url=url,
        site="news.example",
        title="Poutine accepte de négocier",
        text="Le président ukrainien Volodymyr Zelensky a répondu. Kyiv attend.",
        content_hash="h1",
        fetched_at="2025-02-13T10:00:00+00:00",
        tags=["Russie", "Ukraine"],
    )
    fields.update(kw)
    return Article(url=url, **fields)


def test_schema_created_by_migrations_in_wal_mode(archive):
    assert {"articles", "fetches", "crawls", "articles_fts"} <= set(archive.db.table_names())
    assert archive.db.journal_mode == "wal"
    assert [m.name for m in migrations.applied(archive.db)] == [
        "m001_initial",
        "m002_news_listings",
        "m003_gone_articles",
        "m004_boilerplate_blocks",
        "m005_versions",
        "m006_rejections",
        "m007_credits_dates_access",
        "m008_warc_records",
        "m009_crawl_workers",
        "m020_article_counts",
        "m021_latest_text_once",
        "m022_articles_site_index",
        "m040_front_day_counts",
        "m040_front_fts_count_index",
        "m040_front_access_agencies_counts",
        "m050_ingest_fts_automerge",
        "m060_dist_writer_batch",
    ]
    assert archive.db["articles"].pks == ["url"]


def test_reopening_applies_nothing_twice(tmp_path):
    Archive(tmp_path / "a.db").close()
    again = Archive(tmp_path / "a.db")
    names = [m.name for m in migrations.applied(again.db)]
    assert len(names) == len(set(names)) == len(migrations._migrations)
    assert migrations.pending(again.db) == []
    again.close()


def test_save_new_unchanged_updated(archive):
    a = make_article()
    assert archive.save([a]) == {a.url: "new"}
    later = make_article(fetched_at="2025-02-14T10:00:00+00:00")
    assert archive.save([later]) == {a.url: "unchanged"}
    row = archive.db["articles"].get(a.url)
    assert row["first_seen"] == "2025-02-13T10:00:00+00:00"
    assert row["last_seen"] == "2025-02-14T10:00:00+00:00"
    changed = make_article(text="Texte corrigé", content_hash="h2",
                           fetched_at="2025-02-15T10:00:00+00:00")
    assert archive.save([changed]) == {a.url: "updated"}
    row = archive.db["articles"].get(a.url)
    assert row["text"] == "Texte corrigé"
    assert row["first_seen"] == "2025-02-13T10:00:00+00:00"
    assert archive.db["articles"].count == 1


def test_duplicate_urls_in_one_batch_written_once(archive):
    a = make_article()
    amp = make_article(fetched_url=a.url + "amp/")
    assert archive.save([a, amp]) == {a.url: "new"}
    assert archive.db["articles"].count == 1
    assert archive.db["articles"].get(a.url)["fetched_url"] == a.url


@pytest.mark.parametrize(
    "query", ["zelensky", "Zelensky", "repondu", "répondu", "kyiv", "negocier"]
)
def test_fts_is_case_and_accent_insensitive(archive, query):
    a = make_article()
    archive.save([a])
    assert [r["url"] for r in archive.search(query)] == [a.url]


def test_fts_follows_updates_and_deletes(archive):
    a = make_article()
    archive.save([a])
    archive.save([make_article(text="Un tout autre sujet: la météo", content_hash="h2")])
    assert archive.search("Zelensky") == []
    assert len(archive.search("meteo")) == 1
    archive.db["articles"].delete(a.url)
    assert archive.search("meteo") == []


def test_tags_and_sources_are_json(archive):
    archive.save([make_article(sources={"title": "og:title"})])
    row = archive.db.execute("SELECT json_extract(tags, '$[1]'), sources FROM articles").fetchone()
    assert row[0] == "Ukraine"
    assert "og:title" in row[1]


def test_crawl_rows_and_fetches(archive):
    crawl = archive.start_crawl("news", ["https://news.example/"])
    archive.save(fetches=[{"crawl_id": crawl, "url": "https://news.example/x", "status": 404,
                           "fetched_at": "2025-01-01T00:00:00+00:00", "size": 10,
                           "content_type": "text/html", "outcome": "http_error", "error": None}])
    archive.finish_crawl(crawl, status="finished", counts={"pages": 1, "errors": 1},
                         outcomes={"http_error_404": 1}, stats={"x": 1})
    row = archive.db["crawls"].get(crawl)
    assert row["status"] == "finished" and row["pages"] == 1 and row["finished"]
    assert archive.db["fetches"].count == 1


def test_failed_batch_is_rolled_back(archive):
    good = make_article()
    with pytest.raises(sqlite3.Error):
        archive.save([good], fetches=[{"url": "x", "no_such_column": 1}])
    assert archive.db["articles"].count == 0


def test_fts_query_quotes_operators():
    assert fts_query('Kyiv AND "NEAR"') == '"Kyiv" "AND" "NEAR"'
    assert fts_query("  ") == '""'  # no words: a query that matches nothing


def test_a_search_without_words_finds_nothing_and_does_not_fail(archive):
    archive.save([make_article()])
    assert archive.search("  ") == []


def test_news_listing_joins_article_in_either_order(archive):
    first = make_article("https://n.example/a/")
    archive.save([first])
    archive.save(listings=[NewsListing("https://n.example/a/", "Titre A", "2025-02-13")])
    archive.save(listings=[NewsListing("https://n.example/b/", "Titre B", "2025-02-14")])
    archive.save([make_article("https://n.example/b/")])
    rows = {r["url"]: (r["news_title"], r["news_published"]) for r in archive.db["articles"].rows}
    assert rows == {
        "https://n.example/a/": ("Titre A", "2025-02-13"),
        "https://n.example/b/": ("Titre B", "2025-02-14"),
    }
    assert archive.db["news_listings"].count == 2


def test_migration_from_first_schema_keeps_rows(tmp_path):
    """An archive made before m002 is brought up to date on open, its rows intact."""
    from sqlite_utils import Database

    db = Database(tmp_path / "old.db")
    migrations.apply(db, stop_before="m002_news_listings")
    db["articles"].insert({"url": "https://o.example/x/", "title": "Ancien", "text": "réponse"})
    db.close()
    archive = Archive(tmp_path / "old.db")
    assert "news_listings" in archive.db.table_names()
    assert [r["url"] for r in archive.search("reponse")] == ["https://o.example/x/"]
    archive.close()


def test_gone_articles_are_marked_never_deleted_and_come_back(archive):
    a = make_article()
    archive.save([a])
    assert archive.save(gone=[(a.url, 410, "2025-03-01T00:00:00+00:00")]) == {a.url: "gone"}
    row = archive.db["articles"].get(a.url)
    assert (row["gone_status"], row["gone_at"]) == (410, "2025-03-01T00:00:00+00:00")
    assert row["text"] == a.text  # kept
    # gone once: a second 404 does not move the date; unknown URLs are ignored
    assert archive.save(gone=[(a.url, 404, "2025-04-01T00:00:00+00:00"),
                              ("https://n.example/never-archived/", 404, "x")]) == {}
    assert archive.db["articles"].get(a.url)["gone_at"] == "2025-03-01T00:00:00+00:00"
    archive.save([make_article(fetched_at="2025-05-01T00:00:00+00:00")])
    row = archive.db["articles"].get(a.url)
    assert row["gone_status"] is None and row["gone_at"] is None


def test_credits_dates_and_access_round_trip_as_columns(archive):
    note = "published 2031-01-01 rejected: more than a day after the fetch (json-ld)"
    archive.save([make_article(
        authors=["Anna Schmidt", "Jonas Weber"], agencies=["dpa"], published_confidence="high",
        date_notes=[note], access="partial",
    )])
    row = next(archive.db["articles"].rows)
    assert json.loads(row["authors"]) == ["Anna Schmidt", "Jonas Weber"]
    assert json.loads(row["agencies"]) == ["dpa"]
    assert row["published_confidence"] == "high" and row["modified_confidence"] is None
    assert json.loads(row["date_notes"])[0].startswith("published 2031-01-01 rejected")
    assert row["access"] == "partial"


def test_an_archive_made_before_the_credit_columns_is_migrated(tmp_path):
    from sqlite_utils import Database

    old = Database(tmp_path / "old.db")
    migrations.apply(old, stop_before="m007_credits_dates_access")
    assert "access" not in old["articles"].columns_dict
    old.close()
    archive = Archive(tmp_path / "old.db")
    try:
        assert {"authors", "agencies", "access", "date_notes"} <= set(
            archive.db["articles"].columns_dict
        )
        archive.save([make_article(authors=["Claire Dubois"])])
        assert json.loads(next(archive.db["articles"].rows)["authors"]) == ["Claire Dubois"]
    finally:
        archive.close()


def test_replace_extraction_changes_in_place_and_only_what_differs(archive):
    import dataclasses

    a = make_article(extractor="x 1", extracted_at="2025-02-13T10:00:00+00:00")
    archive.save([a])
    row = archive.db["articles"].get(a.url)
    assert archive.replace_extraction(a.url, a) == []  # the same extractor, the same result
    assert archive.db["articles"].get(a.url) == row
    restamped = dataclasses.replace(a, extractor="x 2", extracted_at="2025-03-01T00:00:00+00:00")
    assert archive.replace_extraction(a.url, restamped) == []
    assert archive.db["articles"].get(a.url)["extractor"] == "x 2"
    better = dataclasses.replace(restamped, text="A better text.", content_hash="other")
    assert sorted(archive.replace_extraction(a.url, better)) == ["content_hash", "text"]
    after = archive.db["articles"].get(a.url)
    assert after["text"] == "A better text." and after["first_seen"] == row["first_seen"]
