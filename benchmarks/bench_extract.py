"""Extraction benchmark: the project's extraction against trafilatura's defaults, on real pages.

    python benchmarks/bench_extract.py [DATA_DIR] [--jobs 2] [--sets scrapinghub,trafilatura]
                                       [--split] [--save-dir DIR]

DATA_DIR (default ``../shared/bench/extraction``) holds the two annotated sets and their
``score.py``; the scores printed here are exactly that script's (it is imported, not copied).
Both extractors run in the same process pool in the same run, so the comparison is fair on a
busy machine too; milliseconds are measured per page inside the worker, around the extraction
call only (decompressing the file is not counted), and the median is reported.

It also reports the article decision: its precision and recall over the scrapinghub pages (all
real articles) and the labelled non-article pages of ``tests/data/nonarticles``, for the whole
set and each half (the detection rules were tuned on half A; half B is held out).

``--split`` also prints each set's two halves (a page's half is fixed by a hash of its id). The
project's cleaning rules were designed looking at half A of the trafilatura set (and at the
scrapinghub pages); half B of the trafilatura set is the held-out check that they generalise.

This is a benchmark, never run by the tests: the pages are third-party copies and stay outside
the project.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import importlib.util
import json
import logging
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "bench" / "extraction"
SETS = ("scrapinghub", "trafilatura")
EXTRACTORS = ("trafilatura", "project")
LABELS = {"trafilatura": "trafilatura defaults", "project": "news-archiver"}

Page = tuple[str, str, str]  # id, path of the .gz file, URL ("" when the set gives none)
#: the set whose pages are all real articles: the article decision's recall is measured there
DETECTION_SET = "scrapinghub"
#: labelled pages that are not articles (section fronts, tag, author, search, about, contact
#: pages, forum indexes, products...): the decision's precision is measured on them too
NONARTICLES = ROOT / "tests" / "data" / "nonarticles"
NONARTICLE_HOST = "https://www.gazette.example"


def load_score(data: Path) -> ModuleType:
    """The set's own score.py, imported so that the metric cannot drift from it."""
    spec = importlib.util.spec_from_file_location("bench_score", data / "score.py")
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {data / 'score.py'}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def list_pages(data: Path, name: str) -> list[Page]:
    """Page ids, files and URLs of one set, in the order of its answer file."""
    if name == "scrapinghub":
        truth = json.loads((data / "scrapinghub" / "ground-truth.json").read_text())
        return [
            (pid, str(data / "scrapinghub" / "html" / f"{pid}.html.gz"), item.get("url") or "")
            for pid, item in truth.items()
        ]
    evaldata = json.loads((data / "trafilatura" / "evaldata.json").read_text())
    # the ids of that set are mostly the page URLs; the others ("hard::…") give none
    return [
        (pid, str(data / "trafilatura" / item["file"]), pid.strip() if "://" in pid else "")
        for pid, item in evaldata.items()
    ]


def half(pid: str) -> str:
    """A fixed split of the pages, independent of the order of the answer files."""
    return "AB"[int(hashlib.sha1(pid.encode()).hexdigest(), 16) % 2]


# --- the workers -------------------------------------------------------------------------------


def _init_worker() -> None:
    sys.path.insert(0, str(ROOT))
    for name in ("trafilatura", "htmldate", "courlan", "pipelines"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


Verdict = tuple[bool, str] | None  # the project's article decision and its reason


def _trafilatura(html: bytes, url: str) -> tuple[str, Verdict]:
    import trafilatura

    return trafilatura.extract(html) or "", None


def _project(html: bytes, url: str) -> tuple[str, Verdict]:
    from pipelines.extract import extract_article

    ex = extract_article(html, url)
    return ex.text, (ex.is_article, ex.reason)


_RUNNERS: dict[str, Callable[[bytes, str], tuple[str, Verdict]]] = {
    "trafilatura": _trafilatura,
    "project": _project,
}


def _run(task: tuple[str, str, str, str]) -> tuple[str, str, float, Verdict]:
    extractor, pid, path, url = task
    if path.endswith(".gz"):
        with gzip.open(path) as handle:
            html = handle.read()  # bytes: both extractors detect the encoding themselves
    else:
        html = Path(path).read_bytes()
    start = time.perf_counter()
    try:
        text, verdict = _RUNNERS[extractor](html, url)
    except Exception as err:  # a crash is an empty answer, and is said
        print(f"{extractor} failed on {pid}: {err!r}", file=sys.stderr)
        text, verdict = "", (False, f"crash: {err!r}")
    return pid, text, (time.perf_counter() - start) * 1000, verdict


# --- scoring -----------------------------------------------------------------------------------


def score_subset(score: ModuleType, name: str, pred: dict[str, str], ids: set[str]) -> dict:
    """score.py's metric on a subset of the pages (it reads its answer files itself, so the
    subset is scored by pointing it at a filtered copy of them)."""
    data = Path(score.HERE)
    answer = data / name / ("ground-truth.json" if name == "scrapinghub" else "evaldata.json")
    full = json.loads(answer.read_text())
    original_here = score.HERE
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / name).mkdir()
        subset = {k: v for k, v in full.items() if k in ids}
        (Path(tmp) / name / answer.name).write_text(json.dumps(subset))
        score.HERE = Path(tmp)
        try:
            return _score(score, name, pred)
        finally:
            score.HERE = original_here


def _score(score: ModuleType, name: str, pred: dict[str, str]) -> dict:
    fn = score.score_scrapinghub if name == "scrapinghub" else score.score_trafilatura
    return fn(pred)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", nargs="?", default=str(DEFAULT_DATA), help="benchmark directory")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--sets", default=",".join(SETS), help="sets to run, comma-separated")
    parser.add_argument("--split", action="store_true", help="also score halves A and B")
    parser.add_argument("--save-dir", help="write each extractor's predictions there (JSON)")
    args = parser.parse_args(argv)

    data = Path(args.data).expanduser().resolve()
    sets = [s for s in args.sets.split(",") if s]
    missing = [p for p in [data / "score.py", *(data / s for s in sets)] if not p.exists()]
    if missing:
        print(
            f"Benchmark pages not found: {', '.join(str(p) for p in missing)} is absent.\n"
            "Give the directory that holds score.py, scrapinghub/ and trafilatura/: "
            "make bench-extract BENCH_DATA=/path/to/extraction",
            file=sys.stderr,
        )
        return 2
    score = load_score(data)
    print(f"Extraction benchmark on {data} ({args.jobs} worker processes)\n")

    rows: list[tuple[str, str, dict[str, Any], float, dict[str, float]]] = []
    articles: dict[str, tuple[bool, str]] = {}  # the real articles' verdicts
    non_articles: dict[str, tuple[bool, str]] = {}  # the labelled non-articles' verdicts
    with ProcessPoolExecutor(args.jobs, initializer=_init_worker) as pool:
        if NONARTICLES.exists():
            labels = json.loads((NONARTICLES / "pages.json").read_text())
            tasks = [("project", name, str(NONARTICLES / name), NONARTICLE_HOST + item["path"])
                     for name, item in labels.items()]
            for pid, _, _, verdict in pool.map(_run, tasks):
                non_articles[pid] = verdict or (False, "")
        for name in sets:
            pages = list_pages(data, name)
            # interleave the two extractors so that both see the same machine load
            tasks = [(ex, pid, path, url) for pid, path, url in pages for ex in EXTRACTORS]
            preds: dict[str, dict[str, str]] = {ex: {} for ex in EXTRACTORS}
            times: dict[str, list[float]] = {ex: [] for ex in EXTRACTORS}
            results = pool.map(_run, tasks, chunksize=4)
            for task, (pid, text, ms, verdict) in zip(tasks, results, strict=True):
                preds[task[0]][pid] = text
                times[task[0]].append(ms)
                if verdict is not None and name == DETECTION_SET:
                    articles[pid] = verdict
            for ex in EXTRACTORS:
                result = _score(score, name, preds[ex])
                halves: dict[str, float] = {}
                if args.split:
                    for h in "AB":
                        ids = {pid for pid, _, _ in pages if half(pid) == h}
                        halves[h] = score_subset(score, name, preds[ex], ids)["f1"]
                rows.append((name, ex, result, statistics.median(times[ex]), halves))
                if args.save_dir:
                    out = Path(args.save_dir)
                    out.mkdir(parents=True, exist_ok=True)
                    saved = json.dumps(preds[ex], ensure_ascii=False)
                    (out / f"{name}-{ex}.json").write_text(saved)
    print_table(rows, args.split)
    if DETECTION_SET in sets:
        ids = [pid for pid, _, _ in list_pages(data, DETECTION_SET)]
        print_detection(articles, non_articles, ids)
    return 0


def print_detection(articles: dict[str, tuple[bool, str]],
                    non_articles: dict[str, tuple[bool, str]], ids: list[str]) -> None:
    """Precision and recall of the article decision: every page of the scrapinghub set is a
    real article; every page of tests/data/nonarticles is not."""
    print(f"\nArticle detection: the {DETECTION_SET} pages (all real articles) and the "
          f"{len(non_articles)} labelled non-articles of {NONARTICLES.relative_to(ROOT)}")
    head = f"{'pages':<28}{'articles':>9}{'kept':>6}{'non-art.':>9}{'kept':>6}"
    head += f"{'precision':>11}{'recall':>8}"
    print(head)
    print("-" * len(head))
    false_kept = sum(ok for ok, _ in non_articles.values())
    for label, subset in (("all", ids), ("half A (development)", [i for i in ids
                                                                  if half(i) == "A"]),
                          ("half B (held out)", [i for i in ids if half(i) == "B"])):
        kept = sum(articles[i][0] for i in subset)
        precision = kept / (kept + false_kept) if kept + false_kept else 0.0
        recall = kept / len(subset) if subset else 0.0
        print(f"{label:<28}{len(subset):>9}{kept:>6}{len(non_articles):>9}{false_kept:>6}"
              f"{precision:>11.4f}{recall:>8.4f}")
    for pid in ids:
        if not articles[pid][0]:
            print(f"  article refused ({half(pid)}): {pid[:16]} {articles[pid][1]}")
    for name, (ok, reason) in sorted(non_articles.items()):
        if ok:
            print(f"  non-article kept: {name} {reason}")


def print_table(rows: list[tuple[str, str, dict[str, Any], float, dict[str, float]]],
                split: bool) -> None:
    head = f"{'set':<13}{'pages':>6}  {'extractor':<22}{'precision':>10}{'recall':>8}{'F1':>8}"
    head += f"{'F1 A':>8}{'F1 B':>8}" if split else ""
    head += f"{'ms/page':>9}"
    print(head)
    print("-" * len(head))
    for name, ex, result, ms, halves in rows:
        line = (f"{name:<13}{result['pages']:>6}  {LABELS[ex]:<22}{result['precision']:>10.4f}"
                f"{result['recall']:>8.4f}{result['f1']:>8.4f}")
        if split:
            line += f"{halves['A']:>8.4f}{halves['B']:>8.4f}"
        print(line + f"{ms:>9.0f}")
    print("\nms/page: median over the set's pages, extraction call only, one worker process each.")


if __name__ == "__main__":
    sys.exit(main())
