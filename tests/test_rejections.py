"""Every fetched page that gives no article keeps its reason in ``rejections``."""

from __future__ import annotations

from core.items import Page
from pipelines.store import Archive, rejection_row


def page(url: str, at: str) -> Page:
    return Page(url=url, requested_url=url, status=200, html="", fetched_at=at)


def test_a_refused_page_keeps_its_latest_reason_and_first_sighting(tmp_path):
    archive = Archive(tmp_path / "archive.db")
    url = "https://news.example/tag/economy/"
    archive.save_rejections([{"crawl_id": 1, **rejection_row(
        page(url, "2026-01-01T00:00:00+00:00"), "url looks like a tag page")}])
    archive.save_rejections([{"crawl_id": 2, **rejection_row(
        page(url, "2026-01-02T00:00:00+00:00"), "too little text (3 words)")}])
    rows = list(archive.db["rejections"].rows)
    assert rows == [{
        "url": url, "site": "news.example", "reason": "too little text (3 words)", "failed": 0,
        "crawl_id": 2, "first_seen": "2026-01-01T00:00:00+00:00",
        "last_seen": "2026-01-02T00:00:00+00:00",
    }]
    archive.close()


def test_a_page_archived_later_is_no_longer_listed_as_refused(tmp_path):
    from tests.test_store import make_article

    archive = Archive(tmp_path / "archive.db")
    stored = make_article()
    archive.save_rejections([rejection_row(page(stored.fetched_url, "2026-01-01"), "why")])
    archive.save_rejections([rejection_row(page("https://news.example/about/", "2026-01-01"),
                                           "url looks like a site page")])
    archive.save([stored])
    assert [r["url"] for r in archive.db["rejections"].rows] == ["https://news.example/about/"]
    archive.close()
