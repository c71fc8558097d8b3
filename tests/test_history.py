"""Article history: what makes a version, word diffs, dates, and the ``versions`` table."""

from __future__ import annotations

import dataclasses
import json

import pytest

from core.items import NotModified
from pipelines.dates import NOT_FOUND, vet_dates
from pipelines.dedupe import content_hash
from pipelines.history import (
    ADDED,
    REMOVED,
    SAME,
    compare,
    extractor_identity,
    word_counts,
    word_diff,
)
from pipelines.store import Archive, migrations, versions_as_read
from tests.test_store import make_article

TEXT = "The council voted on Tuesday.\nThe mayor said the plan would cost 3 million euros."
BASE = {"title": "Council votes", "author": "Ann Lee", "published": "2025-01-02T08:30:00+00:00",
        "modified": None, "text": TEXT}


def edited(**changes):
    return {**BASE, **changes}


# -- what makes a version ---------------------------------------------------------------------


def test_whitespace_line_breaks_and_date_spelling_are_no_change():
    same = edited(text="  The council voted on Tuesday. The mayor said\nthe plan would cost 3 "
                       "million   euros.", title=" Council  votes ",
                  published="2025-01-02T08:30:00Z")
    assert compare(BASE, same).changed == []


@pytest.mark.parametrize("field,value", [
    ("title", "Council rejects the plan"),
    ("author", "Ann Lee and Bo Park"),
    ("published", "2025-01-03T08:30:00+00:00"),
    ("modified", "2025-01-02T12:00:00+00:00"),
])
def test_title_byline_and_dates_always_make_a_version(field, value):
    change = compare(BASE, edited(**{field: value}), min_change_words=50)
    assert change.changed == [field]
    assert (change.words_added, change.words_removed) == (0, 0)


def test_text_edits_counted_in_words_with_a_threshold():
    text = TEXT.replace("3 million", "4.5 million").replace("Tuesday.", "Tuesday evening.")
    change = compare(BASE, edited(text=text))
    assert change.changed == ["text"]
    assert (change.words_added, change.words_removed) == (3, 2)
    # ARCHIVE_MIN_CHANGE_WORDS: a smaller edit of the text is ignored
    assert compare(BASE, edited(text=text), min_change_words=4).changed == []
    assert compare(BASE, edited(text=text), min_change_words=3).changed == ["text"]


def test_word_diff_runs():
    runs = word_diff("a b c d", "a x c d e")
    assert runs == [(SAME, "a"), (REMOVED, "b"), (ADDED, "x"), (SAME, "c d"), (ADDED, "e")]
    assert word_counts("a b c d", "a x c d e") == (2, 1)
    assert word_diff(None, "new words") == [(ADDED, "new words")]


def test_extractor_identity_names_trafilatura_and_the_extraction_code():
    identity = extractor_identity()
    assert identity.startswith("trafilatura ")
    assert len(identity.rsplit("+", 1)[1]) == 12


# -- dates ------------------------------------------------------------------------------------


def test_a_date_more_than_a_day_after_the_fetch_is_rejected_and_said_so():
    sources = {"published": "json-ld", "modified": "meta:article:modified_time"}
    kept = vet_dates({"published": "2025-03-05", "modified": "2025-03-02T10:00:00+00:00"},
                     sources, "2025-03-01T12:00:00+00:00")
    assert kept == {"published": None, "modified": "2025-03-02T10:00:00+00:00"}
    assert sources["published"].startswith("rejected: 2025-03-05 from json-ld")
    assert sources["modified"] == "meta:article:modified_time"


def test_a_missing_published_date_is_null_never_the_fetch_time():
    sources: dict[str, str] = {}
    kept = vet_dates({"published": None, "modified": None}, sources, "2025-03-01T12:00:00+00:00")
    assert kept == {"published": None, "modified": None}
    assert sources == {"published": NOT_FOUND}


# -- the versions table -----------------------------------------------------------------------


def article(**kw):
    fields = {**BASE, "fetched_at": "2025-01-02T10:00:00+00:00", "extractor": "x 1+aaa", **kw}
    fields["content_hash"] = content_hash(fields["title"], fields["author"], fields["published"],
                                          fields["modified"], fields["text"])
    return make_article("https://news.example/2025/01/02/council/", **fields)


def versions(archive):
    return versions_as_read(archive.db)


def test_first_archive_is_version_one(archive):
    assert archive.save([article()]) == {article().url: "new"}
    [v] = versions(archive)
    assert (v["version"], json.loads(v["changed"]), v["title"]) == (1, [], "Council votes")
    assert archive.db["articles"].get(article().url)["versions"] == 1


def test_an_edit_is_a_new_version_and_articles_shows_the_latest(archive):
    archive.save([article()])
    later = article(title="Council rejects the plan", fetched_at="2025-01-03T10:00:00+00:00")
    assert archive.save([later]) == {later.url: "updated"}
    v1, v2 = versions(archive)
    assert v1["title"] == "Council votes"  # nothing an article said is lost
    assert (v2["version"], json.loads(v2["changed"]), v2["title"]) == (
        2, ["title"], "Council rejects the plan")
    row = archive.db["articles"].get(later.url)
    assert (row["versions"], row["title"], row["first_seen"]) == (
        2, "Council rejects the plan", "2025-01-02T10:00:00+00:00")


def test_whitespace_only_and_small_edits_make_no_version(tmp_path):
    archive = Archive(tmp_path / "a.db", min_change_words=3)
    archive.save([article()])
    spaced = article(text=TEXT.replace(" ", "  ").replace("\n", "\n\n"))
    assert archive.save([spaced]) == {spaced.url: "unchanged"}
    small = article(text=TEXT.replace("Tuesday", "Wednesday"))
    assert archive.save([small]) == {small.url: "unchanged"}
    assert len(versions(archive)) == 1
    # the small edits add up: compared with the latest version, not with the last fetch
    more = article(text=TEXT.replace("Tuesday", "Wednesday").replace("3 million euros",
                                                                      "five million dollars"))
    assert archive.save([more]) == {more.url: "updated"}
    assert [v["words_added"] for v in versions(archive)] == [0, 3]
    archive.close()


def test_another_extractor_records_a_change_on_the_latest_version(archive):
    archive.save([article()])
    newer = article(text=TEXT + "\nRead more: our council coverage.", extractor="x 2+bbb",
                    fetched_at="2025-01-05T10:00:00+00:00")
    assert archive.save([newer]) == {newer.url: "reextracted"}
    [v1] = versions(archive)
    [note] = json.loads(v1["extractor_changes"])
    assert note["from"] == "x 1+aaa" and note["to"] == "x 2+bbb"
    assert note["changed"] == ["text"] and note["words_added"] == 5
    row = archive.db["articles"].get(newer.url)
    assert (row["versions"], row["extractor"]) == (1, "x 2+bbb")
    # from now on the comparison is like for like again
    edit = dataclasses.replace(newer, title="New headline",
                               content_hash="changed", fetched_at="2025-01-06T10:00:00+00:00")
    assert archive.save([edit]) == {edit.url: "updated"}
    assert json.loads(versions(archive)[1]["changed"]) == ["title"]


def test_an_unchanged_article_seen_by_a_new_extractor_is_compared_with_it_from_then_on(archive):
    """The same hash through a new extractor: the latest version is what the new extractor
    sees, so a later edit through it is a version, not an extractor change."""
    archive.save([article()])
    assert archive.save([article(extractor="x 2+bbb")]) == {article().url: "unchanged"}
    edit = article(title="Council rejects the plan", extractor="x 2+bbb")
    assert archive.save([edit]) == {edit.url: "updated"}


def test_not_modified_moves_only_last_seen_and_listing_dates(archive):
    a = article(listed_dates={"sitemap": "2025-01-02"}, etag='"v1"')
    archive.save([a])
    before = archive.db["articles"].get(a.url)
    seen = NotModified(a.url, "2025-01-09T10:00:00+00:00", {"feed": "Thu, 02 Jan 2025"})
    assert archive.save(not_modified=[seen]) == {a.url: "not_modified"}
    after = archive.db["articles"].get(a.url)
    assert after["last_seen"] == "2025-01-09T10:00:00+00:00"
    assert json.loads(after["listed_dates"]) == {"sitemap": "2025-01-02",
                                                 "feed": "Thu, 02 Jan 2025"}
    assert {k: v for k, v in after.items() if k not in ("last_seen", "listed_dates")} == {
        k: v for k, v in before.items() if k not in ("last_seen", "listed_dates")}
    assert len(versions(archive)) == 1


def test_learnt_boilerplate_is_recleaned_in_versions_too(archive):
    from pipelines.boilerplate import SiteBoilerplate, block_hash, reclean

    box = "Support our journalism: donate today"
    archive.save([article(text=TEXT + "\n" + box)])
    archive.save([article(text=TEXT + "\nA correction was added.\n" + box,
                          fetched_at="2025-01-03T10:00:00+00:00")])
    knowledge = SiteBoilerplate("news.example")
    knowledge.blocks.add(block_hash(box))
    assert reclean(archive.db, "news.example", knowledge) == 1
    v1, v2 = versions(archive)
    assert box not in v1["text"] and box not in v2["text"]
    assert v1["content_hash"] == article().content_hash
    # a re-crawl extracting with the knowledge finds the latest version unchanged
    assert archive.save([article(text=TEXT + "\nA correction was added.")]) == {
        article().url: "unchanged"}


def test_archives_made_before_history_get_their_rows_as_version_one(tmp_path):
    from sqlite_utils import Database

    db = Database(tmp_path / "old.db")
    migrations.apply(db, stop_before="m005_versions")
    db["articles"].insert({"url": "https://o.example/x/", "site": "o.example", "title": "Ancien",
                           "text": "réponse", "content_hash": "h", "first_seen": "2024-01-01"})
    db.close()
    archive = Archive(tmp_path / "old.db")
    [v] = versions(archive)
    assert (v["url"], v["version"], v["title"], v["fetched_at"]) == (
        "https://o.example/x/", 1, "Ancien", "2024-01-01")
    assert archive.db["articles"].get("https://o.example/x/")["versions"] == 1
    archive.close()
