"""The outcome vocabulary of fetches, crawls and the summary."""

from __future__ import annotations

import re

import pytest

from core.outcomes import crawl_counts, crawl_outcomes, failure_outcome, summary


@pytest.mark.parametrize(
    "error,label",
    [
        ("IgnoreRequest: Forbidden by robots.txt", "refused_robots"),
        ("IgnoreRequest: Refused private address: 10.0.0.1 is 10.0.0.1 (http://...)",
         "refused_private"),
        ("IgnoreRequest: Redirect loop: a -> b -> a", "redirect_loop"),
        ("IgnoreRequest: max redirections reached", "redirect_loop"),
        ("DownloadCancelledError: Expected to receive 3000000 bytes which is larger than "
         "download max size (2000000)", "skipped_too_large"),
        ("DownloadTimeoutError: Getting http://x took longer than 3.0 seconds.", "timeout"),
        ("CannotResolveHostError: DNS lookup failed", "dns_error"),
        ("DownloadConnectionRefusedError: Connection was refused", "connection_refused"),
        ("ResponseDataLossError: lost", "network_error"),
    ],
)
def test_failure_outcome(error, label):
    assert failure_outcome(error) == label


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
