"""The published archive: Datasette with metadata.yml, datasette/templates and datasette/plugins.

Every test serves a real ``archive.db`` written by :class:`pipelines.store.Archive`, through
Datasette's own ASGI test client; one test runs the README's ``datasette serve`` command.
"""

from __future__ import annotations

import asyncio
import importlib.util
import shlex
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from datasette.app import Datasette
from datasette.utils import parse_metadata, tilde_encode

from core.items import Article
from pipelines.store import Archive

ROOT = Path(__file__).resolve().parent.parent
#: The README's command, run from the project root.
SERVE = (
    "datasette serve archive.db --metadata metadata.yml --template-dir datasette/templates "
    "--plugins-dir datasette/plugins --setting suggest_facets off --host 127.0.0.1 --port 8001"
)
HOSTILE_TEXT = "<script>alert(1)</script> Breaking: <b>x</b> said alert twice.\nSecond paragraph."


def make_article(url: str, **kw: Any) -> Article:
    """An article of the test archive, with sensible defaults."""
    fields: dict[str, Any] = dict(
        fetched_url=url,
        site="news.example",
        site_name="News Example",
        title="Untitled",
        language="en",
        text="Nothing much happened.",
        content_hash=url,
        fetched_at="2025-02-15T10:00:00+00:00",
    )
    fields.update(kw)
    return Article(url=url, **fields)


POUTINE = make_article(
    "https://news.example/2025/02/13/poutine/",
    title="Poutine accepte de négocier",
    author="Marie Dupont",
    published="2025-02-13T08:00:00+00:00",
    language="fr",
    site_name="Le Journal",
    description="Le Kremlin se dit prêt à discuter.",
    tags=["Russie", "Ukraine"],
    text="Le président ukrainien Volodymyr Zelensky a donné sa réponse.\n\nKyiv attend la suite.",
    word_count=14,
)
CLIMATE = make_article(
    "https://other.example/climate-summit",
    site="other.example",
    title="Climate summit ends with a climate deal",
    author="John Smith",
    published="2025-02-14T09:00:00+00:00",
    tags=["Climate"],
    text="Climate negotiators agreed. The climate deal covers climate finance.",
)
ASIDE = make_article(
    "https://news.example/2025/02/12/markets/",
    title="Markets open higher",
    author="Ann Lee",
    published="2025-02-12",
    text=" ".join(["Shares rose in early trading on Wednesday."] * 30 + ["Climate was not."]),
)
HOSTILE = make_article(
    "https://evil.example/x",
    site="evil.example",
    title="<img src=x onerror=alert(2)>Hostile headline",
    author="<i>Eve</i>",
    published="2025-02-11",
    tags=["<b>tag</b>"],
    text=HOSTILE_TEXT,
)
UNDATED = make_article("https://news.example/about-us", title="About us")
#: Newest first; an article without a date comes last.
NEWEST_FIRST = [CLIMATE.url, POUTINE.url, ASIDE.url, HOSTILE.url, UNDATED.url]


@pytest.fixture
def archive_path(tmp_path: Path) -> Path:
    """A real archive.db: five articles, two crawls with their fetches."""
    archive = Archive(tmp_path / "archive.db")
    for n in (1, 2):
        crawl_id = archive.start_crawl("news", ["https://news.example/"])
        archive.db["crawls"].update(crawl_id, {"started": f"2025-02-1{n}T00:00:00+00:00"})
        archive.save(
            fetches=[
                {
                    "crawl_id": crawl_id,
                    "url": f"https://news.example/{n}",
                    "status": 200,
                    "fetched_at": f"2025-02-1{n}T00:00:01+00:00",
                    "outcome": "article",
                }
            ]
        )
    archive.save([POUTINE, CLIMATE, ASIDE, HOSTILE, UNDATED])
    archive.close()
    return tmp_path / "archive.db"


def archive_datasette(archive_path: Path) -> Datasette:
    """Datasette configured exactly as the serve command configures it."""
    return Datasette(
        [str(archive_path)],
        metadata=parse_metadata((ROOT / "metadata.yml").read_text()),
        template_dir=str(ROOT / "datasette" / "templates"),
        plugins_dir=str(ROOT / "datasette" / "plugins"),
        settings={"suggest_facets": False},
    )


@pytest.fixture
def ds(archive_path: Path):
    """Datasette configured exactly as the serve command configures it."""
    datasette = archive_datasette(archive_path)
    yield datasette
    for database in datasette.databases.values():
        database.close()


def get(ds: Datasette, path: str, **kw: Any) -> httpx.Response:
    """GET a path through Datasette's ASGI client."""
    return asyncio.run(ds.client.get(path, **kw))


def get_json(ds: Datasette, path: str) -> dict[str, Any]:
    response = get(ds, path)
    assert response.status_code == 200, response.text
    return response.json()


def article_path(url: str) -> str:
    return f"/archive/articles/{tilde_encode(url)}"


def article_count(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("select count(*) from articles").fetchone()[0]


def load_plugin() -> ModuleType:
    """The plugin module, imported from its file as Datasette does."""
    spec = importlib.util.spec_from_file_location(
        "news_archive_plugin", ROOT / "datasette" / "plugins" / "news_archive.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- tables -------------------------------------------------------------------------------


def test_articles_listed_newest_first_with_facets(ds):
    data = get_json(ds, "/archive/articles.json?_shape=objects")
    assert [row["url"] for row in data["rows"]] == NEWEST_FIRST
    facets = data["facet_results"]
    assert {"site", "language", "author", "tags"} <= set(facets)
    assert facets["tags"]["type"] == "counted_array"
    sites = {r["value"]: r["count"] for r in facets["site"]["results"]}
    assert sites == {"news.example": 3, "other.example": 1, "evil.example": 1}
    tags = {r["value"] for r in facets["tags"]["results"]}
    assert {"Russie", "Ukraine", "Climate"} <= tags


def test_articles_table_links_titles_and_shortens_text(ds):
    html = get(ds, "/archive/articles").text
    assert f'<a href="{article_path(POUTINE.url)}">Poutine accepte de négocier</a>' in html
    assert "Shares rose in early trading" in html
    assert ASIDE.text not in html  # the 1,300-character text is cut short
    assert 'id="_search"' in html  # the search box is wired to articles_fts


def test_fetches_and_crawls_newest_first(ds):
    crawls = get_json(ds, "/archive/crawls.json?_shape=objects")["rows"]
    assert [c["started"][:10] for c in crawls] == ["2025-02-12", "2025-02-11"]
    fetches = get_json(ds, "/archive/fetches.json?_shape=objects")["rows"]
    assert [f["url"] for f in fetches] == ["https://news.example/2", "https://news.example/1"]


def test_internal_tables_hidden(ds):
    tables = {t["name"]: t["hidden"] for t in get_json(ds, "/archive.json")["tables"]}
    assert not tables["articles"] and not tables["fetches"] and not tables["crawls"]
    assert tables["_sqlite_migrations"]
    assert all(hidden for name, hidden in tables.items() if name.startswith("articles_fts"))


@pytest.mark.parametrize(
    ("words", "url"),
    [("zelensky", POUTINE.url), ("reponse", POUTINE.url), ("RÉPONSE kyiv", POUTINE.url)],
)
def test_table_search_ignores_case_and_accents(ds, words, url):
    data = get_json(ds, f"/archive/articles.json?_shape=objects&_search={words}")
    assert [row["url"] for row in data["rows"]] == [url]


@pytest.mark.parametrize("words", ['"AND NEAR', "NEAR(", "-", "climate OR", "*"])
def test_table_search_survives_fts_syntax(ds, words):
    response = get(ds, "/archive/articles.json", params={"_search": words})
    assert response.status_code == 200, response.text


# -- canned queries -----------------------------------------------------------------------


def test_search_query_ranks_by_bm25(ds):
    data = get_json(ds, "/archive/search.json?_shape=objects&q=climate")
    assert [row["url"] for row in data["rows"]] == [CLIMATE.url, ASIDE.url]
    assert list(data["rows"][0]) == ["title", "snippet", "site", "author", "published", "url"]


def test_search_query_highlights_and_links(ds):
    html = get(ds, "/archive/search", params={"q": "zelensky"}).text
    assert "Volodymyr <mark>Zelensky</mark> a donné sa" in html
    assert f'<a href="{article_path(POUTINE.url)}">Poutine accepte de négocier</a>' in html
    assert "\ue000" not in html and "\ue001" not in html


@pytest.mark.parametrize(
    "q", ['"AND NEAR', '"', "NEAR(climate deal)", "climate -deal", "clim*", "^x", "a\nb", ""]
)
def test_search_query_survives_fts_syntax(ds, q):
    response = get(ds, "/archive/search.json", params={"q": q})
    assert response.status_code == 200, response.text
    assert response.json()["ok"] is True


def test_search_words_are_plain_words(ds):
    rows = get_json(ds, "/archive/search.json?_shape=objects&q=climate+AND")["rows"]
    assert [row["url"] for row in rows] == []  # "and" is a word to find, not an operator
    rows = get(
        ds, "/archive/search.json", params={"q": '"climate deal', "_shape": "objects"}
    ).json()["rows"]
    assert [row["url"] for row in rows] == [CLIMATE.url]


def test_articles_per_day(ds):
    rows = get_json(ds, "/archive/articles_per_day.json?_shape=objects")["rows"]
    assert rows[:2] == [
        {"date": "2025-02-14", "site": "other.example", "count": 1},
        {"date": "2025-02-13", "site": "news.example", "count": 1},
    ]
    assert sum(row["count"] for row in rows) == 4  # the undated article is left out


# -- the article page ---------------------------------------------------------------------


def test_article_page_reads_like_an_article(ds):
    response = get(ds, article_path(POUTINE.url))
    assert response.status_code == 200
    html = response.text
    assert "<title>Poutine accepte de négocier · archive</title>" in html
    assert "Poutine accepte de négocier</h1>" in html
    assert '<span class="author">By Marie Dupont</span>' in html
    assert '<span class="site">Le Journal</span>' in html
    assert '<time datetime="2025-02-13T08:00:00+00:00">2025-02-13</time>' in html
    assert '<span class="language">fr</span>' in html
    assert ">Russie</a>" in html and "tags__arraycontains=Ukraine" in html
    assert '<p class="description">Le Kremlin se dit prêt à discuter.</p>' in html
    assert "<p>Le président ukrainien Volodymyr Zelensky a donné sa réponse.</p>" in html
    assert "<p>Kyiv attend la suite.</p>" in html
    assert "<p></p>" not in html
    assert f'<a href="{POUTINE.url}" rel="noopener noreferrer">Read the original</a>' in html
    assert f'href="{article_path(POUTINE.url)}.json"' in html


def test_other_rows_keep_the_default_page(ds):
    html = get(ds, "/archive/crawls/1").text
    assert "Read the original" not in html and "crawls: 1" in html


# -- nothing crawled is ever HTML -----------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        article_path(HOSTILE.url),
        "/archive/articles",
        "/archive/articles?_search=alert",
        "/archive/search?q=alert",
    ],
)
def test_crawled_html_is_escaped(ds, path):
    html = get(ds, path).text
    assert "&lt;script&gt;" in html
    assert "<script>alert(1)" not in html
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html


def test_search_snippet_escapes_before_highlighting(ds):
    html = get(ds, "/archive/search?q=alert").text
    assert "&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;" in html


def test_highlight_only_marks_our_markers():
    highlight = load_plugin().highlight
    assert highlight("a \ue000<b>\ue001 \ue001 c\ue000") == "a <mark>&lt;b&gt;</mark>  c"


# -- read-only --------------------------------------------------------------------------------


def test_select_allowed_writes_refused(ds, archive_path):
    before = article_count(archive_path)
    assert get_json(ds, "/archive.json?sql=select+count(*)+as+n+from+articles")["rows"] == [[5]]
    for sql in (
        "delete from articles",
        "select 1; delete from articles",
        "update articles set title = 'x'",
        "drop table articles",
    ):
        assert get(ds, "/archive.json", params={"sql": sql}).status_code == 400
        response = asyncio.run(ds.client.post("/archive", data={"sql": sql}))
        assert response.status_code >= 400
    # Datasette 0.65 answers a POST to a read-only canned query with an error (a 500, its bug).
    response = asyncio.run(ds.client.post("/archive/search", data={"q": "x"}))
    assert response.status_code >= 400
    assert article_count(archive_path) == before


# -- the README command -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_command_from_the_readme(archive_path):
    """The exact command, run from a copy of the project root, serves pages as writes land."""
    workdir = archive_path.parent
    (workdir / "metadata.yml").symlink_to(ROOT / "metadata.yml")
    (workdir / "datasette").symlink_to(ROOT / "datasette", target_is_directory=True)
    port = free_port()
    args = shlex.split(SERVE.replace("--port 8001", f"--port {port}"))
    args[0] = str(Path(sys.executable).with_name("datasette"))
    base = f"http://127.0.0.1:{port}"
    # The crawler keeps the archive open (WAL) and writes while Datasette reads.
    writer = Archive(archive_path)
    server = subprocess.Popen(
        args, cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, server.communicate()[0]
            try:
                with urllib.request.urlopen(f"{base}/-/versions.json", timeout=2) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "datasette did not answer in 30 s"
                time.sleep(0.2)
        with urllib.request.urlopen(base + article_path(POUTINE.url), timeout=10) as r:
            page = r.read().decode()
        assert "Poutine accepte de négocier</h1>" in page and "Read the original" in page

        late = make_article("https://news.example/late", title="Late news", published="2025-02-16")
        writer.save([late])
        with urllib.request.urlopen(base + article_path(late.url), timeout=10) as r:
            assert "Late news</h1>" in r.read().decode()
    finally:
        server.terminate()
        server.wait(timeout=15)
        writer.close()
