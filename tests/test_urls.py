"""Canonical URLs: every address of one article collapses to one key."""

from __future__ import annotations

import pytest

from core.urls import canonical_url, is_private_address, normalize, same_site, strip_variant

A = "https://www.journal.example/2025/02/13/poutine-accepte/"


@pytest.mark.parametrize(
    "variant",
    [
        A,
        A + "?utm_source=newsletter&utm_campaign=matin",
        A + "?fbclid=IwAR0abc",
        A + "?gclid=xyz&utm_medium=social",
        A + "#comments",
        "HTTPS://WWW.Journal.Example:443/2025/02/13/poutine-accepte/",
        A + "amp/",
        A + "?amp=1",
        A + "print/",
    ],
)
def test_variants_collapse_to_one_key(variant):
    assert canonical_url(variant) == A


def test_meaningful_query_parameters_are_kept_and_sorted():
    assert normalize("https://x.example/article.php?id=9&utm_source=a") == (
        "https://x.example/article.php?id=9"
    )
    assert normalize("https://x.example/?p=12&b=2") == "https://x.example/?b=2&p=12"


def test_same_site_canonical_is_trusted():
    assert canonical_url(A + "amp/", A) == A
    assert canonical_url("https://journal.example/x/?utm_source=a", "/x/") == (
        "https://journal.example/x/"
    )
    # www. and bare host are the same site
    assert canonical_url("https://journal.example/x/", A) == A


def test_offsite_canonical_is_ignored():
    assert canonical_url(A, "https://aggregator.example/copy/") == A


def test_canonical_to_home_page_from_an_article_is_ignored():
    assert canonical_url(A, "https://www.journal.example/") == A


def test_relative_and_junk_canonicals():
    assert canonical_url(A, "  ") == A
    assert canonical_url(A, "javascript:void(0)") == A


def test_strip_variant_keeps_other_parameters():
    assert strip_variant("https://x.example/a?id=3&output=amp") == "https://x.example/a?id=3"


def test_same_site_and_private_addresses():
    assert same_site("https://www.a.example/x", "https://a.example/y")
    assert not same_site("https://a.example/", "https://b.example/")
    assert is_private_address("127.0.0.1") and is_private_address("10.1.2.3")
    assert is_private_address("[::1]") and is_private_address("169.254.1.1")
    assert not is_private_address("93.184.216.34")
