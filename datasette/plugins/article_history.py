"""Datasette plugin of the news archive: an article's versions and word-level diffs.

Loaded with ``--plugins-dir datasette/plugins``, beside ``news_archive.py``. The article page
(``row-archive-articles.html``) includes ``_article_history.html``, which reads two template
variables made here:

- ``article_versions``: the article's versions (number, time, what changed, words added and
  removed, extractor changes), oldest first;
- ``version_diff``: the diff between version ``?version=N`` (default: the latest) and the one
  before, field by field, the headline first; each field's diff is markup made here from
  HTML-escaped words (``<del>`` removed, ``<ins>`` added): a ``<script>`` in an article shows
  as text in the diff too.

In ``versions`` and in queries that have a ``url`` column, a ``version`` cell links to that
version's diff on the article page (the "recently changed" canned query of metadata.yml).
What makes a version, and the diff itself, is :mod:`pipelines.history`.
"""

from __future__ import annotations

import json
from typing import Any

from datasette.hookspecs import hookimpl
from datasette.utils import tilde_decode, tilde_encode
from markupsafe import Markup, escape

from pipelines.history import ADDED, BREAK, REMOVED, field_diffs

ARTICLES = "articles"
VERSIONS = "versions"
#: How each versioned field is named on the page.
LABELS = {"title": "Headline", "author": "Byline", "published": "Published",
          "modified": "Modified", "text": "Text"}
_TAGS = {ADDED: "ins", REMOVED: "del"}


def diff_markup(runs: list[tuple[str, str]]) -> Markup:
    """A word diff as HTML: every word escaped, removed runs in ``<del>``, added in ``<ins>``,
    paragraph breaks as ``<br>``."""
    parts = []
    for op, text in runs:
        escaped = str(escape(text)).replace(f" {BREAK} ", BREAK).replace(BREAK, "<br>")
        tag = _TAGS.get(op)
        parts.append(f"<{tag}>{escaped}</{tag}>" if tag else escaped)
    return Markup(" ".join(parts))


def version_link(datasette: Any, database: str, url: str, version: int) -> str:
    path = datasette.urls.row(database, ARTICLES, tilde_encode(url))
    return f"{path}?version={int(version)}#history"


def _json_list(value: str | None) -> list[Any]:
    try:
        items = json.loads(value or "[]")
    except (TypeError, ValueError):
        return []
    return items if isinstance(items, list) else []


async def history(datasette: Any, database: str, url: str, selected: str | None
                  ) -> dict[str, Any]:
    """The template variables of an article page."""
    db = datasette.get_database(database)
    if VERSIONS not in await db.table_names():
        return {}
    # each version's archived page (WARC record), in archives that keep them
    record = ("warc_record_id" if "warc_record_id" in await db.table_columns(VERSIONS)
              else "null as warc_record_id")
    result = await db.execute(
        "select version, fetched_at, changed, words_added, words_removed, extractor, "
        f"extractor_changes, {record} from versions where url = ? order by version", [url])
    versions = [
        {**dict(row), "changed": _json_list(row["changed"]),
         "extractor_changes": _json_list(row["extractor_changes"]),
         "link": version_link(datasette, database, url, row["version"])}
        for row in result.rows
    ]
    if not versions:
        return {}
    numbers = [v["version"] for v in versions]
    try:
        number = int(selected) if selected else numbers[-1]
    except ValueError:
        number = numbers[-1]
    diff = None
    if number in numbers and number > numbers[0]:
        before = numbers[numbers.index(number) - 1]
        rows = await db.execute(
            "select version, versions.title, versions.author, versions.published, "
            "versions.modified, coalesce(versions.text, articles.text) as text from versions "
            "join articles on articles.url = versions.url "
            "where versions.url = ? and version in (?, ?)", [url, before, number])
        by_number = {row["version"]: dict(row) for row in rows.rows}
        diff = {
            "version": number,
            "before": before,
            "fields": [
                {"name": name, "label": LABELS[name], "html": diff_markup(runs)}
                for name, runs in field_diffs(by_number[before], by_number[number])
            ],
        }
    return {"article_versions": versions, "version_diff": diff}


@hookimpl
def extra_template_vars(template: str, database: str, table: str, view_name: str,
                        request: Any, datasette: Any) -> Any:
    if view_name != "row" or table != ARTICLES or request is None:
        return {}
    pks = request.url_vars.get("pks")
    if not pks:
        return {}

    async def inner() -> dict[str, Any]:
        return await history(datasette, database, tilde_decode(pks),
                             request.args.get("version"))

    return inner


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None, database: str,
                datasette: Any) -> Any:
    """A version number links to its diff on the article page."""
    if column != "version" or not isinstance(value, int) or table not in (VERSIONS, None):
        return None
    try:
        url = row["url"]
    except (IndexError, KeyError):
        return None
    if not isinstance(url, str) or not url:
        return None
    return Markup('<a href="{}">{}</a>').format(
        version_link(datasette, database, url, value), value)
