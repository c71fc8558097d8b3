"""One writer per archive."""

from __future__ import annotations

import subprocess
import sys

import pytest

from core.lock import ArchiveBusy, ArchiveLock


def test_second_lock_on_same_archive_fails_at_once(tmp_path):
    path = tmp_path / "archive.db"
    with ArchiveLock(path):
        with pytest.raises(ArchiveBusy, match="another crawl"):
            ArchiveLock(path).acquire()
    with ArchiveLock(path):  # released: can be taken again
        pass


def test_lock_held_by_another_process_and_freed_when_it_dies(tmp_path):
    path = tmp_path / "archive.db"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys,time; from core.lock import ArchiveLock; "
         f"ArchiveLock({str(path)!r}).acquire(); print('held', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(ArchiveBusy, match=str(holder.pid)):
            ArchiveLock(path).acquire()
    finally:
        holder.kill()  # like kill -9: no cleanup code runs
        holder.wait()
    with ArchiveLock(path):
        pass
