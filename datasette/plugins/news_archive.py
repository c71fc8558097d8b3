"""Datasette plugin of the news archive: safe search, safe highlights, readable cells.

Loaded with ``--plugins-dir datasette/plugins``. Crawled text is never trusted as HTML:
every value is HTML-escaped first; the only markup added here is ours (links, ``<mark>``).

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
from typing import Any

# hookimpl from datasette.hookspecs (the object ``datasette.hookimpl`` re-exports): ruff would
# otherwise take a bare ``datasette`` import for this project's datasette/ folder.
from datasette.hookspecs import hookimpl
from datasette.utils import tilde_encode
from markupsafe import Markup, escape

from pipelines.store import fts_query

ARTICLES = "articles"
#: Marker characters snippet() puts around each match (SQL: char(57344), char(57345)).
MARK_START = "\ue000"
MARK_END = "\ue001"
#: Characters of ``text`` shown in a table cell; the article page shows it all.
TEXT_PREVIEW_CHARS = 160

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
