"""Fairness between sites: does a site that asks to be left alone hold the others up?

``make bench-fairness`` (``python benchmarks/bench_fairness.py``) serves two sites on two
loopback addresses (127.0.0.1 and 127.0.0.2, so that Scrapy gives them two download slots:
its slots are per host name, and two ports of one address would share one):

- a normal site: ``--articles`` (200) article pages behind a home page and list pages, every
  response taking ``--latency`` (20 ms), as ``tests.faultsite.large_site`` builds it;
- a rate-limited site: robots.txt ``Crawl-delay: 3`` and ``--slow-articles`` (40) articles,
  every one answered ``503`` with ``Retry-After: 15``.

It crawls the normal site alone, then both sites in one crawl, with the project's settings
(``CONCURRENT_REQUESTS`` 16, 4 per host) but no politeness delay on loopback, and measures
in each the seconds from the crawl's start until the server has answered every article of
the normal site (the crawl with both sites is then stopped with Ctrl-C: the rate-limited
site would keep it going for many minutes). The two kinds of crawl alternate ``--runs`` (3)
times each; the last line compares their medians,
``RESULT normal_alone_s=… normal_with_slow_s=… ratio=…``; the goal is ``ratio`` ≤ 1.3.
Never run from the tests (tests/test_crawl_fairness.py checks the same by ordering).
"""

from __future__ import annotations

import argparse
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from tests.faultsite import FaultSite, large_site, rate_limited_site  # noqa: E402

SETTINGS = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "LOG_LEVEL": "WARNING",
    "LOGSTATS_INTERVAL": "0",
}


def crawl(archive: Path, starts: list[str], settings: dict[str, str]) -> subprocess.Popen:
    command = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"start={','.join(starts)}",
               "-s", f"ARCHIVE_DB={archive}"]
    for name, value in {**SETTINGS, **settings}.items():
        command += ["-s", f"{name}={value}"]
    return subprocess.Popen(command, cwd=PROJECT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


def time_to_fetch(site: FaultSite, paths: set[str], proc: subprocess.Popen, started: float,
                  timeout: float) -> float:
    """Seconds from ``started`` until the server answered every path (the crawl runs on)."""
    while True:
        answered = [h for h in site.hits() if h.path in paths and h.finished]
        if len({h.path for h in answered}) == len(paths):
            return max(h.finished for h in answered) - started  # type: ignore[type-var]
        if proc.poll() is not None:
            raise SystemExit(f"the crawl ended before fetching every page:\n{proc.stderr.read()}")
        if time.monotonic() - started > timeout:
            proc.kill()
            raise SystemExit(f"not every page of the normal site after {timeout} s")
        time.sleep(0.05)


def stop(proc: subprocess.Popen) -> float:
    """Ctrl-C the crawl; seconds it took to exit."""
    asked = time.monotonic()
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return time.monotonic() - asked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--slow-articles", type=int, default=40)
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--retry-after", type=float, default=15)
    parser.add_argument("--crawl-delay", type=float, default=3)
    parser.add_argument("--runs", type=int, default=3,
                        help="crawls of each kind, alternated; their medians are compared")
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a Scrapy setting for both crawls")
    args = parser.parse_args()
    settings = dict(item.split("=", 1) for item in args.set)

    results: dict[str, list[float]] = {"alone": [], "with_slow": []}
    with tempfile.TemporaryDirectory(prefix="bench-fairness-") as tmp:
        for run in ["alone", "with_slow"] * args.runs:
            with FaultSite("127.0.0.1") as normal, FaultSite("127.0.0.2") as slow:
                paths = set(large_site(normal, articles=args.articles, delay=args.latency))
                rate_limited_site(slow, articles=args.slow_articles,
                                  retry_after=args.retry_after, crawl_delay=args.crawl_delay)
                starts = [normal.url("/")] + ([slow.url("/")] if run == "with_slow" else [])
                started = time.monotonic()
                archive = Path(tmp) / f"{run}-{len(results[run])}.db"
                proc = crawl(archive, starts, settings)
                seconds = time_to_fetch(normal, paths, proc, started, args.timeout)
                slow_hits = [h for h in slow.hits() if h.started - started <= seconds]
                exit_seconds = stop(proc) if run == "with_slow" else (proc.wait(), 0.0)[1]
            results[run].append(seconds)
            print(f"{run:>10}: {len(paths)} normal-site articles in {seconds:6.2f} s"
                  + (f"; meanwhile {len(slow_hits)} requests to the rate-limited site; "
                     f"Ctrl-C exit in {exit_seconds:.1f} s" if run == "with_slow" else ""))
    alone, with_slow = (statistics.median(results[k]) for k in ("alone", "with_slow"))
    print(f"RESULT normal_alone_s={alone:.2f} normal_with_slow_s={with_slow:.2f} "
          f"ratio={with_slow / alone:.2f}")


if __name__ == "__main__":
    main()
