"""Finding published files that are gone or were changed behind our back.

A publish records the size and mtime of every file it puts in the output
folder. Checking them again costs one ``stat`` per file (about 0.3 s for
100,000 files), far less than reading them, and finds what an ``rm -rf`` or an
editor did; those files are then rendered and written again.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from feeds.address import entry_page_path, entry_page_slug
from feeds.store.db import Store

log = logging.getLogger(__name__)

FileStat = tuple[str, int, int]  # (path, size, mtime_ns)
COMPLETE = "files_complete"  # status key: every file published has a record


@dataclass
class Damage:
    """What a check of the output folder found."""

    damaged: set[str] = field(default_factory=set)  # missing, or not as we left them
    adopted: list[FileStat] = field(default_factory=list)  # ours, present, never recorded
    stale: list[str] = field(default_factory=list)  # recorded, but no longer ours


def check_outputs(store: Store, root: Path, articles_only: bool) -> Damage:
    """Compare every file the store says we published with what is on disk.

    A file with no record yet (a store from before records were kept) is taken
    as it is and recorded, so the first check after an upgrade rewrites nothing.
    Once a check has recorded every entry page (``files_complete``), the records
    alone say which pages are ours: the list of every entry's slug is not read again.
    """
    recorded = store.file_stats()
    ours = set(store.output_hashes())
    if store.status().get(COMPLETE) == "1":
        ours.update(p for p in recorded if entry_page_slug(p) is not None)
    else:
        ours.update(entry_page_path(slug) for slug in store.entry_page_slugs(articles_only))
    found = Damage()
    base = os.fspath(root)
    for path in ours:
        try:
            st = os.stat(f"{base}/{path}")  # noqa: PTH116 - plain strings, many files
        except OSError:
            found.damaged.add(path)
            continue
        now = (st.st_size, st.st_mtime_ns)
        before = recorded.get(path)
        if before is None:
            found.adopted.append((path, *now))
        elif before != now:
            found.damaged.add(path)
    found.stale = sorted(recorded.keys() - ours)
    if found.damaged:
        log.warning(
            "%d published files are missing or were changed (%s%s): writing them again",
            len(found.damaged),
            ", ".join(sorted(found.damaged)[:3]),
            ", ..." if len(found.damaged) > 3 else "",
        )
    return found


def stat_files(root: Path, paths: Iterable[str]) -> list[FileStat]:
    """(path, size, mtime_ns) of files as they are now, for the store's record."""
    base = os.fspath(root)
    out = []
    for path in paths:
        try:
            st = os.stat(f"{base}/{path}")  # noqa: PTH116
        except FileNotFoundError:
            continue
        out.append((path, st.st_size, st.st_mtime_ns))
    return out
