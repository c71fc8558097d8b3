"""Metadata benchmark: bylines, published dates and access against a reader's labels.

    python benchmarks/bench_metadata.py [DATA_DIR] [--jobs 2] [--show-misses]

The labels (``tests/data/metadata_labels.json``) are 150 pages of the development half of
``../shared/bench/extraction`` (half A of both sets, see ``bench_extract.py --split``), with the
author(s), published day and access a careful reader finds on each page. The project's
extraction runs next to trafilatura's own metadata (``bare_extraction``) and htmldate's
``find_date`` (``original_date=True``, its setting for the publication date), in the same
process pool in the same run.

Scoring, the same for every extractor:
- author: the people credited when the page names people, else the organisations credited
  (an agency-only wire story), else nothing; names compared without case, accents,
  punctuation or single initials, as sets;
- published: the same day as the label; a datetime also counts when its instant (UTC when
  no zone is given) falls on the label's day in some time zone (UTC-12 to UTC+14: the
  page's own zone is not always declared);
- access (the project only): free / paywalled / partial as labelled.
Keys left out of a label (an ambiguous page) are not scored.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import sys
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "bench" / "extraction"
LABELS = ROOT / "tests" / "data" / "metadata_labels.json"
EXTRACTORS = ("project", "trafilatura", "htmldate")


def page_file(data: Path, entry: dict[str, Any], evaldata: dict[str, Any]) -> tuple[Path, str]:
    """The labelled page's .gz file and its URL."""
    if entry["set"] == "scrapinghub":
        return data / "scrapinghub" / "html" / f"{entry['id']}.html.gz", entry.get("url", "")
    item = evaldata[entry["id"]]
    url = entry["id"].strip() if "://" in entry["id"] else ""
    return data / "trafilatura" / item["file"], url


def _init_worker() -> None:
    sys.path.insert(0, str(ROOT))
    for name in ("trafilatura", "htmldate", "courlan", "pipelines"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _run(task: tuple[str, str, str]) -> dict[str, Any]:
    """One extractor's answer on one page: authors, agencies, published, access."""
    extractor, path, url = task
    with gzip.open(path) as handle:
        html = handle.read()
    try:
        if extractor == "project":
            from pipelines.extract import extract_article

            ex = extract_article(html, url)
            return {"authors": ex.authors, "agencies": ex.agencies, "published": ex.published,
                    "access": ex.access, "source": ex.sources.get("published")}
        if extractor == "trafilatura":
            from trafilatura import bare_extraction

            doc = bare_extraction(html, url=url or None, with_metadata=True)
            author = getattr(doc, "author", None) if doc is not None else None
            names = [a.strip() for a in (author or "").split(";") if a.strip()]
            return {"authors": names, "agencies": [], "published": getattr(doc, "date", None)}
        from htmldate import find_date

        return {"published": find_date(html, url=url or None, original_date=True)}
    except Exception as err:  # a crash is an empty answer, and is said
        print(f"{extractor} failed on {path}: {err!r}", file=sys.stderr)
        return {}


def credited(authors: list[str], agencies: list[str]) -> set[str]:
    """What the author score compares: the people, else the organisations."""
    from pipelines.bylines import name_key

    return {name_key(n) for n in (authors or agencies)} - {""}


def same_day(predicted: str | None, label: str | None) -> bool:
    if not predicted or not label:
        return predicted is None and label is None
    if predicted[:10] == label:
        return True
    try:
        moment = datetime.fromisoformat(predicted)
    except ValueError:
        return False
    # a time without a zone (naive) is taken as UTC: its zone is as unknown as a missing one
    utc = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    day = date.fromisoformat(label)
    return any((utc + timedelta(hours=h)).date() == day for h in range(-12, 15))


def score(labels: list[dict[str, Any]], answers: dict[str, list[dict[str, Any]]]) -> dict:
    table: dict[str, dict[str, list[bool]]] = {}
    for extractor, results in answers.items():
        marks: dict[str, list[bool]] = {"author": [], "published": [], "access": [],
                                        "agencies": []}
        for label, got in zip(labels, results, strict=True):
            if "authors" in label and extractor != "htmldate":
                marks["author"].append(
                    credited(got.get("authors", []), got.get("agencies", []))
                    == credited(label["authors"], label["agencies"])
                )
                if extractor == "project":
                    marks["agencies"].append(
                        credited([], got.get("agencies", [])) == credited([], label["agencies"])
                    )
            if "published" in label:
                marks["published"].append(same_day(got.get("published"), label["published"]))
            if "access" in label and extractor == "project":
                marks["access"].append(got.get("access") == label["access"])
        table[extractor] = marks
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", nargs="?", default=str(DEFAULT_DATA), help="benchmark directory")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--show-misses", action="store_true", help="list the project's misses")
    args = parser.parse_args(argv)
    data = Path(args.data).expanduser().resolve()
    if not (data / "trafilatura" / "evaldata.json").exists():
        print(f"Benchmark pages not found under {data}", file=sys.stderr)
        return 2
    labels = json.loads(LABELS.read_text())["pages"]
    evaldata = json.loads((data / "trafilatura" / "evaldata.json").read_text())
    truth = json.loads((data / "scrapinghub" / "ground-truth.json").read_text())
    files = []
    for entry in labels:
        if entry["set"] == "scrapinghub":
            entry = {**entry, "url": truth[entry["id"]].get("url") or ""}
        path, url = page_file(data, entry, evaldata)
        files.append((str(path), url))
    tasks = [(ex, path, url) for path, url in files for ex in EXTRACTORS]
    answers: dict[str, list[dict[str, Any]]] = {ex: [] for ex in EXTRACTORS}
    with ProcessPoolExecutor(args.jobs, initializer=_init_worker) as pool:
        for task, result in zip(tasks, pool.map(_run, tasks, chunksize=4), strict=True):
            answers[task[0]].append(result)
    table = score(labels, answers)
    print(f"Metadata benchmark: {len(labels)} labelled pages ({LABELS.relative_to(ROOT)})\n")
    head = f"{'extractor':<22}{'author':>14}{'published':>14}{'agencies':>14}{'access':>14}"
    print(head)
    print("-" * len(head))
    names = {"project": "news-archiver", "trafilatura": "trafilatura metadata",
             "htmldate": "htmldate"}
    for extractor in EXTRACTORS:
        cells = []
        for key in ("author", "published", "agencies", "access"):
            marks = table[extractor][key]
            cells.append(f"{sum(marks) / len(marks):.3f} ({len(marks)})" if marks else "-")
        print(f"{names[extractor]:<22}" + "".join(f"{c:>14}" for c in cells))
    print("\n(n): labelled pages scored. author: people, else organisations credited; "
          "published: same day.")
    if args.show_misses:
        for label, got in zip(labels, answers["project"], strict=True):
            wrong = []
            if "authors" in label and credited(got.get("authors", []), got.get("agencies", [])) \
                    != credited(label["authors"], label["agencies"]):
                wrong.append(f"author {got.get('authors')}+{got.get('agencies')} "
                             f"!= {label['authors']}+{label['agencies']}")
            if "published" in label and not same_day(got.get("published"), label["published"]):
                wrong.append(f"published {got.get('published')} ({got.get('source')}) "
                             f"!= {label['published']}")
            if "access" in label and got.get("access") != label["access"]:
                wrong.append(f"access {got.get('access')} != {label['access']}")
            if wrong:
                print(f"{labels.index(label):>4} {label['id'][:70]}\n       " + "; ".join(wrong))
    return 0


if __name__ == "__main__":
    sys.exit(main())
