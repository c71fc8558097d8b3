"""Where a crawl's time goes: a sampling profile of ``scrapy crawl news`` on the benchmark site.

``python benchmarks/profile_crawl.py --pages 1000`` generates and serves the benchmark site
(:mod:`bigsite`, :mod:`servers`), runs the same crawl as ``bench_crawl.py`` under py-spy
(``py-spy record --subprocesses``: the crawler and any worker processes it starts) and prints

* CPU time per stored article and per fetched page,
* the share of samples per stage (extraction, link extraction, request building and URL
  normalisation, spider middlewares, scheduler and dupefilter, downloader middlewares,
  HTTP, store, Scrapy/Twisted's own machinery), each sample going to the innermost stage on
  its stack,
* the share per process, the project's functions by inclusive share and the functions with
  the most self time.

The collapsed stacks are kept (``--out``, default ``profile-crawl.txt`` in the temp directory;
open them in https://www.speedscope.app or flamegraph.pl). Without py-spy
(``pip install py-spy``) the crawler runs under ``python -m cProfile`` instead and the top of
its stats is printed (main process only).
"""

from __future__ import annotations

import argparse
import collections
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bigsite  # noqa: E402
import servers  # noqa: E402
from bench_crawl import BIN, PROJECT, archive_counts, crawl_command  # noqa: E402

#: (stage, frame pattern): a sample belongs to the first stage found walking from the leaf up.
STAGES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("imports and start-up", re.compile(r"<frozen importlib")),
    ("extraction (extract_article)", re.compile(r"\(pipelines/(?:extract|metadata)\.py")),
    ("store (sqlite writes)", re.compile(r"\(pipelines/store\.py|StorePipeline\.")),
    ("extraction pool: pickling, IPC", re.compile(
        r"\(pipelines/workers\.py|concurrent/futures/|multiprocessing/")),
    ("other item pipeline", re.compile(r"\(pipelines/|scrapy/pipelines/")),
    ("link extraction (LinkExtractor)", re.compile(r"scrapy/linkextractors/")),
    ("request building, URL normalisation", re.compile(
        r"NewsSpider\._(?:follow|request) |\(core/urls\.py|scrapy/http/request/")),
    ("spider: feeds, sitemaps, selectors", re.compile(
        r"\(crawler/discovery\.py|\(parsel/|NewsSpider\.")),
    ("spider middlewares", re.compile(r"scrapy/spidermiddlewares/|scrapy/core/spidermw\.py")),
    ("scheduler and dupefilter", re.compile(
        r"scrapy/core/scheduler\.py|scrapy/dupefilters\.py|scrapy/squeues|queuelib/")),
    ("downloader middlewares", re.compile(
        r"scrapy/downloadermiddlewares/|\(crawler/middlewares\.py|\(crawler/incremental\.py"
        r"|scrapy/core/downloader/middleware\.py")),
    ("HTTP client (download handler, Twisted)", re.compile(
        r"scrapy/core/downloader/|twisted/web/|twisted/internet/(?:tcp|abstract)\.py"
        r"|twisted/protocols/|scrapy/core/http2/")),
    ("signals, stats, logging", re.compile(
        r"scrapy/signalmanager\.py|scrapy/utils/signal\.py|scrapy/statscollectors\.py"
        r"|logging/__init__\.py")),
)
OTHER = "Scrapy engine, Twisted/asyncio loop (other)"
#: Leaf frames of threads blocked in a wait that py-spy may still report as active.
WAITING = re.compile(
    r"^(?:\S+\.)?select \(selectors\.py|^Condition\.wait \(|^Event\.wait \(|^wait \(threading"
    r"|^_exit_with_parent \(|^SemLock\.__enter__ \("
)
_LINE = re.compile(r":\d+\)$")


def analyse_collapsed(path: Path, rate: int, top: int = 25) -> tuple[float, str]:
    """(CPU seconds sampled, report text) from py-spy's collapsed ("raw") output."""
    total = waiting = 0
    stages: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    leaf: collections.Counter[str] = collections.Counter()
    processes: collections.Counter[str] = collections.Counter()
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack:
            continue
        count = int(count_text)
        frames = stack.split(";")
        owner = [f for f in frames if f.startswith("process ")][-1]
        kind = "extraction worker" if "multiprocessing" in owner else "crawler"
        frames = [f for f in frames if not f.startswith("process ")]
        if not frames:
            continue
        if WAITING.search(frames[-1]):
            waiting += count
            continue
        total += count
        processes[f"{owner.split(':')[0]} ({kind})"] += count
        for frame in frames[::-1]:
            stage = next((name for name, pattern in STAGES if pattern.search(frame)), None)
            if stage:
                stages[stage] += count
                break
        else:
            stages[OTHER] += count
        for name in {_LINE.sub(")", f) for f in frames}:
            inclusive[name] += count
        leaf[_LINE.sub(")", frames[-1])] += count
    if not total:
        return 0.0, "no samples"
    out = [f"samples: {total} at {rate} Hz = {total / rate:.1f} s of CPU (idle excluded; "
           f"{waiting} more samples of threads blocked in waits left out)", "",
           "share of CPU per stage (innermost stage on the stack):"]
    out += [f"  {100 * n / total:5.1f}%  {name}" for name, n in stages.most_common()]
    out += ["", "per process:"]
    out += [f"  {100 * n / total:5.1f}%  {name}" for name, n in processes.most_common()]
    out += ["", "project functions by inclusive share:"]
    project = [(n, name) for name, n in inclusive.items()
               if re.search(r"\((?:crawler|pipelines)/", name) and n / total >= 0.005]
    out += [f"  {100 * n / total:5.1f}%  {name}" for n, name in sorted(project, reverse=True)]
    out += ["", f"top {top} functions by self time:"]
    out += [f"  {100 * n / total:5.1f}%  {name}" for name, n in leaf.most_common(top)]
    return total / rate, "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Profile scrapy crawl news on the bench site.")
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--rate", type=int, default=100, help="py-spy samples per second")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="extra Scrapy setting for the crawl (repeatable)")
    parser.add_argument("--cprofile", action="store_true", help="use cProfile even with py-spy")
    parser.add_argument("--python-server", action="store_true")
    parser.add_argument("--out", type=Path, default=None, help="where to keep the profile")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix=f"profile-crawl-{args.pages}-"))
    server = None
    try:
        port = servers.free_port()
        info = bigsite.write_site(workdir / "site", f"http://127.0.0.1:{port}", args.pages)
        server = servers.start(workdir / "site", port, workdir / "server",
                               prefer_nginx=not args.python_server)
        archive = workdir / "archive.db"
        crawl = crawl_command(server.base_url, archive, args.set)
        py_spy = shutil.which("py-spy") or (str(BIN / "py-spy") if (BIN / "py-spy").exists()
                                           else None)
        use_py_spy = py_spy is not None and not args.cprofile
        out = args.out or workdir / ("profile-crawl.txt" if use_py_spy else "profile-crawl.prof")
        if use_py_spy:
            command = [py_spy, "record", "--subprocesses", "--rate", str(args.rate),
                       "--format", "raw", "--output", str(out), "--", *crawl]
        else:
            command = [sys.executable, "-m", "cProfile", "-o", str(out), *crawl]
        print(f"site: {args.pages} articles ({info.article_bytes / args.pages / 1024:.1f} KB "
              f"avg) served by {server.kind}; profiling with "
              f"{'py-spy' if use_py_spy else 'cProfile'} ...", flush=True)
        start = time.perf_counter()
        with (workdir / "crawl.log").open("wb") as log:
            status = subprocess.run(command, cwd=PROJECT, stdout=log,
                                    stderr=subprocess.STDOUT).returncode
        wall = time.perf_counter() - start
        if status != 0:
            print((workdir / "crawl.log").read_text(errors="replace")[-3000:])
            raise SystemExit(f"profiled crawl failed ({status})")
        articles, crawl_row = archive_counts(archive)
        pages = int(crawl_row.get("pages") or 0)
        print(f"crawl under the profiler: {wall:.1f} s wall, {articles} articles stored, "
              f"{pages} pages fetched (profiling slows the crawl: compare stages, not times)")
        if use_py_spy:
            cpu, report = analyse_collapsed(out, args.rate)
            if articles:
                print(f"CPU per stored article: {1000 * cpu / articles:.0f} ms; per fetched "
                      f"page: {1000 * cpu / max(pages, 1):.0f} ms")
            print(report)
        else:
            stats = pstats.Stats(str(out))
            stats.sort_stats("cumulative").print_stats(40)
            stats.sort_stats("tottime").print_stats(25)
        if args.keep or args.out:
            print(f"profile kept in {out}")
    finally:
        if server is not None:
            server.stop()
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
