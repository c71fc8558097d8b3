"""The outcome vocabulary of fetches, crawls and the summary."""

from __future__ import annotations

import re

import pytest
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from twisted.internet import error as twisted_error

from core.outcomes import (
    RedirectLoop,
    RefusedOffsite,
    RefusedPrivate,
    RefusedRobots,
    SkippedKnown,
    crawl_counts,
    crawl_outcomes,
    failure_outcome,
    summary,
)


@pytest.mark.parametrize(
    "exception,label",
    [
        (RefusedRobots("Forbidden by robots.txt"), "refused_robots"),
        (RefusedPrivate("Refused private address: 10.0.0.1"), "refused_private"),
        (RefusedOffsite("Filtered offsite request to 'other.example'"), "refused_offsite"),
        (RedirectLoop("Redirect loop: a -> b -> a"), "redirect_loop"),
        (SkippedKnown("Known article"), "skipped_known"),
        # the label is the type's, whatever the message says
        (RefusedRobots("a private address, offsite, in a redirect loop"), "refused_robots"),
        (IgnoreRequest("Forbidden by robots.txt"), "ignored"),
        (DownloadCancelledError("larger than download max size"), "skipped_too_large"),
        (DownloadTimeoutError("took longer than 3.0 seconds"), "timeout"),
        (twisted_error.TimeoutError(), "timeout"),
        (CannotResolveHostError("DNS lookup failed"), "dns_error"),
        (twisted_error.DNSLookupError(), "dns_error"),
        (DownloadConnectionRefusedError("Connection was refused"), "connection_refused"),
        (ResponseDataLossError("lost"), "network_error"),
        (ValueError("timeout, DNS, robots.txt"), "network_error"),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, BaseException) else v,
)
def test_failure_outcome_comes_from_the_exception_type(exception, label):
    assert failure_outcome(exception) == label


def test_refusals_are_ignore_requests():
    """Scrapy treats them as IgnoreRequest: no 'Error downloading' log, the errback called."""
    for refusal in (RefusedRobots, RefusedPrivate, RefusedOffsite, RedirectLoop, SkippedKnown):
        assert issubclass(refusal, IgnoreRequest)


def test_counts_from_stats():
    stats = {
        "response_received_count": 12,
        "archive/articles/new": 3,
        "archive/articles/unchanged": 2,
        "archive/not_article": 4,
        "downloader/response_status_count/200": 10,
        "downloader/response_status_count/404": 1,
        "downloader/response_status_count/503": 1,
        "archive/failure/timeout": 2,
        "archive/failure/refused_robots": 1,
        "offsite/filtered": 7,
    }
    outcomes = crawl_outcomes(stats)
    assert outcomes == {"stored_new": 3, "unchanged": 2, "not_article": 4, "http_404": 1,
                        "http_503": 1, "timeout": 2, "refused_robots": 1,
                        "refused_offsite": 7}
    counts = crawl_counts(stats)
    assert counts == {"pages": 12, "articles_new": 3, "articles_updated": 0,
                      "articles_unchanged": 2, "not_articles": 4, "errors": 4}
    text = summary(5, "finished", counts, outcomes, "archive.db")
    assert text.startswith("Crawl #5 finished: 12 pages, 3 new articles")
    # then a table: the counts, and every outcome, most frequent first
    assert re.search(r"^  pages fetched +12$", text, re.M)
    assert re.search(r"^  errors +4$", text, re.M)
    table = text.split("\n  ---", 2)[2]  # the outcomes part
    assert re.findall(r"^  ([a-z_0-9]+) +(\d+)$", table, re.M) == [
        ("refused_offsite", "7"), ("not_article", "4"), ("stored_new", "3"), ("timeout", "2"),
        ("unchanged", "2"), ("http_404", "1"), ("http_503", "1"), ("refused_robots", "1")]
