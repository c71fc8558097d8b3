"""Re-extraction: the archived pages of ``archive.db`` through today's extractor, offline.

Each selected article's page is read back from its WARC record (no network: the site may be
gone), extracted in the extraction worker pool exactly as a crawl extracts it, and the row's
text and metadata are replaced in place (:meth:`Archive.replace_extraction`): the article did
not change, the extractor did, so no history version is made and the crawl facts (first and
last seen, fetch time, WARC record) stay. A result identical to the row changes nothing.

``scrapy reextract`` (crawler/commands/reextract.py) is the command over :func:`reextract`;
it passes in how an archived response becomes text (the crawler's own charset rules).
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warcio.exceptions import ArchiveLoadFailed

from core.items import Article, Page, utc_now
from core.lock import ArchiveLock
from pipelines.article import NotArticle, SiteKnowledge, page_to_article, url_verdict
from pipelines.boilerplate import SiteBoilerplate, clean_article, load_site
from pipelines.store import Archive
from pipelines.warc import ArchivedPage, archived_page
from pipelines.workers import ExtractorPool

#: Pages being extracted at once, per worker (keeps every worker busy, memory bounded).
IN_FLIGHT_PER_WORKER = 4
#: Changed URLs listed in the summary at most.
EXAMPLES = 10


async def extract_page(pool: ExtractorPool, page: Page,
                       site_knowledge: SiteKnowledge | None) -> Article | None:
    """Page -> Article as a crawl makes it, or None when it is no article (now).

    The crawl's own steps: the extraction in the worker pool, then
    :func:`pipelines.article.page_to_article` (the one page -> article function, site
    boilerplate applied), then the store's clean-up of blocks learnt meanwhile.
    """
    extraction = None
    if url_verdict(page.url) is None:
        extraction = await pool.extract(page.html, page.url)
    result = page_to_article(page, site_knowledge, extraction=extraction)
    if isinstance(result, NotArticle):
        return None
    knowledge = site_knowledge(result.site) if site_knowledge else None
    return clean_article(result, knowledge) if knowledge is not None else result


@dataclass
class Selection:
    """Which articles to re-extract (all by default)."""

    site: str | None = None  # the articles' host, e.g. www.example.org
    since: str | None = None  # published on or after this date (YYYY-MM-DD)
    until: str | None = None  # published on or before this date
    url: str | None = None  # a GLOB pattern over the article URL, e.g. */2025/03/*

    def where(self) -> tuple[str, list[str]]:
        """The SQL condition over ``articles`` and its parameters."""
        conditions = [("site = ?", self.site), ("substr(published, 1, 10) >= ?", self.since),
                      ("substr(published, 1, 10) <= ?", self.until), ("url GLOB ?", self.url)]
        used = [(clause, value) for clause, value in conditions if value]
        return " AND ".join(c for c, _ in used) or "1", [v for _, v in used if v]


@dataclass
class Summary:
    """What a re-extraction did."""

    extractor: str
    selected: int = 0
    changed: int = 0  # text or metadata replaced
    unchanged: int = 0  # the same result: nothing written (or only the extractor recorded)
    not_article: int = 0  # the extractor now says it is no article: the row is kept as it was
    missing: int = 0  # no WARC record (archived before WARC files were kept, or file gone)
    fields: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)

    def text(self) -> str:
        lines = [
            f"Re-extracted {self.selected} article(s) with {self.extractor}: "
            f"{self.changed} changed, {self.unchanged} unchanged, "
            f"{self.not_article} no longer articles (kept), {self.missing} without WARC record",
        ]
        if self.fields:
            lines.append("  fields changed: " + ", ".join(
                f"{name}={count}" for name, count in self.fields.most_common()))
        lines += [f"  changed: {url}" for url in self.examples]
        return "\n".join(lines)


def _rows(archive: Archive, selection: Selection) -> list[dict[str, Any]]:
    where, params = selection.where()
    return list(archive.db["articles"].rows_where(
        where, params, select="url, site, fetched_at, discovered_via, warc_record_id",
        order_by="rowid"))


def _page(row: dict[str, Any], archived: ArchivedPage, html: str) -> Page:
    return Page(url=archived.url, requested_url=archived.url, status=archived.status,
                html=html, fetched_at=row["fetched_at"] or archived.fetched_at,
                discovered_via=row["discovered_via"] or "link",
                warc_record_id=row["warc_record_id"])


async def reextract(
    archive_path: Path,
    selection: Selection,
    *,
    extractor: str,
    decode: Callable[[ArchivedPage], str],
    workers: int,
    learning: dict[str, Any],
    progress: Callable[[int], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> Summary:
    """Re-extract the selected articles of an archive; returns what changed.

    ``decode`` turns an archived response into the page's text; ``learning`` holds the site
    boilerplate settings (``min_pages``, ``min_share``; 0 pages: no site boilerplate
    removed); ``progress`` is called with 1 per article done. Holds the archive's writer
    lock, so it never writes while a crawl does.
    """
    summary = Summary(extractor)
    with ArchiveLock(archive_path):
        archive = Archive(archive_path)
        pool = ExtractorPool(workers)
        try:
            rows = _rows(archive, selection)
            summary.selected = len(rows)
            if on_start:
                on_start(len(rows))
            sites: dict[str, SiteBoilerplate] = {}

            def knowledge(site: str) -> SiteBoilerplate:
                if site not in sites:
                    sites[site] = load_site(archive.db, site, **learning)
                return sites[site]

            window = asyncio.Semaphore(max(1, workers) * IN_FLIGHT_PER_WORKER)

            async def one(row: dict[str, Any], page: Page) -> None:
                try:
                    article = await extract_page(
                        pool, page, knowledge if learning.get("min_pages") else None)
                finally:
                    window.release()
                _store(archive, row["url"], article, summary)
                if progress:
                    progress(1)

            tasks = []
            for row, page in _pages(archive, rows, decode, summary, progress):
                await window.acquire()
                tasks.append(asyncio.ensure_future(one(row, page)))
            await asyncio.gather(*tasks)
        finally:
            pool.close()
            archive.close()
    return summary


def _pages(archive: Archive, rows: list[dict[str, Any]], decode: Callable[[ArchivedPage], str],
           summary: Summary, progress: Callable[[int], None] | None
           ) -> Iterator[tuple[dict[str, Any], Page]]:
    """The selected rows with their archived pages (those without one are counted)."""
    for row in rows:
        archived = None
        if row["warc_record_id"]:
            try:
                archived = archived_page(archive.db.conn, row["warc_record_id"],
                                         archive.path.parent)
            except (OSError, ArchiveLoadFailed):
                archived = None
        if archived is None:
            summary.missing += 1
            if progress:
                progress(1)
            continue
        yield row, _page(row, archived, decode(archived))


def _store(archive: Archive, url: str, article: Article | None, summary: Summary) -> None:
    if article is None:
        summary.not_article += 1
        return
    article = dataclasses.replace(article, extractor=summary.extractor, extracted_at=utc_now())
    changed = archive.replace_extraction(url, article)
    if changed:
        summary.changed += 1
        summary.fields.update(changed)
        if len(summary.examples) < EXAMPLES:
            summary.examples.append(url)
    else:
        summary.unchanged += 1
