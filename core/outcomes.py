"""What happened to each URL of a crawl, in words a person reads: one vocabulary for the
``fetches.outcome`` column, the ``crawls`` row and the summary printed at the end of a run.

Plain functions over Scrapy's stats dictionary (a mapping of counter names to numbers), so
they are tested without a crawler.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: Our own stats counters (``archive/...``), written by the spider and the pipelines.
STORED_NEW = "archive/articles/new"
STORED_UPDATED = "archive/articles/updated"
STORED_UNCHANGED = "archive/articles/unchanged"
NOT_ARTICLE = "archive/not_article"
EXTRACT_ERROR = "archive/extract_error"
#: pages extracted with trafilatura's bare_extraction because the installed trafilatura failed
#: the guard of the project's cascade (pipelines.cascade): same text, more CPU, to be looked at
EXTRACTION_FALLBACK = "archive/extraction_fallback"
GONE = "archive/gone"
#: links to known, fresh articles not requested (a link found on several pages counts each time)
SKIPPED_KNOWN = "archive/skipped_known"
#: ``archive/failure/<outcome>``: failed attempts by outcome label, counted as they are recorded.
FAILURE_PREFIX = "archive/failure/"


def failure_outcome(error: str) -> str:
    """The outcome label of a failed request, from its ``Type: message`` error text."""
    kind = error.split(":", 1)[0]
    lowered = error.lower()
    rules = (
        ("robots.txt" in lowered, "refused_robots"),
        ("private address" in lowered, "refused_private"),
        ("offsite" in lowered, "refused_offsite"),
        ("redirect loop" in lowered or "max redirections" in lowered, "redirect_loop"),
        ("max size" in lowered or "DownloadCancelled" in kind, "skipped_too_large"),
        ("Timeout" in kind or "timed out" in lowered, "timeout"),
        ("DNS" in kind or "CannotResolveHost" in kind, "dns_error"),
        ("ConnectionRefused" in kind, "connection_refused"),
        ("Ignore" in kind, "ignored"),
    )
    return next((label for matched, label in rules if matched), "network_error")


def response_outcome(status: int) -> str:
    if status >= 400:
        return f"http_{status}"
    if 300 <= status < 400:
        return "redirect"
    return "ok"


def crawl_outcomes(stats: Mapping[str, Any]) -> dict[str, int]:
    """Counts per outcome, from a crawl's stats: stored, not an article, errors by kind."""
    out: dict[str, int] = {
        "stored_new": int(stats.get(STORED_NEW, 0)),
        "stored_updated": int(stats.get(STORED_UPDATED, 0)),
        "unchanged": int(stats.get(STORED_UNCHANGED, 0)),
        "not_article": int(stats.get(NOT_ARTICLE, 0)),
        "extract_error": int(stats.get(EXTRACT_ERROR, 0)),
        "extraction_fallback": int(stats.get(EXTRACTION_FALLBACK, 0)),
        "not_html": int(stats.get("archive/response/other", 0)),
        "refused_offsite": int(stats.get("offsite/filtered", 0)),
        "gone": int(stats.get(GONE, 0)),
        "skipped_known": int(stats.get(SKIPPED_KNOWN, 0)),
    }
    for key, value in stats.items():
        if key.startswith("downloader/response_status_count/"):
            status = int(key.rsplit("/", 1)[1])
            if status >= 400:
                out[f"http_{status}"] = int(value)
        elif key.startswith(FAILURE_PREFIX):
            label = key[len(FAILURE_PREFIX):]
            out[label] = out.get(label, 0) + int(value)
    return {k: v for k, v in out.items() if v}


#: Failures that count as errors of the crawl (refusals are the crawl doing its job).
ERROR_OUTCOMES = ("timeout", "dns_error", "connection_refused", "network_error",
                  "extract_error", "redirect_loop")


def crawl_counts(stats: Mapping[str, Any]) -> dict[str, int]:
    """The ``crawls`` columns: pages fetched, articles by outcome, errors."""
    outcomes = crawl_outcomes(stats)
    errors = sum(v for k, v in outcomes.items() if k.startswith("http_") or k in ERROR_OUTCOMES)
    return {
        "pages": int(stats.get("response_received_count", 0)),
        "articles_new": outcomes.get("stored_new", 0),
        "articles_updated": outcomes.get("stored_updated", 0),
        "articles_unchanged": outcomes.get("unchanged", 0),
        "not_articles": outcomes.get("not_article", 0),
        "errors": errors,
    }


#: The rows of the summary table, in order: label and ``crawl_counts`` key.
SUMMARY_ROWS = (
    ("pages fetched", "pages"),
    ("articles new", "articles_new"),
    ("articles updated", "articles_updated"),
    ("articles unchanged", "articles_unchanged"),
    ("not articles", "not_articles"),
    ("errors", "errors"),
)


def summary_table(counts: Mapping[str, int], outcomes: Mapping[str, int]) -> str:
    """The counts, then every outcome (most frequent first), as an aligned two-column table."""
    width = max([len(label) for label, _ in SUMMARY_ROWS] + [len(k) for k in outcomes]) + 2
    rule = "  " + "-" * (width + 9)
    lines = [rule]
    lines += [f"  {label:<{width}}{counts.get(key, 0):>9,}" for label, key in SUMMARY_ROWS]
    lines.append(rule)
    by_count = sorted(outcomes.items(), key=lambda item: (-item[1], item[0]))
    lines += [f"  {name:<{width}}{value:>9,}" for name, value in by_count]
    if not outcomes:
        lines.append("  no outcome recorded")
    lines.append(rule)
    return "\n".join(lines)


def summary(crawl_id: int, reason: str, counts: Mapping[str, int],
            outcomes: Mapping[str, int], archive: str) -> str:
    """What is printed when a crawl ends (what cron mails to its owner): one line to grep,
    then :func:`summary_table`."""
    return (
        f"Crawl #{crawl_id} {reason}: {counts['pages']} pages, "
        f"{counts['articles_new']} new articles, {counts['articles_updated']} updated, "
        f"{counts['articles_unchanged']} unchanged, {counts['not_articles']} not articles, "
        f"{counts['errors']} errors -> {archive}\n{summary_table(counts, outcomes)}"
    )
