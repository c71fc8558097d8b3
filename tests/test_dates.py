"""Published and modified dates: sources, confidence, visible dates in the page's language,
sanity rules, and never the fetch time as a fallback."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from lxml.html import fromstring

from pipelines.dates import (
    PageDates,
    date_in_url,
    find_dates,
    month_number,
    parse_visible_date,
    sane_dates,
)
from pipelines.extract import extract_article
from pipelines.metadata import read_declarations

FETCHED = "2025-03-12T10:00:00+00:00"
URL = "https://www.zeitung.example/politik/haushalt-1234.html"
TEXT = "<p>" + "Der Stadtrat hat am Dienstag lange über den Haushalt beraten. " * 12 + "</p>"


def dates_of(body: str, head: str = "", url: str = URL, lang: str = "de",
             fetched_at: str | None = FETCHED) -> PageDates:
    tree = fromstring(f'<html lang="{lang}"><head>{head}</head><body>{body}</body></html>')
    return find_dates(tree, read_declarations(tree), url, lang, fetched_at)


def jsonld(**fields: str) -> str:
    data = {"@context": "https://schema.org", "@type": "NewsArticle", **fields}
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


@pytest.mark.parametrize(
    ("text", "lang", "iso"),
    [
        ("12. März 2025", "de", "2025-03-12"),
        ("Veröffentlicht am 4. März 2025, 06:30 Uhr", "de", "2025-03-04"),
        ("le 3 février 2025", "fr", "2025-02-03"),
        ("lundi 9 décembre 2019 à 09h08", "fr", "2019-12-09"),
        ("Miércoles, 4 de Mayo de 2022 a las 07:46hrs.", "es", "2022-05-04"),
        ("11 ottobre 2023", "it", "2023-10-11"),
        ("Nov 18, 2019 at 9:24 pm ET", "en", "2019-11-18"),
        ("Monday, November 18th, 2019 at 11:04 a.m.", "en", "2019-11-18"),
        ("18.11.2019 12:00 Uhr", "de", "2019-11-18"),
        ("19.10.19, 12:00 Uhr", "de", "2019-10-19"),
        ("11/18/2019", "en", "2019-11-18"),
        ("27/09/2018", "pt", "2018-09-27"),
        ("2019-11-18T20:51:19Z", "en", "2019-11-18"),
        ("30. Februar 2025", "de", None),  # impossible
        ("Updated 3 hours ago", "en", None),  # relative: needs the fetch time
    ],
)
def test_parse_visible_date(text, lang, iso):
    found = parse_visible_date(text, lang)
    assert (found[0] if found else None) == iso


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("3 hours ago", "2025-03-12"),
        ("Published 22 hours ago", "2025-03-11"),
        ("vor 2 Tagen", "2025-03-10"),
        ("il y a 3 heures", "2025-03-12"),
        ("hace 1 día", "2025-03-11"),
        ("gestern, 18:30", "2025-03-11"),
    ],
)
def test_relative_dates_are_resolved_against_the_fetch_time_and_said_so(text, iso):
    assert parse_visible_date(text, None, datetime(2025, 3, 12, 10, tzinfo=UTC)) == (iso, True)


def test_month_names_in_the_pages_language_first():
    assert month_number("März", "de") == 3
    assert month_number("février", "fr") == 2
    assert month_number("mayo") == 5
    assert month_number("Monday") is None


def test_date_in_url():
    assert date_in_url("https://a.example/2019/11/18/slug/") == "2019-11-18"
    assert date_in_url("https://a.example/news/20191118/slug") == "2019-11-18"
    assert date_in_url("https://a.example/2019/13/45/slug") is None
    assert date_in_url("https://a.example/slug-2019") is None


def test_sane_dates_rejects_the_future_and_published_after_modified():
    assert sane_dates("2025-03-12", "2025-03-12T12:00:00+00:00", FETCHED) == (
        "2025-03-12", "2025-03-12T12:00:00+00:00", [])
    published, modified, notes = sane_dates("2031-01-01", None, FETCHED)
    assert published is None and notes == [
        "published 2031-01-01 rejected: more than a day after the fetch"]
    published, modified, notes = sane_dates("2025-03-10T10:00:00+00:00",
                                            "2025-03-09T10:00:00+00:00", FETCHED)
    assert published is None and modified == "2025-03-09T10:00:00+00:00"
    assert "after modified" in notes[0]
    # within a day of the fetch is allowed (time zones, a post scheduled for tonight)
    assert sane_dates("2025-03-12T23:00:00-05:00", None, FETCHED)[0] is not None


def test_declared_and_visible_dates_agreeing_are_high_confidence():
    head = jsonld(datePublished="2025-03-04T06:30:00+01:00",
                  dateModified="2025-03-04T14:15:00+01:00")
    found = dates_of('<h1>Haushalt</h1><p class="date">4. März 2025</p>' + TEXT, head)
    assert (found.published.value, found.published.source, found.published.confidence) == (
        "2025-03-04T06:30:00+01:00", "json-ld", "high")
    assert (found.modified.value, found.modified.source) == ("2025-03-04T14:15:00+01:00",
                                                             "json-ld")


def test_a_lone_declared_date_is_medium_confidence():
    found = dates_of("<h1>Haushalt</h1>" + TEXT,
                     '<meta property="article:published_time" content="2025-03-04">')
    assert (found.published.source, found.published.confidence) == (
        "meta:article:published_time", "medium")


def test_a_future_declared_date_is_rejected_recorded_and_the_visible_one_taken():
    head = jsonld(datePublished="2031-03-04T06:30:00+01:00")
    found = dates_of('<h1>Haushalt</h1><div class="meta">12. März 2025</div>' + TEXT, head)
    assert (found.published.value, found.published.source) == ("2025-03-12", "text")
    assert found.notes == ["published 2031-03-04T06:30:00+01:00 rejected: more than a day "
                           "after the fetch (json-ld)"]


def test_an_impossible_declared_date_is_ignored():
    head = jsonld(datePublished="2025-02-30T10:00:00+01:00")
    found = dates_of('<h1>Haushalt</h1><time datetime="2025-02-28">28. Februar</time>'
                     + TEXT, head)
    assert (found.published.value, found.published.source) == ("2025-02-28", "time")


def test_published_after_modified_is_rejected_unless_the_page_shows_it():
    head = jsonld(datePublished="2025-03-10T10:00:00+01:00",
                  dateModified="2025-03-08T10:00:00+01:00")
    found = dates_of("<h1>Haushalt</h1>" + TEXT, head)
    assert found.published is None
    assert "after modified" in found.notes[0]
    # a scheduled post: written on the 8th, published on the 10th as the page shows
    found = dates_of('<h1>Haushalt</h1><p class="post-date">10. März 2025</p>' + TEXT, head)
    assert found.published.value.startswith("2025-03-10") and found.modified is None
    assert found.notes[0].startswith("modified 2025-03-08T10:00:00+01:00 rejected")


def test_no_date_on_the_page_means_none_never_the_fetch_time():
    found = dates_of("<h1>Haushalt</h1>" + TEXT)
    assert found.published is None and found.modified is None


def test_a_relative_date_only_when_nothing_better_and_marked_so():
    body = '<h1>Haushalt</h1><span class="article-date">Published 3 hours ago</span>' + TEXT
    found = dates_of(body, lang="en")
    assert (found.published.value, found.published.source, found.published.confidence) == (
        "2025-03-12", "text-relative", "low")
    found = dates_of(body, lang="en", url="https://a.example/2025/03/11/haushalt/")
    assert (found.published.value, found.published.source) == ("2025-03-11", "url")
    assert dates_of(body, lang="en", fetched_at=None).published is None


def test_dates_of_comments_and_teasers_are_not_the_articles():
    body = ("<article><h1>Haushalt</h1>" + TEXT + "</article>"
            '<aside class="related"><p class="date">1. Januar 2025</p></aside>'
            '<div id="comments"><time datetime="2025-03-11T08:00:00">gestern</time></div>')
    assert dates_of(body).published is None


def test_updated_dates_are_modified_not_published():
    body = ('<h1>Haushalt</h1><p class="dateline"><time class="updated" '
            'datetime="2025-03-11T09:41:00Z">Updated Mar 11</time> <time '
            'datetime="2025-03-10T20:19:00Z">Posted Mar 10</time></p>' + TEXT)
    found = dates_of(body, lang="en")
    assert found.published.value == "2025-03-10T20:19:00+00:00"
    assert found.modified.value == "2025-03-11T09:41:00+00:00"


def test_extraction_keeps_each_dates_source_confidence_and_notes():
    html = ('<html lang="de"><head>' + jsonld(datePublished="2031-01-01T00:00:00Z")
            + '</head><body><article><h1>Haushalt</h1><p class="byline">Von Anna Schmidt, '
            "12. März 2025</p>" + TEXT * 3 + "</article></body></html>")
    ex = extract_article(html, URL, fetched_at=FETCHED)
    assert (ex.published, ex.sources["published"], ex.published_confidence) == (
        "2025-03-12", "text", "medium")
    assert ex.date_notes and "2031-01-01" in ex.date_notes[0]
    assert ex.authors == ["Anna Schmidt"] and ex.author == "Anna Schmidt"
