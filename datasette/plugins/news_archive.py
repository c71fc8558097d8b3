"""Datasette plugin of the news archive: the archive's metadata and queries whatever the file
is called, safe search, safe highlights, readable cells, feeds and a streamed export.

Loaded with ``--plugins-dir datasette/plugins``. Crawled text is never trusted as HTML:
every value is HTML-escaped first; the only markup added here is ours (links, ``<mark>``).

- Any served database holding an ``articles`` table is an archive: it gets the metadata of
  ``datasette/archive.yml`` (descriptions, facets, full-text search, hidden tables) and the
  canned queries ``search`` and ``feed`` through the ``get_metadata`` hook, so
  ``datasette serve /data/news.db`` publishes the same archive as ``archive.db``, and several
  archives can be served at once. Templates get ``news_archive`` (true on an archive's pages).
- ``search`` (ranked by bm25 among the newest :data:`CANDIDATES` matches, highlighted
  snippets), ``feed`` (the same filters as an Atom feed through datasette-atom) and
  ``/<db>/-/articles.ndjson`` (every matching article, streamed in batches of rows) share
  one filter clause: words ``q``, ``site``, ``language``, and a
  publication date range ``since`` / ``until``.

- ``fts_words(q)``: a SQL function turning a user's words into a safe FTS5 query (every word
  must match; quotes, ``AND``/``OR``/``NEAR``, ``-``, ``*`` are plain words), so the canned
  ``search`` query cannot fail on FTS5 syntax: ``pipelines.store.fts_query``, the one builder.
- Highlights: the canned query's ``snippet()`` wraps matches in :data:`MARK_START` /
  :data:`MARK_END` (private-use characters, ``char(57344)`` / ``char(57345)`` in SQL); the
  ``snippet`` column is escaped and only then are the markers turned into ``<mark>``.
- In ``articles``, the title links to the article page and the long ``text`` is cut short.
- ``json_list``: a Jinja filter reading a JSON array column (``tags``) for the templates.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import yaml

# hookimpl from datasette.hookspecs (the object ``datasette.hookimpl`` re-exports): ruff would
# otherwise take a bare ``datasette`` import for this project's datasette/ folder.
from datasette.hookspecs import hookimpl
from datasette.utils import tilde_encode
from datasette.utils.asgi import AsgiStream, Response
from markupsafe import Markup, escape

from pipelines.store import fts_query

ARTICLES = "articles"
#: Marker characters snippet() puts around each match (SQL: char(57344), char(57345)).
MARK_START = "\ue000"
MARK_END = "\ue001"
#: Characters of ``text`` shown in a table cell; the article page shows it all.
TEXT_PREVIEW_CHARS = 160

#: The metadata every archive database gets (datasette/archive.yml).
ARCHIVE_METADATA_FILE = Path(__file__).resolve().parent.parent / "archive.yml"
#: Query-string parameters of a search, its feed and its export, all optional ("" = any).
FILTER_PARAMS = ("q", "site", "language", "since", "until")
#: The one filter clause of search, feed and export (the FTS condition is added where needed).
ARTICLE_FILTERS = """
    (:site = '' or articles.site = :site)
    and (:language = '' or articles.language = :language)
    and (:since = '' or substr(articles.published, 1, 10) >= :since)
    and (:until = '' or substr(articles.published, 1, 10) <= :until)"""
MATCHING = (
    "articles.rowid in (select rowid from articles_fts where articles_fts match fts_words(:q))"
)

#: Matches a search ranks (and a feed sorts): the newest archived that pass the filters.
CANDIDATES = 500
#: Results a search shows, each with its snippet.
SEARCH_ROWS = 50
#: Filtered articles always read into memory to test matches against (see _candidates).
FILTERED_MAX = 100_000
#: How far the plan's counts go: filtered articles, and those published after the range.
_COUNT_FILTERED, _COUNT_NEWER = 600_000, 200_000
#: A bound above every ``published`` value starting with a date <= ``:until`` (or any value,
#: with no ``:until``), for an index range; the exact date test is made on each candidate.
_UNTIL_BOUND = "case when :until = '' then char(1114111) else :until || char(1114111) end"
#: The rowids of the articles of a site and/or date range, read from an index ((site),
#: (site, published) or (published)), never from the articles' rows. Each branch runs only
#: for the filters it serves (its parameter test is made once, before it reads anything).
_FILTERED = f"""select rowid from articles
        where :site != '' and :since = '' and :until = '' and articles.site = :site
        union all
        select rowid from articles
        where :site != '' and (:since != '' or :until != '') and articles.site = :site
          and articles.published >= :since and articles.published < {_UNTIL_BOUND}
        union all
        select rowid from articles
        where :site = '' and (:since != '' or :until != '')
          and articles.published >= :since and articles.published < {_UNTIL_BOUND}"""
#: Which plan finds the candidates (see _candidates), from counts of index entries:
#: by the filtered articles when a site or dates are given and those articles are fewer than
#: FILTERED_MAX, or fewer than three times the articles published after the range (the plan
#: by word reads the newer matches' articles first, each ~9 times the cost of holding one
#: filtered article, and a frequent word is in about a third of them).
_PLAN = f"""plan as (
  select (:site != '' or :since != '' or :until != '')
     and (filtered < {FILTERED_MAX} or filtered < 3 * newer) as by_filter
  from (select
    (select count(*) from (
        {_FILTERED}
        limit {_COUNT_FILTERED})) as filtered,
    (select count(*) from (
        select 1 from articles where :until != '' and :site = ''
          and articles.published >= {_UNTIL_BOUND}
        union all
        select 1 from articles where :until != '' and :site != '' and articles.site = :site
          and articles.published >= {_UNTIL_BOUND}
        limit {_COUNT_NEWER})) as newer)
)"""


def _candidates(columns: str, *, without_words: bool = False) -> str:
    """The newest :data:`CANDIDATES` articles matching ``:q`` and passing the filters
    (``columns`` of each), newest archived first: FTS5 reads the word's list of articles
    backwards from the newest (rowid order) and stops there, however many contain the word.
    Needs the ``plan`` CTE (:data:`_PLAN`). Two plans, one answer, chosen by ``plan``:

    - by word: each match's article is read and its filters tested, newest first: a few
      hundred rows without a site or dates (the language alone passes a third of the
      matches), or when the filtered articles are many and few are newer than the range
      (a site of a tenth of the archive, "since" a date): the newest matches soon pass;
    - by filter (a site and/or a date range): the filtered articles' rowids are read from an
      index first (:data:`_FILTERED`), each match is tested against them in memory and its
      article read only when it is in. Reading the article of every newer match instead made
      a frequent word's search in an old year of one site read a hundred thousand articles.

    ``without_words`` (the feed): with no words (``:q`` empty) the candidates are the newest
    archived articles passing the filters, read the same two ways (by rowid, by filter).
    ``cross join`` keeps the first table the outer loop; a ``limit`` of 0 skips a plan.
    """
    by_word = f"(select case when by_filter then 0 else {CANDIDATES} end from plan)"
    by_filter = f"(select case when by_filter then {CANDIDATES} else 0 end from plan)"
    filters = ARTICLE_FILTERS.strip()
    in_filtered = f"in (\n        {_FILTERED})"
    plans = [
        f"""select {columns}
      from articles_fts cross join articles on articles.rowid = articles_fts.rowid
      where articles_fts match fts_words(:q)
        and {filters}
      order by articles_fts.rowid desc
      limit {by_word}""",
        f"""select {columns}
      from articles_fts cross join articles on articles.rowid = articles_fts.rowid
      where articles_fts match fts_words(:q)
        and +articles_fts.rowid {in_filtered}
        and {filters}
      order by articles_fts.rowid desc
      limit {by_filter}""",
    ]
    if without_words:
        plans += [
            f"""select articles.rowid as id from articles
      where :q = '' and articles.rowid <= (select max(rowid) from articles)
        and {filters}
      order by articles.rowid desc
      limit {by_word}""",
            f"""select articles.rowid as id from articles
      where :q = '' and articles.rowid {in_filtered}
        and {filters}
      order by articles.rowid desc
      limit {by_filter}""",
        ]
    return "\n  union all\n  ".join(f"select * from (\n    {plan})" for plan in plans)


#: Ranked search: bm25 ranks the candidates (computed as they are read: one pass over the
#: word's newest matches, bm25's word weights still from the whole archive), then the page's
#: rows get their snippets. Ranking every match of a word found in a tenth of a million
#: articles cannot be done within Datasette's time limit, so a search shows the best matches
#: among the newest :data:`CANDIDATES` archived that pass its filters. The snippets are
#: made by one FTS5 look-up of each shown row; bm25 is never computed there (outside the scan
#: that counted the word's articles once, each bm25() would count them again: 4 ms a row).
SEARCH_SQL = f"""with {_PLAN},
candidates as (
  {_candidates("articles_fts.rowid as id, bm25(articles_fts) as score")}
),
ranked as (
  select id, score from candidates order by score, id desc limit {SEARCH_ROWS}
)
select
  articles.title,
  snippet(articles_fts, 1, char(57344), char(57345), ' … ', 32) as snippet,
  articles.site,
  articles.author,
  articles.published,
  articles.url
from ranked
cross join articles_fts on articles_fts.rowid = ranked.id
cross join articles on articles.rowid = ranked.id
where articles_fts match fts_words(:q)
order by ranked.score, ranked.id desc"""

#: Columns datasette-atom reads. Atom dates need a time zone: strftime() normalises what the
#: page declared (a date, a local time with offset) to UTC, falling back to when it was archived.
_FEED_ROWS = f"""select
    articles.url as atom_id,
    coalesce(nullif(articles.title, ''), articles.url) as atom_title,
    coalesce(strftime('%Y-%m-%dT%H:%M:%SZ', nullif(articles.published, '')),
             strftime('%Y-%m-%dT%H:%M:%SZ', articles.first_seen),
             '1970-01-01T00:00:00Z') as atom_updated,
    articles.url as atom_link,
    articles.author as atom_author_name,
    coalesce(nullif(articles.description, ''), substr(articles.text, 1, 600), '') as atom_content
  from articles
  where articles.rowid in (select id from candidates)
    and {ARTICLE_FILTERS.strip()}
  order by atom_updated desc
  limit 50"""
#: datasette-atom cannot write a feed of no entries: a search that matches nothing yet has one
#: entry saying so (its id and date never change, so readers show it once).
FEED_SQL = f"""with {_PLAN},
candidates as (
  {_candidates("articles_fts.rowid as id", without_words=True)}
),
hits as (
  {_FEED_ROWS}
)
select * from hits
union all
select 'tag:news-archiver,2025:no-match', 'No article matches this search yet',
       '1970-01-01T00:00:00Z', '', null,
       'Articles will appear here when the archive holds some that match.'
where not exists (select 1 from hits)"""

EXPORT_SQL = f"""select articles.rowid as _rowid, articles.*
from articles
where articles.rowid > :_after
  and (:q = '' or {MATCHING})
  and {ARTICLE_FILTERS.strip()}
order by articles.rowid
limit :_batch"""

_MARKED = re.compile(f"{MARK_START}([^{MARK_START}{MARK_END}]*){MARK_END}")


def highlight(value: str) -> Markup:
    """HTML-escape a snippet, then turn each marked match into ``<mark>…</mark>``.

    Markers left unpaired (say, from a page that contained them) are dropped.
    """
    escaped = str(escape(" ".join(value.split())))
    marked = _MARKED.sub(r"<mark>\1</mark>", escaped)
    return Markup(marked.replace(MARK_START, "").replace(MARK_END, ""))


def article_path(datasette: Any, database: str, url: str) -> str:
    """The path of an article's row page."""
    return datasette.urls.row(database, ARTICLES, tilde_encode(url))


def preview(text: str, limit: int = TEXT_PREVIEW_CHARS) -> str:
    """The start of a long text, cut at a word boundary, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"


def _column(row: Any, name: str) -> Any:
    try:
        return row[name]
    except (IndexError, KeyError):
        return None


def load_archive_metadata(path: Path = ARCHIVE_METADATA_FILE) -> dict[str, Any]:
    """The metadata of one archive database, with the SQL of the composed queries."""
    metadata = yaml.safe_load(path.read_text(encoding="utf-8"))
    queries = metadata.setdefault("queries", {})
    queries.setdefault("search", {})["sql"] = SEARCH_SQL
    queries.setdefault("feed", {})["sql"] = FEED_SQL
    return metadata


ARCHIVE_METADATA = load_archive_metadata()
#: Databases known to hold archives (a database becomes one when its first crawl writes).
_archives: set[tuple[str, str]] = set()


def has_articles(path: str) -> bool:
    """Whether the SQLite file at ``path`` has an ``articles`` table (read-only look)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        found = conn.execute(
            "select 1 from sqlite_master where type = 'table' and name = 'articles'"
        ).fetchone()
        return found is not None
    except sqlite3.Error:
        return False
    finally:
        conn.close()


def is_archive(datasette: Any, name: str | None) -> bool:
    """Whether the served database ``name`` is a news archive (it has ``articles``)."""
    database = datasette.databases.get(name) if name else None
    path = getattr(database, "path", None)
    if not path:
        return False
    if (name, path) in _archives:
        return True
    if has_articles(path):
        _archives.add((name, path))
        return True
    return False


def filter_values(args: Any) -> dict[str, str]:
    """The filter parameters of a request, each a string ("" when absent)."""
    return {name: (args.get(name) or "").strip() for name in FILTER_PARAMS}


@hookimpl
def get_metadata(datasette: Any, key: str | None, database: str | None,
                 table: str | None) -> dict[str, Any]:
    """The archive metadata of every archive database, a copy each time: Datasette merges
    metadata.yml's own entries into what this returns (Datasette asks ~150 times a page)."""
    names = [database] if database else list(datasette.databases)
    return {
        "databases": {
            name: _dicts_copied(ARCHIVE_METADATA) for name in names if is_archive(datasette, name)
        }
    }


def _dicts_copied(tree: dict[str, Any]) -> dict[str, Any]:
    """``tree`` with its dicts copied and everything else shared: Datasette's merge of
    metadata.yml assigns keys of these dicts and never changes a list or a string in place,
    and this is six times cheaper than ``copy.deepcopy`` (0.01 against 0.065 ms)."""
    return {key: _dicts_copied(value) if isinstance(value, dict) else value
            for key, value in tree.items()}


#: The sites and languages of an archive, from the writer's counts (``article_counts``).
SITES_AND_LANGUAGES = """
select facet as kind, value from article_counts
where facet in ('site', 'language') and value != ''
order by kind, value
"""
#: The same read from the articles' indexes, for an archive without article_counts.
SITES_AND_LANGUAGES_COUNTED = """
select 'site' as kind, site as value from (select distinct site from articles)
union all
select 'language', language from (select distinct language from articles where language != '')
order by kind, value
"""


async def search_filters(datasette: Any, database: str) -> dict[str, list[str]]:
    """The sites and languages of an archive, for the search form's choices."""
    db = datasette.get_database(database)
    counted = "article_counts" in await db.table_names()
    rows = await db.execute(SITES_AND_LANGUAGES if counted else SITES_AND_LANGUAGES_COUNTED)
    found: dict[str, list[str]] = {"sites": [], "languages": []}
    for row in rows:
        found["sites" if row["kind"] == "site" else "languages"].append(row["value"])
    return found


@hookimpl
def extra_template_vars(template: str, datasette: Any, database: str | None) -> Any:
    archive = is_archive(datasette, database)

    async def inner() -> dict[str, Any]:
        extra: dict[str, Any] = {"news_archive": archive}
        if archive and template == "query.html":
            extra["search_filters"] = await search_filters(datasette, database)
        return extra

    return inner


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(r"^/(?P<database>[^/]+)/-/articles\.ndjson$", export_ndjson)]


async def export_ndjson(datasette: Any, request: Any) -> Any:
    """Every article matching the filters, one JSON object a line, oldest archived first.

    Rows are read ``export_batch_rows`` at a time (keyset on rowid), each batch written out
    before the next is read, so an export of the whole archive holds one batch in memory.
    """
    name = request.url_vars["database"]
    if not is_archive(datasette, name):
        return Response.text(f"No news archive called {name!r} is served.\n", status=404)
    await datasette.ensure_permissions(
        request.actor,
        [("view-table", (name, ARTICLES)), ("view-database", name), "view-instance"],
    )
    db = datasette.get_database(name)
    config = datasette.plugin_config("news-archive") or {}
    batch = max(1, int(config.get("export_batch_rows", 500)))
    params = filter_values(request.args)

    async def stream(writer: Any) -> None:
        after = -1
        while True:
            result = await db.execute(EXPORT_SQL, {**params, "_after": after, "_batch": batch})
            rows = result.rows
            lines = []
            for row in rows:
                record = dict(row)
                after = record.pop("_rowid")
                lines.append(json.dumps(record, ensure_ascii=False))
            if lines:
                await writer.write("\n".join(lines) + "\n")
            if len(rows) < batch:
                return

    filename = f"{name}-articles.ndjson"
    return AsgiStream(
        stream,
        headers={"content-disposition": f'inline; filename="{filename}"'},
        content_type="application/x-ndjson; charset=utf-8",
    )


@hookimpl
def prepare_connection(conn: Any) -> None:
    conn.create_function("fts_words", 1, fts_query, deterministic=True)


@hookimpl
def prepare_jinja2_environment(env: Any) -> None:
    env.filters["json_list"] = json_list


def json_list(value: str | None) -> list[str]:
    """The strings of a JSON array column; anything else gives an empty list."""
    try:
        items = json.loads(value or "[]")
    except (TypeError, ValueError):
        return []
    return [str(item) for item in items] if isinstance(items, list) else []


@hookimpl
def render_cell(
    row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any
) -> Any:
    """Cells of ``articles`` and of queries over it; None leaves Datasette's default."""
    if not isinstance(value, str) or not value:
        return None
    if table is None and column == "snippet":
        return highlight(value)
    if table not in (ARTICLES, None):
        return None
    if column == "title":
        url = _column(row, "url")
        if isinstance(url, str) and url:
            return Markup('<a href="{}">{}</a>').format(
                article_path(datasette, database, url), value
            )
    if table == ARTICLES and column == "text":
        return preview(value)
    return None
