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
- ``rejections``: one row per fetched page that gave no article, with the reason (the latest).
- ``news_listings``: what Google News sitemaps said of a URL (title, publication date); copied
  into ``articles.news_title``/``news_published`` whichever of the two arrives first.
- ``warc_records``: where each archived response is in the WARC files (file, offset, length,
  payload digest, fetch time), written only once the record is on disk (pipelines/warc.py);
  ``articles.warc_record_id`` names the record an article's text was extracted from.
- ``versions``: every distinct content of an article, keyed by (url, version), version 1 the
  first archived; ``articles`` shows the latest and counts them in ``articles.versions``. The
  latest version's text is the article's (``versions.text`` NULL; it is stored once). What
  makes a version is decided by :mod:`pipelines.history`.
- ``article_counts``: articles per site, language, author, tag, access and agency, kept by
  triggers (facets).
- ``article_days``: articles per publication day and site, kept by triggers (the front page's
  chart).

Crawl state of a re-crawl lives here too, per article: the HTTP validators of the last
response (``etag``, ``last_modified``) and the dates its listings gave (``listed_dates``).
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from sqlite_utils import Database, Migrations

from core.items import Article, NewsListing, NotModified, Page, utc_now
from core.urls import host
from pipelines.history import compare
from pipelines.keys import article_hash

#: Article columns written on every upsert, in the dataclass' order.
ARTICLE_FIELDS = tuple(f.name for f in dataclasses.fields(Article))
#: Columns an extraction produces (what a re-extraction replaces).
EXTRACTION_FIELDS = ("title", "author", "published", "modified", "language", "site_name",
                     "description", "tags", "image", "text", "word_count", "content_hash",
                     "sources", "extractor")
#: Columns stored as JSON text.
JSON_FIELDS = ("tags", "sources", "listed_dates", "authors", "agencies", "date_notes")
#: Columns of a version copied from its article.
VERSION_FIELDS = ("url", "site", "fetched_at", "title", "author", "published", "modified",
                  "text", "word_count", "content_hash", "sources", "extractor", "warc_record_id")

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
def m005_versions(db: Database) -> None:
    """Article history: every distinct content of an article in ``versions``; per article
    the count of versions, the extractor that made the latest, and the re-crawl state (HTTP
    validators, the dates its listings gave). Archived articles become their version 1."""
    articles = db["articles"]
    for column, kind in (("versions", int), ("extractor", str), ("etag", str),
                         ("last_modified", str), ("listed_dates", str)):
        articles.add_column(column, kind)
    db["versions"].create(
        {
            "url": str,
            "version": int,
            "site": str,
            "fetched_at": str,
            "title": str,
            "author": str,
            "published": str,
            "modified": str,
            "text": str,
            "word_count": int,
            "content_hash": str,
            "changed": str,  # JSON list of the fields that changed from the version before
            "words_added": int,
            "words_removed": int,
            "sources": str,
            "extractor": str,
            "extractor_changes": str,  # JSON list: later extractions by another extractor
        },
        pk=("url", "version"),
    )
    db["versions"].create_index(["fetched_at"])
    db["versions"].create_index(["site", "fetched_at"])
    db.execute(
        "INSERT INTO versions (url, version, site, fetched_at, title, author, published, "
        "modified, text, word_count, content_hash, changed, words_added, words_removed, "
        "sources, extractor) SELECT url, 1, site, coalesce(fetched_at, first_seen), title, "
        "author, published, modified, text, word_count, content_hash, '[]', 0, 0, sources, "
        "'' FROM articles"
    )
    db.execute("UPDATE articles SET versions = 1, extractor = ''")


def version_row(article: Article, version: int, changed: list[str], added: int,
                removed: int) -> dict[str, Any]:
    """The ``versions`` row of an article's latest content: its text is the article's
    (``text`` NULL, see ``m021_latest_text_once``)."""
    row = {name: getattr(article, name) for name in VERSION_FIELDS}
    row["text"] = None
    row["sources"] = json.dumps(article.sources, ensure_ascii=False)
    row.update(version=version, changed=json.dumps(changed), words_added=added,
               words_removed=removed)
    return row


@migrations()
def m006_rejections(db: Database) -> None:
    """Why each fetched page gave no article: one row per URL, updated when it is fetched
    again (``first_seen`` kept), so a user sees at once which of a site's pages are refused
    and why."""
    db["rejections"].create(
        {
            "url": str,
            "site": str,
            "reason": str,
            "failed": int,
            "crawl_id": int,
            "first_seen": str,
            "last_seen": str,
        },
        pk="url",
    )
    db["rejections"].create_index(["site", "reason"])


def rejection_row(page: Page, reason: str, failed: bool = False) -> dict[str, Any]:
    """The ``rejections`` row of a fetched page that gave no article (without crawl id)."""
    return {
        "url": page.url,
        "site": host(page.url),
        "reason": reason,
        "failed": int(failed),
        "fetched_at": page.fetched_at or utc_now(),
    }


@migrations()
def m007_credits_dates_access(db: Database) -> None:
    """Authors and agencies as lists, each date's confidence, rejected dates, access."""
    for column in ("authors", "agencies", "published_confidence", "modified_confidence",
                   "date_notes", "access"):
        db["articles"].add_column(column, str)


@migrations()
def m008_warc_records(db: Database) -> None:
    """The WARC index, each article's record, and when its text was extracted."""
    db["warc_records"].create(
        {
            "record_id": str,  # WARC-Record-ID's uuid
            "url": str,
            "file": str,  # relative to the archive's folder when inside it
            "offset": int,
            "length": int,  # of the gzip member holding the record
            "record_type": str,  # "response" or "revisit"
            "refers_to": str,  # a revisit's original response record
            "payload_digest": str,
            "status": int,
            "content_type": str,
            "fetched_at": str,
        },
        pk="record_id",
    )
    db["warc_records"].create_index(["payload_digest"])
    db["warc_records"].create_index(["url"])
    db["articles"].add_column("warc_record_id", str)
    db["articles"].add_column("extracted_at", str)
    db["versions"].add_column("warc_record_id", str)


@migrations()
def m009_crawl_workers(db: Database) -> None:
    """Which workers took part in a crawl (JSON list of "host:pid"; distributed crawls)."""
    db["crawls"].add_column("workers", str)


@migrations()
def m020_article_counts(db: Database) -> None:
    """Articles per site, language, author and tag, kept current by triggers on ``articles``.

    Counting a column of a million articles (Datasette's facets, the front page's sites)
    reads a whole index, and counting tags reads every row's JSON: over Datasette's time
    limits. The writer keeps the counts instead, a few rows touched per article written;
    the facets of the whole table and the front page read them
    (``datasette/plugins/archive_facets.py``). A tag counts once per article; NULL is not
    counted (as Datasette's facets do)."""
    db.execute(
        "CREATE TABLE article_counts (facet TEXT NOT NULL, value TEXT NOT NULL, "
        "articles INTEGER NOT NULL, PRIMARY KEY (facet, value)) WITHOUT ROWID"
    )

    def values(row: str) -> str:
        return (
            f"SELECT 'site' AS facet, {row}.site AS value UNION ALL "
            f"SELECT 'language', {row}.language UNION ALL SELECT 'author', {row}.author "
            "UNION ALL SELECT DISTINCT 'tags', value FROM json_each(CASE WHEN "
            f"json_valid({row}.tags) AND json_type({row}.tags) = 'array' THEN {row}.tags "
            "ELSE '[]' END)"
        )

    def add(row: str, step: int) -> str:
        return (
            f"INSERT INTO article_counts (facet, value, articles) SELECT facet, value, {step} "
            f"FROM ({values(row)}) WHERE value IS NOT NULL "
            f"ON CONFLICT (facet, value) DO UPDATE SET articles = articles + ({step});"
        )

    gone = "DELETE FROM article_counts WHERE articles <= 0;"
    db.execute(f"CREATE TRIGGER article_counts_ai AFTER INSERT ON articles BEGIN "
               f"{add('new', 1)} END")
    db.execute(f"CREATE TRIGGER article_counts_ad AFTER DELETE ON articles BEGIN "
               f"{add('old', -1)} {gone} END")
    db.execute(
        "CREATE TRIGGER article_counts_au AFTER UPDATE OF site, language, author, tags "
        "ON articles WHEN old.site IS NOT new.site OR old.language IS NOT new.language "
        "OR old.author IS NOT new.author OR old.tags IS NOT new.tags BEGIN "
        f"{add('old', -1)} {add('new', 1)} {gone} END"
    )
    for column in ("site", "language", "author"):
        db.execute(
            f"INSERT INTO article_counts (facet, value, articles) SELECT '{column}', {column}, "
            f"count(*) FROM articles WHERE {column} IS NOT NULL GROUP BY {column}"
        )
    db.execute(
        "INSERT INTO article_counts (facet, value, articles) SELECT 'tags', tag, count(*) FROM "
        "(SELECT DISTINCT articles.rowid, j.value AS tag FROM articles, json_each(CASE WHEN "
        "json_valid(articles.tags) AND json_type(articles.tags) = 'array' THEN articles.tags "
        "ELSE '[]' END) AS j) WHERE tag IS NOT NULL GROUP BY tag"
    )


@migrations()
def m021_latest_text_once(db: Database) -> None:
    """The text of an article's latest version is stored once, in ``articles``: its
    ``versions`` row has ``text`` NULL, and gets its own copy only when a newer version (or
    another extraction) replaces the article's text. A tenth of a big archive has several
    versions: keeping every latest text twice made the file half as big again. Readers take
    ``coalesce(versions.text, articles.text)``. (The space freed is reused by later writes;
    ``VACUUM`` gives it back to the disk.)"""
    db.execute(
        "UPDATE versions SET text = NULL WHERE text IS NOT NULL AND EXISTS (SELECT 1 FROM "
        "articles WHERE articles.url = versions.url AND articles.versions = versions.version "
        "AND articles.text IS versions.text)"
    )


@migrations()
def m022_articles_site_index(db: Database) -> None:
    """A site's latest archived articles (``where site = ? order by rowid desc limit n``, the
    front page's extraction health) read from an index on ``site`` alone, whose entries are in
    rowid order per site; the (site, published) index made it sort every article of the site."""
    db["articles"].create_index(["site"], if_not_exists=True)


@migrations()
def m040_front_day_counts(db: Database) -> None:
    """Articles per publication day and site, kept current by triggers on ``articles``.

    The front page charts articles per day and site over a period; grouping the articles of
    the period read ~50,000 index entries and rows for a quarter of a million-article archive.
    The writer keeps the counts instead (one row touched per article written, only when its
    site or publication day changes), and the chart reads a few thousand small rows. ``day``
    is the first 10 characters of ``published`` (what the chart groups by); an article
    without site or date is not counted. The key starts with the day, so a period is a range
    of the primary key."""
    db.execute(
        "CREATE TABLE article_days (day TEXT NOT NULL, site TEXT NOT NULL, "
        "articles INTEGER NOT NULL, PRIMARY KEY (day, site)) WITHOUT ROWID"
    )

    def add(row: str, step: int) -> str:
        return (
            "INSERT INTO article_days (day, site, articles) "
            f"SELECT substr({row}.published, 1, 10), {row}.site, {step} "
            f"WHERE {row}.site IS NOT NULL AND {row}.published IS NOT NULL "
            f"ON CONFLICT (day, site) DO UPDATE SET articles = articles + ({step});"
        )

    gone = "DELETE FROM article_days WHERE articles <= 0;"
    db.execute(f"CREATE TRIGGER article_days_ai AFTER INSERT ON articles BEGIN "
               f"{add('new', 1)} END")
    db.execute(f"CREATE TRIGGER article_days_ad AFTER DELETE ON articles BEGIN "
               f"{add('old', -1)} {gone} END")
    db.execute(
        "CREATE TRIGGER article_days_au AFTER UPDATE OF site, published ON articles "
        "WHEN old.site IS NOT new.site "
        "OR substr(old.published, 1, 10) IS NOT substr(new.published, 1, 10) BEGIN "
        f"{add('old', -1)} {add('new', 1)} {gone} END"
    )
    db.execute(
        "INSERT INTO article_days (day, site, articles) SELECT substr(published, 1, 10), site, "
        "count(*) FROM articles WHERE site IS NOT NULL AND published IS NOT NULL "
        "GROUP BY 1, 2"
    )


@migrations()
def m040_front_fts_count_index(db: Database) -> None:
    """An index on the id of ``articles_fts_data`` (the FTS5 index's blocks), so that counting
    its rows reads that small index instead of every block.

    Datasette's database page (the archive's front page) counts the rows of every table,
    hidden ones included, on each load. SQLite counts a table from its smallest index; this
    table had none, so the count read the whole full-text index (a quarter of the file), and
    Datasette's time limit cannot stop a count (one step of SQLite's program). The index costs
    a few bytes per block (4 MB at 200,000 articles), kept by SQLite as FTS5 writes them."""
    if "articles_fts_data" in db.table_names():
        db.execute("CREATE INDEX IF NOT EXISTS articles_fts_data_count "
                   "ON articles_fts_data (id)")


@migrations()
def m040_front_access_agencies_counts(db: Database) -> None:
    """Articles per ``access`` (free, paywalled, partial) and per credited agency in
    ``article_counts`` too, so that these facets of the whole table read counts, as
    ``m020_article_counts`` made it for site, language, author and tags (uncounted, they
    passed Datasette's facet time limit on a big archive and were taken off the defaults).
    Their own triggers, beside m020's: an agency counts once per article, NULL not at all."""

    def values(row: str) -> str:
        return (
            f"SELECT 'access' AS facet, {row}.access AS value UNION ALL "
            "SELECT DISTINCT 'agencies', value FROM json_each(CASE WHEN "
            f"json_valid({row}.agencies) AND json_type({row}.agencies) = 'array' "
            f"THEN {row}.agencies ELSE '[]' END)"
        )

    def add(row: str, step: int) -> str:
        return (
            f"INSERT INTO article_counts (facet, value, articles) SELECT facet, value, {step} "
            f"FROM ({values(row)}) WHERE value IS NOT NULL "
            f"ON CONFLICT (facet, value) DO UPDATE SET articles = articles + ({step});"
        )

    gone = "DELETE FROM article_counts WHERE articles <= 0;"
    db.execute(f"CREATE TRIGGER article_counts_access_ai AFTER INSERT ON articles BEGIN "
               f"{add('new', 1)} END")
    db.execute(f"CREATE TRIGGER article_counts_access_ad AFTER DELETE ON articles BEGIN "
               f"{add('old', -1)} {gone} END")
    db.execute(
        "CREATE TRIGGER article_counts_access_au AFTER UPDATE OF access, agencies ON articles "
        "WHEN old.access IS NOT new.access OR old.agencies IS NOT new.agencies BEGIN "
        f"{add('old', -1)} {add('new', 1)} {gone} END"
    )
    # one pass over the articles (their access and agencies lie past the text)
    db.execute(
        "WITH credits AS MATERIALIZED (SELECT rowid AS id, access, CASE WHEN "
        "json_valid(agencies) AND json_type(agencies) = 'array' THEN agencies ELSE '[]' END "
        "AS agencies FROM articles) "
        "INSERT INTO article_counts (facet, value, articles) "
        "SELECT 'access', access, count(*) FROM credits WHERE access IS NOT NULL "
        "GROUP BY access UNION ALL "
        "SELECT 'agencies', agency, count(*) FROM (SELECT DISTINCT credits.id, j.value AS agency "
        "FROM credits, json_each(credits.agencies) AS j) WHERE agency IS NOT NULL GROUP BY agency"
    )


@migrations()
def m050_ingest_fts_automerge(db: Database) -> None:
    """The full-text index merges its segments 8 at a time instead of 4 (FTS5 ``automerge``).

    FTS5 writes each transaction's terms as a new segment, and merges a level's segments
    into one of the next level once there are ``automerge`` of them: every term of every
    article is written again at each level it goes up. Merging 8 at a time makes half as
    many levels, so much less rewriting as the archive grows: storing 100,000 articles into
    an FTS5 table took 62 s of CPU instead of 81 s (40,000: 18 s instead of 28 s; measured
    in benchmarks/README.md). A search reads up to 7 segments a level instead of 3, of the
    few levels left (a handful more b-tree lookups per word; ranked searches on that table
    took no longer). The setting is kept in the index's own config table,
    so it holds for every writer of the archive."""
    db.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('automerge', 8)")


@migrations()
def m060_dist_writer_batch(db: Database) -> None:
    """The last batch a distributed crawl's archive writer committed (a digest of its
    envelopes), kept with the crawl's counts in the same transaction: a writer restarted
    after the commit and before Redis heard of it does not write the batch twice."""
    db["crawls"].add_column("writer_batch", str)


def article_row(article: Article) -> dict[str, Any]:
    """The ``articles`` row for an article (lists and dicts as JSON text)."""
    row = dataclasses.asdict(article)
    for name in JSON_FIELDS:
        row[name] = json.dumps(row[name], ensure_ascii=False)
    return row


#: Per-connection settings of the archive's writer (and of anyone opening it through
#: :class:`Archive`), for writing to stay fast as the archive grows (issue #15):
#:
#: - ``cache_size``: SQLite's default page cache is 2 MB (500 pages). A batch of articles
#:   touches a few thousand pages: the leaves where its rows go in each index of ``articles``,
#:   ``versions`` and ``fetches`` (the author index at random places), the FTS index's newest
#:   segments. In a small archive these pages are few and stay in the cache; in a big one each
#:   was read again from the file, several times a batch. 64 MB holds a batch's pages (memory
#:   is only taken as pages are read: a small archive's writer stays small).
#: - ``secure_delete = FAST``: this SQLite is built with ``SECURE_DELETE`` on, which writes
#:   zeros over every page freed; the FTS index's merges free whole segments (hundreds of MB
#:   in a big archive), so each merge wrote its input twice. FAST still clears deleted cells
#:   inside pages that are written anyway (no extra I/O), not freed pages.
WRITER_PRAGMAS = ("cache_size = -65536", "secure_delete = FAST")


class Archive:
    """An open archive file: migrated on open, WAL mode, batched transactional writes."""

    def __init__(self, path: str | Path, *, busy_timeout_ms: int = 30_000,
                 min_change_words: int = 1) -> None:
        self.path = Path(path)
        self.min_change_words = min_change_words  # ARCHIVE_MIN_CHANGE_WORDS
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = Database(self.path)
        self.db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        self.db.enable_wal()
        # WAL with synchronous=NORMAL is durable across process crashes (only an OS crash
        # can lose the last transactions) and much cheaper than FULL.
        self.db.execute("PRAGMA synchronous = NORMAL")
        for pragma in WRITER_PRAGMAS:
            self.db.execute(f"PRAGMA {pragma}")
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

    def save_crawl_progress(self, crawl_id: int, *, counts: Mapping[str, int],
                            outcomes: Mapping[str, int], stats: Mapping[str, Any],
                            batch: str) -> None:
        """A running crawl's counts and stats so far, and the batch they include (the
        distributed writer's, inside the transaction that wrote the batch)."""
        with self.db.atomic():
            self.db["crawls"].update(crawl_id, {
                **{k: int(v) for k, v in counts.items()},
                "outcomes": json.dumps(dict(outcomes), sort_keys=True),
                "stats": json.dumps(dict(stats), default=str, sort_keys=True),
                "writer_batch": batch,
            })

    def crawl_progress(self, crawl_id: int) -> tuple[dict[str, Any], str | None]:
        """What :meth:`save_crawl_progress` kept of a crawl: its stats and last batch."""
        row = self.db.execute("SELECT stats, writer_batch FROM crawls WHERE id = ?",
                              [crawl_id]).fetchone()
        if row is None:
            return {}, None
        return (json.loads(row[0]) if row[0] else {}), row[1]

    # -- articles and fetches -------------------------------------------------------------

    def save(
        self,
        articles: Iterable[Article] = (),
        fetches: Iterable[Mapping[str, Any]] = (),
        listings: Iterable[NewsListing] = (),
        gone: Iterable[tuple[str, int, str]] = (),
        not_modified: Iterable[NotModified] = (),
        warc_records: Iterable[Mapping[str, Any]] = (),
    ) -> dict[str, str]:
        """Write a batch of articles, fetch records and news listings in one transaction.

        ``gone`` lists (url, 404 or 410, time) of URLs that answered so: archived articles
        among them are marked gone (and an article stored again is no longer gone).
        ``not_modified`` lists known articles that answered 304: only seen again.
        ``warc_records`` are index rows of WARC records already on disk (pipelines/warc.py).

        Returns, per article URL, ``"new"``, ``"updated"`` (a new version: its title, text,
        byline or dates changed), ``"reextracted"`` (different only as another extractor
        sees it: recorded on the latest version), ``"unchanged"``, ``"not_modified"`` or
        ``"gone"``. A URL seen twice in one batch (an article and its AMP copy) is written
        once. ``first_seen`` is kept from the first time the URL was stored.
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
        seen = [item for item in not_modified if item.url not in batch]
        warc_rows = [dict(r) for r in warc_records]
        outcomes: dict[str, str] = {}
        if not (batch or fetch_rows or listing_rows or gone_rows or seen or warc_rows):
            return outcomes
        with self.db.atomic():
            outcomes.update(self._save_articles(batch))
            # a page refused before (by older rules or before a sites.toml override) is
            # refused no more
            self.db.execute(
                "DELETE FROM rejections WHERE url IN (SELECT value FROM json_each(?))",
                [json.dumps([a.fetched_url for a in batch.values()])],
            )
            if fetch_rows:
                self.db["fetches"].insert_all(fetch_rows)
            if warc_rows:
                self.db["warc_records"].insert_all(warc_rows, replace=True)
            self._save_listings(list(listing_rows.values()), list(batch))
            for url, status, at in gone_rows:
                cursor = self.db.execute(
                    "UPDATE articles SET gone_status = ?, gone_at = ?, http_status = ? "
                    "WHERE url = ? AND gone_status IS NULL",
                    [status, at, status, url],
                )
                if cursor.rowcount:
                    outcomes[url] = "gone"
            for item in seen:
                cursor = self.db.execute(
                    "UPDATE articles SET last_seen = ?, http_status = 200, gone_status = NULL, "
                    "gone_at = NULL WHERE url = ?", [item.fetched_at, item.url])
                if cursor.rowcount:
                    outcomes[item.url] = "not_modified"
                    self._patch_listed_dates(item.url, item.listed_dates)
        return outcomes

    def save_rejections(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Keep why fetched pages gave no article (``rejection_row`` rows with a crawl id),
        one row per URL: the latest reason, the first and last time it was given."""
        with self.db.atomic():
            self.db.conn.executemany(
                "INSERT INTO rejections (url, site, reason, failed, crawl_id, first_seen, "
                "last_seen) VALUES (:url, :site, :reason, :failed, :crawl_id, :fetched_at, "
                ":fetched_at) ON CONFLICT (url) DO UPDATE SET site = excluded.site, "
                "reason = excluded.reason, failed = excluded.failed, "
                "crawl_id = excluded.crawl_id, last_seen = excluded.last_seen",
                [{"crawl_id": None, **row} for row in rows],
            )

    def _save_articles(self, batch: Mapping[str, Article]) -> dict[str, str]:
        """Articles and their versions (inside the caller's transaction)."""
        outcomes: dict[str, str] = {}
        known = self._known(list(batch))
        rows, versions = [], []
        for url, article in batch.items():
            row = article_row(article)
            row.pop("listed_dates")  # merged below, kind by kind
            row["gone_status"] = row["gone_at"] = None
            now = article.fetched_at or utc_now()
            old = known.get(url)
            if old is None:
                outcomes[url] = "new"
                row.update(first_seen=now, versions=1)
                versions.append(version_row(article, 1, [], 0, 0))
            else:
                outcomes[url] = self._compare(old, article)
                row.update(first_seen=old["first_seen"], versions=old["versions"] or 1)
                if outcomes[url] in ("updated", "reextracted"):
                    self._keep_version_text(url, row["versions"])
                if outcomes[url] == "updated":
                    row["versions"] += 1
                    change = compare(old, row, min_change_words=self.min_change_words)
                    versions.append(version_row(article, row["versions"], change.changed,
                                                change.words_added, change.words_removed))
                elif outcomes[url] == "reextracted":
                    self._record_extractor_change(old, article, row["versions"])
                else:
                    # Leave the row (and so the FTS index) alone; only mark it seen. The
                    # same hash: this extractor sees the latest version as it is stored.
                    self.db.execute(
                        "UPDATE articles SET last_seen = ?, http_status = ?, gone_status = NULL, "
                        "gone_at = NULL, etag = ?, last_modified = ?, extractor = CASE WHEN "
                        "content_hash = ? THEN ? ELSE coalesce(nullif(extractor, ''), ?) END "
                        "WHERE url = ?",
                        [now, article.http_status, article.etag, article.last_modified,
                         article.content_hash, article.extractor, article.extractor, url],
                    )
                    self._patch_listed_dates(url, article.listed_dates)
                    continue
            row["last_seen"] = now
            rows.append(row)
        if rows:
            self.db["articles"].upsert_all(rows, pk="url", alter=True)
        if versions:
            self.db["versions"].insert_all(versions, pk=("url", "version"), replace=True)
        for url, article in batch.items():
            if outcomes[url] != "unchanged":
                self._patch_listed_dates(url, article.listed_dates)
        return outcomes

    def _keep_version_text(self, url: str, version: int) -> None:
        """The latest version's text is the article's (``versions.text`` NULL): before the
        article's text is replaced, that version gets its own copy."""
        self.db.execute(
            "UPDATE versions SET text = (SELECT text FROM articles WHERE url = ?) "
            "WHERE url = ? AND version = ? AND text IS NULL", [url, url, version])

    def _compare(self, old: dict[str, Any], article: Article) -> str:
        """``updated``, ``reextracted`` or ``unchanged``: the new extraction against the
        latest version, like for like (:func:`pipelines.history.compare`)."""
        if old["content_hash"] == article.content_hash:
            return "unchanged"
        old.update(self._latest_content(old["url"]))
        if not compare(old, dataclasses.asdict(article),
                       min_change_words=self.min_change_words):
            return "unchanged"  # whitespace, a date written another way, a small edit
        if (old["extractor"] or "") != article.extractor:
            return "reextracted"
        return "updated"

    def _latest_content(self, url: str) -> dict[str, Any]:
        row = self.db.execute(
            "SELECT title, author, published, modified, text FROM articles WHERE url = ?", [url]
        ).fetchone()
        return dict(zip(("title", "author", "published", "modified", "text"), row, strict=True))

    def _record_extractor_change(self, old: dict[str, Any], article: Article,
                                 version: int) -> None:
        """The latest version seen through another extractor: kept as provenance on that
        version (not a new version); the article shows the new extraction from now on."""
        change = compare(old, dataclasses.asdict(article), min_change_words=1)
        note = {"at": article.fetched_at, "from": old["extractor"] or "unknown",
                "to": article.extractor, "changed": change.changed,
                "words_added": change.words_added, "words_removed": change.words_removed}
        self.db.execute(
            "UPDATE versions SET extractor_changes = json_insert("
            "coalesce(extractor_changes, '[]'), '$[#]', json(?)) WHERE url = ? AND version = ?",
            [json.dumps(note), old["url"], version],
        )

    def _patch_listed_dates(self, url: str, dates: Mapping[str, str]) -> None:
        """Remember what each kind of listing (sitemap, news sitemap, feed) said of the
        article's date at this crawl: the next crawl re-fetches it when that changes."""
        if dates:
            self.db.execute(
                "UPDATE articles SET listed_dates = json_patch(coalesce(listed_dates, '{}'), ?) "
                "WHERE url = ?", [json.dumps(dict(dates)), url])

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

    def _known(self, urls: list[str]) -> dict[str, dict[str, Any]]:
        """What the archive holds of those URLs already archived (without their text)."""
        names = ("url", "first_seen", "content_hash", "extractor", "versions")
        rows = self.db.execute(
            f"SELECT {', '.join(names)} FROM articles "
            "WHERE url IN (SELECT value FROM json_each(?))",
            [json.dumps(urls)],
        )
        return {row[0]: dict(zip(names, row, strict=True)) for row in rows}

    # -- WARC index and re-extraction -----------------------------------------------------

    def warc_original(self, payload_digest: str) -> dict[str, Any] | None:
        """The first response record archived with this payload (a revisit refers to it)."""
        # one indexed lookup per archived page: a plain statement, not the table API
        cursor = self.db.execute(
            "SELECT record_id, url, fetched_at FROM warc_records WHERE payload_digest = ? "
            "AND record_type = 'response' ORDER BY fetched_at LIMIT 1", [payload_digest])
        row = cursor.fetchone()
        return dict(zip(("record_id", "url", "fetched_at"), row, strict=True)) if row else None

    def warc_indexed(self, record_ids: Iterable[str]) -> set[str]:
        """Which of these WARC records the index holds."""
        cursor = self.db.execute(
            "SELECT record_id FROM warc_records WHERE record_id IN "
            "(SELECT value FROM json_each(?))", [json.dumps(list(record_ids))])
        return {row[0] for row in cursor}

    def warc_file_ends(self) -> dict[str, int]:
        """Per WARC file, the offset of its last indexed record."""
        cursor = self.db.execute("SELECT file, max(offset) FROM warc_records GROUP BY file")
        return {row[0]: int(row[1]) for row in cursor}

    def replace_extraction(self, url: str, article: Article) -> list[str]:
        """Store a re-extraction of an archived article in place (no new history version).

        The row keeps its key, crawl facts and WARC record; its text, metadata, hash and
        extractor identity are replaced. Returns the names of the fields whose value
        changed; when nothing differs at all (same extractor, same result) nothing is
        written, and when only the extractor differs only its identity is recorded.
        """
        new = {name: article_row(article)[name] for name in EXTRACTION_FIELDS}
        old = self.db["articles"].get(url)
        changed = [name for name in EXTRACTION_FIELDS if old.get(name) != new[name]]
        content = [name for name in changed if name != "extractor"]
        if changed:
            with self.db.atomic():
                self.db["articles"].update(url, {**new, "extracted_at": article.extracted_at})
                if content and old.get("versions"):  # provenance, as a crawl records it
                    self._record_extractor_change(old, article, old["versions"])
        return content

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


def versions_as_read(db: Database) -> list[dict[str, Any]]:
    """Every version of every article, by URL and number, each with its text (the latest
    version's is the article's: ``m021_latest_text_once``)."""
    columns = ", ".join(f"versions.{name}" for name in db["versions"].columns_dict
                        if name != "text")
    return list(db.query(
        f"SELECT {columns}, coalesce(versions.text, articles.text) AS text FROM versions "
        "JOIN articles ON articles.url = versions.url ORDER BY versions.url, versions.version"))


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


def rewrite_site_texts(db: Database, site: str, rewrite: Callable[[str], str | None], *,
                       text_source: str | None = None) -> int:
    """Rewrite the text of a site's archived articles and of their versions, in one
    transaction.

    ``rewrite(text)`` gives the new text, or None to leave the row alone. ``text``,
    ``word_count`` and ``content_hash`` are written together (the hash as
    :func:`pipelines.keys.article_hash` defines it), so a re-crawl of an unchanged article
    finds the same hash and its history is compared like for like (a block learnt later
    makes no new version); ``sources["text"]`` becomes ``text_source`` when given (a
    re-cleaned row reads as one extracted with the same knowledge, and a re-extraction finds
    it unchanged). Returns the number of article rows changed.
    """
    changed = 0
    with db.atomic():
        for table, key in (("articles", ("url",)), ("versions", ("url", "version"))):
            if table not in db.table_names():
                continue
            rows = list(db.query(
                f"SELECT {', '.join(key)}, title, author, published, modified, text, sources "
                f"FROM {table} WHERE site = ?",
                [site],
            ))
            where = " AND ".join(f"{name} = ?" for name in key)
            for row in rows:
                if row["text"] is None:
                    continue  # a latest version: its text is the article's, rewritten above
                text = rewrite(row["text"])
                if text is None:
                    continue
                sources = row["sources"]
                if text_source is not None:
                    sources = json.dumps({**json.loads(sources or "{}"), "text": text_source},
                                         ensure_ascii=False)
                db.execute(
                    f"UPDATE {table} SET text = ?, word_count = ?, content_hash = ?, sources = ? "
                    f"WHERE {where}",
                    [text, len(text.split()), article_hash(row, text=text), sources,
                     *(row[name] for name in key)],
                )
                changed += table == "articles"
    return changed
