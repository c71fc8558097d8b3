"""What happened to each URL of a crawl, in words a person reads: one vocabulary for the
``fetches.outcome`` column, the ``crawls`` row and the summary printed at the end of a run.

Plain functions over Scrapy's stats dictionary (a mapping of counter names to numbers), so
they are tested without a crawler.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from twisted.internet import error as twisted_error

#: Our own stats counters (``archive/...``), written by the spider and the pipelines.
STORED_NEW = "archive/articles/new"
STORED_UPDATED = "archive/articles/updated"
STORED_UNCHANGED = "archive/articles/unchanged"
#: known articles that answered 304 Not Modified to a conditional request
NOT_MODIFIED = "archive/articles/not_modified"
#: known articles whose text differs only as a newer extractor sees it (no new version)
STORED_REEXTRACTED = "archive/articles/reextracted"
NOT_ARTICLE = "archive/not_article"
EXTRACT_ERROR = "archive/extract_error"
#: pages extracted with trafilatura's bare_extraction because the installed trafilatura failed
#: the guard of the project's cascade (pipelines.cascade): same text, more CPU, to be looked at
EXTRACTION_FALLBACK = "archive/extraction_fallback"
GONE = "archive/gone"
#: links to known, fresh articles not requested (a link found on several pages counts each time)
SKIPPED_KNOWN = "archive/skipped_known"
#: ``archive/discovery_error/<kind>``: links, feed or sitemap entries too malformed to follow
#: (each costs that entry only, not the page it is on); kinds: link, feed, sitemap, canonical
DISCOVERY_ERROR = "archive/discovery_error"
#: ``archive/failure/<outcome>``: failed attempts by outcome label, counted as they are recorded.
FAILURE_PREFIX = "archive/failure/"


class Refused(IgnoreRequest):
    """A request the crawl refused to send: its outcome label is its type's ``outcome``.

    ``IgnoreRequest`` subclasses, as Scrapy's own ``HttpError``: an errback or a recorder
    tells them apart with ``isinstance``, never by reading their message.
    """

    outcome = "ignored"


class RefusedRobots(Refused):
    """robots.txt disallows the URL."""

    outcome = "refused_robots"


class RefusedPrivate(Refused):
    """The URL, or the address its host resolves to, is private, loopback or link-local."""

    outcome = "refused_private"


class RefusedOffsite(Refused):
    """The URL is on none of the start sites' hosts."""

    outcome = "refused_offsite"


class RedirectLoop(Refused):
    """A redirect back into its own chain, or a chain longer than ``REDIRECT_MAX_TIMES``."""

    outcome = "redirect_loop"


class SkippedKnown(Refused):
    """An article archived recently (incremental re-crawls): not fetched again."""

    outcome = "skipped_known"


#: Download failures by exception type (Scrapy's, and Twisted's for older download handlers).
_FAILURES: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((DownloadCancelledError,), "skipped_too_large"),
    ((DownloadTimeoutError, TimeoutError, twisted_error.TimeoutError,
      twisted_error.TCPTimedOutError), "timeout"),
    ((CannotResolveHostError, twisted_error.DNSLookupError), "dns_error"),
    ((DownloadConnectionRefusedError, ConnectionRefusedError,
      twisted_error.ConnectionRefusedError), "connection_refused"),
    ((IgnoreRequest,), "ignored"),
)


def failure_outcome(exception: BaseException) -> str:
    """The outcome label of a request that got no response, from its exception's type."""
    if isinstance(exception, Refused):
        return exception.outcome
    for types, label in _FAILURES:
        if isinstance(exception, types):
            return label
    return "network_error"


def response_outcome(status: int) -> str:
    if status == 304:
        return "not_modified"  # a conditional request for a known article: nothing changed
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
        "not_modified": int(stats.get(NOT_MODIFIED, 0)),
        "reextracted": int(stats.get(STORED_REEXTRACTED, 0)),
        "not_article": int(stats.get(NOT_ARTICLE, 0)),
        "extract_error": int(stats.get(EXTRACT_ERROR, 0)),
        "extraction_fallback": int(stats.get(EXTRACTION_FALLBACK, 0)),
        "not_html": int(stats.get("archive/response/other", 0)),
        "refused_offsite": int(stats.get("offsite/filtered", 0)),
        "gone": int(stats.get(GONE, 0)),
        "skipped_known": int(stats.get(SKIPPED_KNOWN, 0)),
        "discovery_error": int(stats.get(DISCOVERY_ERROR, 0)),
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
        "articles_unchanged": outcomes.get("unchanged", 0) + outcomes.get("not_modified", 0)
        + outcomes.get("reextracted", 0),
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
