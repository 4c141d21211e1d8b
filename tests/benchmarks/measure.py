"""Measuring: wall and CPU time and peak RSS of a process or of this one, and the floors."""

from __future__ import annotations

import os
import re
import resource
import statistics
import subprocess
import threading
import time
from pathlib import Path

from tests.benchmarks.trash import Trash


def timed_process(cmd: list[str], cwd: Path) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds (user+sys, its workers included) and peak RSS (MiB) of ``cmd``.

    The RSS is the peak of the sum over the process and its descendants (the
    render and parse workers), sampled every 20 ms from /proc: a single
    process's maximum would hide the workers' share.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.02):
            peak = max(peak, tree_rss_kib(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed:\n{stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, peak / 1024, stdout


def cpu_seconds() -> float:
    """CPU seconds of this process and of its finished children (render and parse workers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def tree_rss_kib(pid: int) -> int:
    """Resident KiB of ``pid`` and all its descendants, read from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def floors(folder: Path, read: bool = True) -> tuple[float, float]:
    """Seconds to read every file (``cat`` to /dev/null; 0 unless ``read``) and to stat
    every file."""
    started = time.perf_counter()
    if read:
        subprocess.run(
            f"find {folder}/ -type f -print0 | xargs -0 cat > /dev/null", shell=True, check=True
        )
    read_seconds = time.perf_counter() - started
    started = time.perf_counter()
    with os.scandir(folder) as it:
        for entry in it:
            entry.stat()
    return read_seconds, time.perf_counter() - started


def write_floor(
    output: Path, scratch: Path, runs: int, trash: Trash, sync: bool = True
) -> tuple[float, int, int]:
    """Median seconds to copy a publish's output into a fresh folder and (``sync``) sync
    it, the last copy moved to ``trash`` first as a cold run's last output is: the file
    system's share of a cold publish. Also the output's file count and bytes."""
    files = [p for p in output.rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    times = []
    for _ in range(runs):
        trash.discard(scratch)
        started = time.perf_counter()
        subprocess.run(["cp", "-a", str(output), str(scratch)], check=True)
        if sync:
            subprocess.run(["sync", "-f", str(scratch)], check=True)
        times.append(time.perf_counter() - started)
    trash.discard(scratch)
    return statistics.median(times), len(files), size


def reset_peak_rss() -> None:
    """Start measuring this process's peak RSS afresh (Linux: 5 to /proc/self/clear_refs).

    The watcher and idle-scan rows publish in this process, as the daemon does in its own;
    those runs are below the worker thresholds, so this process is all there is to measure.
    """
    Path("/proc/self/clear_refs").write_text("5")


def peak_rss_mib() -> float:
    """This process's peak RSS since ``reset_peak_rss`` (VmHWM), in MiB."""
    status = Path("/proc/self/status").read_text()
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    if match is None:
        raise RuntimeError("no VmHWM in /proc/self/status")
    return int(match.group(1)) / 1024
