"""Article detection on its own: the labelled non-article pages and the page-shape measures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml.html import fromstring

from core.urls import url_shape
from pipelines.classify import headline_links, longest_text_block
from pipelines.extract import extract_article

NONARTICLES = Path(__file__).parent / "data" / "nonarticles"
LABELS = json.loads((NONARTICLES / "pages.json").read_text())


@pytest.mark.parametrize("name", sorted(LABELS))
def test_a_labelled_non_article_page_is_refused_with_a_reason(name):
    url = "https://www.gazette.example" + LABELS[name]["path"]
    ex = extract_article((NONARTICLES / name).read_bytes(), url)
    assert not ex.is_article, f"{LABELS[name]['kind']} archived: {ex.reason}"
    assert ex.reason


def test_the_labelled_set_covers_the_kinds_of_non_article_pages():
    kinds = {item["kind"] for item in LABELS.values()}
    assert {"section front", "tag page", "author page", "search results", "about page",
            "contact page", "forum index", "product page", "home page"} <= kinds


def test_longest_text_block_counts_one_container_not_teasers_in_cards():
    sentence = "The council met on Tuesday and agreed the budget after a long debate. "
    article = fromstring("<html><body><div class='body'>" + "".join(
        f"<div class='para'><p>{sentence * 2}</p></div>" for _ in range(5))
        + "</div></body></html>")
    assert longest_text_block(article) == 5 * 26
    front = fromstring("<html><body><main>" + "".join(
        f"<article><h3><a href='/a{i}'>Head {i}</a></h3><p>{sentence}</p></article>"
        for i in range(10)) + "</main></body></html>")
    assert longest_text_block(front) == 13
    assert headline_links(front) == 10
    # a cut teaser, a menu line: not well-formed paragraphs
    assert longest_text_block(fromstring(
        "<html><body><p>The council met on Tuesday and agreed the</p></body></html>")) == 0


@pytest.mark.parametrize("path", ["/privacy-policy/", "/agb", "/terms-of-use", "/careers",
                                  "/newsletters", "/cookie-policy"])
def test_legal_help_and_job_pages_are_known_by_their_usual_names(path):
    assert url_shape("https://news.example" + path)[0] is False


def test_sites_toml_patterns_decide_not_articles_first(tmp_path):
    from crawler.sites import load_sites

    sites = tmp_path / "sites.toml"
    sites.write_text('[[site]]\nstart = ["https://news.example/"]\n'
                     'articles = ["/dossiers/"]\nnot_articles = ["/dossiers/live-"]\n')
    site = load_sites(sites)[0]
    assert site.override("https://news.example/dossiers/4711") == (
        True, "sites.toml articles pattern '/dossiers/'")
    assert site.override("https://news.example/dossiers/live-night") == (
        False, "sites.toml not_articles pattern '/dossiers/live-'")
    assert site.override("https://news.example/2025/01/02/story/") is None


def test_an_override_wins_over_the_url_and_the_text_but_not_over_an_empty_page():
    from core.items import Article, Page
    from pipelines.article import NotArticle, page_to_article

    short = "<html><body><p>A short item of a dossier, only a few words long.</p></body></html>"
    tag = "https://news.example/tag/dossier/"

    def verdict(html: str, override: tuple[bool, str] | None) -> Article | NotArticle:
        return page_to_article(Page(url=tag, requested_url=tag, status=200, html=html,
                                    fetched_at="2026-01-01", override=override))

    assert verdict(short, None) == NotArticle(tag, "url looks like a tag/category/author page")
    assert isinstance(verdict(short, (True, "sites.toml articles pattern '/tag/'")), Article)
    assert verdict(short, (False, "sites.toml not_articles pattern 'x'")) == NotArticle(
        tag, "sites.toml not_articles pattern 'x'")
    empty = verdict("<html><body></body></html>", (True, "sites.toml articles pattern 'y'"))
    assert isinstance(empty, NotArticle) and empty.reason.startswith(
        "sites.toml articles pattern 'y', but ")
