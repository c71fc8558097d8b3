"""The ceiling of one core: ``pipelines.extract.extract_article`` alone, in this one process.

``python benchmarks/extract_only.py SITE_ROOT URLS_FILE [--limit N]`` reads each article
page of a generated site from disk, decodes it (the crawl's pipeline gets ``response.text``)
and extracts it. Only the extraction calls are timed (imports, the first call's lazy model
loads and disk reads are not), so the rate is what one core can do at best. Prints one JSON
object on stdout.
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import time
from pathlib import Path
from urllib.parse import urlsplit


def page_file(root: Path, url: str) -> Path:
    """The file a generated site stores the page of ``url`` in."""
    return root / urlsplit(url).path.strip("/") / "index.html"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("urls", type=Path)
    parser.add_argument("--limit", type=int, default=0, help="at most this many pages")
    args = parser.parse_args(argv)

    from pipelines.extract import extract_article

    for name in ("trafilatura", "htmldate", "courlan"):  # as the crawl's ExtractPipeline does
        logging.getLogger(name).setLevel(logging.ERROR)
    urls = args.urls.read_text().split()
    if args.limit:
        urls = urls[: args.limit]
    # warm-up: py3langid and trafilatura load lazily on first use (not counted)
    extract_article(page_file(args.root, urls[0]).read_bytes().decode(), urls[0])

    seconds = 0.0
    articles = 0
    for url in urls:
        html = page_file(args.root, url).read_bytes().decode()
        start = time.perf_counter()
        extraction = extract_article(html, url)
        seconds += time.perf_counter() - start
        articles += extraction.is_article
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"pages": len(urls), "articles": articles, "seconds": seconds,
                      "peak_rss_mb": peak_kb / 1024}))


if __name__ == "__main__":
    main()
