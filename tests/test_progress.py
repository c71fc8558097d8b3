"""Crawl progress (crawler/progress.py): the counts and line of each interval, when the bar is
drawn, and the extension built by Scrapy from the project's settings. A real crawl's progress
lines and summary table are checked in tests/test_browse_e2e.py."""

from __future__ import annotations

import io

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.extensions.logstats import LogStats
from scrapy.utils.test import get_crawler

from crawler import settings as project
from crawler.progress import CrawlProgress, progress_counts, progress_line, wants_bar

STATS = {
    "response_received_count": 120,
    "archive/articles/new": 30,
    "archive/articles/updated": 2,
    "archive/articles/unchanged": 8,
    "archive/not_article": 50,
    "archive/failure/timeout": 3,
    "downloader/response_status_count/503": 1,
    "archive/failure/refused_robots": 4,  # refusals are not errors
}


def test_progress_counts_from_the_stats_and_the_queue():
    assert progress_counts(STATS, 57) == {"pages": 120, "queued": 57, "stored": 40, "errors": 4}
    assert progress_counts({}, None) == {"pages": 0, "queued": 0, "stored": 0, "errors": 0}


def test_progress_line():
    line = progress_line(progress_counts(STATS, 57), 12.345)
    assert line == ("Progress: 120 pages fetched (12.3 pages/s), 57 queued, "
                    "40 articles stored, 4 errors")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("setting", "stream", "drawn"),
    [("auto", Terminal(), True), ("auto", io.StringIO(), False), ("auto", None, False),
     ("True", io.StringIO(), True), (True, io.StringIO(), True), ("False", Terminal(), False),
     (False, Terminal(), False)],
)
def test_the_bar_is_drawn_on_a_terminal_or_when_asked(setting, stream, drawn):
    assert wants_bar(setting, stream) is drawn


def project_settings(**overrides):
    values = {name: getattr(project, name) for name in dir(project) if name.isupper()}
    return {**values, **overrides}


def test_the_project_replaces_logstats_with_crawl_progress():
    assert project.EXTENSIONS["scrapy.extensions.logstats.LogStats"] is None
    crawler = get_crawler(settings_dict=project_settings(ARCHIVE_PROGRESS_BAR=False))
    progress = CrawlProgress.from_crawler(crawler)
    assert isinstance(progress, LogStats)  # Scrapy's own rates and final stats are kept
    assert progress.interval == project.LOGSTATS_INTERVAL and not progress.bar_enabled


def test_no_progress_at_all_switches_the_extension_off():
    crawler = get_crawler(settings_dict=project_settings(LOGSTATS_INTERVAL=0,
                                                         ARCHIVE_PROGRESS_BAR=False))
    with pytest.raises(NotConfigured):
        CrawlProgress.from_crawler(crawler)
    crawler = get_crawler(settings_dict=project_settings(LOGSTATS_INTERVAL=0,
                                                         ARCHIVE_PROGRESS_BAR=True))
    progress = CrawlProgress.from_crawler(crawler)
    assert progress.bar_enabled and not progress.log_enabled
