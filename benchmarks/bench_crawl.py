"""Crawl throughput and memory of news-archiver, side by side with trafilatura's CLI.

``make bench`` (``python benchmarks/bench_crawl.py --pages 2000``) generates a WordPress-style
news site of ``--pages`` article pages of 60-120 KB (:mod:`bigsite`), serves it on 127.0.0.1
(nginx when installed, else a threaded Python server: :mod:`servers`) and measures, one after
the other on the same machine:

1. the project: ``scrapy crawl news`` end to end (discovery from the home page, robots.txt,
   sitemaps and feed; fetch, extract, dedupe, store with FTS), wall-clock time, articles
   stored per second and the peak of the summed RSS of the crawl's whole process tree; then a
   re-crawl of the unchanged site into the same archive (its time, requests and bytes
   downloaded over the first crawl's), and a re-crawl that re-checks every article at once
   (``ARCHIVE_RECHECK_*`` set to a second: every article asked for conditionally, answered
   304 by the server);
2. the peer: ``trafilatura -i URLS --parallel 4 --json -o DIR`` on the article URLs, with a
   config file setting ``SLEEP_TIME = 0`` and ``SSRF_PROTECTION = off``;
3. the ceiling of one core: ``pipelines.extract.extract_article`` alone in one process over
   the same pages read from disk (:mod:`extract_only`).

It prints a table, then ``recrawl_time_ratio=…``, ``recrawl_bytes_ratio=…``,
``recrawl_requests_ratio=…``, ``recheck_all_bytes_ratio=…``, ``memory_growth=…`` (memory
runs only) and,
as its last line, ``RESULT pages_per_s=… peer_pages_per_s=… ratio_vs_peer=…
extract_only_pages_per_s=… ratio_vs_extract_only=… peak_rss_mb=…``.

With ``--pages`` of 50000 or more (or ``--memory``) it crawls a 5000-page site and the
``--pages`` site in the same run and prints ``memory_growth=<peak at N / peak at 5000>``; the
peer and the extract-only runs then use the first ``--sample`` (default 5000) article URLs,
since their rates do not depend on the site's size. Never run from the tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bigsite  # noqa: E402
import procmon  # noqa: E402
import servers  # noqa: E402

PROJECT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MEMORY_SMALL = 5000
MEMORY_THRESHOLD = 50000
#: Cores used by unrelated processes during a run above which the report warns.
BUSY_MACHINE = 0.2
PEER_CONFIG = """\
[DEFAULT]
# loopback at full speed: no politeness delay, no SSRF filter on 127.0.0.1
SLEEP_TIME = 0
SSRF_PROTECTION = off
"""


@dataclass
class Run:
    """One measured command."""

    name: str
    pages: int  # articles stored / extracted / files written
    seconds: float
    peak_mb: float = 0.0
    processes: int = 0
    cpu_seconds: float = 0.0
    main_cpu_seconds: float = 0.0  # the command's own process, without its descendants
    server_cpu_seconds: float = 0.0
    foreign_cpu_seconds: float = 0.0  # other processes of the machine, meanwhile
    note: str = ""
    requests: int = 0  # Scrapy's downloader/request_count
    response_bytes: int = 0  # Scrapy's downloader/response_bytes

    @property
    def rate(self) -> float:
        return self.pages / self.seconds if self.seconds > 0 else 0.0

    def cores(self, cpu_seconds: float) -> float:
        return cpu_seconds / self.seconds if self.seconds > 0 else 0.0

    def measured(self, memory: procmon.PeakMemory) -> Run:
        """This run with the memory and CPU figures of ``memory`` filled in."""
        self.peak_mb = memory.peak_mb
        self.processes = memory.max_processes
        self.cpu_seconds = self.cpu_seconds or memory.cpu_seconds
        self.main_cpu_seconds = memory.root_cpu_seconds
        self.server_cpu_seconds = memory.server_cpu_seconds
        self.foreign_cpu_seconds = memory.foreign_cpu_seconds
        return self


@dataclass
class SiteRun:
    """Everything measured on one generated site."""

    pages: int
    server: str = ""
    gen_seconds: float = 0.0
    sizes: list[int] = field(default_factory=list)
    other_pages: int = 0
    crawl: Run | None = None
    recrawl: Run | None = None
    recheck: Run | None = None
    peer: Run | None = None
    extract: Run | None = None


def crawl_command(base_url: str, archive: Path, extra: list[str]) -> list[str]:
    """The project's crawl as the issue states it (settings names of crawler/settings.py)."""
    command = [
        str(BIN / "scrapy"), "crawl", "news", "-a", f"start={base_url}/",
        "-s", f"ARCHIVE_DB={archive}",
        "-s", "DOWNLOAD_DELAY=0",
        "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16",
        "-s", "LOG_LEVEL=WARNING",
    ]
    for setting in extra:
        command += ["-s", setting]
    return command


def archive_counts(archive: Path) -> tuple[int, dict[str, object]]:
    """(rows in articles, the last crawls row) of an archive."""
    with sqlite3.connect(archive) as db:
        articles = db.execute("select count(*) from articles").fetchone()[0]
        db.row_factory = sqlite3.Row
        row = db.execute("select * from crawls order by id desc limit 1").fetchone()
    return int(articles), (dict(row) if row else {})


def crawl_stats(crawl: dict[str, object]) -> dict[str, object]:
    """Scrapy's final stats, from the crawls row."""
    try:
        return json.loads(str(crawl.get("stats") or "{}"))
    except ValueError:
        return {}


def crawl_note(crawl: dict[str, object]) -> str:
    """A short line from the crawls row: requests, bytes, outcomes."""
    stats = crawl_stats(crawl)
    parts = [f"{stats.get('downloader/request_count', '?')} requests",
             f"{int(stats.get('downloader/response_bytes', 0)) / 1e6:.1f} MB"]
    for key in ("articles_new", "articles_updated", "articles_unchanged", "not_articles",
                "errors"):
        if key in crawl:
            parts.append(f"{crawl[key]} {key.removeprefix('articles_').replace('_', ' ')}")
    return ", ".join(parts)


def run_crawl(name: str, base_url: str, archive: Path, log: Path, extra: list[str],
              server: servers.Server) -> Run:
    """Run ``scrapy crawl news`` once; raise with the log's tail when it fails."""
    with log.open("wb") as out:
        status, seconds, memory = procmon.run_measured(
            crawl_command(base_url, archive, extra), cwd=str(PROJECT), stdout=out,
            server_pids=server.pids)
    if status != 0:
        tail = log.read_text(errors="replace")[-3000:]
        raise SystemExit(f"{name} failed with exit status {status}; log {log}:\n{tail}")
    articles, crawl = archive_counts(archive)
    stats = crawl_stats(crawl)
    return Run(name, articles, seconds, note=crawl_note(crawl),
               requests=int(stats.get("downloader/request_count", 0)),
               response_bytes=int(stats.get("downloader/response_bytes", 0))).measured(memory)


def run_peer(urls: Path, workdir: Path, server: servers.Server) -> Run:
    """trafilatura's CLI over the article URLs; pages = JSON files it wrote."""
    config = workdir / "trafilatura.cfg"
    config.write_text(PEER_CONFIG)
    out_dir = workdir / "peer-out"
    out_dir.mkdir()
    command = [str(BIN / "trafilatura"), "-i", str(urls), "--parallel", "4", "--json",
               "-o", str(out_dir), "--config-file", str(config)]
    with (workdir / "peer.log").open("wb") as out:
        status, seconds, memory = procmon.run_measured(command, stdout=out,
                                                       server_pids=server.pids)
    written = sum(1 for _ in out_dir.rglob("*.json"))  # in subdirectories of 1000
    note = f"exit {status}" + ("" if status == 0 else f", see {workdir / 'peer.log'}")
    return Run("peer: trafilatura CLI", written, seconds, note=note).measured(memory)


def run_extract_only(root: Path, urls: Path, workdir: Path) -> Run:
    """extract_article alone in one process (benchmarks/extract_only.py)."""
    command = [sys.executable, str(Path(__file__).resolve().parent / "extract_only.py"),
               str(root), str(urls)]
    out = workdir / "extract-only.json"
    with out.open("wb") as handle:
        status, wall, memory = procmon.run_measured(command, cwd=str(PROJECT), stdout=handle)
    text = out.read_text()
    if status != 0:
        raise SystemExit(f"extract-only run failed ({status}):\n{text[-3000:]}")
    result = json.loads(text.strip().splitlines()[-1])
    run = Run("extract only (1 process)", int(result["articles"]), float(result["seconds"]),
              cpu_seconds=float(result["seconds"]),
              note=f"{result['pages']} pages read; only extraction calls timed")
    run.measured(memory)
    # other processes' CPU over the whole run (reads and warm-up too), scaled to the timed part
    run.foreign_cpu_seconds *= run.seconds / max(wall, run.seconds)
    return run


def bench_site(pages: int, args: argparse.Namespace, *, full: bool) -> SiteRun:
    """Generate and serve one site, crawl it (and, if ``full``, re-crawl, peer, extract-only)."""
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-crawl-{pages}-", dir=args.workdir))
    result = SiteRun(pages)
    server = None
    try:
        port = servers.free_port()
        root = workdir / "site"
        print(f"[{pages}] generating the site in {root} ...", flush=True)
        start = time.perf_counter()
        info = bigsite.write_site(root, f"http://127.0.0.1:{port}", pages)
        result.gen_seconds = time.perf_counter() - start
        result.sizes = [info.article_file(p).stat().st_size for p in info.article_paths]
        result.other_pages = info.other_pages
        urls = workdir / "urls.txt"
        urls.write_text("".join(u + "\n" for u in info.article_urls))
        sample = workdir / "urls-sample.txt"
        limit = args.sample or pages
        sample.write_text("".join(u + "\n" for u in info.article_urls[:limit]))

        server = servers.start(root, port, workdir / "server", prefer_nginx=not args.python_server)
        result.server = f"{server.kind} on {server.base_url}"
        print(f"[{pages}] serving with {server.kind}; crawling ...", flush=True)
        archive = workdir / "archive.db"
        result.crawl = run_crawl("project crawl", server.base_url, archive,
                                 workdir / "crawl.log", args.set, server)
        print(f"[{pages}] crawl: {result.crawl.pages} articles in {result.crawl.seconds:.1f} s",
              flush=True)
        if full and not args.no_recrawl:
            result.recrawl = run_crawl("project re-crawl", server.base_url, archive,
                                       workdir / "recrawl.log", args.set, server)
            print(f"[{pages}] re-crawl: {result.recrawl.seconds:.1f} s", flush=True)
            every = [f"ARCHIVE_RECHECK_{name}=0.0003" for name in
                     ("HOURS", "YOUNG_HOURS", "OLD_HOURS")]  # about a second
            time.sleep(1.1)
            result.recheck = run_crawl("project re-check all", server.base_url, archive,
                                       workdir / "recheck.log", [*args.set, *every], server)
            print(f"[{pages}] re-check of every article: {result.recheck.seconds:.1f} s",
                  flush=True)
        if full and not args.no_peer:
            print(f"[{pages}] peer: trafilatura CLI on {min(limit, pages)} URLs ...", flush=True)
            result.peer = run_peer(sample, workdir, server)
        if full:
            print(f"[{pages}] extract-only on {min(limit, pages)} pages ...", flush=True)
            result.extract = run_extract_only(root, sample, workdir)
    finally:
        if server is not None:
            server.stop()
        if args.keep:
            print(f"[{pages}] kept {workdir}", flush=True)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return result


def print_report(runs: list[SiteRun], args: argparse.Namespace) -> None:
    """The human table, then the machine lines (RESULT last)."""
    main = runs[-1]
    versions = ", ".join(f"{p} {version(p)}" for p in ("scrapy", "trafilatura", "lxml"))
    print()
    print("news-archiver crawl benchmark")
    print(f"  machine      {os.cpu_count()} CPUs, {platform.platform()}, "
          f"Python {platform.python_version()}")
    print(f"  packages     {versions}")
    print(f"  server       {main.server}")
    for run in runs:
        s = run.sizes
        print(f"  site         {run.pages} article pages, avg {statistics.mean(s) / 1024:.1f} KB "
              f"(min {min(s) / 1024:.1f}, max {max(s) / 1024:.1f}), {run.other_pages} other "
              f"pages/files; generated in {run.gen_seconds:.1f} s")
    print(f"  crawl        {' '.join(crawl_command('<base>', Path('<tmp>/archive.db'), args.set))}")
    print(f"  memory       summed RSS of the process tree, sampled every 100 ms "
          f"({procmon.PeakMemory(0).backend})")
    print("  CPU          CPU s = user+system time of the run's processes; cores = CPU s / "
          "seconds; server, others = cores used meanwhile by the web server and by every "
          "other process of the machine")
    print()
    header = (f"  {'run':<26}{'site':>6}{'pages':>6}{'seconds':>9}{'pages/s':>9}"
              f"{'CPU s':>7}{'cores':>6}{'server':>7}{'others':>7}{'peak MB':>9}{'procs':>6}"
              "  notes")
    print(header)
    print("  " + "-" * (len(header) + 20))
    busiest = 0.0
    for site in runs:
        for run in (site.crawl, site.recrawl, site.recheck, site.peer, site.extract):
            if run is None:
                continue
            print(f"  {run.name:<26}{site.pages:>6}{run.pages:>6}{run.seconds:>9.2f}"
                  f"{run.rate:>9.2f}{run.cpu_seconds:>7.1f}{run.cores(run.cpu_seconds):>6.2f}"
                  f"{run.cores(run.server_cpu_seconds):>7.2f}"
                  f"{run.cores(run.foreign_cpu_seconds):>7.2f}{run.peak_mb:>9.1f}"
                  f"{run.processes:>6}  {run.note}")
            busiest = max(busiest, run.cores(run.foreign_cpu_seconds))
    print()
    print_cpu_per_article(main)
    if busiest > BUSY_MACHINE:
        print(f"WARNING: other processes kept up to {busiest:.2f} cores busy during a run: the "
              "machine was not idle, so rates and ratios are skewed (the 2-core crawl loses "
              "more than the 1-core peer and extract-only runs)")
    crawl = main.crawl
    assert crawl is not None
    if crawl.pages < main.pages:
        print(f"WARNING: the crawl stored {crawl.pages} of {main.pages} articles")
    if main.peer and main.peer.pages < min(main.pages, args.sample or main.pages):
        print(f"WARNING: the peer wrote {main.peer.pages} results")
    peer_rate = main.peer.rate if main.peer else 0.0
    extract_rate = main.extract.rate if main.extract else 0.0
    peak = max(crawl.peak_mb, main.recrawl.peak_mb if main.recrawl else 0.0)
    if main.recrawl:
        print(f"recrawl_time_ratio={main.recrawl.seconds / crawl.seconds:.2f}")
        print(f"recrawl_bytes_ratio="
              f"{main.recrawl.response_bytes / max(1, crawl.response_bytes):.3f}  "
              f"(target <= 0.10)")
        print(f"recrawl_requests_ratio={main.recrawl.requests / max(1, crawl.requests):.3f}")
    if main.recheck:
        print(f"recheck_all_bytes_ratio="
              f"{main.recheck.response_bytes / max(1, crawl.response_bytes):.3f}  "
              f"(every article re-checked conditionally; "
              f"time ratio {main.recheck.seconds / crawl.seconds:.2f})")
    if len(runs) > 1 and runs[0].crawl and runs[0].crawl.peak_mb:
        growth = crawl.peak_mb / runs[0].crawl.peak_mb
        print(f"memory_growth={growth:.2f}  (first-crawl peak at {main.pages}: "
              f"{crawl.peak_mb:.1f} MB / at {runs[0].pages}: {runs[0].crawl.peak_mb:.1f} MB)")
    ratio_peer = crawl.rate / peer_rate if peer_rate else 0.0
    ratio_extract = crawl.rate / extract_rate if extract_rate else 0.0
    print(f"RESULT pages_per_s={crawl.rate:.2f} peer_pages_per_s={peer_rate:.2f} "
          f"ratio_vs_peer={ratio_peer:.2f} extract_only_pages_per_s={extract_rate:.2f} "
          f"ratio_vs_extract_only={ratio_extract:.2f} peak_rss_mb={peak:.2f}")


def print_cpu_per_article(site: SiteRun) -> None:
    """Where the CPU of one article goes, crawler process against extraction workers."""
    crawl = site.crawl
    if crawl is None or not crawl.pages:
        return
    per = 1000 / crawl.pages
    others = crawl.cpu_seconds - crawl.main_cpu_seconds
    line = (f"CPU per article: crawl {crawl.cpu_seconds * per:.1f} ms = crawler process "
            f"{crawl.main_cpu_seconds * per:.1f} + extraction workers {others * per:.1f}")
    if site.extract and site.extract.pages:
        line += f"; extract-only {1000 * site.extract.seconds / site.extract.pages:.1f} ms"
    if site.peer and site.peer.pages:
        line += f"; peer {1000 * site.peer.cpu_seconds / site.peer.pages:.1f} ms"
    print(line)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Crawl throughput and memory benchmark.")
    parser.add_argument("--pages", type=int, default=2000, help="article pages (BENCH_PAGES)")
    parser.add_argument("--memory", action="store_true",
                        help=f"also crawl a {MEMORY_SMALL}-page site and print memory_growth "
                             f"(implied by --pages >= {MEMORY_THRESHOLD})")
    parser.add_argument("--sample", type=int, default=0,
                        help="article URLs for the peer and extract-only runs (default: all; "
                             f"{MEMORY_SMALL} in memory runs)")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="extra Scrapy setting for the project's crawls (repeatable)")
    parser.add_argument("--python-server", action="store_true",
                        help="serve with the threaded Python server even if nginx is installed")
    parser.add_argument("--no-recrawl", action="store_true", help="skip the re-crawl")
    parser.add_argument("--no-peer", action="store_true", help="skip trafilatura's CLI")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--workdir", default=None, help="where temporary directories go")
    args = parser.parse_args(argv)
    args.memory = args.memory or args.pages >= MEMORY_THRESHOLD
    if args.memory and args.pages <= MEMORY_SMALL:
        parser.error(f"a memory run needs --pages above {MEMORY_SMALL}")
    if args.memory and not args.sample:
        args.sample = MEMORY_SMALL
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    runs = []
    if args.memory:
        runs.append(bench_site(MEMORY_SMALL, args, full=False))
    runs.append(bench_site(args.pages, args, full=True))
    print_report(runs, args)


if __name__ == "__main__":
    try:
        main()
    except subprocess.CalledProcessError as err:
        raise SystemExit(str(err)) from err
