"""Site-level boilerplate learning, end to end: the demo site with a box inside every
article body, crawled for real; the box is learnt and removed from every archived article."""

from __future__ import annotations

import json

import pytest
import sqlite_utils

from tests.conftest import run_crawl

pytestmark = pytest.mark.e2e  # real crawls in subprocesses

# Worded so that no generic furniture rule knows it: only site-level learning can catch it.
BOX = ("Le Journal du Monde vit grâce à ses lecteurs : un don, même modeste, "
       "garantit une rédaction indépendante.")


@pytest.fixture(scope="module")
def boxed_site():
    from demo.serve import serve_in_thread
    from demo.site import DemoSite

    base_url, stop = serve_in_thread("127.0.0.1", 0, inline_box=BOX)
    try:
        yield DemoSite(base_url, inline_box=BOX)
    finally:
        stop()


def crawl(site, archive, **settings):
    done = run_crawl(archive, "-a", f"start={site.base_url}/", settings=settings)
    assert done.returncode == 0, done.output[-3000:]
    return sqlite_utils.Database(archive)


def leaked(db) -> int:
    return sum(BOX in (row["text"] or "") for row in db["articles"].rows)


def test_without_learning_every_article_leaks_the_box(boxed_site, tmp_path):
    db = crawl(boxed_site, tmp_path / "archive.db", ARCHIVE_BOILERPLATE_MIN_PAGES="0")
    assert db["articles"].count == len(boxed_site.article_urls())
    assert leaked(db) == db["articles"].count


def test_learning_removes_the_box_from_every_article(boxed_site, tmp_path, seed_expected):
    archive = tmp_path / "archive.db"
    db = crawl(boxed_site, archive)
    assert db["articles"].count == len(boxed_site.article_urls())
    assert leaked(db) == 0
    # the articles' own text is untouched: the seed article keeps every paragraph
    seed = db["articles"].get(boxed_site.seed_url())
    for paragraph in seed_expected["must_contain"]:
        assert paragraph in seed["text"]
    # the knowledge is in the archive, with the search index in step
    blocks = list(db["boilerplate_blocks"].rows)
    assert [b["text"] for b in blocks] == [BOX]
    assert not list(db.query(
        "select rowid from articles_fts where articles_fts match ?", ['"grâce" "lecteurs" "don"']))
    stats = json.loads(db["crawls"].get(1)["stats"])
    assert stats["archive/boilerplate/rows_recleaned"] >= 1
    # a full re-crawl with that knowledge finds every article unchanged
    again = crawl(boxed_site, archive, ARCHIVE_RECHECK_HOURS="0")
    second = again["crawls"].get(2)
    assert second["articles_unchanged"] == len(boxed_site.article_urls())
    assert second["articles_updated"] == 0
