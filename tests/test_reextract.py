"""``scrapy reextract``: the archived pages through the extractor again, with the site's
server stopped. The demo site with a box inside every article, which site boilerplate
learning removes: re-extracting gives the same rows, and different ones (the box back) once
learning is turned off."""

from __future__ import annotations

import subprocess
import sys

import pytest
import sqlite_utils

from pipelines.reextract import Selection
from tests.conftest import ROOT, run_crawl
from tests.test_crawl_boilerplate import BOX, leaked

CRAWL_FACTS = ("url", "fetched_url", "first_seen", "last_seen", "fetched_at", "warc_record_id",
               "http_status", "discovered_via")


def reextract(archive, *args: str, **settings: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "scrapy", "reextract", "-s", f"ARCHIVE_DB={archive}"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    done = subprocess.run(command + list(args), cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    return done


def rows(archive) -> dict[str, dict]:
    return {row["url"]: row for row in sqlite_utils.Database(archive)["articles"].rows}


@pytest.fixture(scope="module")
def archived(tmp_path_factory):
    """The boxed demo site crawled once; its server is stopped before any re-extraction."""
    from demo.serve import serve_in_thread

    archive = tmp_path_factory.mktemp("reextract") / "archive.db"
    base_url, stop = serve_in_thread("127.0.0.1", 0, inline_box=BOX)
    try:
        done = run_crawl(archive, "-a", f"start={base_url}/")
        assert done.returncode == 0, done.output[-3000:]
    finally:
        stop()
    return archive


@pytest.mark.e2e
def test_reextracting_offline_gives_the_same_rows(archived):
    before = rows(archived)
    assert before and leaked(sqlite_utils.Database(archived)) == 0
    assert all(row["extractor"] and row["extracted_at"] for row in before.values())
    done = reextract(archived)
    assert f"Re-extracted {len(before)} article(s)" in done.stdout
    assert f"0 changed, {len(before)} unchanged" in done.stdout
    assert rows(archived) == before  # not even extracted_at moved


@pytest.mark.e2e
def test_a_changed_extraction_setting_changes_the_text_in_place(archived):
    before = rows(archived)
    done = reextract(archived, ARCHIVE_BOILERPLATE_MIN_PAGES="0")
    after = rows(archived)
    assert f"{len(before)} changed" in done.stdout and "text=" in done.stdout
    db = sqlite_utils.Database(archived)
    assert leaked(db) == len(before)  # the box is back: learning is off
    for url, row in after.items():
        assert row["text"] != before[url]["text"]
        assert row["extractor"] != before[url]["extractor"]
        assert row["extracted_at"] >= before[url]["extracted_at"]
        assert {k: row[k] for k in CRAWL_FACTS} == {k: before[url][k] for k in CRAWL_FACTS}
    # the search index follows the text
    found = db.execute("select count(*) from articles_fts where articles_fts match ?",
                       ['"lecteurs" "rédaction"']).fetchone()[0]
    assert found == len(before)
    assert db["crawls"].count == 1  # no crawl, no new rows anywhere but in place
    # and back: the learnt blocks are applied again
    reextract(archived)
    assert leaked(sqlite_utils.Database(archived)) == 0


@pytest.mark.e2e
def test_a_url_pattern_selects_what_is_re_extracted(archived):
    urls = sorted(rows(archived))
    one = urls[0]
    done = reextract(archived, "--url", one, ARCHIVE_BOILERPLATE_MIN_PAGES="0")
    assert "Re-extracted 1 article(s)" in done.stdout
    after = rows(archived)
    assert BOX in after[one]["text"]
    assert all(BOX not in after[url]["text"] for url in urls[1:])
    reextract(archived, "--url", one)


def test_selection_filters_by_site_dates_and_url_pattern(tmp_path):
    from pipelines.store import Archive
    from tests.test_datasette import make_article

    archive = Archive(tmp_path / "archive.db")
    archive.save([
        make_article("https://a.example/2025/03/01/x", site="a.example", published="2025-03-01"),
        make_article("https://a.example/2025/04/02/y", site="a.example",
                     published="2025-04-02T08:00:00+00:00"),
        make_article("https://b.example/2025/03/05/z", site="b.example", published="2025-03-05"),
        make_article("https://b.example/undated", site="b.example"),
    ])

    def urls(**kw: str) -> list[str]:
        where, params = Selection(**kw).where()
        return sorted(r["url"] for r in archive.db["articles"].rows_where(where, params))

    assert len(urls()) == 4
    assert urls(site="b.example") == ["https://b.example/2025/03/05/z", "https://b.example/undated"]
    assert urls(since="2025-03-02", until="2025-04-02") == [
        "https://a.example/2025/04/02/y", "https://b.example/2025/03/05/z"]
    assert urls(url="*/2025/03/*") == ["https://a.example/2025/03/01/x",
                                       "https://b.example/2025/03/05/z"]
    archive.close()
