"""Boilerplate: generic furniture rules, hidden elements, site-level learning on the demo site."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from lxml import html as lxml_html

from core.items import Page
from demo.site import DemoSite
from pipelines.article import article_from_page
from pipelines.boilerplate import (
    TABLE,
    SiteBoilerplate,
    block_hash,
    drop_hidden,
    furniture_kind,
    load_site,
    reclean,
    save_blocks,
)
from pipelines.extract import extract_article
from pipelines.extraction import Extraction
from pipelines.keys import content_hash
from pipelines.store import Archive

BASE = "http://127.0.0.1:8765"
# A box the site puts inside the article body of every page. Its wording is deliberately not
# one the generic furniture rules know, so only site-level learning can recognise it.
BOX_TEXT = (
    "Le Journal du Monde vit grâce à ses lecteurs : un don, même modeste, "
    "garantit une rédaction indépendante."
)
BOX = f'<div class="encart"><p><strong>{BOX_TEXT}</strong></p></div>'
PAGES = 20


# --- page-level furniture -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Lire aussi : La réforme des retraites en cinq questions", "cross-reference"),
        ("Read more: Recognizing Germany's colonial crimes", "cross-reference"),
        ("Lesen Sie auch: Die wichtigsten Fragen zum Haushalt", "cross-reference"),
        ("Lea también: Impiden ingreso a Nicaragua a reportero", "cross-reference"),
        ("Abonnez-vous à notre newsletter", "subscription or social"),
        ("Follow us on Twitter and Facebook", "subscription or social"),
        ("© 2025 Le Journal du Monde", "legal or credit"),
        ("Alle Rechte vorbehalten.", "legal or credit"),
        ("Photo : AFP", "legal or credit"),
        ("Keine Kommentare", "comments"),
        ("12 comments", "comments"),
        ("Aktualisiert am 3. März 2025", "metadata line"),
        ("27.01.2022", "date line"),
        ("January 13, 2020", "date line"),
        ("19:49", "date line"),
        ("Anzeige", "advertising or membership"),
        ("*Werbung. Dieser Beitrag enthält Werbung für Mode.", "advertising or membership"),
        ("This post contains affiliate links.", "advertising or membership"),
        ("We may earn a commission when you buy through our links.", "advertising or membership"),
        ("Hazte miembro y disfruta de beneficios exclusivos", "advertising or membership"),
        ("Werden Sie Mitglied und erhalten Sie exklusive Angebote!", "advertising or membership"),
        ("Devenez membre du club des lecteurs", "advertising or membership"),
    ],
)
def test_furniture_is_recognised_in_several_languages(text, kind):
    assert furniture_kind(text) == kind


@pytest.mark.parametrize(
    "text",
    [
        "Le conseil municipal a voté le budget mardi soir après trois heures de débat.",
        "Der Stadtrat hat am Dienstag neue Fahrradstraßen am Ring beschlossen.",
        # an article sentence may mention a newsletter: long blocks are never furniture
        "The company said its weekly newsletter, which it started in 2019, now reaches more "
        "than two million readers, and that subscriptions grew faster than advertising revenue "
        "for the third quarter in a row, according to figures it published on Monday.",
        "Empfehlungen von Dennis: drei Spiele für den Winter",
        # an advertising label is a word alone, not the first word of a sentence
        "Werbung nervt. Tracking nervt. Und mobil habe ich keine Zeit dafür.",
        "Anzeigen gegen den Bürgermeister wurden am Montag eingereicht.",
        "",
    ],
)
def test_article_text_is_not_furniture(text):
    assert furniture_kind(text) is None


def test_hidden_elements_are_dropped_and_following_text_kept():
    tree = lxml_html.fromstring(
        "<html><body><div><p>Seen</p>"
        '<div style="display: none"><span itemprop="datePublished">2019-11-19</span></div>'
        "tail text<p hidden>template</p>"
        '<span style="visibility:hidden">x</span><p style="color: red">Red</p></div></body></html>'
    )
    assert drop_hidden(tree) == 3
    text = tree.text_content()
    assert "Seen" in text and "tail text" in text and "Red" in text
    assert "2019-11-19" not in text and "template" not in text


# --- the site knowledge ---------------------------------------------------------------------------


WORDS = "alpha bravo charlie delta echo foxtrot golf hotel india juliett kilo lima".split()


def article_lines(i: int) -> list[str]:
    """Four paragraphs only page ``i`` has (numbers do not tell blocks apart: words do)."""
    name = f"{WORDS[i % 12]} {WORDS[i // 12 % 12]} {WORDS[i // 144 % 12]}"
    return [f"Paragraph {WORDS[n]} of the story {name}, told on no other page." for n in range(4)]


def test_a_block_becomes_boilerplate_after_min_pages_distinct_pages():
    kb = SiteBoilerplate("news.example", min_pages=5)
    for i in range(4):
        lines = [*article_lines(i), "Support us today"]
        assert kb.observe(f"https://news.example/{i}", lines) == set()
    # the same page observed again (a re-crawl, an AMP copy) does not count twice
    assert kb.observe("https://news.example/0", ["Support us today"]) == set()
    assert kb.pages == 4
    newly = kb.observe("https://news.example/4", [*article_lines(4), "SUPPORT us today!"])
    assert newly == {block_hash("Support us today")}
    assert kb.clean("Real text\nSupport us today\nMore real text") == "Real text\nMore real text"
    # every article's own paragraphs are kept
    assert all(not kb.is_boilerplate(line) for i in range(5) for line in article_lines(i))


def test_a_block_shared_by_a_few_articles_of_a_big_site_is_kept():
    kb = SiteBoilerplate("news.example", min_pages=5, min_share=0.1)
    quote = "« Nous ne céderons pas », a déclaré la ministre."
    for i in range(100):
        lines = [*article_lines(i), *([quote] if 80 <= i < 86 else [])]
        kb.observe(f"https://news.example/{i}", lines)
    assert not kb.is_boilerplate(quote)  # 6 pages of 86 and more: below a 10 % share


def test_an_article_is_never_emptied_by_site_knowledge():
    kb = SiteBoilerplate("news.example", min_pages=3)
    story = article_lines(0)
    for i in range(3):  # one story syndicated under three URLs
        kb.observe(f"https://news.example/copy-{i}", story)
    assert kb.blocks
    assert kb.clean("\n".join(story)) == "\n".join(story)


# --- the demo site, with a box inside every article body -----------------------------------------


def demo_pages(count: int = PAGES) -> Iterator[tuple[str, str, list[str]]]:
    """(url, html with the box inside the article body, expected body lines) of demo articles."""
    site = DemoSite(BASE)
    metadata = site.article_metadata()
    for article in site.articles[:count]:
        url = BASE + article.path
        status, _headers, body = site.render(article.path)
        assert status == 200
        page = body.decode("utf-8")
        start = page.index('<div class="entry-content">')
        second_paragraph_end = page.index("</p>", page.index("</p>", start) + 4) + 4
        page = page[:second_paragraph_end] + BOX + page[second_paragraph_end:]
        yield url, page, list(metadata[url]["body"])


def leaked(texts: list[str]) -> int:
    return sum(BOX_TEXT in text for text in texts)


def crawl_with_learning(archive: Archive, kb: SiteBoilerplate) -> tuple[list[Extraction], int]:
    """What the crawl pipeline does: extract with the site's knowledge, store, learn; when a
    block is newly recognised, re-clean the site's earlier rows. Returns the extractions and
    the number of rows re-cleaned."""
    extractions, recleaned = [], 0
    for url, page, _ in demo_pages():
        ex = extract_article(page, url, site=kb)
        assert ex.is_article, ex.reason
        extractions.append(ex)
        fetched = datetime.now(UTC).isoformat(timespec="seconds")
        archive.save([article_from_page(Page(url, url, 200, page, fetched), ex)])
        if kb.observe(ex.canonical or url, ex.blocks):
            recleaned += reclean(archive.db, kb.site, kb)
            save_blocks(archive.db, kb)
    return extractions, recleaned


def test_demo_box_leaks_into_every_article_without_site_knowledge():
    texts = [extract_article(page, url).text for url, page, _ in demo_pages()]
    assert leaked(texts) == PAGES


def test_demo_box_is_learnt_and_removed_from_every_article(tmp_path):
    archive = Archive(tmp_path / "archive.db")
    kb = SiteBoilerplate("127.0.0.1", min_pages=5)
    extractions, recleaned = crawl_with_learning(archive, kb)
    # the box is recognised on the 5th page; pages extracted from then on come out clean
    assert leaked([ex.text for ex in extractions]) == 5
    assert recleaned == 5  # ...and the 5 earlier rows are re-cleaned in the archive
    rows = list(archive.db.query("SELECT * FROM articles ORDER BY url"))
    assert len(rows) == PAGES
    assert leaked([row["text"] for row in rows]) == 0
    expected = {url: body for url, _, body in demo_pages()}
    for row in rows:
        # the articles' own blocks are all kept, and the row's derived columns follow the text
        for block in expected[row["url"]]:
            assert block in row["text"]
        assert row["word_count"] == len(row["text"].split())
        assert row["content_hash"] == content_hash(
            row["title"], row["author"], row["published"], row["modified"], row["text"]
        )
    # the full-text index follows the re-cleaned rows
    assert archive.search("indépendante") == []
    assert [r[TABLE] for r in archive.db.query(f"SELECT text AS {TABLE} FROM {TABLE}")] == [
        BOX_TEXT
    ]
    archive.close()


def test_site_knowledge_survives_a_new_crawl(tmp_path):
    archive = Archive(tmp_path / "archive.db")
    crawl_with_learning(archive, SiteBoilerplate("127.0.0.1", min_pages=5))
    archive.close()

    archive = Archive(tmp_path / "archive.db")
    kb = load_site(archive.db, "127.0.0.1", min_pages=5)
    assert kb.pages == PAGES  # the archived articles are counted, once
    assert kb.is_boilerplate(BOX_TEXT)
    url, page, _ = next(demo_pages(1))
    ex = extract_article(page, url, site=kb)
    assert BOX_TEXT not in ex.text and ex.site_boilerplate == [BOX_TEXT]
    # a re-crawl of an archived article adds no page and finds the same content hash
    assert kb.observe(url, ex.blocks) == set() and kb.pages == PAGES
    fetched = datetime.now(UTC).isoformat(timespec="seconds")
    assert archive.save([article_from_page(Page(url, url, 200, page, fetched), ex)]) == {
        url: "unchanged"
    }
    archive.close()


def test_reclean_without_knowledge_changes_nothing(tmp_path):
    archive = Archive(tmp_path / "archive.db")
    assert reclean(archive.db, "127.0.0.1", SiteBoilerplate("127.0.0.1")) == 0
    assert save_blocks(archive.db, SiteBoilerplate("127.0.0.1")) == 0
    archive.close()


def test_candidate_memory_is_bounded_and_learning_goes_on(monkeypatch):
    from pipelines import boilerplate

    monkeypatch.setattr(boilerplate, "MAX_CANDIDATES", 50)
    kb = boilerplate.SiteBoilerplate("n.example", min_pages=5, min_share=0.0)
    learnt = set()
    for page in range(40):
        lines = [f"Paragraphe propre {page}-{i}" for i in range(5)] + ["Soutenez-nous"]
        learnt |= kb.observe(f"https://n.example/{page}/", lines)
        assert len(kb.counts) <= 50 + 6
    assert kb.is_boilerplate("Soutenez-nous") and len(learnt) == 1
    assert not kb.is_boilerplate("Paragraphe propre 3-1")
