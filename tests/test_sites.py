"""What to crawl: -a start= URLs and sites.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.sites import SitesError, load_sites, sites_from_start

ROOT = Path(__file__).resolve().parents[1]


def test_start_urls_grouped_by_host():
    sites = sites_from_start("https://a.example/, https://a.example/feed/,http://127.0.0.1:8000/")
    assert [(s.name, s.start) for s in sites] == [
        ("a.example", ["https://a.example/", "https://a.example/feed/"]),
        ("127.0.0.1", ["http://127.0.0.1:8000/"]),
    ]


@pytest.mark.parametrize("bad", ["", " , ", "ftp://x.example/", "not a url"])
def test_bad_start_is_a_clear_error(bad):
    with pytest.raises(SitesError):
        sites_from_start(bad)


def test_load_sites_toml(tmp_path):
    path = tmp_path / "sites.toml"
    path.write_text(
        '[[site]]\nname = "A"\nstart = "https://a.example/"\ndeny = ["/shop/"]\n'
        '[[site]]\nstart = ["https://b.example/feed/"]\n',
        encoding="utf-8",
    )
    a, b = load_sites(path)
    assert (a.name, a.start, a.deny) == ("A", ["https://a.example/"], ["/shop/"])
    assert (b.name, b.hosts) == ("b.example", {"b.example"})


def test_project_sites_toml_is_valid():
    assert load_sites(ROOT / "sites.toml")


@pytest.mark.parametrize(
    "text,message",
    [
        ("", "lists no"),
        ("[[site]]\nname='x'\n", "needs start"),
        ("[[site]]\nstart=['https://a.example/']\ndeny=['(']\n", "bad pattern"),
        ("[[site]\n", "sites.toml"),
    ],
)
def test_bad_sites_toml(tmp_path, text, message):
    path = tmp_path / "sites.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SitesError, match=message):
        load_sites(path)


def test_missing_sites_toml(tmp_path):
    with pytest.raises(SitesError, match="not found"):
        load_sites(tmp_path / "nope.toml")
