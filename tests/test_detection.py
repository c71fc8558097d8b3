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
