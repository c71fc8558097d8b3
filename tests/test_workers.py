"""The extraction worker pool (pipelines/workers.py): real worker processes, small pages.

The processes are observed from outside with psutil: the pool's forkserver is a child of
this process and the workers are its children.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import textwrap

import psutil
import pytest

from pipelines.workers import ExtractorPool
from tests.conftest import ROOT, SEED

HTML = (SEED / "article.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed_url(seed_expected: dict) -> str:
    return seed_expected["url"]


def workers_of(process: psutil.Process) -> list[psutil.Process]:
    """The pool's live worker processes: grandchildren (forkserver → workers); the workers
    of a pool closed earlier may linger a moment as zombies, not yet reaped by the forkserver."""
    workers = []
    for child in process.children():
        for worker in child.children():
            try:
                if worker.status() != psutil.STATUS_ZOMBIE:
                    workers.append(worker)
            except psutil.NoSuchProcess:
                pass
    return workers


def still_running(processes: list[psutil.Process], timeout: float) -> list[psutil.Process]:
    """Those of ``processes`` still running after waiting up to ``timeout`` s (a hang guard:
    they are not children of this process, so they are polled)."""
    alive = []
    for process in processes:
        try:
            process.wait(timeout=timeout)
        except psutil.NoSuchProcess:
            pass
        except psutil.TimeoutExpired:
            alive.append(process)
    return alive


async def extract_all(pool: ExtractorPool, pages: list[tuple[str, str]]) -> list:
    return await asyncio.gather(*(pool.extract(html, url) for html, url in pages))


def test_workers_extract_what_inline_extraction_does(seed_url, seed_expected):
    inline = asyncio.run(ExtractorPool(0).extract(HTML, seed_url))
    pool = ExtractorPool(2)
    try:
        pooled = asyncio.run(extract_all(pool, [(HTML, seed_url)] * 4))
        assert len(workers_of(psutil.Process())) == 2
    finally:
        pool.close()
    assert inline.is_article and inline.title == seed_expected["title"]
    assert pooled == [inline] * 4


def test_no_worker_starts_before_the_first_page():
    """A re-crawl that finds nothing to extract does not pay for the workers."""
    pool = ExtractorPool(2)
    try:
        assert workers_of(psutil.Process()) == []
    finally:
        pool.close()


def test_bad_input_is_an_answer_not_an_exception():
    pool = ExtractorPool(1)
    try:
        empty, binary = asyncio.run(extract_all(pool, [("", "https://j.example/a/"),
                                                       ("\x00\xff" * 50, "https://j.example/b/")]))
    finally:
        pool.close()
    assert not empty.is_article and empty.reason
    assert not binary.is_article and binary.reason


def test_a_dead_worker_costs_one_page_and_the_pool_comes_back(seed_url):
    pool = ExtractorPool(2)
    try:
        asyncio.run(pool.extract(HTML, seed_url))
        workers = workers_of(psutil.Process())
        for worker in workers:
            with contextlib.suppress(psutil.NoSuchProcess):  # one of an older pool, ending
                worker.send_signal(signal.SIGKILL)  # a crash in a C library on a hostile page
        assert not still_running(workers, timeout=60)
        lost = asyncio.run(pool.extract(HTML, seed_url))
        assert not lost.is_article and "worker died" in lost.reason
        again = asyncio.run(pool.extract(HTML, seed_url))
        assert again.is_article
        assert {w.pid for w in workers_of(psutil.Process())}.isdisjoint(w.pid for w in workers)
    finally:
        pool.close()


def test_workers_ignore_ctrl_c(seed_url):
    """Ctrl-C reaches the whole process group; the crawler decides when its workers stop,
    so the extractions under way are finished and stored."""
    pool = ExtractorPool(2)
    try:
        asyncio.run(pool.extract(HTML, seed_url))
        workers = workers_of(psutil.Process())
        for worker in workers:
            worker.send_signal(signal.SIGINT)
        results = asyncio.run(extract_all(pool, [(HTML, seed_url)] * 4))
        assert all(r.is_article for r in results), [r.reason for r in results]
        assert all(w.is_running() for w in workers)
        assert workers_of(psutil.Process()) == workers
    finally:
        pool.close()


def test_close_ends_the_workers(seed_url):
    pool = ExtractorPool(2)
    asyncio.run(pool.extract(HTML, seed_url))
    workers = workers_of(psutil.Process())
    pool.close()
    assert not any(w.is_running() and w.status() != psutil.STATUS_ZOMBIE for w in workers)


CRAWLER = textwrap.dedent("""
    import asyncio, sys
    from pipelines.workers import ExtractorPool
    pool = ExtractorPool(2)
    asyncio.run(pool.extract(sys.argv[1], "https://j.example/a/"))
    print("ready", flush=True)
    sys.stdin.read()  # until killed
""")


def test_workers_end_when_the_crawler_is_killed():
    """kill -9 of the crawler leaves no worker behind (they watch for their crawler)."""
    crawler = subprocess.Popen([sys.executable, "-c", CRAWLER, "<p>short</p>"], cwd=ROOT,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert crawler.stdout.readline().strip() == "ready"
        workers = workers_of(psutil.Process(crawler.pid))
        assert len(workers) == 2
        os.kill(crawler.pid, signal.SIGKILL)
        crawler.wait()
        # the workers look for their crawler every half second
        alive = still_running(workers, timeout=60)
        assert not alive, f"{len(alive)} workers outlived their crawler"
    finally:
        if crawler.poll() is None:
            crawler.kill()
            crawler.wait()
