"""The store adapter keeps what it could not write yet: a locked archive loses nothing."""

from __future__ import annotations

import sqlite3

from scrapy.utils.test import get_crawler

from core.items import Article
from crawler.spiders.news import NewsSpider
from pipelines.stages import StorePipeline


def test_rows_survive_a_locked_archive_and_are_written_later(tmp_path):
    path = tmp_path / "archive.db"
    crawler = get_crawler(NewsSpider, {"ARCHIVE_DB": str(path), "ARCHIVE_BATCH_SIZE": 1000})
    pipeline = StorePipeline(crawler)
    pipeline.archive.db.execute("PRAGMA busy_timeout = 50")
    article = Article(url="https://n.example/a/", fetched_url="https://n.example/a/",
                      site="n.example", title="Titre", text="Texte", content_hash="h")
    pipeline.process_item(article)

    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another writer holds the archive
    pipeline.flush()
    assert pipeline.articles == [article]  # kept, not lost
    assert crawler.stats.get_value("archive/store_error") == 1
    other.execute("ROLLBACK")
    other.close()

    pipeline.flush()
    assert pipeline.articles == []
    assert pipeline.archive.db["articles"].get(article.url)["title"] == "Titre"
    pipeline.archive.close()
    pipeline.lock.release()
