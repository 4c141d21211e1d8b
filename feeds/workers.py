"""Worker processes for the two CPU-bound steps of a publish: parsing seeds and rendering.

One pool serves a whole publish (``Workers``): spawned when a step first has enough
work for it, then shared, so a cold publish spawns its workers once, not once per step.

Workers are spawned, not forked: the daemon has threads (scheduler, server,
pinger), and a forked child can inherit a lock another thread held. They die
with their publisher, so a killed ``feeds publish`` leaves none behind still
writing files.
"""

from __future__ import annotations

import os
from types import TracebackType
from typing import TYPE_CHECKING

from feeds.errors import ConfigError

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

MAX_WORKERS = 8
# Spawning workers and importing feedgen, lxml and Jinja2 in them costs about a
# third of a second, as much as rendering ~500 documents: measured break-even.
# FEEDS_PARALLEL_MIN_DOCS overrides it, for tests and tuning.
PARALLEL_MIN_DOCS = 1000
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def worker_count() -> int:
    """How many workers to use: one per core, within reason; ``FEEDS_WORKERS`` overrides
    it (tests force two on a one-core machine; a bad value means the default)."""
    forced = os.environ.get("FEEDS_WORKERS", "")
    if forced.isdigit() and int(forced) > 0:
        return min(int(forced), MAX_WORKERS)
    return min(os.cpu_count() or 1, MAX_WORKERS)


def parallel_min_docs() -> int:
    """How many documents to render make a pool of workers worth spawning."""
    value = os.environ.get("FEEDS_PARALLEL_MIN_DOCS")
    if value is None:
        return PARALLEL_MIN_DOCS
    try:
        return int(value)
    except ValueError:
        raise ConfigError(
            "environment", "FEEDS_PARALLEL_MIN_DOCS", f"must be a whole number, not {value!r}"
        ) from None


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


class Workers:
    """The worker processes of one publish, spawned by the first step that asks for them
    and shut down when the publish ends. Use as a context manager."""

    def __init__(self) -> None:
        self.count = worker_count()
        self._pool: ProcessPoolExecutor | None = None

    def pool(self) -> ProcessPoolExecutor:
        """The pool, spawned now if no step has needed it yet."""
        if self._pool is None:
            self._pool = spawn_pool(self.count)
        return self._pool

    def __enter__(self) -> Workers:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            # After a failure, work still queued (a step's unread results) is dropped.
            self._pool.shutdown(wait=True, cancel_futures=exc_type is not None)
            self._pool = None


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
