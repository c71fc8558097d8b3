"""Browsing benchmark: how the archive's own pages cost against Datasette's own, on a big archive.

    python benchmarks/bench_browse.py [--articles 100000] [--sites 8] [--crawls 60] [--keep DIR]

Builds a synthetic archive with :mod:`benchmarks.synthetic` (articles over two years
spread across sites, crawl runs with their fetches), then serves it through Datasette's ASGI
client configured as ``make serve`` does and times, in the same run, each page several times
(the median is reported):

- the front page ``/archive`` (sites, per-day chart, health, crawls), against the table page
  ``/archive/articles``;
- the search ``/archive/search?q=…``, against the table's own ``/archive/articles?_search=…``;
- the NDJSON export of every article, against Datasette's CSV of every article (``_stream=on``).

Datasette's streamed CSV stops where one of its pages (1,000 rows) runs out of time, with an
error line in the CSV: compare the sizes before the times. Peak Python memory (tracemalloc)
while the NDJSON export is produced is printed against the size of the whole export, which is
what it would hold if it loaded everything. A page slower than Datasette's time limit
(``sql_time_limit_ms``, 1 s) could fail: the report says so.
Never run by the tests.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from datasette.app import Datasette  # noqa: E402
from datasette.utils import parse_metadata  # noqa: E402

from benchmarks import synthetic  # noqa: E402


def build(path: Path, articles: int, sites: int, crawls: int) -> None:
    """The archive: :mod:`benchmarks.synthetic` (the one generator), over two years."""
    synthetic.build(path, articles, sites=sites, crawls=crawls, years=2)


def timed(ds: Datasette, path: str, runs: int) -> tuple[float, int, int]:
    """Median seconds of ``runs`` GETs, the status and the body size."""
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        response = asyncio.run(ds.client.get(path))
        times.append(time.perf_counter() - began)
    return statistics.median(times), response.status_code, len(response.content)


def streamed_peak(ds: Datasette, path: str) -> tuple[int, int]:
    """Peak traced memory while the export is produced, and its size: the ASGI app is called
    directly with a ``send`` that counts and drops each chunk, as a network would take it
    (httpx's ASGI transport would keep the whole body)."""
    app = ds.app()
    size = 0

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        nonlocal size
        size += len(message.get("body", b""))

    raw_path, _, query = path.partition("?")
    scope = {"type": "http", "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": raw_path, "raw_path": raw_path.encode(), "query_string": query.encode(),
             "headers": [(b"host", b"localhost")], "client": ("127.0.0.1", 1),
             "server": ("localhost", 80), "root_path": ""}

    async def run() -> None:
        await ds.invoke_startup()
        tracemalloc.start()
        await app(scope, receive, send)

    asyncio.run(run())
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--sites", type=int, default=8)
    parser.add_argument("--crawls", type=int, default=60)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="build (or reuse) the archive in this folder")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-browse-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "archive.db"
    if not db.exists():
        began = time.perf_counter()
        build(db, args.articles, args.sites, args.crawls)
        print(f"built {args.articles} articles in {time.perf_counter() - began:.0f} s: {db}")
    ds = Datasette([str(db)], metadata=parse_metadata((ROOT / "metadata.yml").read_text()),
                   template_dir=str(ROOT / "datasette" / "templates"),
                   plugins_dir=str(ROOT / "datasette" / "plugins"),
                   settings={"suggest_facets": False})  # as the Makefile serves it
    timed(ds, "/archive", 1)  # warm the page cache and the plugin's caches
    words = "+".join(synthetic.query_mix()["frequent"][:2])
    pairs = [
        ("front page", "/archive", "articles table", "/archive/articles"),
        ("search", f"/archive/search?q={words}", "table search",
         f"/archive/articles?_search={words}"),
        ("ndjson export", "/archive/-/articles.ndjson", "csv export",
         "/archive/articles.csv?_stream=on&_size=max"),
    ]
    results = {}
    for name, path, base_name, base_path in pairs:
        ours, status, size = timed(ds, path, args.runs)
        theirs, base_status, base_size = timed(ds, base_path, args.runs)
        # A page is one request within Datasette's time limit (an export is many queries).
        slow = " (over Datasette's 1 s time limit!)" if ours > 1 and "export" not in name else ""
        print(f"{name:14} {ours * 1000:8.0f} ms (HTTP {status}, {size:,} bytes){slow}  |  "
              f"{base_name} {theirs * 1000:.0f} ms (HTTP {base_status}, {base_size:,} bytes)  "
              f"ratio {ours / theirs:.2f}")
        results[name.replace(" ", "_") + "_ratio"] = ours / theirs
        results[name.replace(" ", "_") + "_ms"] = ours * 1000
    peak, size = streamed_peak(ds, "/archive/-/articles.ndjson")
    print(f"ndjson export: {size / 1e6:.1f} MB streamed with a peak of {peak / 1e6:.1f} MB traced")
    print("RESULT " + " ".join(f"{k}={v:.2f}" for k, v in results.items())
          + f" export_mb={size / 1e6:.1f} export_peak_mb={peak / 1e6:.1f}")


if __name__ == "__main__":
    main()
