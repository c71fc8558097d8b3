"""What to crawl: the sites of ``sites.toml``, or the URLs given with ``-a start=…``.

``sites.toml`` lists one ``[[site]]`` table per site::

    [[site]]
    name = "Le Journal du Monde"
    start = ["https://www.lejournaldumonde.example/"]
    allow = []                       # optional regexes: only follow links that match one
    deny = ["/petites-annonces/"]    # optional regexes: never follow links that match
    articles = ["/dossiers/\\d+$"]    # optional regexes: pages whose URL matches are articles
    not_articles = ["/live/"]         # optional regexes: pages whose URL matches never are

``articles`` and ``not_articles`` are for a site whose pages defeat the classification
(:mod:`pipelines.classify`): they win over it, ``not_articles`` first, and the pattern that
decided is the page's reason (shown in the ``rejections`` table for the pages refused).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from core.urls import host


class SitesError(ValueError):
    """sites.toml or a start URL is not usable; the message says why."""


@dataclass
class Site:
    name: str
    start: list[str]
    allow: list[str] = field(default_factory=list)
    deny: list[str] = field(default_factory=list)
    articles: list[str] = field(default_factory=list)
    not_articles: list[str] = field(default_factory=list)

    def override(self, url: str) -> tuple[bool, str] | None:
        """What the site's ``not_articles``/``articles`` patterns say of a page URL, and why
        (None: they say nothing, the page is classified)."""
        for verdict, key, patterns in ((False, "not_articles", self.not_articles),
                                       (True, "articles", self.articles)):
            for pattern in patterns:
                if re.search(pattern, url):
                    return verdict, f"sites.toml {key} pattern {pattern!r}"
        return None

    @property
    def hosts(self) -> set[str]:
        return {host(u) for u in self.start}


def check_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SitesError(f"not an http(s) URL: {url!r}")
    return url


def _check_patterns(patterns: list[str], where: str) -> list[str]:
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as error:
            raise SitesError(f"{where}: bad pattern {pattern!r}: {error}") from error
    return list(patterns)


def sites_from_start(start: str) -> list[Site]:
    """One site per host among the comma-separated URLs of ``-a start=``."""
    by_host: dict[str, Site] = {}
    for url in filter(None, (u.strip() for u in start.split(","))):
        url = check_url(url)
        by_host.setdefault(host(url), Site(name=host(url), start=[])).start.append(url)
    if not by_host:
        raise SitesError("-a start= was given no URL")
    return list(by_host.values())


def load_sites(path: str | Path) -> list[Site]:
    """The sites of a sites.toml file."""
    path = Path(path)
    if not path.exists():
        raise SitesError(
            f"{path} not found: give start URLs with -a start=URL[,URL…] or create it "
            "(see the README)"
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise SitesError(f"{path}: {error}") from error
    sites = []
    for i, entry in enumerate(data.get("site", []), 1):
        where = f"{path} site #{i}"
        start = entry.get("start")
        if isinstance(start, str):
            start = [start]
        if not start:
            raise SitesError(f"{where}: needs start = [URL, …]")
        sites.append(
            Site(
                name=str(entry.get("name") or host(start[0])),
                start=[check_url(u) for u in start],
                allow=_check_patterns(entry.get("allow", []), where),
                deny=_check_patterns(entry.get("deny", []), where),
                articles=_check_patterns(entry.get("articles", []), where),
                not_articles=_check_patterns(entry.get("not_articles", []), where),
            )
        )
    if not sites:
        raise SitesError(f"{path} lists no [[site]]")
    return sites
