"""Synthetic archives for the benchmarks: the one generator (bench_browse, bench_archive).

Articles are written through the project's own write path (:class:`pipelines.store.Archive`:
the FTS index, the indexes, ``versions``, the writer's counts), in publication order as a
crawl archives them, with the crawl runs and one fetch per article:

- ``sites`` sites (20 by default) in French, German and English, their sizes skewed (the
  biggest a dozen times the smallest);
- publication dates spread evenly over ``years`` years ending at 2025-12-31;
- 200 to 2,000 words, drawn from a per-language vocabulary whose word frequencies follow
  Zipf's law (stopwords first), so that frequent words are in most articles and rare ones in
  a few hundred of a million;
- per site a few dozen authors (a few write most articles; 5% have no byline), 0 to 5 tags
  from a skewed list shared by all sites;
- a tenth of the articles edited once or twice after publication (a paragraph added, a
  title changed): 2 to 3 versions each.

Everything is drawn from a seeded ``random.Random``: the same arguments give the same archive,
and :func:`query_mix` gives the words the archive is known to contain.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from core.items import Article
from pipelines.store import Archive

LANGUAGES = ("fr", "de", "en")
STOPWORDS = {
    "fr": "le la les de des du et à un une est en que qui dans pour pas sur au par plus "
          "il elle nous ce se ne son sa ses avec mais ou où comme".split(),
    "de": "der die das und ist nicht zu den von mit sich des auf für im dem ein eine "
          "als auch es an er so dass wie aus bei nach".split(),
    "en": "the of and to a in is that for it on was with as by be at this from but "
          "not or have are they which one has been".split(),
}
SYLLABLES = {
    "fr": "ré pa mi on ai eu ou é è ta lu ver con tra ment sion gou ché in cor bal fé".split(),
    "de": "ge un ver ein be schaft ung lich keit hei mar ka ta stra wel ber ö ü ä zu".split(),
    "en": "re pro con ing tion ma ter al ly ex com ble ment ness ru ka sto vin dle ham".split(),
}
#: Words per language vocabulary (stopwords included).
VOCABULARY = 40_000
#: Tokens drawn once per language; an article's text is a slice of this stream.
STREAM = 1_500_000
TAGS = 400
#: Articles stored per transaction (as a crawl's store pipeline batches them).
BATCH = 1000
SITE_WEIGHTS_SPREAD = 12.0


def zipf_weights(n: int, s: float = 1.05) -> list[float]:
    return [1.0 / (rank + 1) ** s for rank in range(n)]


def vocabulary(language: str, seed: int = 11) -> list[str]:
    """The language's words, most frequent first: its stopwords, then made-up words."""
    rng = random.Random(f"{seed}-{language}")
    words = list(STOPWORDS[language])
    seen = set(words)
    syllables = SYLLABLES[language]
    while len(words) < VOCABULARY:
        word = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def query_mix(seed: int = 11) -> dict[str, list[str]]:
    """The benchmark's queries: 20 frequent non-stopwords (and the language of each), 20 rare
    words, 10 two-word phrases (all words of the archive's vocabularies)."""
    frequent, languages, rare, phrases = [], [], [], []
    for n, language in enumerate(LANGUAGES):
        words = vocabulary(language, seed)
        first = len(STOPWORDS[language])
        frequent += words[first + n: first + n + 7]
        languages += [language] * 7
        rare += words[20_000 + 311 * n: 20_000 + 311 * n + 2100: 300]
        phrases += [f"{words[first + 2 * k]} {words[first + 2 * k + 41]}" for k in range(4)]
    return {"frequent": frequent[:20], "languages": languages[:20], "rare": rare[:20],
            "phrases": phrases[:10]}


@dataclass
class Sites:
    """The archive's sites: host, language, size weight, authors."""
    hosts: list[str]
    languages: list[str]
    weights: list[float]
    authors: list[list[str]] = field(default_factory=list)


def make_sites(count: int, rng: random.Random) -> Sites:
    hosts = [f"{LANGUAGES[n % 3]}-news{n}.example" for n in range(count)]
    languages = [LANGUAGES[n % 3] for n in range(count)]
    weights = [SITE_WEIGHTS_SPREAD ** (-n / max(count - 1, 1)) for n in range(count)]
    authors = [[f"{rng.choice('ABCDEFGHJKLMNPRS')}. Author{n}-{k}" for k in range(40)]
               for n in range(count)]
    return Sites(hosts, languages, weights, authors)


class Texts:
    """Article texts: slices of a Zipf-distributed token stream per language (fast to make)."""

    def __init__(self, rng: random.Random, seed: int) -> None:
        self.rng = rng
        self.streams = {}
        for language in LANGUAGES:
            words = vocabulary(language, seed)
            cum = list(itertools.accumulate(zipf_weights(len(words))))
            self.streams[language] = rng.choices(words, cum_weights=cum, k=STREAM)

    def text(self, language: str, words: int) -> str:
        stream = self.streams[language]
        start = self.rng.randrange(len(stream) - words)
        tokens = stream[start:start + words]
        paragraphs = [" ".join(tokens[i:i + 80]) for i in range(0, words, 80)]
        return "\n".join(p[:1].upper() + p[1:] + "." for p in paragraphs)

    def title(self, language: str) -> str:
        return self.text(language, self.rng.randint(6, 12)).capitalize()


def articles(count: int, *, sites: int = 20, years: int = 5, seed: int = 11, first: int = 0
             ) -> Iterator[tuple[Article, list[Article]]]:
    """(article, its later versions) in publication order; ``first`` numbers the articles
    (and so their URLs) from there on: new articles for an archive already built."""
    rng = random.Random(seed)
    texts = Texts(rng, seed)
    site_list = make_sites(sites, rng)
    author_cum = list(itertools.accumulate(zipf_weights(40, 1.2)))
    tag_names = [f"tag{n}" for n in range(TAGS)]
    tag_cum = list(itertools.accumulate(zipf_weights(TAGS, 1.1)))
    end = datetime(2025, 12, 31, tzinfo=UTC)
    span = timedelta(days=365 * years)
    site_indexes = range(sites)
    for n in range(first, first + count):
        s = rng.choices(site_indexes, weights=site_list.weights)[0]
        host, language = site_list.hosts[s], site_list.languages[s]
        when = end - span + span * ((n - first) / max(count, 1))
        words = rng.randint(200, 2000)
        text = texts.text(language, words)
        author = (None if rng.random() < 0.05
                  else rng.choices(site_list.authors[s], cum_weights=author_cum)[0])
        tags = sorted(set(rng.choices(tag_names, cum_weights=tag_cum, k=rng.randint(0, 5))))
        url = f"https://{host}/{when:%Y/%m/%d}/article-{n}/"
        stamp = when.isoformat(timespec="seconds")
        article = Article(
            url=url, fetched_url=url, site=host, site_name=host.split(".")[0].title(),
            title=texts.title(language), author=author, language=language, published=stamp,
            tags=tags, text=text, word_count=words, content_hash=f"{n}-1",
            fetched_at=stamp, http_status=200, discovered_via="sitemap", extractor="bench")
        later = []
        if rng.random() < 0.1:
            for version in range(2, 2 + rng.randint(1, 2)):
                edited = when + timedelta(hours=3 * (version - 1))
                text += "\n" + texts.text(language, rng.randint(20, 120)) + "."
                later.append(dataclasses.replace(
                    article, text=text, word_count=len(text.split()),
                    content_hash=f"{n}-{version}",
                    fetched_at=edited.isoformat(timespec="seconds")))
        yield article, later


def build(path: Path, count: int, *, sites: int = 20, crawls: int = 60, years: int = 5,
          seed: int = 11, batch: int = BATCH, stop: int | None = None,
          progress: Callable[[int, float], None] | None = None) -> list[float]:
    """Write a synthetic archive of ``count`` articles at ``path``, or extend the one there
    to ``count``; returns the wall seconds spent storing each batch of ``batch`` articles
    (generation excluded), in order. ``progress(articles stored, seconds the batch took)``
    is called after each batch; ``stop`` ends the build after that many articles (a build
    cut short, as a killed one is).

    A build resumes where the archive at ``path`` ends: the generator is deterministic (by
    ``seed``, article number and ``count``), so the articles already stored are generated
    again and skipped (~60 µs each), the versions of the last batch stored are stored if
    they are missing (a build killed between the two transactions), and the crawls already
    recorded are reused. Building 0..k then k..count gives the rows of a build in one go.
    The archive is opened (so migrated) once, before the first article is written."""
    archive = Archive(path)
    done = archive.db["articles"].count
    crawl_ids = [row[0] for row in archive.db.execute(
        "SELECT id FROM crawls WHERE spider = 'news' ORDER BY id")][:crawls]
    start = datetime(2025, 12, 31, tzinfo=UTC) - timedelta(days=365 * years)
    for n in range(len(crawl_ids), crawls):
        crawl_id = archive.start_crawl("news", [])
        archive.db["crawls"].update(crawl_id, {"started": (
            start + timedelta(days=365 * years * n / crawls)).isoformat()})
        archive.finish_crawl(crawl_id, status="finished", counts={
            "pages": 100, "articles_new": 10, "articles_updated": 0, "articles_unchanged": 0,
            "not_articles": 5, "errors": 1}, outcomes={}, stats={})
        crawl_ids.append(crawl_id)
    timings: list[float] = []
    pending: list[Article] = []  # later versions, stored with the next batch
    items = articles(count, sites=sites, years=years, seed=seed)
    last_batch = done - (done % batch or batch)  # the first article of the last batch stored
    for n, (article, later) in enumerate(itertools.islice(items, done)):
        if n >= last_batch and later:
            stored = {row[0] for row in archive.db.execute(
                "SELECT content_hash FROM versions WHERE url = ?", [article.url])}
            pending += [version for version in later if version.content_hash not in stored]
    end = count if stop is None else min(stop, count)
    while True:
        chunk = list(itertools.islice(items, max(0, min(batch, end - done))))
        if not chunk and not pending:
            break
        new = [article for article, _ in chunk]
        fetches = [{"crawl_id": crawl_ids[min((done + i) * crawls // max(count, 1),
                                              crawls - 1)],
                    "url": a.url, "status": 200, "fetched_at": a.fetched_at, "outcome": "ok"}
                   for i, a in enumerate(new)]
        began = time.perf_counter()
        archive.save(new, fetches)
        # one version per URL per save (a batch keeps the first of a URL)
        while pending:
            firsts = {a.url: a for a in reversed(pending)}
            archive.save(list(firsts.values()))
            for a in firsts.values():
                pending.remove(a)
        timings.append(time.perf_counter() - began)
        for _, later in chunk:
            pending += later
        done += len(chunk)
        if progress:
            progress(done, timings[-1])
    archive.close()
    return timings


@dataclass
class IngestRates:
    """Articles stored per second (wall clock) into an empty archive and into a full one."""
    empty: float
    full: float
    empty_cpu: float
    full_cpu: float

    @property
    def ratio(self) -> float:
        return self.full / self.empty if self.empty else 0.0


def ingest_rates(path: Path, empty: Path, count: int, *, batch: int = BATCH,
                 seed: int = 29) -> IngestRates:
    """Store ``count`` new articles into the archive at ``path`` and ``count`` others of the
    same kind into a new archive at ``empty``, a batch into each in turn, in batches of
    ``batch`` (one transaction each, as a crawl writes), timing each ``save``; then delete
    those articles from ``path`` again (the archive stays as it was built; the deletes are
    not timed).

    Alternating the two archives batch by batch gives both the same neighbours on shared
    cores: the ratio of the two wall-clock rates compares the archives, not the moments. The
    same articles (numbered beyond any of a build, so new to both) go into each."""
    first = 10 ** 9  # never a build's article number
    items = [article for article, _ in articles(count, seed=seed, first=first)]
    spent = {"empty": [0.0, 0.0], "full": [0.0, 0.0]}  # wall, cpu
    opened = {"empty": Archive(empty), "full": Archive(path)}
    try:
        for offset in range(0, count, batch):
            for name, archive in opened.items():
                wall, cpu = time.perf_counter(), time.process_time()
                archive.save(items[offset:offset + batch])
                spent[name][0] += time.perf_counter() - wall
                spent[name][1] += time.process_time() - cpu
        full = opened["full"].db
        urls = [article.url for article in items]
        for table in ("versions", "articles"):
            full[table].delete_where("url IN (SELECT value FROM json_each(?))",
                                     [json.dumps(urls)])
    finally:
        for archive in opened.values():
            archive.close()
    return IngestRates(count / spent["empty"][0], count / spent["full"][0],
                       count / spent["empty"][1], count / spent["full"][1])
