"""The extraction's cheaper path: trafilatura's cascade run by the project (pipelines.cascade
._Cascade), with the readability/jusText comparison left out where it cannot change the text.

Synthetic pages only. The guard against drift from trafilatura: with the comparison always
run, the project's cascade gives exactly what ``bare_extraction`` gives.
"""

from __future__ import annotations

from copy import deepcopy

import pytest
from lxml import etree
from trafilatura import bare_extraction, html2txt
from trafilatura.utils import load_html
from trafilatura.xpaths import RAW_TREE_PRUNE_XPATH

import pipelines.cascade as cascade
from pipelines.cascade import SHORT_TEXT
from pipelines.extract import extract_article

URL = "https://www.example-gazette.example/2025/03/04/le-conseil-vote-le-budget/"

SENTENCE = (
    "Le conseil municipal a voté mardi soir, après un débat de quatre heures, un budget "
    "qui consacre une part nouvelle aux écoles, aux cantines et aux cours de récréation. "
)


def paragraphs(count: int) -> list[str]:
    return [f"Paragraphe {i}. " + SENTENCE * 2 for i in range(count)]


def page(body_paragraphs: list[str], *, as_divs: bool = False, head_extra: str = "") -> str:
    tag = "div" if as_divs else "p"
    text = "\n".join(f"<{tag}>{p}</{tag}>" for p in body_paragraphs)
    menu = "".join(f'<li><a href="/rubrique-{i}/">Rubrique {i}</a></li>' for i in range(12))
    comments = "".join(
        f'<li class="comment"><p>Commentaire {i} : très bon article, merci.</p></li>'
        for i in range(5)
    )
    return f"""<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>Le conseil vote le budget</title>{head_extra}</head><body>
<header><nav><ul class="menu">{menu}</ul></nav></header>
<main><article><h1>Le conseil vote le budget</h1>
{text}
</article>
<section id="comments"><h2>5 commentaires</h2><ol class="comment-list">{comments}</ol></section>
</main>
<aside class="sidebar"><h3>Les plus lus</h3><ul>{menu}</ul></aside>
<footer><p>La Gazette, 1 rue de la Presse</p></footer></body></html>"""


LONG = page(paragraphs(14))
SHORT = page(paragraphs(2))
DIVS = page(paragraphs(3), as_divs=True)  # no <p>: what the comparison exists for
FORUM = page(
    paragraphs(3),
    head_extra='<script type="application/ld+json">{"@type": "DiscussionForumPosting"}</script>',
)


@pytest.fixture
def comparisons(monkeypatch):
    """Counts the readability/jusText comparisons the project's cascade runs."""
    calls = []
    real = cascade.compare_extraction

    def counting(*args, **kwargs):
        calls.append(len(args[3]))
        return real(*args, **kwargs)

    monkeypatch.setattr(cascade, "compare_extraction", counting)
    return calls


def always_compare(monkeypatch):
    monkeypatch.setattr(cascade, "_comparison_is_moot", lambda body, text: False)


def test_a_long_article_is_extracted_without_the_comparison(comparisons):
    ex = extract_article(LONG, URL)
    assert ex.is_article, ex.reason
    assert len(ex.text) >= SHORT_TEXT
    assert comparisons == []


def test_a_short_article_still_gets_the_comparison(comparisons):
    ex = extract_article(SHORT, URL)
    assert "Paragraphe 1." in ex.text
    assert comparisons  # both passes ran it
    assert all(length < SHORT_TEXT for length in comparisons)


@pytest.mark.parametrize("html", [LONG, SHORT, DIVS], ids=["long", "short", "divs"])
def test_leaving_the_comparison_out_changes_no_text(html, monkeypatch):
    fast = extract_article(html, URL)
    always_compare(monkeypatch)
    assert vars(extract_article(html, URL)) == vars(fast)


def _bare(html: str, precision: bool):
    doc = bare_extraction(
        load_html(html), url=URL, include_comments=False, with_metadata=False,
        output_format="python", favor_precision=precision,
    )
    return None if doc is None or doc.body is None else (etree.tostring(doc.body), doc.text)


@pytest.mark.parametrize("precision", [True, False], ids=["precision", "default"])
@pytest.mark.parametrize("html", [LONG, SHORT, DIVS, FORUM], ids=["long", "short", "divs", "forum"])
def test_the_cascade_is_trafilaturas_when_the_comparison_runs(html, precision, monkeypatch):
    """Drift guard: the steps _Cascade runs are bare_extraction's, in its order."""
    always_compare(monkeypatch)
    result = cascade._Cascade(load_html(html), URL).run(precision=precision)
    own = None if result is None else (etree.tostring(result[0]), result[1])
    assert own == _bare(html, precision)


def test_both_passes_share_one_raw_tree_prune(monkeypatch):
    pruned = []
    real = cascade.prune_unwanted_nodes

    def counting(tree, nodelist, *args, **kwargs):
        pruned.append(nodelist is RAW_TREE_PRUNE_XPATH)
        return real(tree, nodelist, *args, **kwargs)

    monkeypatch.setattr(cascade, "prune_unwanted_nodes", counting)
    passes = cascade._Cascade(load_html(SHORT), URL)
    passes.run(precision=True)
    passes.run(precision=False)
    assert pruned.count(True) == 1


def test_a_forum_thread_gets_bare_extraction():
    """Its two modes prune the raw page differently: nothing is shared."""
    assert cascade._Cascade(load_html(FORUM), URL).own is False
    assert cascade._Cascade(load_html(SHORT), URL).own is True


def body(*blocks: str) -> etree._Element:
    return etree.fromstring(f"<body>{''.join(blocks)}</body>")


LONG_P = f"<p>{'x' * SHORT_TEXT}</p>"


@pytest.mark.parametrize(
    ("blocks", "moot"),
    [
        ((LONG_P,), True),
        (("<p>court</p>",), False),  # short: readability or jusText may find more
        ((LONG_P, "<aside>encadré</aside>"), False),  # "unclean": jusText is tried
        ((LONG_P, "<figure>photo</figure>"), False),
        ((LONG_P, "<table/>", "<table/>"), False),  # more tables than paragraphs
        ((f"<head>{'x' * SHORT_TEXT}</head>", "<p/>"), False),  # no paragraph text
    ],
)
def test_when_the_comparison_is_moot(blocks, moot):
    tree = body(*blocks)
    text = " ".join(tree.itertext())
    assert cascade._comparison_is_moot(deepcopy(tree), text) is moot


def test_the_page_share_test_answers_as_html2txt():
    tree = load_html(SHORT)
    full = len(html2txt(tree))
    for length in (1, int(0.2 * full) - 1, int(0.2 * full), int(0.2 * full) + 1, 2 * full):
        assert cascade._page_text_above(tree, 0.2, length) is (length < 0.2 * full)


def test_html2txt_runs_only_when_the_page_text_bound_does_not_settle_it(monkeypatch):
    calls = []

    def counting(tree):
        calls.append(tree)
        return html2txt(tree)

    monkeypatch.setattr(cascade, "html2txt", counting)
    tree = load_html(SHORT)
    full = len(html2txt(tree))
    assert cascade._page_text_above(tree, 0.2, full) is False  # a text as long as the page
    assert calls == []
    assert cascade._page_text_above(tree, 0.2, 1) is True
    assert len(calls) == 1
