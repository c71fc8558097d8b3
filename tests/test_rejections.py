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


def test_datasette_counts_refused_pages_per_site_and_reason(tmp_path):
    """The "Pages not archived, by reason" query of metadata.yml, on a real archive."""
    import asyncio

    from tests.test_datasette import archive_datasette

    archive = Archive(tmp_path / "archive.db")
    refused = [
        ("https://a.example/tag/x/", "url looks like a tag/category/author page"),
        ("https://a.example/tag/y/", "url looks like a tag/category/author page"),
        ("https://a.example/brief-1", "too little text (12 words)"),
        ("https://a.example/brief-2", "too little text (31 words)"),
        ("https://a.example/brief-3", "too little text (7 words)"),
        ("https://b.example/live/1", "sites.toml not_articles pattern '/live/'"),
    ]
    archive.save_rejections([rejection_row(page(url, "2026-01-01T00:00:00+00:00"), why)
                             for url, why in refused])
    archive.close()
    ds = archive_datasette(tmp_path / "archive.db")

    def rows(query: str) -> list[dict]:
        response = asyncio.run(ds.client.get(
            f"/archive/rejections_per_reason.json?_shape=objects{query}"))
        assert response.status_code == 200, response.text
        return [{k: r[k] for k in ("site", "reason", "pages")} for r in response.json()["rows"]]

    assert rows("&site=") == [
        {"site": "a.example", "reason": "too little text", "pages": 3},
        {"site": "a.example", "reason": "url looks like a tag/category/author page", "pages": 2},
        {"site": "b.example", "reason": "sites.toml not_articles pattern '/live/'", "pages": 1},
    ]
    assert rows("") == rows("&site=")  # no site given: every site
    assert rows("&site=b.example") == rows("&site=")[2:]
    table = asyncio.run(ds.client.get("/archive/rejections.json?_shape=objects&site=a.example"))
    assert len(table.json()["rows"]) == 5
