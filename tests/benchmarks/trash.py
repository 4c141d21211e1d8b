"""Clearing the way between timed runs without timing the deletion's after-effects.

On ext4 without a journal (this project's development machine: a Firecracker VM whose
root file system has none), creating a file skips, one at a time, every inode of its
block group that was freed in the last minutes (the kernel's ``recently_deleted``,
seen with ``perf``). Creating 6,000 files of 5 KB took 30-60 µs a file with nothing
deleted lately, and 290-1,000 µs a file (nearly all of it system CPU) within a minute
of deleting a 12,000-file output: a cold publish that follows the deletion of the
last one is timed at up to a third more than one that does not. A user's first
publish deletes nothing, so the benchmark moves what a run leaves aside instead (a
rename frees no inode) and deletes it all once the measuring is over.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

# Below this much free space, what is discarded is deleted at once (and the rows after
# it may be slowed, as said above): a 100k run leaves some 30 GB aside.
MIN_FREE_BYTES = 10 * 2**30


class Trash:
    """A folder beside the measured ones that holds what runs discard until ``empty``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._count = 0

    def discard(self, path: Path) -> None:
        """Take ``path`` (a file or folder; nothing if it does not exist) out of the way."""
        if not path.exists():
            return
        if shutil.disk_usage(path.parent).free < MIN_FREE_BYTES:
            print(f"low on disk space: deleting {path} now", file=sys.stderr)
            shutil.rmtree(path, ignore_errors=True)
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        while (target := self.folder / f"{self._count}-{path.name}").exists():
            self._count += 1
        path.rename(target)

    def empty(self) -> None:
        """Delete everything discarded (after the last measurement)."""
        shutil.rmtree(self.folder, ignore_errors=True)
