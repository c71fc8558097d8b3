"""Distributed crawl throughput: 1, 2 and 3 workers against the one-machine crawl, same run.

``make bench-distributed`` (``python benchmarks/bench_distributed.py --pages 1000``) generates
the bench news site (:mod:`bigsite`), serves it on 127.0.0.1 (:mod:`servers`), starts a
``redis-server`` on a free port (no persistence: this measures the crawl, not fsync), and
crawls the site, one after the other:

1. ``scrapy crawl news`` alone (the one-machine crawl, the baseline);
2. for N in ``--workers`` (1,2,3): ``scrapy archive-writer`` and N ``scrapy crawl news``
   workers with ``-s REDIS_URL=…``, each into a fresh archive and a flushed Redis;

``--repeat`` times (2) in turn, keeping each crawl's best round (other work on the machine
slows some rounds).

Every crawl uses the settings of ``make bench`` (``bench_crawl.crawl_command``: no delay, no
AutoThrottle, 16 requests at a time per site), which in a distributed crawl is the limit of
all workers together. For each it prints the wall time (from start to the last process's
exit), articles stored per second, and the peak number of responses the site gave in one
second (from the ``fetches`` rows, timed to the second), then ratios against the baseline.
The last line is ``RESULT single_pages_per_s=… w1_pages_per_s=… … w3_ratio=…``.
Never run from the tests.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bigsite  # noqa: E402
import procmon  # noqa: E402
import servers  # noqa: E402
from bench_crawl import BIN, PROJECT, archive_counts, crawl_command  # noqa: E402


@dataclass
class Result:
    name: str
    articles: int
    seconds: float
    peak_per_second: int
    requests: int
    crawl_cpu: float  # CPU seconds of the crawling processes' trees (extraction included)
    writer_cpu: float = 0.0  # CPU seconds of the archive writer (distributed runs)
    warc_records: int = 0  # WARC response/revisit records indexed
    sent_bytes: int = 0  # envelope bytes the workers pushed to Redis (distributed runs)
    warc_bytes: int = 0  # of which the WARC exchanges

    @property
    def rate(self) -> float:
        return self.articles / self.seconds if self.seconds else 0.0


def peak_per_second(archive: Path) -> tuple[int, int]:
    """(most responses in one second, all responses) of the crawl's ``fetches`` rows."""
    with sqlite3.connect(archive) as db:
        peak = db.execute("select count(*) from fetches where status is not null "
                          "group by fetched_at order by 1 desc limit 1").fetchone()
        total = db.execute("select count(*) from fetches where status is not null").fetchone()
    return (peak[0] if peak else 0), total[0]


def warc_and_redis(archive: Path) -> tuple[int, int, int]:
    """(WARC records indexed, envelope bytes sent to Redis, of which WARC exchanges)."""
    with sqlite3.connect(archive) as db:
        records = db.execute("select count(*) from warc_records").fetchone()[0]
        row = db.execute("select stats from crawls order by id desc limit 1").fetchone()
    stats = json.loads(row[0]) if row and row[0] else {}
    return (records, int(stats.get("archive/distributed/sent_bytes", 0)),
            int(stats.get("archive/distributed/warc_bytes", 0)))


def measure(name: str, commands: list[list[str]], archive: Path, logs: Path,
            *, writer: bool = False) -> Result:
    """Run the commands at once (the first is the writer when ``writer``), until all exit."""
    started = time.perf_counter()
    processes = [subprocess.Popen(c, cwd=PROJECT, stdout=(logs / f"{name}-{i}.log").open("wb"),
                                  stderr=subprocess.STDOUT) for i, c in enumerate(commands)]
    samplers = [procmon.PeakMemory(p.pid).__enter__() for p in processes]
    for process in processes:
        if process.wait() != 0:
            for other in processes:
                if other.poll() is None:
                    other.kill()
            raise SystemExit(f"{name}: a process failed; see {logs}")
    seconds = time.perf_counter() - started
    for sampler in samplers:
        sampler.__exit__()
    cpu = [sum(s.cpu_by_pid.values()) for s in samplers]
    articles, _ = archive_counts(archive)
    peak, requests = peak_per_second(archive)
    records, sent, warc = warc_and_redis(archive)
    if writer:
        return Result(name, articles, seconds, peak, requests, sum(cpu[1:]), cpu[0],
                      records, sent, warc)
    return Result(name, articles, seconds, peak, requests, sum(cpu), 0.0, records)


def start_redis(workdir: Path) -> tuple[subprocess.Popen, str]:
    if shutil.which("redis-server") is None:
        raise SystemExit("redis-server is not installed (Debian: apt-get install redis-server)")
    port = servers.free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(200):
        if subprocess.run([sys.executable, "-c", f"import redis; redis.Redis.from_url('{url}')"
                           ".ping()"], capture_output=True).returncode == 0:
            return process, url
        time.sleep(0.05)
    process.kill()
    raise SystemExit("redis-server did not start")


def remove_archive(archive: Path) -> None:
    """An archive of an earlier round, with its WAL, shared-memory and lock files."""
    for suffix in ("", "-wal", "-shm", ".lock"):
        Path(f"{archive}{suffix}").unlink(missing_ok=True)


def bench_round(base_url: str, redis_url: str, workdir: Path,
                args: argparse.Namespace) -> list[Result]:
    """The one-machine crawl, then each number of workers, each into a fresh archive."""
    archive = workdir / "single.db"
    remove_archive(archive)
    results = [measure("single", [crawl_command(base_url, archive, args.set)], archive,
                       workdir)]
    for count in (int(n) for n in args.workers.split(",")):
        subprocess.run([sys.executable, "-c", f"import redis; redis.Redis.from_url("
                        f"'{redis_url}').flushall()"], check=True)
        archive = workdir / f"workers{count}.db"
        remove_archive(archive)
        distributed = [*args.set, f"REDIS_URL={redis_url}"]
        writer = [str(BIN / "scrapy"), "archive-writer", "-s", f"REDIS_URL={redis_url}",
                  "-s", f"ARCHIVE_DB={archive}", "-s", "LOG_LEVEL=WARNING"]
        workers = [crawl_command(base_url, workdir / "unused.db", distributed)
                   for _ in range(count)]
        results.append(measure(f"workers{count}", [writer, *workers], archive, workdir,
                               writer=True))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--workers", default="1,2,3")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a Scrapy setting for every crawl")
    parser.add_argument("--repeat", type=int, default=2,
                        help="rounds (each crawl's best is kept: the machine may be shared)")
    parser.add_argument("--workdir", default=None)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-distributed-", dir=args.workdir))
    server = redis = None
    results: list[Result] = []
    try:
        port = servers.free_port()
        print(f"generating {args.pages} pages ...", flush=True)
        bigsite.write_site(workdir / "site", f"http://127.0.0.1:{port}", args.pages)
        server = servers.start(workdir / "site", port, workdir / "server")
        redis, redis_url = start_redis(workdir)
        print(f"serving with {server.kind}; Redis at {redis_url}", flush=True)
        best: dict[str, Result] = {}
        for round_ in range(1, args.repeat + 1):
            for result in bench_round(server.base_url, redis_url, workdir, args):
                print(f"round {round_}: {result.name}: {result.rate:.1f} articles/s", flush=True)
                if result.name not in best or result.rate > best[result.name].rate:
                    best[result.name] = result
        results = list(best.values())
    finally:
        for process in (redis,):
            if process is not None:
                process.terminate()
                process.wait()
        if server is not None:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    report(results, args)


def report(results: list[Result], args: argparse.Namespace) -> None:
    base = results[0]
    print()
    print(f"news-archiver distributed crawl benchmark: {args.pages} article pages, "
          f"{os.cpu_count()} CPUs on this machine")
    print(f"{'crawl':<10} {'articles':>8} {'seconds':>8} {'art/s':>7} {'ratio':>6} "
          f"{'responses':>9} {'WARC recs':>9} {'peak resp/s':>11} {'crawl CPU ms/art':>16} "
          f"{'writer CPU ms/art':>17} {'Redis KB/art':>12} {'of it WARC':>10}")
    for r in results:
        per = max(1, r.articles) * 1000
        print(f"{r.name:<10} {r.articles:>8} {r.seconds:>8.1f} {r.rate:>7.1f} "
              f"{r.rate / base.rate:>6.2f} {r.requests:>9} {r.warc_records:>9} "
              f"{r.peak_per_second:>11} "
              f"{1000 * r.crawl_cpu / max(1, r.articles):>16.1f} "
              f"{1000 * r.writer_cpu / max(1, r.articles):>17.1f} "
              f"{r.sent_bytes / per:>12.1f} {r.warc_bytes / per:>10.1f}")
    print("(peak resp/s: the most responses the one bench site gave in one second, all "
          "workers together; CPU: whole process trees, extraction workers included; Redis "
          "KB/art: envelope bytes the workers pushed per article stored, WARC exchanges "
          "included)")
    fields = [f"single_pages_per_s={base.rate:.1f}", f"single_peak_rps={base.peak_per_second}"]
    for r in results[1:]:
        fields += [f"{r.name}_pages_per_s={r.rate:.1f}",
                   f"{r.name}_ratio={r.rate / base.rate:.2f}",
                   f"{r.name}_peak_rps={r.peak_per_second}",
                   f"{r.name}_extra_responses={r.requests - base.requests}",
                   f"{r.name}_redis_kb_per_article={r.sent_bytes / max(1, r.articles) / 1000:.1f}"]
    writers = [r for r in results[1:] if r.writer_cpu]
    if writers:
        ms = 1000 * max(r.writer_cpu / max(1, r.articles) for r in writers)
        fields.append(f"writer_ceiling_pages_per_s={1000 / ms:.0f}")
    print("RESULT " + " ".join(fields))


if __name__ == "__main__":
    main()
