"""One writer per archive: the lock that keeps two cron runs from crawling into one file.

An advisory ``flock`` on ``<archive>.lock``: the kernel releases it when the process ends, so a
crawl killed with ``kill -9`` never leaves a stale lock behind, and no PID bookkeeping is needed.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class ArchiveBusy(RuntimeError):
    """Another crawl is writing this archive."""


class ArchiveLock:
    def __init__(self, archive_path: str | Path) -> None:
        self.path = Path(f"{archive_path}.lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock at once or raise :class:`ArchiveBusy` naming the holder."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode(errors="replace").strip() or "another process"
            os.close(fd)
            raise ArchiveBusy(
                f"{str(self.path)[:-5]} is being written by another crawl (pid {holder}); "
                "not starting a second one"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> ArchiveLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
