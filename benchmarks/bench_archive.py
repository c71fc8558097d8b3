"""The archive at scale: build a big synthetic archive, then time Datasette serving it over HTTP.

    python benchmarks/bench_archive.py --articles 1000000 [--keep DIR]   # build, then measure
    python benchmarks/bench_archive.py --archive PATH                     # measure again
    python benchmarks/bench_archive.py --archive PATH --articles 1000000  # extend, measure

``make bench-archive ARTICLES=…`` / ``make bench-archive ARCHIVE=PATH`` run it. The archive is
written by :mod:`benchmarks.synthetic` through :class:`pipelines.store.Archive` (the write path
of a crawl), then served by ``datasette serve`` started as ``make serve`` starts it (the
Makefile passes its ``DATASETTE_ARGS`` in the environment) on a free port of 127.0.0.1, and
timed request by request:

- ``search``: the search page (ranked, with snippets) for 20 frequent words, 20 rare words,
  10 two-word phrases and 10 frequent words with a site and a one-year date range;
- ``article``: 50 article pages picked at random;
- ``front``: the archive's front page; ``facets``: the articles table with its facets;
- ``atom``: the Atom feed of 20 searches (frequent and rare words).

``ingest_ratio`` is the rate of storing new articles into this archive over the rate of
storing the same kind of articles into an empty one, as issue #15 defines it: 10,000 new
articles (``--ingest``), a batch of 1,000 (one transaction, as the writer commits) into each
archive in turn, wall-clock seconds of the ``save`` calls (generation excluded), then removed
from the archive again (:func:`benchmarks.synthetic.ingest_rates`). Alternating gives both the
same neighbours on the shared cores; the CPU-time rates are printed beside it (they miss the
waits on the disk, which a big archive has). It is measured after a build and on each
re-measure, never from the build's own timings: the first and last stretches of a build run
minutes or hours apart (the old in-build figure, 2.25 at 640,000 articles, said more about the
machine's load than about the archive). ``--archive PATH --articles N`` extends the archive
at PATH to N articles first (resumed where it ends); pending migrations are applied before
anything is timed.
``timeouts`` counts responses that failed (5xx), pages that say a section ran out of time,
and facets Datasette reports as timed out. ``datasette_rss_mb`` is the server's peak resident
memory, sampled after each request. The line starting ``RESULT`` is the one to compare.
Never run by the tests.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shlex
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402
from datasette.utils import tilde_encode  # noqa: E402
from sqlite_utils import Database  # noqa: E402

from benchmarks import synthetic  # noqa: E402
from pipelines.store import Archive, migrations  # noqa: E402

DEFAULT_ARGS = ("--metadata metadata.yml --template-dir datasette/templates "
                "--plugins-dir datasette/plugins --setting suggest_facets off")
#: Share of the articles (first and last) whose storing rate makes ``ingest_ratio``.
INGEST_WINDOW = 0.02


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] if ordered else 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build(path: Path, count: int, sites: int) -> None:
    """Build the archive, or extend the one at ``path`` to ``count`` articles (resumed where
    it ends: see :func:`benchmarks.synthetic.build`); its build figures are written next to
    it (``PATH.bench.json``) as it grows, so a build stopped half-way still has them."""
    began = time.perf_counter()
    info_file = Path(f"{path}.bench.json")
    info = json.loads(info_file.read_text()) if info_file.exists() else {}
    info.pop("ingest_ratio", None)  # measured by ingest_ratio() now, never while building
    previous_s = info.get("build_s", 0.0) if path.exists() else 0.0
    window: list[tuple[int, float]] = []  # (articles, seconds) of the last batches

    def progress(done: int, batch_s: float) -> None:
        window.append((done, batch_s))
        if done % max(count // 100, synthetic.BATCH) and done != count:
            return
        stored = window[-1][0] - (window[0][0] - synthetic.BATCH)
        rate = stored / max(sum(s for _, s in window), 1e-9)
        window.clear()
        info.update(articles=done, planned=count,
                    build_s=previous_s + time.perf_counter() - began)
        info_file.write_text(json.dumps(info))
        print(f"  {done:,} articles ({time.strftime('%H:%M:%S')}, "
              f"{time.perf_counter() - began:.0f} s): {rate:.0f} articles/s stored lately",
              flush=True)

    synthetic.build(path, count, sites=sites, progress=progress)


def migrate(path: Path) -> None:
    """Apply the archive's pending migrations (Datasette does not), saying how long they
    took: a measure of an archive made by older code times the archive as it is now."""
    db = Database(path)
    pending = [migration.name for migration in migrations.pending(db)]
    db.close()
    if not pending:
        return
    began = time.perf_counter()
    Archive(path).close()
    print(f"migrations {', '.join(pending)} applied in {time.perf_counter() - began:.1f} s",
          flush=True)


class Server:
    """``datasette serve PATH`` on 127.0.0.1, as ``make serve`` runs it."""

    def __init__(self, path: Path) -> None:
        self.port = free_port()
        args = shlex.split(os.environ.get("DATASETTE_ARGS") or DEFAULT_ARGS)
        command = [str(Path(sys.executable).parent / "datasette"), "serve", str(path), *args,
                   "--host", "127.0.0.1", "--port", str(self.port)]
        self.process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        self.peak_rss = 0
        self.base = f"http://127.0.0.1:{self.port}"
        for _ in range(600):
            try:
                urllib.request.urlopen(self.base + "/-/versions.json", timeout=5).read()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("datasette did not start")

    def get(self, path: str) -> tuple[float, int, str]:
        began = time.perf_counter()
        try:
            with urllib.request.urlopen(self.base + path, timeout=120) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
        elapsed = time.perf_counter() - began
        self.peak_rss = max(self.peak_rss, psutil.Process(self.process.pid).memory_info().rss)
        return elapsed, status, body.decode("utf-8", "replace")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def sample(db: Path, seed: int = 3) -> dict[str, list]:
    """Article URLs to open, the sites of each language and the newest year of the archive."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        top = conn.execute("select max(rowid) from articles").fetchone()[0] or 0
        rng = random.Random(seed)
        urls = [row[0] for n in range(50) for row in conn.execute(
            "select url from articles where rowid >= ? limit 1", [rng.randint(1, top)])]
        sites = {}  # language -> its sites
        for (site,) in conn.execute("select distinct site from articles"):
            language = conn.execute("select language from articles where site = ? limit 1",
                                    [site]).fetchone()[0]
            sites.setdefault(language, []).append(site)
        newest = conn.execute("select max(published) from articles").fetchone()[0] or "2025"
    finally:
        conn.close()
    return {"urls": urls, "sites": sites, "newest": newest[:4]}


def measure(path: Path) -> dict[str, float]:
    name = path.stem
    queries = synthetic.query_mix()
    found = sample(path)
    rng = random.Random(7)
    searches = [{"q": q} for q in queries["frequent"] + queries["rare"] + queries["phrases"]]
    for q, language in list(zip(queries["frequent"], queries["languages"], strict=True))[::2]:
        year = int(found["newest"]) - rng.randint(0, 4)
        site = rng.choice(found["sites"].get(language) or sum(found["sites"].values(), []))
        searches.append({"q": q, "site": site, "since": f"{year}-01-01",
                         "until": f"{year}-12-31"})
    server = Server(path)
    timeouts = 0
    times: dict[str, list[float]] = {}

    def run(kind: str, url: str) -> str:
        nonlocal timeouts
        elapsed, status, body = server.get(url)
        times.setdefault(kind, []).append(elapsed * 1000)
        if status >= 500 or "Too slow to compute" in body or "interrupted" in body.lower():
            timeouts += 1
            print(f"  timeout or error ({status}): {url}", flush=True)
        return body

    try:
        server.get(f"/{name}")  # the first request opens the database
        for _ in range(10):
            run("front", f"/{name}")
        for params in searches:
            run("search", f"/{name}/search?{urlencode(params)}")
        for url in found["urls"]:
            run("article", f"/{name}/articles/{tilde_encode(url)}")
        for _ in range(10):
            run("facets", f"/{name}/articles")
        timed_out = json.loads(server.get(f"/{name}/articles.json")[2]).get(
            "facets_timed_out") or []
        timeouts += len(timed_out)
        if timed_out:
            print(f"  facets timed out: {timed_out}", flush=True)
        for q in queries["frequent"][:10] + queries["rare"][:10]:
            run("atom", f"/{name}/feed.atom?{urlencode({'q': q})}")
    finally:
        server.stop()
    for kind, values in times.items():
        print(f"  {kind:8} p50 {sorted(values)[len(values) // 2]:7.0f} ms  "
              f"p95 {p95(values):7.0f} ms  max {max(values):7.0f} ms  ({len(values)} requests)")
    return {**{f"{kind}_p95_ms": p95(values) for kind, values in times.items()},
            "timeouts": timeouts, "datasette_rss_mb": server.peak_rss / 1e6}


def ingest_ratio(path: Path, count: int) -> float:
    """Articles stored per second into the archive at ``path`` over the rate into an empty
    one (:func:`benchmarks.synthetic.ingest_rates`: the same kind of ``count`` new articles
    into each, a batch into each in turn, wall clock; deleted from ``path`` afterwards)."""
    with tempfile.TemporaryDirectory() as folder:
        rates = synthetic.ingest_rates(path, Path(folder) / "empty.db", count)
    print(f"storing {count:,} articles, a batch of {synthetic.BATCH} into each in turn: "
          f"{rates.empty:.0f}/s into an empty archive, {rates.full:.0f}/s into this one "
          f"(CPU time: {rates.empty_cpu:.0f}/s and {rates.full_cpu:.0f}/s, ratio "
          f"{rates.full_cpu / rates.empty_cpu:.2f})", flush=True)
    return rates.ratio


def stored_bytes(path: Path) -> tuple[int, int]:
    """(articles, UTF-8 bytes of the titles and texts of every version)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        count = conn.execute("select count(*) from articles").fetchone()[0]
        # the latest version's text is the article's (versions.text NULL)
        size = conn.execute(
            "select sum(length(cast(coalesce(versions.title, '') as blob)) + length(cast("
            "coalesce(versions.text, articles.text, '') as blob))) from versions "
            "join articles on articles.url = versions.url").fetchone()[0] or 0
    finally:
        conn.close()
    return count, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int,
                        help="build an archive of this many articles (100,000 without "
                             "--archive); with --archive: extend it to this many")
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--keep", type=Path, default=ROOT / "bench-archives",
                        help="folder of the built archives")
    parser.add_argument("--archive", type=Path, help="measure this archive (extended first "
                        "with --articles)")
    parser.add_argument("--ingest", type=int, default=10_000, metavar="N",
                        help="measure ingest_ratio by storing N new articles into this "
                             "archive and into an empty one (removed again; 0: not measured)")
    args = parser.parse_args()
    if args.archive:
        path = args.archive
        if not path.exists():
            parser.error(f"{path} does not exist")
        migrate(path)
    else:
        args.keep.mkdir(parents=True, exist_ok=True)
        args.articles = args.articles or 100_000
        path = args.keep / f"archive-{args.articles}.db"
        for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm"),
                      Path(f"{path}.bench.json")):
            stale.unlink(missing_ok=True)
    if args.articles:
        print(f"building {args.articles:,} articles in {path}", flush=True)
        build(path, args.articles, args.sites)
    ratio = ingest_ratio(path, args.ingest) if args.ingest else None
    count, text_bytes = stored_bytes(path)
    db_bytes = path.stat().st_size
    print(f"{count:,} articles, {db_bytes / 1e6:.0f} MB, "
          f"{db_bytes / max(text_bytes, 1):.2f}x the titles and texts of every version")
    results = measure(path)
    fields = {
        "articles": count, "db_mb": f"{db_bytes / 1e6:.0f}",
        "bytes_per_article": f"{db_bytes / max(count, 1):.0f}",
        "size_ratio": f"{db_bytes / max(text_bytes, 1):.2f}",
        "ingest_ratio": f"{ratio:.2f}" if ratio is not None else "na",
        **{key: f"{results.get(key, 0):.0f}" for key in (
            "search_p95_ms", "article_p95_ms", "front_p95_ms", "facets_p95_ms",
            "atom_p95_ms")},
        "timeouts": results["timeouts"], "datasette_rss_mb": f"{results['datasette_rss_mb']:.0f}",
        "archive": path,
    }
    print("RESULT " + " ".join(f"{key}={value}" for key, value in fields.items()))


if __name__ == "__main__":
    main()
