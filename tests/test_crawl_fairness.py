"""End to end: a site that asks to be left alone does not hold up the others.

Two sites on two loopback addresses (127.0.0.1 and 127.0.0.2: Scrapy's download slots are
per host name, so two ports of one address would be one slot): a normal one, and one whose
robots.txt has a Crawl-delay and whose every article answers 503 with Retry-After. Their
waits are spent in the request queue, not in the downloader, so the normal site is crawled
whole while the other's requests are still waiting their turn. ``make bench-fairness``
measures the same in seconds.
"""

from __future__ import annotations

import pytest

from tests.conftest import run_crawl
from tests.faultsite import FaultSite, large_site, rate_limited_site

#: The server takes a request's time when it reads it, a little after the crawler sent it.
SLACK = 0.2
RETRY_AFTER = 3
CRAWL_DELAY = 1


@pytest.mark.e2e
def test_a_rate_limited_site_does_not_hold_up_another(tmp_path):
    with FaultSite("127.0.0.1") as normal, FaultSite("127.0.0.2") as slow:
        normal_paths = set(large_site(normal, articles=40, delay=0))
        slow_paths = set(rate_limited_site(slow, articles=3, retry_after=RETRY_AFTER,
                                           crawl_delay=CRAWL_DELAY))
        done = run_crawl(
            tmp_path / "archive.db", "-a", f"start={normal.url('/')},{slow.url('/')}",
            # few places in the downloader: a site whose waits held them would stall the other
            settings={"CONCURRENT_REQUESTS": "3", "CONCURRENT_REQUESTS_PER_DOMAIN": "3",
                      "RETRY_TIMES": "1", "ARCHIVE_RETRY_AFTER_MAX": "60"},
            timeout=240,
        )
    assert done.returncode == 0, done.output[-3000:]
    normal_hits = [h for h in normal.hits() if h.path in normal_paths]
    assert {h.path for h in normal_hits} == normal_paths
    normal_done = max(h.finished or h.started for h in normal_hits)

    slow_hits = sorted((h for h in slow.hits() if h.path in slow_paths), key=lambda h: h.started)
    assert len(slow_hits) == 2 * len(slow_paths)  # each article and its one retry
    waiting = [h for h in slow_hits if h.started > normal_done]
    assert len(waiting) >= len(slow_paths), (
        f"only {len(waiting)} of the rate-limited site's {len(slow_hits)} requests came after "
        "the normal site was done: its waits held the normal site up")
    # ...and the rate-limited site was left alone as long as it asked, between any two requests
    gaps = [b.started - a.started for a, b in zip(slow_hits, slow_hits[1:], strict=False)]
    assert min(gaps) >= RETRY_AFTER - SLACK, gaps
    assert "Spider error" not in done.output
