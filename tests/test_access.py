"""Access: a paywall the page declares, and a text that stops at a subscription prompt."""

from __future__ import annotations

import json

from lxml.html import fromstring

from pipelines.access import declared_access, stops_at_prompt
from pipelines.extract import extract_article
from pipelines.metadata import read_declarations

URL = "https://www.zeitung.example/wirtschaft/banken-und-klima-4711.html"
PARAGRAPHS = "".join(
    f"<p>Absatz {i}: Die Banken finanzieren weiter Öl und Gas, obwohl sie sich dem "
    "Klimaschutz verschrieben haben, und die Aufsicht schaut bisher nur zu.</p>"
    for i in range(1, 9)
)


def page(head: str = "", after: str = "") -> str:
    return (f'<html lang="de"><head>{head}</head><body><article><h1>Bohren, bis es heiß wird'
            f"</h1>{PARAGRAPHS}</article>{after}</body></html>")


def ld(**fields) -> str:
    data = {"@context": "https://schema.org", "@type": "NewsArticle", **fields}
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def declared(head: str) -> tuple[str | None, str | None]:
    tree = fromstring(page(head))
    return declared_access(read_declarations(tree))


def test_declared_paywalls():
    assert declared(ld(isAccessibleForFree=False)) == ("paywalled", "json-ld:isAccessibleForFree")
    assert declared(ld(isAccessibleForFree="False")) == ("paywalled",
                                                         "json-ld:isAccessibleForFree")
    part = {"@type": "WebPageElement", "isAccessibleForFree": "false",
            "cssSelector": ".paywalled-content"}
    assert declared(ld(isAccessibleForFree=True, hasPart=part)) == ("paywalled",
                                                                    "json-ld:hasPart")
    tier = '<meta property="article:content_tier" content="locked">'
    assert declared(tier) == ("paywalled", "meta:article:content_tier")


def test_free_declarations_and_no_declaration():
    assert declared(ld(isAccessibleForFree=True)) == (None, None)
    assert declared('<meta property="article:content_tier" content="free">') == (None, None)
    assert declared("") == (None, None)


GATE = ('<div class="gate"><p>Weiterlesen mit Z+</p><p>Sie sind bereits Digital-Abonnent? '
        '<a href="/anmelden">Hier anmelden</a></p></div>')


def test_a_text_that_stops_at_a_subscription_prompt_is_partial():
    ex = extract_article(page(ld(isAccessibleForFree=False), after=GATE), URL)
    assert ex.is_article, ex.reason
    assert (ex.access, ex.sources["access"]) == ("partial", "subscription prompt after the text")


def test_a_declared_paywall_with_the_whole_text_served_is_paywalled():
    ex = extract_article(page(ld(isAccessibleForFree=False)), URL)
    assert (ex.access, ex.sources["access"]) == ("paywalled", "json-ld:isAccessibleForFree")


def test_a_newsletter_box_or_a_login_link_after_the_text_is_no_paywall():
    after = ('<div class="newsletter"><p>Subscribe to our newsletter!</p>'
             "<p>Already have an account? Log in to comment.</p></div>")
    ex = extract_article(page(after=after), URL)
    assert ex.access == "free" and "access" not in ex.sources


def test_prompt_far_below_the_text_does_not_count():
    text = "Letzter Satz des Artikels, der hier endet."
    filler = "Weitere Nachrichten aus der Region. " * 60
    assert stops_at_prompt(text, f"{text} Sie sind bereits Abonnent?")
    assert not stops_at_prompt(text, f"{text} {filler} Sie sind bereits Abonnent?")
    assert not stops_at_prompt("", "Sie sind bereits Abonnent?")
