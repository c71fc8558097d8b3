"""Extraction in worker processes, so a crawl uses every core.

trafilatura is pure CPU work under the GIL (20-40 ms a page): threads gain nothing, and run
inline it blocks Scrapy's event loop. A small process pool runs :func:`extract_page` while
the main process keeps downloading and storing. Workers are forked from a fresh forkserver
process (never from the crawler, which runs a reactor and threads) and ignore SIGINT, so
Ctrl-C lets the crawl finish the extractions under way and store them; if a worker dies (a
crash in a C library on a hostile page), the pool is rebuilt and that page counted as an
extraction error.

The crawler process never imports the extractor (trafilatura): the forkserver imports it once
and the workers inherit it; only inline (``workers=0``) is it imported in the crawler process,
on the first page extracted.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from pipelines.extraction import Extraction

logger = logging.getLogger(__name__)

#: Libraries that log a warning for every page with little text; the crawl counts those
#: outcomes itself.
NOISY_LOGGERS = ("trafilatura", "htmldate", "courlan")


def quiet_libraries() -> None:
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _exit_with_crawler(crawler: int) -> None:
    """End this worker when the crawler is gone, so ``kill -9`` leaves no orphans behind.

    (Its parent is the forkserver, which itself waits for its workers to end.)
    """
    while _alive(crawler):
        time.sleep(0.5)
    os._exit(0)


def _init_worker(crawler: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process decides when to stop
    quiet_libraries()
    threading.Thread(target=_exit_with_crawler, args=(crawler,), daemon=True).start()


def extract_page(html: str, url: str) -> Extraction:
    """:func:`pipelines.extract.extract_article`, imported where it runs: in a worker (or
    inline), never in the crawler process that only hands pages over."""
    from pipelines.extract import extract_article

    return extract_article(html, url)


def _context() -> multiprocessing.context.BaseContext:
    """A forkserver that has imported the extractor once: workers are forked from it cheaply
    (copy-on-write memory, no second import of trafilatura), never from the crawler."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["pipelines.workers", "pipelines.extract"])
    return context


class ExtractorPool:
    """``await pool.extract(html, url)``: in ``workers`` processes, or inline when 0."""

    def __init__(self, workers: int) -> None:
        self.workers = max(0, workers)
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        quiet_libraries()

    def _executor(self) -> ProcessPoolExecutor:
        """The pool, its workers started (blocking: call it from a thread)."""
        with self._lock:
            if self._pool is None:
                pool = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=_context(),
                    initializer=_init_worker,
                    initargs=(os.getpid(),),
                )
                # a forkserver pool starts a worker per submit while none is idle: start them
                # all here, not later on the event loop
                for _ in range(self.workers):
                    pool.submit(os.getpid)
                self._pool = pool
            return self._pool

    async def extract(self, html: str, url: str) -> Extraction:
        if not self.workers:
            return extract_page(html, url)
        try:
            # The first call starts the forkserver and its workers, in a thread: that takes
            # about half a second (trafilatura is imported once, in the forkserver) and must
            # not stall the crawler's event loop, nor be paid by a re-crawl that finds
            # nothing to extract.
            executor = self._pool or await asyncio.to_thread(self._executor)
            future = executor.submit(extract_page, html, url)
            return await asyncio.wrap_future(future)
        except BrokenProcessPool:
            logger.error("An extraction worker died on %s; restarting the pool", url)
            self.close(wait=False)
            return Extraction(is_article=False, reason="extraction failed: worker died")

    def close(self, wait: bool = True) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=not wait)
            self._pool = None
