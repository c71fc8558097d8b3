"""The archive: one SQLite file, its schema, its migrations and every write to it.

This module owns ``archive.db`` and knows nothing of Scrapy: the store pipeline and the
crawl-summary extension are thin adapters over :class:`Archive`. The schema is created and
evolved only by the named migrations below (sqlite-utils ``Migrations``), so an archive made
by an older version is brought up to date on open, never by hand.

Tables:
- ``articles``: one row per canonical article URL (the primary key), with its text and metadata;
  ``articles_fts`` is an FTS5 index over title and text, accent-insensitive, kept in sync by
  triggers on every insert, update and delete.
- ``fetches``: one row per response or failed request (URL, status, time, size, type, error).
- ``crawls``: one row per run: start, end, outcome counts and Scrapy's final stats.
- ``boilerplate_blocks``: text blocks a site repeats on many pages, removed from its articles.
- ``news_listings``: what Google News sitemaps said of a URL (title, publication date); copied
  into ``articles.news_title``/``news_published`` whichever of the two arrives first.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from sqlite_utils import Database, Migrations

from core.items import Article, NewsListing, utc_now
from pipelines.keys import article_hash

#: Article columns written on every upsert, in the dataclass' order.
ARTICLE_FIELDS = tuple(f.name for f in dataclasses.fields(Article))
#: Columns stored as JSON text.
JSON_FIELDS = ("tags", "sources")

#: The schema's history. Migrations are frozen: each names the tables, columns and SQL it needs
#: as they were when it was written, and calls no code of the project that may change later
#: (a new schema is a new migration, never an edit of an old one).
migrations = Migrations("news-archiver")


@migrations()
def m001_initial(db: Database) -> None:
    """The first schema: articles with FTS, fetches and crawls."""
    db["articles"].create(
        {
            "url": str,
            "fetched_url": str,
            "site": str,
            "site_name": str,
            "title": str,
            "author": str,
            "published": str,
            "modified": str,
            "language": str,
            "description": str,
            "tags": str,
            "image": str,
            "text": str,
            "word_count": int,
            "content_hash": str,
            "http_status": int,
            "fetched_at": str,
            "discovered_via": str,
            "news_title": str,
            "news_published": str,
            "sources": str,
            "first_seen": str,
            "last_seen": str,
        },
        pk="url",
    )
    for columns in (["published"], ["site", "published"], ["language"], ["author"]):
        db["articles"].create_index(columns)
    # Unicode-aware, case- and accent-insensitive: "reponse" or "zelensky" finds "réponse"
    # and "Zelensky".
    db["articles"].enable_fts(
        ["title", "text"], create_triggers=True, tokenize="unicode61 remove_diacritics 2"
    )
    # Re-index a row only when an indexed column changes: a re-crawl that just marks an
    # unchanged article as seen again must not rewrite the full-text index.
    db.execute("DROP TRIGGER articles_au")
    db.execute(
        "CREATE TRIGGER articles_au AFTER UPDATE OF title, text ON articles BEGIN "
        "INSERT INTO articles_fts (articles_fts, rowid, title, text) "
        "VALUES('delete', old.rowid, old.title, old.text); "
        "INSERT INTO articles_fts (rowid, title, text) VALUES (new.rowid, new.title, new.text); "
        "END"
    )

    db["crawls"].create(
        {
            "id": int,
            "spider": str,
            "start_urls": str,
            "started": str,
            "finished": str,
            "status": str,
            "pages": int,
            "articles_new": int,
            "articles_updated": int,
            "articles_unchanged": int,
            "not_articles": int,
            "errors": int,
            "outcomes": str,
            "stats": str,
        },
        pk="id",
    )
    db["fetches"].create(
        {
            "id": int,
            "crawl_id": int,
            "url": str,
            "status": int,
            "fetched_at": str,
            "size": int,
            "content_type": str,
            "outcome": str,
            "error": str,
        },
        pk="id",
        foreign_keys=[("crawl_id", "crawls", "id")],
    )
    db["fetches"].create_index(["url"])
    db["fetches"].create_index(["crawl_id"])


@migrations()
def m002_news_listings(db: Database) -> None:
    """What Google News sitemaps said of each URL, joined into articles by URL."""
    db["news_listings"].create(
        {"url": str, "title": str, "published": str, "first_seen": str, "last_seen": str},
        pk="url",
    )


@migrations()
def m003_gone_articles(db: Database) -> None:
    """An archived article that later answers 404/410 is marked gone, never deleted."""
    db["articles"].add_column("gone_status", int)
    db["articles"].add_column("gone_at", str)


@migrations()
def m004_boilerplate_blocks(db: Database) -> None:
    """The blocks each site repeats on many pages, learnt during crawls (pipelines.boilerplate).

    (Crawls made before this migration created the table themselves: it may exist.)"""
    if "boilerplate_blocks" not in db.table_names():
        db["boilerplate_blocks"].create(
            {"site": str, "hash": str, "text": str, "pages": int, "first_seen": str},
            pk=("site", "hash"),
        )


@migrations()
def m005_crawl_workers(db: Database) -> None:
    """Which workers took part in a crawl (JSON list of "host:pid"; distributed crawls)."""
    db["crawls"].add_column("workers", str)


def article_row(article: Article) -> dict[str, Any]:
    """The ``articles`` row for an article (lists and dicts as JSON text)."""
    row = dataclasses.asdict(article)
    for name in JSON_FIELDS:
        row[name] = json.dumps(row[name], ensure_ascii=False)
    return row


class Archive:
    """An open archive file: migrated on open, WAL mode, batched transactional writes."""

    def __init__(self, path: str | Path, *, busy_timeout_ms: int = 30_000) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = Database(self.path)
        self.db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        self.db.enable_wal()
        # WAL with synchronous=NORMAL is durable across process crashes (only an OS crash
        # can lose the last transactions) and much cheaper than FULL.
        self.db.execute("PRAGMA synchronous = NORMAL")
        migrations.apply(self.db)

    def close(self) -> None:
        self.db.close()

    # -- crawls ---------------------------------------------------------------------------

    def start_crawl(self, spider: str, start_urls: Iterable[str]) -> int:
        """Record the start of a run and return its id."""
        with self.db.atomic():
            table = self.db["crawls"].insert(
                {
                    "spider": spider,
                    "start_urls": json.dumps(list(start_urls)),
                    "started": utc_now(),
                    "status": "running",
                }
            )
        return int(table.last_pk)

    def finish_crawl(
        self,
        crawl_id: int,
        *,
        status: str,
        counts: Mapping[str, int],
        outcomes: Mapping[str, int],
        stats: Mapping[str, Any],
    ) -> None:
        """Record how a run ended: its counts by outcome and Scrapy's final stats."""
        with self.db.atomic():
            self.db["crawls"].update(
                crawl_id,
                {
                    "finished": utc_now(),
                    "status": status,
                    **{k: int(v) for k, v in counts.items()},
                    "outcomes": json.dumps(dict(outcomes), sort_keys=True),
                    "stats": json.dumps(dict(stats), default=str, sort_keys=True),
                },
            )

    # -- articles and fetches -------------------------------------------------------------

    def save(
        self,
        articles: Iterable[Article] = (),
        fetches: Iterable[Mapping[str, Any]] = (),
        listings: Iterable[NewsListing] = (),
        gone: Iterable[tuple[str, int, str]] = (),
    ) -> dict[str, str]:
        """Write a batch of articles, fetch records and news listings in one transaction.

        ``gone`` lists (url, 404 or 410, time) of URLs that answered so: archived articles
        among them are marked gone (and an article stored again is no longer gone).

        Returns, per article URL, ``"new"``, ``"updated"`` (its text or metadata changed),
        ``"unchanged"`` or ``"gone"``. A URL seen twice in one batch (an article and its AMP
        copy) is written once. ``first_seen`` is kept from the first time the URL was stored.
        """
        batch: dict[str, Article] = {}
        for article in articles:
            batch.setdefault(article.url, article)
        fetch_rows = [dict(f) for f in fetches]
        listing_rows = {
            item.url: {"url": item.url, "title": item.title, "published": item.published}
            for item in listings
        }
        gone_rows = [(url, status, at) for url, status, at in gone if url not in batch]
        outcomes: dict[str, str] = {}
        if not batch and not fetch_rows and not listing_rows and not gone_rows:
            return outcomes
        with self.db.atomic():
            known = self._known(list(batch))
            rows = []
            for url, article in batch.items():
                row = article_row(article)
                row["gone_status"] = row["gone_at"] = None
                now = article.fetched_at or utc_now()
                if url not in known:
                    outcomes[url] = "new"
                    row["first_seen"] = now
                else:
                    first_seen, old_hash = known[url]
                    outcomes[url] = "unchanged" if old_hash == article.content_hash else "updated"
                    row["first_seen"] = first_seen
                    if outcomes[url] == "unchanged":
                        # Leave the row (and so the FTS index) alone; only mark it seen.
                        self.db.execute(
                            "UPDATE articles SET last_seen = ?, http_status = ?, "
                            "gone_status = NULL, gone_at = NULL WHERE url = ?",
                            [now, article.http_status, url],
                        )
                        continue
                row["last_seen"] = now
                rows.append(row)
            if rows:
                self.db["articles"].upsert_all(rows, pk="url", alter=True)
            if fetch_rows:
                self.db["fetches"].insert_all(fetch_rows)
            self._save_listings(list(listing_rows.values()), list(batch))
            for url, status, at in gone_rows:
                cursor = self.db.execute(
                    "UPDATE articles SET gone_status = ?, gone_at = ?, http_status = ? "
                    "WHERE url = ? AND gone_status IS NULL",
                    [status, at, status, url],
                )
                if cursor.rowcount:
                    outcomes[url] = "gone"
        return outcomes

    def _save_listings(self, rows: list[dict[str, Any]], new_articles: list[str]) -> None:
        """Keep news listings and copy them into the articles they name, in either order."""
        now = utc_now()
        if rows:
            known = {
                r[0]
                for r in self.db.execute(
                    "SELECT url FROM news_listings WHERE url IN (SELECT value FROM json_each(?))",
                    [json.dumps([r["url"] for r in rows])],
                )
            }
            for row in rows:
                row["last_seen"] = now
                if row["url"] not in known:
                    row["first_seen"] = now
            self.db["news_listings"].upsert_all(rows, pk="url")
        touched = [r["url"] for r in rows] + new_articles
        if touched:
            self.db.execute(
                "UPDATE articles SET news_title = l.title, news_published = l.published "
                "FROM news_listings AS l WHERE articles.url = l.url "
                "AND articles.url IN (SELECT value FROM json_each(?)) "
                "AND (articles.news_title IS NOT l.title "
                "OR articles.news_published IS NOT l.published)",
                [json.dumps(touched)],
            )

    def _known(self, urls: list[str]) -> dict[str, tuple[str, str]]:
        """first_seen and content_hash of those URLs already archived."""
        rows = self.db.execute(
            "SELECT url, first_seen, content_hash FROM articles "
            "WHERE url IN (SELECT value FROM json_each(?))",
            [json.dumps(urls)],
        )
        return {url: (first_seen, content_hash) for url, first_seen, content_hash in rows}

    # -- reading --------------------------------------------------------------------------

    def search(self, query: str, limit: int = 20) -> list[dict[str, Any]]:
        """Articles matching a full-text query, best first (bm25)."""
        return list(
            self.db.query(
                "SELECT articles.url, articles.title FROM articles_fts "
                "JOIN articles ON articles.rowid = articles_fts.rowid "
                "WHERE articles_fts MATCH ? ORDER BY bm25(articles_fts) LIMIT ?",
                [fts_query(query), limit],
            )
        )

    def integrity_ok(self) -> bool:
        try:
            return self.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        except sqlite3.DatabaseError:
            return False


def fts_query(text: str | None) -> str:
    """A user's words as a safe FTS5 query: each word a quoted string, all must match (quotes,
    ``AND``/``OR``/``NEAR``, ``-``, ``*`` are plain words), so a search cannot fail on FTS5
    syntax. The one builder: :meth:`Archive.search` and the Datasette plugin's ``fts_words()``
    SQL function both use it.

    No words at all gives ``""``, which FTS5 accepts and which matches nothing.
    """
    words = [word.replace('"', "") for word in (text or "").split()]
    return " ".join(f'"{word}"' for word in words if word) or '""'


# -- site boilerplate (pipelines.boilerplate learns it; these are its reads and writes) ---------

#: The table of the blocks each site repeats on many pages.
BOILERPLATE_BLOCKS = "boilerplate_blocks"


def site_blocks(db: Database, site: str) -> list[dict[str, Any]]:
    """The recognised boilerplate blocks of a site (hash, text, pages, first_seen)."""
    if BOILERPLATE_BLOCKS not in db.table_names():
        return []
    return list(db[BOILERPLATE_BLOCKS].rows_where("site = ?", [site]))


def save_site_blocks(db: Database, rows: list[dict[str, Any]]) -> None:
    """Write (insert or update) boilerplate block rows, in one transaction."""
    if rows:
        with db.atomic():
            db[BOILERPLATE_BLOCKS].upsert_all(rows, pk=("site", "hash"))


def recent_site_texts(db: Database, site: str, limit: int) -> list[tuple[str, str | None]]:
    """(url, text) of a site's last ``limit`` archived articles, newest first."""
    if "articles" not in db.table_names():
        return []
    return list(db.execute(
        "SELECT url, text FROM articles WHERE site = ? ORDER BY rowid DESC LIMIT ?",
        [site, limit],
    ))


def rewrite_site_texts(db: Database, site: str, rewrite: Callable[[str], str | None]) -> int:
    """Rewrite the text of a site's archived articles, in one transaction.

    ``rewrite(text)`` gives the new text, or None to leave the row alone. ``text``,
    ``word_count`` and ``content_hash`` are written together (the hash as
    :func:`pipelines.keys.article_hash` defines it). Returns the number of rows changed.
    """
    if "articles" not in db.table_names():
        return 0
    changed = 0
    with db.atomic():
        rows = list(db.query(
            "SELECT url, title, author, published, modified, text FROM articles WHERE site = ?",
            [site],
        ))
        for row in rows:
            text = rewrite(row["text"] or "")
            if text is None:
                continue
            db.execute(
                "UPDATE articles SET text = ?, word_count = ?, content_hash = ? WHERE url = ?",
                [text, len(text.split()), article_hash(row, text=text), row["url"]],
            )
            changed += 1
    return changed
