"""The publish lock: one publisher per store, across processes (cron and the daemon)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from feeds.errors import StoreError, StoreLockedError


@contextlib.contextmanager
def publish_lock(store_path: Path, wait: float) -> Iterator[None]:
    """Hold the store's exclusive publish lock, waiting up to ``wait`` seconds for it.

    An advisory ``flock`` on a file beside the store: the kernel releases it
    when the holder dies, so a killed publisher never leaves a stale lock.
    """
    lock_path = store_path.with_name(store_path.name + ".lock")
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as err:
        raise StoreError(
            f"{lock_path}: cannot write the store's lock file: {err.strerror or err}"
        ) from err
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _read_holder(fd)
                    raise StoreLockedError(
                        f"{store_path}: another feeds process{holder} is publishing;"
                        f" gave up after {wait:g} s (use --wait to wait longer)"
                    ) from None
                time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)


def _read_holder(fd: int) -> str:
    try:
        pid = os.pread(fd, 32, 0).decode().strip()
    except (OSError, UnicodeDecodeError):
        return ""
    return f" (pid {pid})" if pid.isdigit() else ""
