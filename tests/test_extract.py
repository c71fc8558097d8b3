"""Extraction and the article/non-article decision, offline on saved pages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from core.urls import url_shape
from pipelines.classify import classify
from pipelines.extract import extract_article
from pipelines.extraction import Extraction
from pipelines.metadata import (
    normalize_date,
    normalize_language,
    parse_byline,
    read_declarations,
)
from tests.conftest import SEED

PAGES = Path(__file__).resolve().parent / "pages"

EN_URL = "https://quietcorner.example/what-a-year-of-baking-bread-taught-me/"
DE_URL = (
    "https://www.abendpost-muenster.example/lokales/muenster/"
    "stadtrat-beschliesst-neue-fahrradstrassen-am-ring-3187245.html"
)
TAG_URL = "https://www.harbourgazette.example/tag/climate/"
ABOUT_URL = "https://www.harbourgazette.example/about/"
NEUTRAL_URL = "https://www.harbourgazette.example/climate"  # says nothing either way


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def lines(ex: Extraction) -> list[str]:
    return ex.text.split("\n")


def without_jsonld(html: str) -> str:
    return re.sub(r'<script type="application/ld\+json">.*?</script>', "", html, flags=re.S)


# --- the seed page ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed() -> tuple[Extraction, dict]:
    expected = json.loads((SEED / "expected.json").read_text(encoding="utf-8"))
    html = (SEED / "article.html").read_text(encoding="utf-8")
    return extract_article(html, expected["url"]), expected


def test_seed_text_keeps_every_paragraph_as_its_own_line(seed):
    ex, expected = seed
    for paragraph in expected["must_contain"]:
        assert paragraph in lines(ex)


def test_seed_text_drops_boilerplate(seed):
    ex, expected = seed
    for boilerplate in expected["must_not_contain"]:
        assert boilerplate not in ex.text


def test_seed_metadata(seed):
    ex, expected = seed
    assert ex.is_article, ex.reason
    assert ex.canonical == expected["url"]
    assert ex.title == expected["title"]
    assert ex.author == expected["author"]
    assert ex.published[:10] == expected["published"]
    assert ex.modified[:10] == expected["modified"]
    assert ex.published != ex.modified  # the times differ: the two dates are kept apart
    assert ex.language == expected["language"]
    assert ex.site_name == expected["site_name"]
    assert ex.tags == expected["tags"]
    assert ex.word_count == len(ex.text.split()) > 300


def test_seed_records_sources(seed):
    ex, _ = seed
    assert ex.sources["language"] == "html@lang"
    assert ex.sources["author"] == "json-ld"
    assert ex.sources["published"] == "meta:article:published_time"
    assert ex.sources["site_name"] == "meta:og:site_name"
    assert ex.sources["canonical"] == "link@rel=canonical"


# --- hand-written fixture pages ------------------------------------------------------------------


def test_english_blog_without_declarations():
    ex = extract_article(page("en_blog_article.html"), EN_URL)
    assert ex.is_article, ex.reason
    assert "slug" in ex.reason
    assert ex.title == "What a year of baking bread taught me about patience"
    assert ex.author == "Jane Doe"
    assert ex.sources["author"] == "byline"
    assert ex.language == "en"
    assert ex.sources["language"] == "py3langid"
    assert ex.published == "2024-11-05"
    assert ex.modified is None
    assert ex.canonical == EN_URL
    assert ex.image == "https://quietcorner.example/images/2024/loaf-on-rack.jpg"
    assert ex.site_name is None  # the host name is not passed off as a site name


def test_english_blog_text_structure_and_boilerplate():
    ex = extract_article(page("en_blog_article.html"), EN_URL)
    assert "Feeding the starter" in lines(ex)  # headings are their own lines
    assert "The dough does not care about your schedule." in lines(ex)  # so are quotes
    assert lines(ex)[0].startswith("Last November I bought a bag of rye flour")
    assert not ex.text.startswith("What a year of baking")  # the title is not repeated
    for junk in (
        "alert(1)",
        "dataLayer",
        "By Jane Doe",
        "Share this",
        "Great post",
        "rye recipe",
        "Join 2,000 readers",
        "All rights reserved",
        "Recent posts",
    ):
        assert junk not in ex.text


def test_german_regional_article_with_jsonld():
    ex = extract_article(page("de_regional_article.html"), DE_URL)
    assert ex.is_article
    assert ex.reason == "json-ld @type=NewsArticle"
    assert ex.title == "Stadtrat beschließt neue Fahrradstraßen am Ring"
    assert ex.author == "Anna Schmidt; Jonas Weber"
    assert ex.sources["author"] == "json-ld"
    assert ex.published == "2025-03-04T06:30:00+01:00"
    assert ex.modified == "2025-03-04T14:15:00+01:00"
    assert ex.language == "de"
    assert ex.site_name == "Westfälische Abendpost"
    assert ex.sources["site_name"] == "json-ld:publisher"
    assert ex.tags == ["Radverkehr", "Stadtrat", "Münster"]
    assert ex.sources["tags"] == "json-ld:keywords"
    assert ex.image == "https://img.abendpost-muenster.example/2025/03/ring-radweg.jpg"
    assert ex.canonical == DE_URL
    assert ex.description.startswith("Nach langer Debatte")


def test_german_regional_article_text():
    ex = extract_article(page("de_regional_article.html"), DE_URL)
    assert "Tempo 30 und weniger Parkplätze" in lines(ex)
    assert any(line.startswith("„Wir holen damit nach") for line in lines(ex))
    for junk in (
        "Wir verwenden Cookies",
        "Artikel teilen",
        "Mehr zum Thema",
        "Parkhaus am Bahnhof",
        "Jetzt 4 Wochen",
        "Impressum",
        "GmbH",
    ):
        assert junk not in ex.text


def test_german_byline_when_jsonld_is_missing():
    ex = extract_article(without_jsonld(page("de_regional_article.html")), DE_URL)
    assert ex.author == "Anna Schmidt; Jonas Weber"
    assert ex.sources["author"] == "byline"
    assert ex.is_article  # no declaration left, but a numbered .html URL and enough text
    assert "numbered .html url" in ex.reason
    assert ex.published[:10] == "2025-03-04"  # trafilatura's date as the fallback
    assert ex.sources["published"] == "trafilatura"
    assert ex.modified is None


def test_tag_page_is_not_an_article():
    html = page("tag_page.html")
    ex = extract_article(html, TAG_URL)
    assert not ex.is_article
    assert ex.reason == "url looks like a tag/category/author page"
    assert ex.site_name == "The Harbour Gazette"
    assert ex.language == "en"
    # the same page under a URL that says nothing: its JSON-LD says CollectionPage, which wins
    # over the og:type=article that the SEO plugin puts on every page
    assert extract_article(html, NEUTRAL_URL).reason == "json-ld @type=CollectionPage"
    # and with no declarations at all, the teaser list gives it away
    bare = without_jsonld(html).replace('<meta property="og:type" content="article">', "")
    ex = extract_article(bare, NEUTRAL_URL)
    assert not ex.is_article
    assert ex.reason.startswith("mostly a list of links")


def test_about_page_is_not_an_article():
    html = page("about_page.html")
    assert extract_article(html, ABOUT_URL).reason.startswith("url looks like a site page")
    ex = extract_article(html, NEUTRAL_URL)
    assert not ex.is_article
    assert ex.reason == "json-ld @type=AboutPage"
    assert ex.title == "About us"
    assert extract_article(without_jsonld(html), NEUTRAL_URL).reason.startswith("og:type=website")


def test_amp_page_is_judged_on_its_content():
    html = page("de_regional_article.html").replace('<html lang="de-DE">', '<html amp lang="de">')
    ex = extract_article(html, DE_URL.replace(".html", "/amp/"))
    assert ex.is_article
    assert ex.canonical == DE_URL


# --- bad input never raises -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   \n ",
        "just some plain text, not a web page",
        '{"error": "not found", "status": 404}',
        "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>",
        b"\x00\x01\x02\xff\xfe binary",
        "<html><body><div><p>Unclosed <b>tags <i>everywhere",
        "<html><head><script type='application/ld+json'>{broken</script></head><body></body>",
        "<<<>>>&&&;;;</////>",
    ],
)
def test_bad_input_gives_a_non_article(html):
    ex = extract_article(html, "https://www.example.org/2025/01/01/some-news-story/")
    assert ex.is_article is False
    assert ex.reason


def test_non_string_input_gives_a_non_article():
    ex = extract_article(None, "https://www.example.org/")  # type: ignore[arg-type]
    assert ex.reason == "empty document"


def test_oversized_input_is_refused_before_parsing(monkeypatch):
    monkeypatch.setattr("pipelines.extract.MAX_HTML_CHARS", 1000)
    ex = extract_article(page("en_blog_article.html"), EN_URL)
    assert not ex.is_article
    assert ex.reason.startswith("document too large")


def test_truncated_page_is_still_extracted():
    html = page("en_blog_article.html")
    cut = html[: html.index("What I would tell my past self")]
    ex = extract_article(cut, EN_URL)
    assert ex.title == "What a year of baking bread taught me about patience"
    assert "Feeding the starter" in lines(ex)
    assert ex.is_article, ex.reason


# --- the classifier ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://news.example/", False),
        ("https://news.example", False),
        ("https://news.example/tag/ukraine/", False),
        ("https://news.example/tag/ukraine/page/3/", False),
        ("https://news.example/category/international/", False),
        ("https://news.example/category/world/europe/", False),
        ("https://news.example/author/claire-dubois/", False),
        ("https://news.example/page/2/", False),
        ("https://news.example/feed/", False),
        ("https://news.example/search?q=ukraine", False),
        ("https://news.example/?s=ukraine", False),
        ("https://news.example/about/", False),
        ("https://news.example/impressum", False),
        ("https://news.example/2025/02/13/poutine-accepte-de-negocier-avec-trump/", True),
        ("https://news.example/2025/02/13/poutine-accepte-de-negocier-avec-trump/amp/", True),
        ("https://news.example/blog/2023/digitale-muendigkeit", True),
        ("https://news.example/politik/berlin/senat-beschliesst-haushalt-123456.html", True),
        ("https://news.example/lokales/meldung-4711.html", True),
        ("https://news.example/what-a-year-of-baking-bread-taught-me/", True),
        ("https://news.example/news/faire-lieferketten/", True),
        ("https://news.example/?p=31228", True),
        ("https://news.example/article.php?storyid=504", True),
        ("https://news.example/2025/02/", None),
        ("https://news.example/sport/", None),
        ("https://news.example/world/europe", None),
    ],
)
def test_url_shape(url, expected):
    assert url_shape(url)[0] is expected


@pytest.mark.parametrize(
    ("kwargs", "is_article", "reason"),
    [
        ({"og_type": "article"}, True, "og:type=article"),
        ({"jsonld_types": ["WebPage", "NewsArticle"]}, True, "json-ld @type=NewsArticle"),
        ({"jsonld_types": ["ReportageNewsArticle"]}, True, "json-ld @type=ReportageNewsArticle"),
        (
            {"jsonld_types": ["BlogPosting"], "og_type": "website"},
            True,
            "json-ld @type=BlogPosting",
        ),
        ({"jsonld_types": ["CollectionPage"], "og_type": "article"}, False, "json-ld @type=Coll"),
        ({"jsonld_types": ["ProfilePage"]}, False, "json-ld @type=ProfilePage"),
        ({"jsonld_types": ["SearchResultsPage"]}, False, "json-ld @type=SearchResultsPage"),
        ({"og_type": "website"}, False, "og:type=website"),
        ({"og_type": "profile"}, False, "og:type=profile"),
        ({"jsonld_types": ["WebSite", "Organization"]}, False, "json-ld declares only the WebSite"),
        ({}, False, "no article declaration"),
        ({"page_type": "newsarticle"}, True, "trafilatura page type"),
        ({"link_line_share": 0.7}, False, "mostly a list of links"),
    ],
)
def test_classify_declarations(kwargs, is_article, reason):
    verdict, why = classify("https://news.example/world", word_count=400, **kwargs)
    assert verdict is is_article
    assert why.startswith(reason)


def test_classify_url_shape_beats_a_blanket_og_type_article():
    assert classify("https://news.example/tag/x/", og_type="article", word_count=900) == (
        False,
        "url looks like a tag/category/author page",
    )


def test_classify_site_wide_website_declaration_yields_to_an_article_url():
    url = "https://news.example/2025/02/13/some-story/"
    verdict, why = classify(url, og_type="website", word_count=400)
    assert verdict and why.startswith("og:type=website but dated url path")
    verdict, why = classify(url, jsonld_types=["WebSite"], word_count=400)
    assert verdict and why.startswith("json-ld declares only the WebSite but")


def test_classify_text_length():
    url = "https://news.example/2025/02/13/some-story/"
    assert classify(url, word_count=12) == (False, "too little text (12 words)")
    assert classify(url, word_count=120)[0]
    # a declared article may be a short brief (18 words), but not an empty shell
    assert classify(url, og_type="article", word_count=18)[0]
    assert not classify(url, og_type="article", word_count=10)[0]


def test_classify_long_main_text_is_an_article_without_declaration_or_telling_url():
    url = "https://news.example/world"
    assert classify(url, word_count=2200, text_block_words=2100) == (
        True, "long main text (2100 words in one block)")
    assert classify(url, word_count=890, long_paragraphs=6) == (
        True, "long main text (6 long paragraphs)")
    # a site-wide og:type=website does not hide it
    assert classify(url, og_type="website", word_count=890, text_block_words=800)[0]
    # many links in the text (a roundup, a list of sources) do not make it a list page
    assert classify(url, word_count=900, text_block_words=700, link_line_share=0.6)[0]
    # teasers, one per card, are not one long text
    verdict, why = classify(url, word_count=450, text_block_words=45)
    assert not verdict and why.startswith("no article declaration")


def test_classify_a_headline_list_that_a_theme_marks_og_article_is_not_an_article():
    url = "https://news.example/sport/football"
    assert classify(url, og_type="article", word_count=430, text_block_words=40,
                    headlines=12) == (
        False, "og:type=article but a list of 12 headlines (longest text block 40 words)")
    # an article with its related-stories cards keeps its verdict
    assert classify(url, og_type="article", word_count=430, text_block_words=400,
                    headlines=12)[0]
    assert classify("https://news.example/2025/02/13/slug/", og_type="article",
                    word_count=430, text_block_words=40, headlines=12)[0]


# --- metadata helpers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("fr-FR", "fr"),
        ("fr_FR", "fr"),
        ("DE", "de"),
        ("en-US, de", "en"),
        ("zh-Hans-CN", "zh"),
        ("x-default", None),
        ("und", None),
        ("deutsch", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_language(value, code):
    assert normalize_language(value) == code


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2025-02-13T09:12:44+01:00", "2025-02-13T09:12:44+01:00"),
        ("2025-02-13T08:12:44Z", "2025-02-13T08:12:44+00:00"),
        ("2025-02-13 09:12:44", "2025-02-13T09:12:44"),
        ("2025-02-13", "2025-02-13"),
        ("Thu, 13 Feb 2025 09:12:44 +0100", "2025-02-13T09:12:44+01:00"),
        ("2025-02-13T09:12:44.000+0100", "2025-02-13T09:12:44+01:00"),
        ("13 février 2025", None),
        ("", None),
    ],
)
def test_normalize_date(value, iso):
    assert normalize_date(value) == iso


@pytest.mark.parametrize(
    ("byline", "author"),
    [
        ("By Jane Doe · November 5, 2024 · 6 min read", "Jane Doe"),
        ("Von Anna Schmidt und Jonas Weber", "Anna Schmidt; Jonas Weber"),
        ("Par Claire Dubois, envoyée spéciale à Kyiv", "Claire Dubois"),
        ("Jane Doe | Updated 3 hours ago", "Jane Doe"),
        ("By 2 minutes ago", None),
    ],
)
def test_parse_byline(byline, author):
    assert parse_byline(byline) == author


def test_jsonld_graph_with_references_keywords_list_and_language_object():
    from lxml.html import fromstring

    from pipelines import metadata as md

    html = """<html><head><script type="application/ld+json">
    {"@context": "https://schema.org", "@graph": [
      {"@type": "WebPage", "@id": "https://b.example/x/#webpage", "inLanguage": "es-ES"},
      {"@type": ["Article", "NewsArticle"], "isPartOf": {"@id": "https://b.example/x/#webpage"},
       "author": {"@id": "https://b.example/#/schema/person/1"},
       "publisher": {"@id": "https://b.example/#org"},
       "keywords": ["Elecciones", "Madrid", "elecciones"],
       "image": [{"@id": "https://b.example/#img"}],
       "inLanguage": {"@type": "Language", "name": "Spanish", "alternateName": "es"}},
      {"@type": "Person", "@id": "https://b.example/#/schema/person/1", "name": "Lucía Gómez"},
      {"@type": "Organization", "@id": "https://b.example/#org", "name": "Diario B"},
      {"@type": "ImageObject", "@id": "https://b.example/#img", "url": "/img/a.jpg"}]}
    </script><script type="application/ld+json">{not json</script></head><body></body></html>"""
    decl = read_declarations(fromstring(html))
    assert decl.jsonld_invalid == 1
    assert md.jsonld_types(decl) == [
        "WebPage",
        "Article",
        "NewsArticle",
        "Person",
        "Organization",
        "ImageObject",
    ]
    assert md.jsonld_authors(decl) == ["Lucía Gómez"]
    assert md.jsonld_publisher(decl) == "Diario B"
    assert md.jsonld_keywords(decl) == ["Elecciones", "Madrid", "elecciones"]
    assert md.jsonld_image(decl) == "/img/a.jpg"
    assert md.jsonld_language(decl) == "es"


def test_language_declarations_in_order_and_detection_as_fallback():
    body = "<body><article>" + "<p>" + "Der Stadtrat hat heute lange beraten. " * 30 + "</p>"
    body += "</article></body>"
    url = "https://c.example/2025/03/04/stadtrat-beraet/"
    og = '<head><meta property="og:locale" content="de_AT"></head>'
    http_equiv = '<head><meta http-equiv="Content-Language" content="de"></head>'
    ex = extract_article(f"<html>{og}{body}</html>", url)
    assert (ex.language, ex.sources["language"]) == ("de", "meta:og:locale")
    ex = extract_article(f"<html>{http_equiv}{body}</html>", url)
    assert (ex.language, ex.sources["language"]) == ("de", "meta:content-language")
    ex = extract_article(f"<html><head></head>{body}</html>", url)
    assert (ex.language, ex.sources["language"]) == ("de", "py3langid")


def test_tags_merge_sources_case_insensitively_in_order():
    head = (
        '<meta property="article:tag" content="Energie">'
        '<meta property="article:tag" content="Klima, Wetter">'
        '<script type="application/ld+json">{"@type": "NewsArticle", "keywords": "klima, Hitze"}'
        "</script>"
    )
    body = "<article><p>" + "Ein Satz über das Wetter in der Stadt. " * 20 + "</p></article>"
    ex = extract_article(
        f"<html><head>{head}</head><body>{body}</body></html>",
        "https://c.example/2025/03/04/hitze/",
    )
    assert ex.tags == ["Energie", "Klima", "Wetter", "Hitze"]
    assert ex.sources["tags"] == "meta:article:tag+json-ld:keywords"


# --- cleaning beyond trafilatura's defaults ------------------------------------------------------

ARTICLE_URL = "https://www.lequotidien.example/2025/03/04/le-conseil-vote-le-budget/"
PARAGRAPHS = [
    "Le conseil municipal a voté mardi soir le budget de la ville après un long débat sur "
    "les investissements prévus dans les écoles et les transports publics du centre.",
    "La majorité a défendu un effort sans précédent pour la rénovation des bâtiments scolaires, "
    "tandis que l'opposition a dénoncé une hausse de la dette jugée difficile à soutenir.",
    "Le maire a rappelé que les taux d'imposition resteraient stables cette année, une promesse "
    "de campagne qu'il entend tenir jusqu'à la fin de son mandat, a-t-il précisé aux élus.",
    "Les travaux du premier groupe scolaire commenceront dès cet été, pour une livraison "
    "prévue à la rentrée suivante, selon le calendrier présenté en séance par l'adjointe.",
]


def cleaning_page(extra_in_article: str = "", head_extra: str = "") -> str:
    paragraphs = "\n".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return f"""<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>Le conseil vote le budget – Le Quotidien</title>
<meta property="og:title" content="Le conseil vote le budget">
<meta name="description" content="Un budget tourné vers les écoles, adopté après un long débat.">
{head_extra}</head><body>
<header><nav><a href="/">Accueil</a> <a href="/politique/">Politique</a></nav></header>
<main><article>
<h1>Le conseil vote le budget</h1>
<h2>Un budget tourné vers les écoles, adopté après un long débat.</h2>
<p class="byline">Par Claire Dubois</p>
{paragraphs}
{extra_in_article}
</article></main>
<footer><p>Le Quotidien, 1 rue de la Presse</p></footer></body></html>"""


def test_title_and_standfirst_headings_are_not_repeated_in_the_text():
    ex = extract_article(cleaning_page(), ARTICLE_URL)
    assert ex.is_article, ex.reason
    assert lines(ex) == PARAGRAPHS
    assert ex.description == "Un budget tourné vers les écoles, adopté après un long débat."
    assert ex.author == "Claire Dubois"  # the French byline, "Par …"
    assert ex.sources["author"] == "byline"


def test_hidden_metadata_copies_stay_out_of_the_text():
    hidden = (
        '<div style="display:none" itemscope itemtype="http://schema.org/NewsArticle">'
        '<div itemprop="headline">Le conseil vote le budget</div>'
        '<div itemprop="datePublished">2025-03-04T08:00:00+01:00</div>'
        '<div itemprop="articleBody">Le conseil municipal a voté mardi soir le budget.</div>'
        "</div>"
    )
    ex = extract_article(cleaning_page(hidden), ARTICLE_URL)
    assert lines(ex) == PARAGRAPHS


def test_furniture_blocks_inside_the_article_are_dropped():
    furniture = (
        "<p>Lire aussi : Les écoles de la ville en chiffres</p>"
        "<p>Abonnez-vous à notre newsletter pour recevoir l'essentiel chaque matin.</p>"
        "<p>© 2025 Le Quotidien</p>"
        "<p>04.03.2025</p>"
    )
    ex = extract_article(cleaning_page(furniture), ARTICLE_URL)
    assert lines(ex) == PARAGRAPHS


def test_lists_of_links_to_other_articles_are_dropped_but_real_lists_kept():
    related = "".join(
        f'<li><a href="/2025/03/0{i}/autre-article-{i}/">Autre article numéro {i}</a></li>'
        for i in range(1, 5)
    )
    points = "<ul><li>Écoles : 12 millions</li><li>Transports : 8 millions</li></ul>"
    ex = extract_article(cleaning_page(f"{points}<ul>{related}</ul>"), ARTICLE_URL)
    assert "Autre article numéro 1" not in ex.text
    assert "- Écoles : 12 millions" in lines(ex)
    assert "- Transports : 8 millions" in lines(ex)


def test_site_knowledge_is_optional_and_only_read():
    from pipelines.boilerplate import SiteBoilerplate

    box = "<p>Le Quotidien vit grâce à ses lecteurs : soutenez une rédaction indépendante.</p>"
    html = cleaning_page(box)
    plain = extract_article(html, ARTICLE_URL)
    assert "soutenez une rédaction" in plain.text  # unknown to generic rules
    kb = SiteBoilerplate("www.lequotidien.example", min_pages=2)
    for i in range(2):
        kb.observe(f"https://www.lequotidien.example/{i}", [f"Only on page {i}", plain.blocks[-1]])
    ex = extract_article(html, ARTICLE_URL, site=kb)
    assert lines(ex) == PARAGRAPHS
    assert ex.site_boilerplate == [plain.blocks[-1]]
    assert ex.blocks == plain.blocks  # what the site's learning is fed: the text before it
    assert ex.word_count == len(ex.text.split())
    assert kb.pages == 2  # extraction did not learn from the page


def test_site_knowledge_can_be_applied_after_extraction():
    """Extraction in a worker process, site cleaning in the process that holds the knowledge."""
    from pipelines.boilerplate import SiteBoilerplate
    from pipelines.extraction import apply_site_knowledge

    box = "<p>Le Quotidien vit grâce à ses lecteurs : soutenez une rédaction indépendante.</p>"
    html = cleaning_page(box)
    ex = extract_article(html, ARTICLE_URL)
    kb = SiteBoilerplate("www.lequotidien.example", min_pages=2)
    for i in range(2):
        kb.observe(f"https://www.lequotidien.example/{i}", [ex.blocks[-1]])
    assert apply_site_knowledge(ex, kb).text == extract_article(html, ARTICLE_URL, kb).text
    assert lines(ex) == PARAGRAPHS and ex.sources["text"].endswith("site boilerplate removed")


CAPTION = "Les élus du conseil municipal réunis mardi soir dans la salle des délibérations."


@pytest.mark.parametrize(
    "picture",
    [
        # the caption set inline, in the paragraph that holds the picture
        f'<p><img src="/img/conseil.jpg"><br><em class="caption">{CAPTION}</em></p>',
        # a gallery's caption outside the article, repeated as a paragraph inside it
        f"<p>{CAPTION}</p>",
    ],
)
def test_picture_captions_are_not_article_text(picture):
    gallery = (
        '<div class="gallery"><img src="/img/conseil.jpg" alt="">'
        f'<div class="photo-caption">{CAPTION}</div></div>'
    )
    html = cleaning_page().replace("<main>", f"<main>{gallery}").replace(
        "<p>La majorité", f"{picture}<p>La majorité"
    )
    ex = extract_article(html, ARTICLE_URL)
    assert lines(ex) == PARAGRAPHS


def test_a_paragraph_is_a_caption_only_when_it_is_the_whole_caption():
    from lxml import etree

    from pipelines.cleanup import clean_body

    body = etree.fromstring(
        f"<body><p>{PARAGRAPHS[0]}</p><p>{CAPTION}</p><p>{CAPTION} Le vote a duré trois heures.</p>"
        "<p>Le maire présente le budget.</p></body>"
    )
    clean_body(
        body, titles=[], description=None, anchors=set(),
        captions={" ".join(CAPTION.split()).casefold(), "le maire"},  # "le maire": too short
    )
    assert [p.text for p in body] == [
        PARAGRAPHS[0], f"{CAPTION} Le vote a duré trois heures.", "Le maire présente le budget."
    ]


def test_lists_of_article_cards_made_of_headings_are_dropped():
    cards = "".join(
        f"<li><h3>Autre sujet de la semaine numéro {i}</h3>"
        f"<h4>Un résumé de cet autre sujet en une ligne, numéro {i}.</h4></li>"
        for i in range(1, 4)
    )
    ex = extract_article(cleaning_page(f"<ul>{cards}</ul>"), ARTICLE_URL)
    assert lines(ex) == PARAGRAPHS


def test_headings_that_end_the_text_head_nothing_and_are_dropped():
    # the teasers the heading announced are furniture; without them the heading is alone
    section = (
        "<h2>Nos autres dossiers</h2>"
        "<p>Lire aussi : Les écoles de la ville en chiffres</p>"
        "<p>Lire aussi : Le tramway attendra 2027</p>"
    )
    ex = extract_article(cleaning_page(section), ARTICLE_URL)
    assert lines(ex) == PARAGRAPHS


def test_a_closing_heading_worded_as_a_sentence_is_text():
    quote = "Le budget reste un choix politique, a conclu le maire devant les élus."
    section = f"<h3>{quote}</h3><p>Lire aussi : Les écoles de la ville en chiffres</p>"
    ex = extract_article(cleaning_page(section), ARTICLE_URL)
    assert lines(ex) == [*PARAGRAPHS, quote]


def test_trailing_heading_rule_keeps_the_text_that_follows_a_heading_inline():
    from lxml import etree

    from pipelines.cleanup import clean_body

    body = etree.fromstring(
        f"<body><p>{PARAGRAPHS[0]}</p><p><head>Claire Dubois</head> est journaliste.</p>"
        "<list><item><head>Autre sujet</head></item></list><head>À lire</head></body>"
    )
    clean_body(body, titles=[], description=None, anchors=set())
    assert "".join(body.itertext()) == f"{PARAGRAPHS[0]}Claire Dubois est journaliste."


def test_furniture_nested_in_a_list_item_goes_and_the_item_stays():
    from lxml import etree

    from pipelines.cleanup import clean_body

    body = etree.fromstring(
        f"<body><p>{PARAGRAPHS[0]}</p><list><item>Le calendrier des travaux est public."
        "<p>Abonnez-vous à notre newsletter</p></item>"
        "<item>Les écoles rouvrent en septembre.</item></list></body>"
    )
    clean_body(body, titles=[], description=None, anchors=set())
    assert [item.xpath("string()") for item in body.iter("item")] == [
        "Le calendrier des travaux est public.", "Les écoles rouvrent en septembre."
    ]
