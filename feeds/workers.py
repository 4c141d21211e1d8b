"""Worker processes for the two CPU-bound steps of a publish: parsing seeds and rendering.

Workers are spawned, not forked: the daemon has threads (scheduler, server,
pinger), and a forked child can inherit a lock another thread held. They die
with their publisher, so a killed ``feeds publish`` leaves none behind still
writing files.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

MAX_WORKERS = 8
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def worker_count() -> int:
    """How many workers to use: one per core, within reason; ``FEEDS_WORKERS`` overrides
    it (tests force two on a one-core machine; a bad value means the default)."""
    forced = os.environ.get("FEEDS_WORKERS", "")
    if forced.isdigit() and int(forced) > 0:
        return min(int(forced), MAX_WORKERS)
    return min(os.cpu_count() or 1, MAX_WORKERS)


def spawn_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` spawned processes that exit when this process dies."""
    # Imported when needed: most runs never start a worker.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_die_with_parent,
        initargs=(os.getpid(),),
    )


def _die_with_parent(parent: int) -> None:
    import ctypes
    import ctypes.util
    import signal

    libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    prctl = getattr(libc, "prctl", None)
    if prctl is not None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
