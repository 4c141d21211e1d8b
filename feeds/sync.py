"""The seeds folder → the store: which seeds changed, their stories, their rejections.

Every seed is stat-ed (``os.scandir``); only those whose size or mtime moved
are read, hashed and normalised, so an idle scan costs one stat per file. A
touched but unchanged file is not a change. A seed that fails to parse keeps
its last good stories, so entries already published stay as they were.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from feeds.config import Config
from feeds.errors import SeedError
from feeds.records import SeedFingerprint
from feeds.seeds import read_seed, scan_seeds
from feeds.store import SeedState, Store

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass
class SeedChanges:
    """What ``sync_seeds`` found: the story keys and seeds whose entries must be redone."""

    keys: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)
    mtimes: dict[str, int] = field(default_factory=dict)
    read: int = 0
    rejected_now: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)
    count: int = 0


def sync_seeds(
    store: Store,
    config: Config,
    progress: Progress | None = None,
    settled_before_ns: int | None = None,
) -> SeedChanges:
    """Read the seeds whose size or mtime changed; record stories, rejections and deletions."""
    changes = SeedChanges()
    known = store.seed_states()
    present = {e.name: e for e in scan_seeds(config.seeds)}
    changes.count = len(present)
    stats = {name: e.stat() for name, e in present.items()}
    changes.mtimes = {name: st.st_mtime_ns for name, st in stats.items()}
    to_read = []
    for name, st in stats.items():
        state = known.get(name)
        if state is not None and (state.fingerprint.size, state.fingerprint.mtime_ns) == (
            st.st_size,
            st.st_mtime_ns,
        ):
            continue
        if settled_before_ns is not None and st.st_mtime_ns > settled_before_ns:
            changes.deferred.append(name)
            continue
        to_read.append(name)
    for done, name in enumerate(to_read, start=1):
        expect = (stats[name].st_size, stats[name].st_mtime_ns) if settled_before_ns else None
        _sync_one(store, config, name, known, changes, expect)
        if progress:
            progress(done, len(to_read))
    for name in sorted(known.keys() - present.keys()):
        changes.keys |= store.keys_of_sources([name])
        changes.sources.add(name)
        store.delete_seed(name)
    if changes.sources:
        log.debug("%d seeds changed: %s", len(changes.sources), sorted(changes.sources)[:10])
    return changes


def _sync_one(
    store: Store,
    config: Config,
    name: str,
    known: Mapping[str, SeedState],
    changes: SeedChanges,
    expect: tuple[int, int] | None = None,
) -> None:
    path = config.seeds / name
    changes.read += 1
    try:
        parsed, fingerprint = read_seed(path, name, config.max_seed_bytes)
        if expect is not None and (fingerprint.size, fingerprint.mtime_ns) != expect:
            changes.deferred.append(name)  # moved between two looks: still being written
            return
    except SeedError as err:
        if expect is not None and _moved(path, expect):
            changes.deferred.append(name)
            return
        # Keep the last good stories (published entries stay as they were) and
        # remember this version, so it is reported once rather than re-read.
        try:
            st = path.stat()
            fingerprint = SeedFingerprint(name, st.st_size, st.st_mtime_ns, "")
        except OSError:
            return
        store.put_seed(fingerprint, str(err))
        changes.rejected_now.append(str(err))
        log.warning("%s", err)
        return
    state = known.get(name)
    if state is not None and state.fingerprint.sha256 == fingerprint.sha256:
        store.put_seed(fingerprint, None)  # touched, not changed
        return
    changes.warnings.extend(f"{config.seeds}/{w}" for w in parsed.warnings)
    changes.keys |= store.keys_of_sources([name])
    changes.keys |= {s.key for s in parsed.stories}
    changes.sources.add(name)
    store.replace_stories(name, parsed.stories)
    store.put_seed(fingerprint, None)


def _moved(path: Path, expect: tuple[int, int]) -> bool:
    try:
        st = path.stat()
    except OSError:
        return True
    return (st.st_size, st.st_mtime_ns) != expect
