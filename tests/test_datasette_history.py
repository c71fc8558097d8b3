"""Article history in Datasette: the versions list and word diff on the article page, and the
"recently changed" view, over a real archive.db served through Datasette's ASGI client."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from pipelines.dedupe import content_hash
from pipelines.store import Archive
from tests.test_datasette import archive_datasette, article_path, get, get_json, make_article

STORY = make_article(
    "https://news.example/2025/02/13/budget/",
    title="Council passes the budget",
    author="Ann Lee",
    published="2025-02-13T08:00:00+00:00",
    text="The council passed the budget on Monday.\nThe vote was close.",
    fetched_at="2025-02-13T10:00:00+00:00",
)
OTHER = make_article(
    "https://other.example/2025/02/13/storm/",
    site="other.example",
    title="Storm <script>alert(1)</script> warning",
    author="Bo Park",
    text="A storm is coming.",
    fetched_at="2025-02-13T11:00:00+00:00",
)


def edit(article, **changes):
    new = dataclasses.replace(article, **changes)
    return dataclasses.replace(new, content_hash=content_hash(
        new.title, new.author, new.published, new.modified, new.text))


@pytest.fixture
def ds(tmp_path: Path):
    archive = Archive(tmp_path / "archive.db")
    archive.save([edit(STORY), edit(OTHER)])
    archive.save([edit(STORY, title="Council rejects the budget",
                       text="The council rejected the budget on Monday.\nThe vote was close.",
                       fetched_at="2025-02-14T10:00:00+00:00")])
    archive.save([edit(STORY, title="Council rejects the budget", author="Ann Lee and Cy Wu",
                       text="The council rejected the budget on Monday.\nThe vote was close.",
                       fetched_at="2025-02-15T10:00:00+00:00"),
                  edit(OTHER, text="A storm is coming. <script>alert(2)</script> Stay home.",
                       fetched_at="2025-02-15T11:00:00+00:00")])
    archive.close()
    datasette = archive_datasette(tmp_path / "archive.db")
    yield datasette
    for database in datasette.databases.values():
        database.close()


def test_article_page_lists_its_versions(ds):
    html = get(ds, article_path(STORY.url)).text
    assert "<h2>Versions (3)</h2>" in html
    assert "first archived" in html
    assert "<td>title, text</td>" in html and "<td>author</td>" in html
    assert "+1 −1" in html  # passed -> rejected
    assert f'href="{article_path(STORY.url)}?version=2#history"' in html


def test_the_latest_diff_is_shown_and_any_version_can_be_diffed(ds):
    html = get(ds, article_path(STORY.url)).text
    assert "Version 3 against version 2" in html
    assert "Ann Lee <ins>and Cy Wu</ins>" in html
    html = get(ds, article_path(STORY.url) + "?version=2").text
    assert "Version 2 against version 1" in html
    # the headline first, then the text, with its paragraph break
    headline = html.index('class="diff-field diff-title"')
    text = html.index('class="diff-field diff-text"')
    assert headline < text
    assert "Council <del>passes</del> <ins>rejects</ins> the budget" in html
    assert ("The council <del>passed</del> <ins>rejected</ins> the budget on Monday.<br>"
            "The vote was close.") in html


def test_the_diff_escapes_article_text(ds):
    html = get(ds, article_path(OTHER.url)).text
    assert "<ins>&lt;script&gt;alert(2)&lt;/script&gt; Stay home.</ins>" in html
    assert "<script>alert(2)" not in html and "<script>alert(1)" not in html


def test_an_article_with_one_version_shows_no_diff(tmp_path):
    archive = Archive(tmp_path / "archive.db")
    archive.save([edit(STORY)])
    archive.close()
    ds = archive_datasette(tmp_path / "archive.db")
    html = get(ds, article_path(STORY.url)).text
    assert "<h2>Versions (1)</h2>" in html and 'class="version-diff"' not in html


def test_recently_changed_filters_by_site_and_kind_of_change(ds):
    def rows(**params):
        query = "&".join(f"{k}={v}" for k, v in {"site": "", "kind": "", **params}.items())
        data = get_json(ds, f"/archive/recently_changed.json?_shape=array&{query}")
        return [(r["url"], r["version"], r["changed"]) for r in data]

    assert rows() == [(OTHER.url, 2, '["text"]'), (STORY.url, 3, '["author"]'),
                      (STORY.url, 2, '["title", "text"]')]
    assert rows(site="news.example") == [(STORY.url, 3, '["author"]'),
                                         (STORY.url, 2, '["title", "text"]')]
    assert rows(kind="title") == [(STORY.url, 2, '["title", "text"]')]
    assert rows(kind="text", site="other.example") == [(OTHER.url, 2, '["text"]')]
    html = get(ds, "/archive/recently_changed?site=&kind=title").text
    assert f'href="{article_path(STORY.url)}?version=2#history">2</a>' in html
    assert f'<a href="{article_path(STORY.url)}">Council rejects the budget</a>' in html


def test_versions_table_faceted_by_kind_of_change(ds):
    data = get_json(ds, "/archive/versions.json?_facet_array=changed&_facet=site")
    facets = {r["value"]: r["count"] for r in data["facet_results"]["changed"]["results"]}
    assert facets == {"text": 2, "title": 1, "author": 1}
