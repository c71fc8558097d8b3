"""End to end: article history across two crawls of a site whose articles change meanwhile.

The first crawl archives eight articles. Between the crawls, one headline, one paragraph and
one byline are edited, one article changes only in whitespace and markup, one answers 304 to
the conditional request, and two old articles' sitemap ``<lastmod>`` behave differently (one
moved to a date still older than our first fetch, one unchanged). The second crawl must make
exactly three new versions, with the right ``changed`` fields and diffs, send the validators
of the first responses back, re-fetch the old article whose lastmod moved and not the other;
Datasette must show the history and the diff.
"""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import sqlite_utils
from datasette.utils import tilde_encode

from pipelines.store import versions_as_read
from tests.conftest import run_crawl
from tests.faultsite import (
    FaultSite,
    Hit,
    Resp,
    article_html,
    article_path,
    html_response,
    links_response,
    prose,
    robots_txt,
)
from tests.test_datasette import archive_datasette

NOW = datetime.now(UTC).replace(microsecond=0)
YOUNG = (NOW - timedelta(hours=3)).isoformat()  # re-checked at every crawl
OLD = "2025-01-02T08:30:00+00:00"  # re-checked weekly, or when its listing's date moves
LAST_MODIFIED = format_datetime(NOW - timedelta(hours=2), usegmt=True)
NAMES = ("headline", "paragraph", "byline", "markup", "not-modified", "control",
         "old-moved", "old-same")
PATHS = {name: article_path(f"the-{name}-story", 20, 2, 2025) for name in NAMES}
EDITED = "The minister later denied having said any such thing to the committee."


class ChangingSite:
    """Articles rendered from their state at each crawl (``crawl`` is 1, then 2)."""

    def __init__(self, site: FaultSite) -> None:
        self.site = site
        self.crawl = 1
        for name, path in PATHS.items():
            site.route(path, lambda hit, name=name: self.answer(name, hit))
        site.route("/robots.txt", robots_txt())
        site.route("/", links_response("Home", [p for n, p in PATHS.items()
                                                if not n.startswith("old")]))
        site.route("/sitemap.xml", lambda hit: self.sitemap())

    def sitemap(self) -> Resp:
        lastmod = {"old-moved": "2025-01-03T09:00:00+00:00" if self.crawl == 2 else OLD,
                   "old-same": OLD}
        rows = "".join(f"<url><loc>{self.site.url(PATHS[n])}</loc><lastmod>{d}</lastmod></url>"
                       for n, d in lastmod.items())
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/'
                f'schemas/sitemap/0.9">{rows}</urlset>')
        return Resp(body=body.encode(), content_type="application/xml")

    def answer(self, name: str, hit: Hit) -> Resp:
        url = self.site.url(PATHS[name])
        second = self.crawl == 2
        title, author = f"The {name} story", "Sam Taylor"
        paragraphs = prose(url)
        body_html = None
        if second and name == "headline":
            title = "The headline story, rewritten"
        if second and name == "paragraph":
            paragraphs[1] = EDITED
        if second and name == "byline":
            author = "Alex Morgan"
        if second and name == "markup":
            body_html = "\n\n".join(f'<p class="x">  <span>{p}</span>\n </p>' for p in paragraphs)
        html = article_html(url, title, paragraphs=paragraphs, author=author, body_html=body_html,
                            published=OLD if name.startswith("old") else YOUNG)
        if name == "not-modified":
            if hit.headers.get("if-none-match") == '"v1"':
                return Resp(status=304, content_type=None, headers=[("ETag", '"v1"')])
            return html_response(html, headers=[("ETag", '"v1"')])
        return html_response(html, headers=[("Last-Modified", LAST_MODIFIED)])


def versions(db: sqlite_utils.Database) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for row in versions_as_read(db):
        out.setdefault(row["url"], []).append(row)
    return out


@pytest.mark.e2e
def test_two_crawls_keep_every_version_and_fetch_only_what_changed(tmp_path):
    archive = tmp_path / "archive.db"
    with FaultSite() as server:
        site = ChangingSite(server)
        server.route("/robots.txt", Resp(body=f"Sitemap: {server.url('/sitemap.xml')}\n".encode(),
                                         content_type="text/plain"))
        url = {name: server.url(path) for name, path in PATHS.items()}

        def crawl() -> None:
            done = run_crawl(archive, "-a", f"start={server.url('/')}")
            assert done.returncode == 0, done.output[-3000:]

        crawl()
        db = sqlite_utils.Database(archive)
        assert {r["url"] for r in db["articles"].rows} == set(url.values())
        assert all(len(v) == 1 for v in versions(db).values())
        first = {r["url"]: r for r in db["articles"].rows}

        site.crawl = 2
        crawl()

        # exactly three new versions, with what changed
        history = versions(db)
        new = {u: v[-1] for u, v in history.items() if len(v) > 1}
        assert set(new) == {url["headline"], url["paragraph"], url["byline"]}
        assert all(v["version"] == 2 for v in new.values())
        assert json.loads(new[url["headline"]]["changed"]) == ["title"]
        assert new[url["headline"]]["title"] == "The headline story, rewritten"
        assert json.loads(new[url["paragraph"]]["changed"]) == ["text"]
        paragraph = new[url["paragraph"]]
        assert EDITED in paragraph["text"]
        # the new sentence's words, less any the diff matched with the old paragraph's
        assert 0 < paragraph["words_added"] <= len(EDITED.split())
        assert paragraph["words_removed"] > 0
        assert json.loads(new[url["byline"]]["changed"]) == ["author"]
        assert new[url["byline"]]["author"] == "Alex Morgan"
        # the first versions are kept as they were
        assert history[url["headline"]][0]["title"] == "The headline story"
        assert EDITED not in history[url["paragraph"]][0]["text"]
        rows = {r["url"]: r for r in db["articles"].rows}
        assert rows[url["headline"]]["title"] == "The headline story, rewritten"
        assert {u: r["versions"] for u, r in rows.items()} == {
            u: (2 if u in new else 1) for u in url.values()}

        # whitespace and markup: fetched again, no version; 304: only last_seen moved
        assert server.count(PATHS["markup"]) == 2
        not_modified = url["not-modified"]
        answers = db.query("select status, outcome from fetches where url = ? order by id",
                           [not_modified])
        assert [(r["status"], r["outcome"]) for r in answers] == [(200, "ok"),
                                                                  (304, "not_modified")]
        assert rows[not_modified]["last_seen"] > first[not_modified]["last_seen"]
        unmoved = ("last_seen", "listed_dates")
        assert {k: v for k, v in rows[not_modified].items() if k not in unmoved} == {
            k: v for k, v in first[not_modified].items() if k not in unmoved}

        # the validators of the first responses were sent back
        second = {p: server.hits(p)[-1].headers for p in PATHS.values()}
        assert second[PATHS["not-modified"]].get("if-none-match") == '"v1"'
        for name in ("headline", "paragraph", "byline", "markup", "control"):
            assert second[PATHS[name]].get("if-modified-since") == LAST_MODIFIED, name
        # an old article is re-fetched when its sitemap lastmod moved, even to a date older
        # than the first fetch; not when it stayed the same
        assert server.count(PATHS["old-moved"]) == 2
        assert server.count(PATHS["old-same"]) == 1
        assert json.loads(rows[url["old-moved"]]["listed_dates"]) == {
            "sitemap": "2025-01-03T09:00:00+00:00"}

        crawl_row = db.query("select * from crawls order by id desc limit 1").__next__()
        outcomes = json.loads(crawl_row["outcomes"])
        assert outcomes["stored_updated"] == 3 and outcomes["not_modified"] == 1
        assert crawl_row["articles_updated"] == 3

    # the history and the diff in Datasette
    ds = archive_datasette(archive)
    page = asyncio.run(ds.client.get(f"/archive/articles/{tilde_encode(url['headline'])}"))
    assert page.status_code == 200
    assert "<h2>Versions (2)</h2>" in page.text
    assert "The headline <del>story</del> <ins>story, rewritten</ins>" in page.text
    page = asyncio.run(ds.client.get(f"/archive/articles/{tilde_encode(url['paragraph'])}"))
    diff = page.text.split('class="diff-field diff-text"', 1)[1].split("</div>", 1)[0]
    assert "<ins>" in diff and "<del>" in diff
    # the diff read without its deletions is the new text (the words the old paragraph
    # shares with the new one, which depend on the test server's port, are kept as they are)
    after = re.sub(r"<del>.*?</del> ?", "", diff).replace("<ins>", "").replace("</ins>", "")
    assert EDITED in after
    changed = asyncio.run(ds.client.get("/archive/recently_changed.json?_shape=array&site=&kind="))
    assert {r["url"] for r in changed.json()} == set(new)
