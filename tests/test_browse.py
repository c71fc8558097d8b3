"""Browsing the archive: front page, search filters, feeds, NDJSON export, any file name.

A real archive written by :class:`pipelines.store.Archive`, served by Datasette (through its
ASGI client) exactly as ``make serve`` configures it; the front page's computations are plain
functions tested on their own. The browser tests are in tests/test_browse_e2e.py.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import re
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import feedparser
import pytest
from datasette.app import Datasette
from datasette.utils import parse_metadata

from pipelines.store import Archive
from tests.test_datasette import (
    ASIDE,
    CLIMATE,
    HOSTILE,
    POUTINE,
    UNDATED,
    make_article,
)

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = [POUTINE, CLIMATE, ASIDE, HOSTILE, UNDATED]
ECONOME = make_article(
    "https://news.example/2025/02/10/menage/",
    title="Un ménage économe",
    language="fr",
    published="2025-02-10T07:00:00+01:00",
    text="Une famille économe réduit sa facture d'énergie.",
)
GERMAN = make_article(
    "https://zeitung.example/wirtschaft/",
    site="zeitung.example",
    title="Müller übernimmt die Führung",
    language="de",
    published="2025-02-13",
    text="Die Bäckerei Müller wächst. Grüße aus München.",
)


def load(name: str) -> ModuleType:
    """A plugin module, from its file as Datasette loads it."""
    path = ROOT / "datasette" / "plugins" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"test_{name}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


front = load("archive_front")


def write_archive(path: Path, articles: list[Any]) -> Path:
    archive = Archive(path)
    crawl_id = archive.start_crawl("news", ["https://news.example/"])
    archive.save(articles)
    archive.finish_crawl(crawl_id, status="finished", counts={
        "pages": 9, "articles_new": len(articles), "articles_updated": 0,
        "articles_unchanged": 0, "not_articles": 2, "errors": 1,
    }, outcomes={"stored_new": len(articles)}, stats={})
    archive.close()
    return path


def serve(*paths: Path, databases: dict[str, Any] | None = None, **plugin: Any) -> Datasette:
    """Datasette as ``make serve`` runs it, with the plugin's settings overridden and
    ``databases`` as metadata.yml's own per-database entries."""
    metadata = parse_metadata((ROOT / "metadata.yml").read_text())
    metadata["plugins"]["news-archive"].update(plugin)
    if databases:
        metadata["databases"] = databases
    return Datasette(
        [str(p) for p in paths],
        metadata=metadata,
        template_dir=str(ROOT / "datasette" / "templates"),
        plugins_dir=str(ROOT / "datasette" / "plugins"),
    )


@pytest.fixture
def news(tmp_path: Path):
    """An archive in a file called news.db (Datasette names the database "news")."""
    ds = serve(write_archive(tmp_path / "news.db", ARTICLES + [ECONOME, GERMAN]),
               export_batch_rows=2)
    yield ds
    for database in ds.databases.values():
        database.close()


def get(ds: Datasette, path: str, **params: str) -> Any:
    return asyncio.run(ds.client.get(path, params=params or None))


def rows(ds: Datasette, path: str, **params: str) -> list[dict[str, Any]]:
    response = get(ds, path, _shape="objects", **params)
    assert response.status_code == 200, response.text
    return response.json()["rows"]


# -- any file name, several archives ----------------------------------------------------------


def test_an_archive_not_called_archive_has_its_metadata_queries_and_pages(news):
    tables = {t["name"]: t["hidden"] for t in get(news, "/news.json").json()["tables"]}
    assert tables["_sqlite_migrations"] and not tables["articles"]
    facets = get(news, "/news/articles.json").json()["facet_results"]
    assert {"site", "language", "author", "tags"} <= set(facets)
    assert [r["url"] for r in rows(news, "/news/search.json", q="zelensky")] == [POUTINE.url]
    page = get(news, "/news/articles/" + POUTINE.url.replace("/", "~2F").replace(":", "~3A"))
    assert "Read the original" in page.text
    assert 'class="archive-sites"' in get(news, "/news").text


def test_several_archives_are_served_at_once(tmp_path):
    ds = serve(write_archive(tmp_path / "a.db", [POUTINE]),
               write_archive(tmp_path / "b.db", [CLIMATE]))
    assert [r["url"] for r in rows(ds, "/a/search.json", q="zelensky")] == [POUTINE.url]
    assert [r["url"] for r in rows(ds, "/b/search.json", q="climate")] == [CLIMATE.url]
    assert rows(ds, "/b/search.json", q="zelensky") == []
    assert 'class="archive-sites"' in get(ds, "/a").text
    assert 'class="archive-sites"' in get(ds, "/b").text


def test_metadata_yml_overrides_one_archive_only(tmp_path):
    ds = serve(write_archive(tmp_path / "a.db", [POUTINE, ASIDE]),
               write_archive(tmp_path / "b.db", [CLIMATE, ASIDE]),
               databases={"a": {"tables": {"articles": {"size": 1, "title": "Archive A"}}}})
    for _ in range(2):  # and again: nothing leaks into the next request
        a = get(ds, "/a/articles.json").json()
        b = get(ds, "/b/articles.json").json()
        assert len(a["rows"]) == 1 and len(b["rows"]) == 2
        assert "Archive A" in get(ds, "/a/articles").text
        assert "Archive A" not in get(ds, "/b/articles").text


def test_a_database_that_is_not_an_archive_keeps_datasette_pages(tmp_path):
    import sqlite3

    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("create table things (id integer primary key, name text)")
        conn.execute("insert into things (name) values ('x')")
    ds = serve(other)
    assert get(ds, "/other/search").status_code == 404
    assert 'class="archive-sites"' not in get(ds, "/other").text
    assert get(ds, "/other/things/1").status_code == 200
    assert get(ds, "/other/-/articles.ndjson").status_code == 404


# -- search -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "url"),
    [("econome", ECONOME.url), ("ÉCONOME", ECONOME.url), ("muller", GERMAN.url),
     ("munchen BACKEREI", GERMAN.url), ("baeckerei", None)],
)
def test_search_ignores_accents_in_french_and_german(news, q, url):
    found = [r["url"] for r in rows(news, "/news/search.json", q=q)]
    assert found == ([url] if url else [])


def test_search_highlights_the_accented_word(news):
    html = get(news, "/news/search", q="econome").text
    assert "Une famille <mark>économe</mark> réduit" in html
    assert 'href="/news/feed.atom?q=econome"' in html
    assert ('<link rel="alternate" type="application/atom+xml" title="This search (Atom)" '
            'href="/news/feed.atom?q=econome">') in html
    assert 'href="/news/-/articles.ndjson?q=econome"' in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"site": "other.example"}, [CLIMATE.url]),
        ({"language": "fr"}, [POUTINE.url, ECONOME.url]),
        ({"since": "2025-02-13"}, [CLIMATE.url, POUTINE.url, GERMAN.url]),
        ({"until": "2025-02-12"}, [ASIDE.url, HOSTILE.url, ECONOME.url]),
        ({"since": "2025-02-12", "until": "2025-02-13", "site": "news.example"},
         [POUTINE.url, ASIDE.url]),
    ],
)
def test_search_filters_site_language_and_dates(news, params, expected):
    # Every article, then the filters: the export without words lists what they keep...
    export = get(news, "/news/-/articles.ndjson", **params).text.splitlines()
    assert sorted(json.loads(line)["url"] for line in export) == sorted(expected)
    # ...and a search applies the same filters to what its words find.
    words = " ".join(  # a word of each expected article's text
        sorted({a.text.split()[0] for a in ARTICLES + [ECONOME, GERMAN] if a.url in expected}))
    found = set()
    for word in words.split():
        found |= {r["url"] for r in rows(news, "/news/search.json", q=word, **params)}
    assert found == set(expected)


def test_front_page_search_box_leads_to_the_search(news):
    html = get(news, "/news").text
    form = re.search(r'<form class="archive-search" action="([^"]+)"', html)
    assert form and form.group(1) == "/news/search"
    assert '<option>zeitung.example</option>' in html and '<option>de</option>' in html


# -- feeds ------------------------------------------------------------------------------------


def test_feed_of_a_search_parses(news):
    response = get(news, "/news/feed.atom", q="climate")
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert [e.link for e in feed.entries] == [CLIMATE.url, ASIDE.url]
    assert feed.entries[0].title == CLIMATE.title
    assert feed.entries[0].updated.startswith("2025-02-14T09:00:00")


def test_feed_of_a_site_newest_first(news):
    feed = feedparser.parse(get(news, "/news/feed.atom", site="news.example").content)
    links = [e.link for e in feed.entries]
    # by publication date; an undated article by when it was archived (here: today, first)
    assert links == [UNDATED.url, POUTINE.url, ASIDE.url, ECONOME.url]


def test_feed_of_a_search_without_match_is_a_valid_feed(news):
    feed = feedparser.parse(get(news, "/news/feed.atom", q="nothingmatches").content)
    assert not feed.bozo
    assert [e.title for e in feed.entries] == ["No article matches this search yet"]


def test_feed_escapes_crawled_text(news):
    body = get(news, "/news/feed.atom", site="evil.example").text
    assert "<script>" not in body and "&lt;script&gt;" in body
    feed = feedparser.parse(body)
    assert feed.entries[0].title == HOSTILE.title  # the reader gets the text, not markup


# -- NDJSON export ----------------------------------------------------------------------------


def test_ndjson_export_streams_every_matching_article_in_batches(news):
    response = get(news, "/news/-/articles.ndjson")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    records = [json.loads(line) for line in response.text.splitlines()]
    # seven articles read two at a time: every one exactly once, whole
    assert sorted(r["url"] for r in records) == sorted(a.url for a in ARTICLES + [ECONOME, GERMAN])
    by_url = {r["url"]: r for r in records}
    assert by_url[POUTINE.url]["text"] == POUTINE.text
    assert "_rowid" not in by_url[POUTINE.url]
    assert [r["url"] for r in map(json.loads, get(
        news, "/news/-/articles.ndjson", q="zelensky").text.splitlines())] == [POUTINE.url]


def test_ndjson_export_survives_fts_syntax(news):
    response = get(news, "/news/-/articles.ndjson", q='"NEAR(')
    assert response.status_code == 200 and response.text == ""


# -- front page -------------------------------------------------------------------------------


def test_front_page_lists_sites_chart_and_crawls(news):
    html = get(news, "/news", **{"from": "2025-02-10", "to": "2025-02-14"}).text
    assert 'href="/news/articles?site=news.example"' in html
    assert 'href="/news/feed.atom?site=news.example"' in html
    chart = re.search(r'<figure class="site-chart" data-site="news.example">(.*?)</figure>',
                      html, re.S).group(1)
    bars = re.findall(r'data-date="([\d-]+)" data-count="(\d+)"', chart)
    assert bars == [("2025-02-10", "1"), ("2025-02-11", "0"), ("2025-02-12", "1"),
                    ("2025-02-13", "1"), ("2025-02-14", "0")]
    assert "archive-crawls" in html and "finished" in html


def test_front_page_escapes_crawled_text(tmp_path):
    evil = make_article("https://evil.example/y", site="evil.example", published="2025-02-11",
                        site_name="<script>alert(3)</script><b>Evil</b>", language="<i>x</i>")
    ds = serve(write_archive(tmp_path / "archive.db", [evil]))
    html = get(ds, "/archive").text
    assert "&lt;script&gt;alert(3)&lt;/script&gt;&lt;b&gt;Evil&lt;/b&gt;" in html
    assert "<script>alert(3)" not in html and "<b>Evil" not in html
    assert "<i>x</i>" not in html and "&lt;i&gt;x&lt;/i&gt;" in html  # the language choice


def fetched(crawl_id: int, articles: list[Any]) -> list[dict[str, Any]]:
    return [{"crawl_id": crawl_id, "url": a.url, "status": 200, "outcome": "ok",
             "fetched_at": a.fetched_at} for a in articles]


def test_front_page_warns_when_a_share_jumps(tmp_path):
    path = tmp_path / "archive.db"
    archive = Archive(path)
    crawl_ids = [archive.start_crawl("news", []) for _ in range(4)]
    usual = [make_article(f"https://news.example/old-{n}", author="A. Writer",
                          published=f"2025-01-{n + 1:02d}", word_count=400) for n in range(6)]
    archive.save(usual, fetched(crawl_ids[0], usual))
    # three crawls later, the site's template lost its bylines
    broken = [make_article(f"https://news.example/new-{n}", author=None,
                           published=f"2025-02-{n + 1:02d}", word_count=390) for n in range(4)]
    archive.save(broken, fetched(crawl_ids[3], broken))
    archive.close()
    html = get(serve(path), "/archive").text
    warning = re.search(r'<section class="archive-warning".*?</section>', html, re.S)
    assert warning, "no warning on the front page"
    assert "news.example" in warning.group(0)
    assert "no author: 100% of the latest articles, usually 0%" in warning.group(0)
    assert "no date" not in warning.group(0)
    # when the last 4 crawls are "recent", nothing earlier is left to compare with
    html = get(serve(path, health_crawls=4), "/archive").text
    assert 'class="archive-warning"' not in html


def test_front_page_shows_each_site_last_crawl_and_its_errors(tmp_path):
    path = tmp_path / "archive.db"
    archive = Archive(path)
    first, second = (archive.start_crawl("news", []) for _ in range(2))
    archive.save([POUTINE, CLIMATE], fetched(first, [POUTINE, CLIMATE]) + [
        {"crawl_id": second, "url": "https://news.example:8080/x", "status": 503,
         "outcome": "http_503", "fetched_at": "2025-02-16T00:00:00+00:00"},
        {"crawl_id": second, "url": "https://news.example/robots.txt", "status": None,
         "outcome": "refused_robots", "fetched_at": "2025-02-16T00:00:00+00:00"}])
    archive.close()
    html = get(serve(path), "/archive").text
    rows = {site: re.sub(r"<[^>]+>|\s+", " ", cells).split() for site, cells in re.findall(
        r'<tr data-site="([^"]+)">.*?<td class="outcome">(.*?)</td>', html, re.S)}
    # the 503 on another port of the host counts; the robots.txt refusal is no error
    assert rows["news.example"] == ["running:", "2", "fetches,", "1", "error"]
    assert rows["other.example"] == ["running:", "1", "fetch,", "0", "errors", "not", "fetched",
                                     "by", "the", "latest", "crawl"]


# -- plain functions of the front page --------------------------------------------------------


def test_chart_period_defaults_to_the_quarter_up_to_the_newest_article():
    first, last, note = front.chart_period(None, None, "2025-02-13", date(2026, 1, 1))
    assert (first, last, note) == (date(2024, 11, 16), date(2025, 2, 13), None)
    assert (last - first).days + 1 == front.DEFAULT_DAYS


def test_chart_period_rejects_bad_dates_and_caps_its_length():
    first, last, note = front.chart_period("yesterday", None, "2025-02-13", date(2026, 1, 1))
    assert last == date(2025, 2, 13) and "YYYY-MM-DD" in note
    first, last, note = front.chart_period("2000-01-01", "2025-02-13", None, date(2026, 1, 1))
    assert (last - first).days + 1 == front.MAX_DAYS and note
    first, last, _ = front.chart_period("2025-02-13", "2025-02-01", None, date(2026, 1, 1))
    assert first < last


def test_day_charts_one_bar_per_day_scaled_to_the_busiest():
    rows = [{"site": "a", "day": "2025-02-02", "n": 4}, {"site": "a", "day": "2025-02-03", "n": 2},
            {"site": "b", "day": "2025-02-01", "n": 9}]
    charts = front.day_charts(rows, date(2025, 2, 1), date(2025, 2, 4))
    assert [c.site for c in charts] == ["b", "a"]
    a = charts[1]
    assert [(b.day, b.count) for b in a.bars] == [
        ("2025-02-01", 0), ("2025-02-02", 4), ("2025-02-03", 2), ("2025-02-04", 0)]
    assert a.bars[1].height == front.CHART_HEIGHT and a.bars[2].height == front.CHART_HEIGHT / 2
    assert a.bars[1].x < a.bars[2].x


def test_site_health_flags_only_jumps_with_enough_articles():
    def rows(site, n, **flagged):
        """n articles of a site; flagged: how many have no date, no author, few words."""
        out = []
        for i in range(n):
            out.append({"site": site,
                        "published": None if i < flagged.get("no_date", 0) else "2025-02-01",
                        "author": None if i < flagged.get("no_author", 0) else "A",
                        "word_count": flagged.get("words", 500) if i < flagged.get("few", 0)
                        else 500})
        return out

    recent = (rows("a", 10, few=6, words=200) + rows("b", 10, no_date=3)
              + rows("c", 2, no_author=2) + rows("d", 5, few=5, words=20))
    usual = rows("a", 20, few=2, words=200) + rows("b", 20, no_date=4) + rows("c", 20)
    report = front.site_health(recent, usual, jump=0.25, short_words=80, drop_ratio=0.5)
    by_site = {h.site: h for h in report}
    # a: 60 % of texts under half the usual length (470 words on average), usually 10 %
    assert by_site["a"].warnings == [
        "text much shorter than usual: 60% of the latest articles, usually 10%"]
    assert by_site["b"].shares["no_date"] == (0.3, 0.2) and by_site["b"].warnings == []
    assert by_site["c"].warnings == []  # too few recent articles to tell
    assert by_site["d"].warnings == [] and by_site["d"].shares["short_text"] == (1.0, None)
