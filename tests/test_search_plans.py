"""Search and its feed at scale (issue #15): which articles a search ranks, and how it reads them.

A search ranks by bm25 the newest ``CANDIDATES`` matches (by when they were archived) that pass
its filters. Two plans find them: from the word's matches (no site, no dates) or from the
filtered articles' index entries (a site and/or a date range). Both must give exactly what a
plain reading of the rule gives, computed here in Python from every match on an archive with
more matches than ``CANDIDATES``; and the plans must read indexes, never the whole
``articles`` table (``EXPLAIN QUERY PLAN``). ``benchmarks/bench_archive.py`` times them on a
big archive.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import feedparser
import pytest

from pipelines.store import fts_query
from tests.test_browse import get, load, rows, serve, write_archive
from tests.test_datasette import make_article

plugin = load("news_archive")
#: More articles than CANDIDATES, the unfiltered search and the big site's both exceed it.
COUNT = plugin.CANDIDATES + 300
BIG, SMALL = "big.example", "small.example"
FIRST_DAY = date(2023, 1, 1)


def article(n: int) -> Any:
    site = SMALL if n % 5 == 0 else BIG
    published = "" if n % 97 == 0 else f"{FIRST_DAY + timedelta(days=n)}T10:00:00+01:00"
    # "climat" in all, "réforme" in every third, more often the older the article: the best
    # scores are the oldest, so a search ranking one candidate too many shows it.
    often = 1 + (COUNT - n) // 50
    text = " ".join(["climat"] * often + ["réforme"] * often * (n % 3 == 0) + [f"mot{n}"] * 20)
    return make_article(f"https://{site}/{n}/", site=site, title=f"Article {n}",
                        language="fr" if site == BIG else "de", published=published or None,
                        text=text, content_hash=f"h{n}")


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    return write_archive(tmp_path_factory.mktemp("plans") / "news.db",
                         [article(n) for n in range(COUNT)])


@pytest.fixture(scope="module")
def news(archive: Path):
    ds = serve(archive)
    yield ds
    for database in ds.databases.values():
        database.close()


def expected(archive: Path, q: str, site: str = "", language: str = "", since: str = "",
             until: str = "") -> list[str]:
    """The rule read plainly: every match, the filters, the newest CANDIDATES, bm25."""
    conn = sqlite3.connect(archive)
    try:
        scores = dict(conn.execute("select rowid, bm25(articles_fts) from articles_fts "
                                   "where articles_fts match ?", [fts_query(q)]))
        found = conn.execute("select rowid, url, site, language, published from articles")
        kept = [(rowid, url) for rowid, url, s, lang, published in found
                if rowid in scores and site in ("", s) and language in ("", lang)
                and (not since or (published or "")[:10] >= since and published)
                and (not until or published and published[:10] <= until)]
    finally:
        conn.close()
    newest = sorted(kept, reverse=True)[: plugin.CANDIDATES]
    ranked = sorted(newest, key=lambda found: (scores[found[0]], -found[0]))
    return [url for _, url in ranked[: plugin.SEARCH_ROWS]]


FILTERS = [
    {},
    {"language": "de"},
    {"site": BIG},
    {"site": SMALL, "language": "de"},
    {"since": "2023-06-01", "until": "2024-12-31"},  # more than CANDIDATES
    {"since": "2023-03-01", "until": "2023-03-31"},
    {"since": "2024-06-01"},
    {"until": "2023-03-10"},
    {"site": BIG, "since": "2023-02-01", "until": "2023-05-31"},
    {"site": BIG, "until": "2024-06-30"},
    {"site": SMALL, "since": "2099-01-01"},  # nothing
]


@pytest.mark.parametrize("q", ["climat", "reforme", "climat RÉFORME"])
@pytest.mark.parametrize("params", FILTERS, ids=lambda p: "&".join(f"{k}={v}" for k, v in
                                                                   p.items()) or "none")
def test_search_ranks_the_newest_candidates_passing_the_filters(archive, news, q, params):
    want = expected(archive, q, **params)
    found = rows(news, "/news/search.json", q=q, **params)
    assert [r["url"] for r in found] == want
    if want:  # the snippet marks the words, whichever plan found the article
        assert all("\ue000" in r["snippet"] for r in found)
    assert not any(r["published"] is None for r in found) or not (
        params.get("since") or params.get("until"))


def test_the_unfiltered_search_only_ranks_the_newest_candidates(archive, news):
    shown = {r["url"] for r in rows(news, "/news/search.json", q="climat")}
    oldest = {article(n).url for n in range(COUNT - plugin.CANDIDATES)}
    assert shown and not shown & oldest


def test_feed_of_a_filtered_search_is_its_candidates_newest_published_first(news):
    feed = feedparser.parse(get(news, "/news/feed.atom", q="reforme", site=SMALL,
                                since="2023-02-01", until="2023-03-31").content)
    assert not feed.bozo
    # small.example: every fifth article; "réforme": every third; so every 15th day
    days = [FIRST_DAY + timedelta(days=n) for n in range(0, COUNT, 15)]
    assert [e.link for e in feed.entries] == [
        article(n).url for n in reversed(range(0, COUNT, 15))
        if date(2023, 2, 1) <= days[n // 15] <= date(2023, 3, 31)]


def test_feed_of_a_filtered_search_without_match_is_a_valid_feed(news):
    feed = feedparser.parse(get(news, "/news/feed.atom", q="climat", site=SMALL,
                                since="2099-01-01").content)
    assert not feed.bozo
    assert [e.title for e in feed.entries] == ["No article matches this search yet"]


def plan(archive: Path, sql: str) -> list[str]:
    conn = sqlite3.connect(archive)
    conn.create_function("fts_words", 1, fts_query, deterministic=True)
    try:
        params = dict.fromkeys(plugin.FILTER_PARAMS, "x")
        return [row[3] for row in conn.execute(f"explain query plan {sql}", params)]
    finally:
        conn.close()


@pytest.mark.parametrize("name", ["SEARCH_SQL", "FEED_SQL"])
def test_both_plans_read_indexes_never_the_whole_articles_table(archive, name):
    steps = plan(archive, getattr(plugin, name))
    # articles are read by rowid, or from an index alone; "SEARCH articles" is max(rowid)
    reads = [s for s in steps if re.match(r"(SCAN|SEARCH) articles\b", s)]
    assert reads and all(s.startswith(("SEARCH articles USING INTEGER PRIMARY KEY",
                                        "SEARCH articles USING COVERING INDEX"))
                         or s == "SEARCH articles" for s in reads)
    # the filtered articles: from the index of their filter (the plan's count and its set)
    for index in ("idx_articles_site (site=?)",
                  "idx_articles_site_published (site=? AND published>? AND published<?)",
                  "idx_articles_published (published>? AND published<?)"):
        assert f"SEARCH articles USING COVERING INDEX {index}" in steps
    # the word's matches newest first, stopping at CANDIDATES (no sort of every match)
    assert steps.count("SCAN articles_fts VIRTUAL TABLE INDEX 192:M2") == 2
    if name == "FEED_SQL":  # no words: the newest archived, read backwards from the last
        assert "SEARCH articles USING INTEGER PRIMARY KEY (rowid<?)" in steps


def test_search_page_shows_the_filtered_results(news):
    html = asyncio.run(news.client.get(
        "/news/search", params={"q": "reforme", "site": SMALL, "until": "2023-01-20"})).text
    assert "<mark>réforme</mark>" in html
    # small.example articles 5, 10 and 15 hold the word and are dated until the 16th; 0 is undated
    assert ">Article 15<" in html and ">Article 0<" not in html


def run(archive: Path, sql: str, **params: str) -> list[tuple]:
    conn = sqlite3.connect(archive)
    conn.create_function("fts_words", 1, fts_query, deterministic=True)
    try:
        return conn.execute(sql, {name: params.get(name, "")
                                  for name in plugin.FILTER_PARAMS}).fetchall()
    finally:
        conn.close()


def by_word_only(sql: str) -> str:
    """The query choosing the plan by word unless fewer than 10 articles pass the filters
    (then they are too many to hold, in this archive's every filter)."""
    small = sql.replace(f"(filtered < {plugin.FILTERED_MAX} or filtered < 3 * newer)",
                        "filtered < 10")
    assert small != sql
    return small


@pytest.mark.parametrize(("params", "by_filter"), [
    ({"until": "2023-03-10"}, 1),  # 68 old articles, 700 newer: hold the 68
    ({"site": BIG, "until": "2023-03-10"}, 1),
    ({"since": "2023-03-10"}, 0),  # the newest 730: the newest matches are in
    ({"since": "2023-01-10", "until": "2025-01-31"}, 0),  # 745, 38 newer
])
def test_the_plan_holds_the_filtered_articles_when_far_more_are_newer(archive, params,
                                                                       by_filter):
    plan_of = f"with {plugin._PLAN} select by_filter from plan".replace(
        f"filtered < {plugin.FILTERED_MAX} or", "filtered < 10 or")
    assert run(archive, plan_of, **params) == [(by_filter,)]


@pytest.mark.parametrize("params", FILTERS[1:], ids=lambda p: "&".join(f"{k}={v}" for k, v in
                                                                       p.items()))
def test_the_plan_by_word_finds_what_the_plan_by_filter_finds(archive, params):
    plan_of = f"with {plugin._PLAN} select by_filter from plan"
    filtered = bool(params.keys() - {"language"})
    none = params.get("since") == "2099-01-01"  # no article: fewer than 10
    assert run(archive, plan_of, **params) == [(int(filtered),)]
    assert run(archive, by_word_only(plan_of), **params) == [(int(filtered and none),)]
    for name, q in (("SEARCH_SQL", "climat"), ("FEED_SQL", "reforme"), ("FEED_SQL", "")):
        sql = getattr(plugin, name)
        assert run(archive, by_word_only(sql), q=q, **params) == run(archive, sql, q=q, **params)
