"""page_to_article: the one function from a fetched page to its archive row (or why none)."""

from __future__ import annotations

from pathlib import Path

from core.items import Article, Page
from pipelines.article import NotArticle, page_to_article
from pipelines.boilerplate import SiteBoilerplate
from pipelines.extract import extract_article
from pipelines.keys import HASHED_FIELDS, article_hash, content_hash

PAGES = Path(__file__).resolve().parent / "pages"
URL = "https://quietcorner.example/what-a-year-of-baking-bread-taught-me/"
HTML = (PAGES / "en_blog_article.html").read_text(encoding="utf-8")


def page(url: str = URL, html: str = HTML) -> Page:
    return Page(url=url, requested_url=url, status=200, html=html,
                fetched_at="2025-03-04T10:00:00+00:00", discovered_via="sitemap")


def test_an_article_page_becomes_its_row():
    article = page_to_article(page(f"{URL}?utm_source=feed"))
    assert isinstance(article, Article)
    assert article.url == URL and article.fetched_url == f"{URL}?utm_source=feed"
    assert article.site == "quietcorner.example" and article.discovered_via == "sitemap"
    assert article.word_count > 80
    assert article.content_hash == content_hash(*(getattr(article, f) for f in HASHED_FIELDS))


def test_an_extraction_made_elsewhere_gives_the_same_row():
    made_here = page_to_article(page())
    in_worker = page_to_article(page(), extraction=extract_article(HTML, URL))
    assert made_here == in_worker


def test_a_list_url_is_not_an_article_without_extracting():
    verdict = page_to_article(page("https://quietcorner.example/tag/bread/", html="not html"))
    assert verdict == NotArticle("https://quietcorner.example/tag/bread/",
                                 "url looks like a tag/category/author page")


def test_a_page_that_is_not_an_article_says_why():
    verdict = page_to_article(page(html="<html><body><p>Short.</p></body></html>"))
    assert isinstance(verdict, NotArticle) and not verdict.failed
    assert "too little text" in verdict.reason


def test_the_sites_knowledge_cleans_the_text_and_learns_from_the_page():
    lines = extract_article(HTML, URL).blocks
    kb = SiteBoilerplate("quietcorner.example", min_pages=2)
    for i in range(2):
        kb.observe(f"https://quietcorner.example/other-{i}/", [f"Only on page {i}", lines[-1]])
    article = page_to_article(page(), {"quietcorner.example": kb}.get)
    assert isinstance(article, Article)
    assert lines[-1] not in article.text.split("\n")
    assert article.content_hash == article_hash(article)
    assert kb.pages == 3  # it learnt from this page


def test_a_failing_site_knowledge_costs_no_article():
    def broken(site: str) -> SiteBoilerplate:
        raise RuntimeError("archive unreadable")

    assert page_to_article(page(), broken) == page_to_article(page())


def test_the_content_hash_reads_articles_and_rows_alike():
    article = page_to_article(page())
    row = {name: getattr(article, name) for name in HASHED_FIELDS}
    assert article_hash(row) == article_hash(article) == article.content_hash
    assert article_hash(row, text="other") != article.content_hash
