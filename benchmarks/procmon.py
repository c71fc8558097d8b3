"""Peak memory of a process tree: the sum of the RSS of a process and all its descendants.

A sampler thread reads the tree every ``interval`` seconds (psutil when installed, /proc
otherwise), so worker processes the crawler may start later are counted with it. Summing
RSS counts pages that forked workers share once per process: an upper bound, which is what a
memory budget needs.
"""

from __future__ import annotations

import os
import resource
import threading
import time
from pathlib import Path

try:
    import psutil
except ImportError:  # pragma: no cover - the /proc reader below does the same on Linux
    psutil = None

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _children_proc(pid: int) -> list[int]:
    """Direct and indirect children of ``pid`` from /proc (Linux)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _rss_proc(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/statm").read_text().split()
    except OSError:
        return 0
    return int(fields[1]) * PAGE_SIZE


def tree_rss(pid: int, cpu: dict[int, float] | None = None) -> tuple[int, int]:
    """(summed RSS in bytes, number of processes) of ``pid`` and its descendants now.

    With ``cpu``, each process's CPU seconds so far (user + system) are recorded in it too.
    """
    if psutil is not None:
        try:
            root = psutil.Process(pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            return 0, 0
        total = 0
        for proc in procs:
            try:
                total += proc.memory_info().rss
                if cpu is not None:
                    times = proc.cpu_times()
                    cpu[proc.pid] = max(cpu.get(proc.pid, 0.0), times.user + times.system)
            except psutil.Error:
                pass
        return total, len(procs)
    pids = [pid, *_children_proc(pid)]
    if cpu is not None:
        for child in pids:
            cpu[child] = max(cpu.get(child, 0.0), process_cpu_seconds([child]))
    return sum(_rss_proc(p) for p in pids), len(pids)


class PeakMemory:
    """Samples a process tree's summed RSS in a thread until stopped; keeps the peak."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        self.pid = pid
        self.interval = interval
        self.peak = 0
        self.max_processes = 0
        self.samples = 0
        self.cpu_seconds = 0.0
        self.server_cpu_seconds = 0.0
        self.foreign_cpu_seconds = 0.0
        # CPU seconds of every process of the tree, as last sampled: processes the command
        # does not wait for (a forkserver's workers) are missing from its rusage
        self.cpu_by_pid: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"rss-{pid}", daemon=True)

    @property
    def backend(self) -> str:
        return "psutil" if psutil is not None else "/proc"

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            rss, count = tree_rss(self.pid, self.cpu_by_pid)
            if count:
                self.samples += 1
                self.peak = max(self.peak, rss)
                self.max_processes = max(self.max_processes, count)
            self._stop.wait(self.interval)

    @property
    def root_cpu_seconds(self) -> float:
        """CPU seconds of the command's own process (as last sampled), without descendants."""
        return self.cpu_by_pid.get(self.pid, 0.0)

    @property
    def peak_mb(self) -> float:
        return self.peak / (1024 * 1024)


CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def system_busy_seconds() -> float:
    """CPU seconds all cores of the machine have spent busy since boot (/proc/stat)."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def process_cpu_seconds(pids: list[int]) -> float:
    """CPU seconds (user + system) used so far by these processes (not their children)."""
    total = 0.0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(stat[11]) + int(stat[12])) / CLOCK_TICKS
    return total


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_measured(args: list[str], *, cwd: str | None = None, env: dict[str, str] | None = None,
                 stdout: object = None, interval: float = 0.1,
                 server_pids: list[int] | None = None) -> tuple[int, float, PeakMemory]:
    """Run a command to its end; (exit status, wall seconds, peak memory of its tree).

    ``memory.cpu_seconds`` is the CPU time (user + system) of the command and of the
    descendants it waited for, so cpu_seconds / wall seconds says how many cores it kept busy.
    ``memory.server_cpu_seconds`` is what the ``server_pids`` used meanwhile and
    ``memory.foreign_cpu_seconds`` what every other process of the machine used: a benchmark
    on a machine busy with something else measures that too.
    """
    import subprocess

    server_pids = server_pids or []
    cpu_before = _children_cpu()
    busy_before = system_busy_seconds()
    server_before = process_cpu_seconds(server_pids)
    own_before = sum(os.times()[:2])  # this process: the sampler thread
    start = time.perf_counter()
    process = subprocess.Popen(args, cwd=cwd, env=env, stdout=stdout,  # type: ignore[arg-type]
                               stderr=subprocess.STDOUT)
    with PeakMemory(process.pid, interval) as memory:
        status = process.wait()
    wall = time.perf_counter() - start
    # the larger of: what the command and the descendants it waited for used (exact), and
    # the sum over every process sampled in its tree (also counts the ones never waited for)
    memory.cpu_seconds = max(_children_cpu() - cpu_before, sum(memory.cpu_by_pid.values()))
    memory.server_cpu_seconds = process_cpu_seconds(server_pids) - server_before
    busy = system_busy_seconds() - busy_before
    own = sum(os.times()[:2]) - own_before
    memory.foreign_cpu_seconds = max(
        0.0, busy - memory.cpu_seconds - memory.server_cpu_seconds - own)
    return status, wall, memory
