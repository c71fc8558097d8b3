"""End to end: `scrapy crawl news` against the demo site on 127.0.0.1 into a real archive.db."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import sqlite_utils

from core.lock import ArchiveLock
from tests.conftest import ROOT, run_crawl

pytestmark = pytest.mark.e2e  # real crawls in subprocesses


@pytest.fixture(scope="module")
def crawled(demo_site, tmp_path_factory):
    """The demo site crawled three times into one archive: a first crawl, an incremental
    re-crawl (known articles are not fetched again), and a full re-crawl (every article
    fetched again and recognised as unchanged). The re-crawls must add nothing."""
    archive = tmp_path_factory.mktemp("crawl") / "archive.db"
    first = run_crawl(archive, "-a", f"start={demo_site.base_url}/")
    assert first.returncode == 0, first.output[-3000:]
    db = sqlite_utils.Database(archive)
    snapshot = {r["url"]: r["first_seen"] for r in db["articles"].rows}
    second = run_crawl(archive, "-a", f"start={demo_site.base_url}/")
    assert second.returncode == 0, second.output[-3000:]
    third = run_crawl(archive, "-a", f"start={demo_site.base_url}/",
                      settings={"ARCHIVE_RECHECK_HOURS": "0"})
    assert third.returncode == 0, third.output[-3000:]
    return archive, db, first, (second, third), snapshot


def article_urls(db) -> set[str]:
    return {r["url"] for r in db.query("select url from articles")}


def test_exactly_the_demo_articles_are_stored(crawled, demo_site):
    _, db, *_ = crawled
    stored = article_urls(db)
    assert stored == demo_site.article_urls()
    assert not stored & demo_site.non_article_urls()


def test_every_html_page_not_archived_says_why(crawled, demo_site):
    _, db, *_ = crawled
    refused = {r["url"]: r["reason"] for r in db["rejections"].rows}
    assert demo_site.non_article_urls() & set(refused)
    assert not set(refused) & demo_site.article_urls()
    assert all(refused.values())


def test_seed_article_fields(crawled, demo_site, seed_expected):
    _, db, *_ = crawled
    row = db["articles"].get(demo_site.seed_url())
    assert row["title"] == seed_expected["title"]
    assert row["author"] == seed_expected["author"]
    assert row["published"].startswith(seed_expected["published"])
    assert row["modified"].startswith(seed_expected["modified"])
    assert row["language"] == seed_expected["language"]
    assert row["site_name"] == seed_expected["site_name"]
    assert json.loads(row["tags"]) == seed_expected["tags"]
    for paragraph in seed_expected["must_contain"]:
        assert paragraph in row["text"]
    for boilerplate in seed_expected["must_not_contain"]:
        assert boilerplate not in row["text"]
    assert row["word_count"] > 300
    assert row["http_status"] == 200
    assert row["news_title"] == seed_expected["title"]  # it is listed in the news sitemap
    assert row["first_seen"] and row["last_seen"] and row["content_hash"]


def test_seed_article_credits_date_confidence_and_access(crawled, demo_site, seed_expected):
    _, db, *_ = crawled
    row = db["articles"].get(demo_site.seed_url())
    assert json.loads(row["authors"]) == [seed_expected["author"]]
    assert json.loads(row["agencies"]) == []
    assert row["published_confidence"] in ("high", "medium")
    assert json.loads(row["date_notes"]) == []
    assert row["access"] == "free"


def test_recrawls_add_no_duplicate_and_keep_first_seen(crawled, demo_site):
    _, db, first, (second, third), snapshot = crawled
    assert {r["url"]: r["first_seen"] for r in db["articles"].rows} == snapshot
    crawls = list(db.query("select * from crawls order by id"))
    assert len(crawls) == 3
    assert crawls[0]["articles_new"] == len(snapshot)
    assert all(c["status"] == "finished" and c["finished"] for c in crawls)
    assert f"{len(snapshot)} new articles" in first.stdout
    # incremental: every known article skipped, none fetched again
    assert crawls[1]["articles_new"] == 0 and crawls[1]["articles_unchanged"] == 0
    assert json.loads(crawls[1]["outcomes"])["skipped_known"] >= len(snapshot)
    refetched = db.execute(
        "select count(*) from fetches where crawl_id = ? and url in "
        "(select url from articles)", [crawls[1]["id"]]).fetchone()[0]
    assert refetched == 0
    assert "0 new articles" in second.stdout
    # full: every article fetched again, recognised as unchanged
    assert crawls[2]["articles_new"] == 0
    assert crawls[2]["articles_unchanged"] == len(snapshot)


def test_every_response_is_a_fetch_row(crawled, demo_site):
    _, db, *_ = crawled
    # each article is fetched once, under the first address the crawl found it by (its plain
    # URL, or a ?utm_ or ?noamp variant: requests go out as the site gave them); whichever it
    # was, the response that gave the article is recorded
    fetched = {r["url"] for r in db.query("select url from fetches where status = 200")}
    stored_from = {r["fetched_url"] for r in db.query("select fetched_url from articles")}
    assert len(stored_from) == len(demo_site.article_urls())
    assert stored_from <= fetched
    assert db.execute("select count(*) from fetches where status = 301").fetchone()[0] > 0


def test_robots_txt_obeyed(crawled, demo_site):
    _, db, *_ = crawled
    disallowed = demo_site.disallowed_urls()
    assert disallowed
    rows = list(db.query("select url, status, outcome from fetches"))
    assert not [r for r in rows if r["url"] in disallowed and r["status"] is not None]
    refused = {r["url"] for r in rows if r["outcome"] == "refused_robots"}
    assert disallowed <= refused
    outcomes = json.loads(db["crawls"].get(1)["outcomes"])
    assert outcomes["refused_robots"] >= len(disallowed)
    assert outcomes["refused_offsite"] > 0  # share buttons


def test_robots_txt_fetched_once_a_crawl_and_its_sitemaps_followed(crawled, demo_site):
    # the filter's fetch serves the spider's own request (for the Sitemap: lines) too
    _, db, *_ = crawled
    for crawl in (1, 2, 3):
        robots = db.execute("select count(*) from fetches where crawl_id = ? and url = ?",
                            [crawl, f"{demo_site.base_url}/robots.txt"]).fetchone()[0]
        assert robots == 1, crawl
    named = f"{demo_site.base_url}/sitemap_index.xml"  # named only by robots.txt
    assert db.execute("select count(*) from fetches where crawl_id = 1 and url = ?",
                      [named]).fetchone()[0] == 1
    assert json.loads(db["crawls"].get(1)["stats"])["archive/robots/shared"] == 1


def test_archive_is_wal_and_intact(crawled):
    archive, db, *_ = crawled
    assert db.journal_mode == "wal"
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"


def test_datasette_finds_and_shows_the_seed_article(crawled, demo_site, seed_expected):
    from datasette.app import Datasette
    from datasette.utils import tilde_encode

    archive, *_ = crawled
    ds = Datasette(
        [str(archive)],
        metadata=__import__("yaml").safe_load((ROOT / "metadata.yml").read_text()),
        template_dir=str(ROOT / "datasette" / "templates"),
        plugins_dir=str(ROOT / "datasette" / "plugins"),
    )

    async def check():
        found = await ds.client.get("/archive/articles.json?_search=Poutine&_shape=objects")
        assert found.status_code == 200
        urls = [r["url"] for r in found.json()["rows"]]
        assert demo_site.seed_url() in urls
        canned = await ds.client.get("/archive/search.json?q=Poutine&_shape=objects")
        assert canned.status_code == 200
        assert canned.json()["rows"][0]["url"] == demo_site.seed_url()
        page = await ds.client.get("/archive/articles/" + tilde_encode(demo_site.seed_url()))
        assert page.status_code == 200
        assert seed_expected["title"] in page.text
        assert seed_expected["author"] in page.text

    asyncio.run(check())


def test_second_crawl_of_a_busy_archive_exits_at_once(demo_site, tmp_path):
    archive = tmp_path / "archive.db"
    with ArchiveLock(archive):
        busy = run_crawl(archive, "-a", f"start={demo_site.base_url}/", timeout=60)
    assert busy.returncode != 0
    assert "being written by another crawl" in busy.output
    assert not Path(archive).exists() or sqlite_utils.Database(archive)["articles"].count == 0


@pytest.mark.parametrize(
    "start,expected",
    [
        ("/sitemap_index.xml", "all"),  # index -> post and news sitemaps -> every article
        ("/news-sitemap.xml", 10),  # the Google News sitemap lists the 10 latest
        ("/feed/", 20),  # the RSS feed lists the 20 latest
    ],
)
def test_start_from_a_sitemap_or_feed_without_following_links(demo_site, tmp_path, start,
                                                              expected):
    """Each kind of start URL is understood; ARCHIVE_FOLLOW_LINKS=False reads only it.
    (These crawls extract inline, ARCHIVE_EXTRACT_WORKERS=0, the other mode of the pool.)"""
    archive = tmp_path / "archive.db"
    done = run_crawl(archive, "-a", f"start={demo_site.base_url}{start}",
                     settings={"ARCHIVE_FOLLOW_LINKS": "False", "ARCHIVE_EXTRACT_WORKERS": "0"})
    assert done.returncode == 0, done.output[-3000:]
    stored = article_urls(sqlite_utils.Database(archive))
    assert stored <= demo_site.article_urls()
    assert len(stored) == (len(demo_site.article_urls()) if expected == "all" else expected)
