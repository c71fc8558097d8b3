"""Bylines: people apart from agencies and desks, on the markup of the common CMS templates,
and never a name from the comments or a teaser."""

from __future__ import annotations

import json

import pytest
from lxml.html import fromstring

from pipelines.bylines import Credits, find_credits, split_credit
from pipelines.metadata import read_declarations

URL = "https://www.zeitung.example/politik/stadtrat-beschliesst-haushalt-1234.html"
TEXT = "<p>" + "Der Stadtrat hat am Dienstag lange über den Haushalt beraten. " * 12 + "</p>"


def credits_of(body: str, head: str = "", url: str = URL) -> Credits:
    tree = fromstring(f"<html><head>{head}</head><body>{body}</body></html>")
    return find_credits(tree, read_declarations(tree), url)


def jsonld(data: dict) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


COMMENTS = """<section id="comments"><ol class="comment-list">
  <li class="comment"><div class="comment-author vcard"><b class="fn">Karl Leser</b> sagt:</div>
  <p>Von Karl Leser, ein Kommentar.</p></li></ol></section>"""
TEASERS = """<aside class="related-articles"><article class="teaser">
  <h3>Anderes Thema</h3><p class="byline">Von Petra Teaser</p></article></aside>"""


@pytest.mark.parametrize(
    ("name", "body", "authors"),
    [
        (
            "wordpress",
            '<article><h1>Haushalt</h1><div class="entry-meta"><span class="byline">By '
            '<span class="author vcard"><a class="url fn n" rel="author" href="/author/jd/">'
            "Jane Doe</a></span></span></div>" + TEXT + "</article>",
            ["Jane Doe"],
        ),
        (
            "drupal node__meta with field--name-uid",
            '<article class="node"><h1>Haushalt</h1><div class="node__meta">'
            '<span class="field field--name-uid">Von Vorname Nachname</span> am 12. März 2025'
            "</div>" + TEXT + "</article>",
            ["Vorname Nachname"],
        ),
        (
            "drupal field--name-field-author",
            '<article class="node"><h1>Haushalt</h1><div class="field field--name-field-author">'
            '<div class="field__item">Anna Schmidt</div></div>' + TEXT + "</article>",
            ["Anna Schmidt"],
        ),
        (
            "drupal 7 submitted",
            '<div class="node"><h1>Haushalt</h1><p class="submitted">Submitted by Tom Baker on '
            "Tue, 03/04/2025 - 10:12</p>" + TEXT + "</div>",
            ["Tom Baker"],
        ),
        (
            "ghost",
            '<article class="post-full"><h1 class="post-full-title">Haushalt</h1>'
            '<div class="post-full-byline-meta"><h4 class="author-name"><a href="/author/mia/">'
            "Mia Wong</a></h4><time>12 March 2025</time></div>" + TEXT + "</article>",
            ["Mia Wong"],
        ),
        (
            "arc",
            '<article><h1>Presupuesto</h1><div class="ts-byline"><span class="ts-byline__by">'
            'Por</span> <a class="ts-byline__name" href="/autor/rm/">Rodrigo Mejías</a> y '
            '<a class="ts-byline__name" href="/autor/lc/">Lucía Castro</a></div>'
            + TEXT + "</article>",
            ["Rodrigo Mejías", "Lucía Castro"],
        ),
        (
            "brightspot",
            '<div class="ArticlePage"><h1>Budget</h1><div class="ArticlePage-authors">'
            '<div class="ArticlePage-authorBy">By</div><div class="ArticlePage-authorName">'
            '<a href="/people/sam">Sam Taylor</a></div></div>' + TEXT + "</div>",
            ["Sam Taylor"],
        ),
        (
            "medium-like",
            '<article><h1>Budget</h1><div><a data-testid="authorName" href="/@jd">Jane Doe</a>'
            "</div>" + TEXT + "</article>",
            ["Jane Doe"],
        ),
        (
            "amp",
            '<article class="amp-wp-article"><h1 class="amp-wp-title">Budget</h1>'
            '<div class="amp-wp-meta amp-wp-byline"><span class="amp-wp-author author vcard">'
            "Claire Dubois</span></div>" + TEXT + "</article>",
            ["Claire Dubois"],
        ),
        (
            "a plain line under the headline",
            "<article><h1>Haushalt</h1><p>Von Ernst Lohoff</p>" + TEXT + "</article>",
            ["Ernst Lohoff"],
        ),
    ],
)
def test_cms_byline_markup(name, body, authors):
    found = credits_of(TEASERS + body + COMMENTS)
    assert found.authors == authors, name
    assert found.agencies == []


@pytest.mark.parametrize(
    ("line", "authors", "agencies"),
    [
        ("Par Claire Dubois et Marc Petit", ["Claire Dubois", "Marc Petit"], []),
        ("Von Anna Schmidt und Jonas Weber", ["Anna Schmidt", "Jonas Weber"], []),
        ("By Ann Lee, Bo Chen and Cy Diaz", ["Ann Lee", "Bo Chen", "Cy Diaz"], []),
        ("Por Laura Jordán / Javier Urbina", ["Laura Jordán", "Javier Urbina"], []),
        ("Di Marco Rossi e Giulia Bianchi", ["Marco Rossi", "Giulia Bianchi"], []),
        ("Par Claire Dubois avec AFP", ["Claire Dubois"], ["AFP"]),
        ("Von Anna Schmidt (dpa)", ["Anna Schmidt"], ["dpa"]),
        ("By DANICA KIRKA and JILL LAWLESS, Associated Press",
         ["Danica Kirka", "Jill Lawless"], ["Associated Press"]),
        ("By Sandee LaMotte, CNN", ["Sandee LaMotte"], ["CNN"]),
        ("Reuters", [], ["Reuters"]),
        ("PTI, Washington, Nov 20 2019, 10:18am ist", [], ["PTI"]),
        ("Von Redaktion", [], ["Redaktion"]),
        # roles, places, outlets, dates and reading times are not names
        ("Von Anna Schmidt, Redakteurin", ["Anna Schmidt"], []),
        ("Par Claire Dubois, journaliste", ["Claire Dubois"], []),
        ("Von Markus Balser, Berlin", ["Markus Balser"], []),
        ("By Troy L. Smith, Cleveland.com", ["Troy L. Smith"], []),
        ("By Jane Doe | Updated 3 hours ago", ["Jane Doe"], []),
        ("By Tim Childers - Live Science Contributor", ["Tim Childers"], []),
        ("Written by Rachael Link, MS, RD on November 14, 2019", ["Rachael Link"], []),
        ("Gespeichert von human am 7. Juli 2019 - 18:44", ["human"], []),
        ("by Bryan DeArdo @BryanDeArdo Nov 18, 2019 at 9:24 pm ET", ["Bryan DeArdo"], []),
        ("Associated Press November 19, 2019, 9:02 AM", [], ["Associated Press"]),
        ("By 2 minutes ago", [], []),
        ("admin", [], []),
        ("Deutsches Weininstitut GmbH", [], []),
    ],
)
def test_split_credit(line, authors, agencies):
    found = split_credit(line)
    assert (found.authors, found.agencies) == (authors, agencies)


def test_display_is_the_people_or_the_agencies():
    assert split_credit("Par Claire Dubois avec AFP").display == "Claire Dubois"
    assert split_credit("Reuters").display == "Reuters"
    assert split_credit("").display is None


def test_jsonld_persons_organisations_and_the_site_itself():
    publisher = {"@type": "Organization", "name": "Westfälische Abendpost"}
    head = jsonld({
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": "Haushalt",
        "publisher": publisher,
        "author": [{"@type": "Person", "name": "Anna Schmidt"},
                   {"@type": "Organization", "name": "dpa"}, publisher],
    })
    found = credits_of("<h1>Haushalt</h1>" + TEXT, head)
    assert (found.authors, found.agencies, found.source) == (["Anna Schmidt"], ["dpa"], "json-ld")


def test_the_site_crediting_itself_is_no_author():
    head = jsonld({"@type": "NewsArticle", "author": {"@type": "Organization",
                                                      "name": "zeitung.example"}})
    head += '<meta name="author" content="Zeitung">'
    assert not credits_of("<h1>Haushalt</h1>" + TEXT, head, "https://www.zeitung.example/a-1.html")


def test_a_wire_story_credits_the_agency_only():
    head = jsonld({"@type": "NewsArticle", "author": {"@type": "Person", "name": "EFE"}})
    found = credits_of("<h1>Presidente</h1>" + TEXT, head)
    assert (found.authors, found.agencies) == ([], ["EFE"])


def test_a_visible_byline_beats_the_author_meta_tag():
    head = '<meta name="author" content="https://www.facebook.com/zeitung">'
    found = credits_of('<h1>Haushalt</h1><p class="byline">Von Anna Schmidt</p>' + TEXT, head)
    assert (found.authors, found.source) == (["Anna Schmidt"], "byline")


def test_the_author_meta_tag_when_nothing_else_names_anyone():
    found = credits_of("<h1>Haushalt</h1>" + TEXT, '<meta name="author" content="Anna Schmidt">')
    assert (found.authors, found.source) == (["Anna Schmidt"], "meta:author")


def test_names_in_comments_and_teasers_are_never_taken():
    found = credits_of("<article><h1>Haushalt</h1>" + TEXT + "</article>" + TEASERS + COMMENTS)
    assert not found


def test_a_byline_of_another_article_on_the_page_is_not_this_ones():
    body = ("<main><article><h1>Haushalt</h1>" + TEXT * 3 + "</article>"
            '<article><h2>Anderes</h2><p class="byline">Von Petra Teaser</p></article></main>')
    assert not credits_of(body)


def test_a_sentence_that_starts_like_a_byline_is_not_one():
    body = "<h1>Über uns</h1><p>Von PUBLIC VOICE mit osAlliance zur ALLMENDA nach fairkom</p>"
    assert not credits_of(body + TEXT)


def test_extraction_of_a_drupal_style_german_page():
    from pipelines.extract import extract_article

    html = ('<html lang="de"><head><meta property="og:site_name" content="Regionalzeitung">'
            '</head><body><article class="node node--type-article"><h1>Haushalt beschlossen</h1>'
            '<div class="node__meta"><span class="field field--name-uid">Von Vorname Nachname '
            "und Erika Muster</span> am 12. März 2025 (dpa)</div>"
            + TEXT * 3 + "</article>" + COMMENTS + "</body></html>")
    ex = extract_article(html, URL, fetched_at="2025-03-12T18:00:00+00:00")
    assert ex.authors == ["Vorname Nachname", "Erika Muster"]
    assert ex.author == "Vorname Nachname; Erika Muster"
    assert ex.sources["author"] == "byline"
    assert ex.published == "2025-03-12" and ex.sources["published"] == "text"
