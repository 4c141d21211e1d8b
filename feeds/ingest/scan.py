"""The seeds folder → the store: which seeds changed, their stories, their rejections.

Every seed is stat-ed (``os.scandir``); only those whose size or mtime moved
are read, hashed and normalised, so an idle scan costs one stat per file. A
touched but unchanged file is not a change. A seed that fails to parse keeps
its last good stories, so entries already published stay as they were.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from feeds.config import Config
from feeds.errors import ConfigError, SeedError, SeedsEmptiedError
from feeds.ingest.seeds import UNREADABLE, SeedStat, read_seed, scan_seeds
from feeds.records import SeedFingerprint, StoredSeed
from feeds.store.columns import stored_seed
from feeds.store.db import Store
from feeds.store.seeds import SeedState
from feeds.workers import Workers

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]

# Spawning workers costs about a tenth of a second: worth it only for many seeds.
PARALLEL_MIN_SEEDS = 400
CHUNK = 200
WRITE_BATCH = 1000
FUTURE_SLACK = 60.0  # seconds an mtime may lie ahead of our clock and still be "just now"


@dataclass
class SeedChanges:
    """What ``sync_seeds`` found: the story keys and seeds whose entries must be redone."""

    keys: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)
    mtimes: dict[str, int] = field(default_factory=dict)  # of every seed present (ns)
    read: int = 0
    rejected_now: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)
    touched: list[SeedFingerprint] = field(default_factory=list)
    rejections: list[tuple[SeedFingerprint, str]] = field(default_factory=list)
    count: int = 0

    def release(self) -> None:
        """Drop the per-seed sets once ``reconcile`` has used them.

        At 100,000 seeds they hold tens of MiB that rendering never reads.
        """
        self.keys, self.sources, self.mtimes = set(), set(), {}

    def take_changed(self) -> tuple[set[str], set[str]]:
        """The story keys and seeds whose entries must be redone, handed over: at 100,000
        seeds they are tens of MiB that the caller need not hold for the whole run."""
        taken = self.keys, self.sources
        self.keys, self.sources = set(), set()
        return taken


def sync_seeds(
    store: Store,
    config: Config,
    progress: Progress | None = None,
    settled_before_ns: int | None = None,
    workers: Workers | None = None,
    allow_empty: bool = False,
) -> SeedChanges:
    """Read the seeds whose size or mtime changed; record stories, rejections and deletions.

    Many are read on ``workers`` (a pool of this run's own when not given). A seeds
    folder found empty after seeds were published from it is refused
    (``SeedsEmptiedError``) unless ``allow_empty``."""
    changes = SeedChanges()
    seen = store.seed_stats()
    stats, refused = _scan(config)
    if seen and not stats and not refused and not allow_empty:
        raise SeedsEmptiedError(
            f"{config.seeds} holds no seed, but {len(seen)} were published from it; nothing"
            " was changed. If it is a mount, it is not there: mount it. To unpublish every"
            " entry, run feeds publish --allow-empty once"
        )
    _refuse(config, refused, seen, changes)
    present = stats | dict.fromkeys(refused, UNREADABLE)  # its last good stories stay
    changes.count = len(present)
    changes.mtimes = {name: st[1] for name, st in stats.items()}
    to_read: list[str] = []
    if settled_before_ns is not None:
        # A file dated well in the future (a skewed clock, a copied archive) is not
        # being written now: waiting would hold it back forever.
        future = settled_before_ns + int((config.settle + FUTURE_SLACK) * 1e9)
    for name, st in stats.items():
        if seen.get(name) == st:
            continue
        if settled_before_ns is not None and settled_before_ns < st[1] <= future:
            changes.deferred.append(name)
            continue
        to_read.append(name)
    to_read.sort()
    changes.read = len(to_read)
    known = store.seed_states(to_read)
    fresh: list[StoredSeed] = []
    for done, (name, outcome) in enumerate(read_seeds(config, to_read, workers), start=1):
        expect = stats[name] if settled_before_ns else None
        result = _settle(config, name, outcome, known, changes, expect)
        if result is not None:
            fresh.append(result)
        if len(fresh) >= WRITE_BATCH:
            _store_batch(store, fresh, known, changes, config)
        if progress:
            progress(done, len(to_read))
    _store_batch(store, fresh, known, changes, config)
    rows: list[tuple[SeedFingerprint, str | None]] = [(fp, None) for fp in changes.touched]
    rows.extend(changes.rejections)
    store.put_seeds(rows)
    for name in sorted(seen.keys() - present.keys()):
        changes.keys |= store.keys_of_sources([name])
        changes.sources.add(name)
        store.delete_seed(name)
    if changes.sources:
        log.debug("%d seeds changed: %s", len(changes.sources), sorted(changes.sources)[:10])
    return changes


def _scan(config: Config) -> tuple[dict[str, SeedStat], dict[str, str]]:
    try:
        return scan_seeds(config.seeds)
    except OSError as err:
        raise ConfigError(
            config.source, "publish.seeds", f"{config.seeds}: cannot read: {err.strerror or err}"
        ) from err


def _refuse(
    config: Config, refused: dict[str, str], seen: Mapping[str, SeedStat], changes: SeedChanges
) -> None:
    """Reject the names that cannot be read as files, once each (until they change)."""
    for name in sorted(refused):
        if seen.get(name) == UNREADABLE:
            continue
        message = f"{config.seeds / name}: {refused[name]}"
        log.warning("rejected: %s", message)  # as the CLI words those still rejected
        changes.rejected_now.append(message)
        changes.rejections.append((SeedFingerprint(name, *UNREADABLE, ""), message))


def _store_batch(
    store: Store,
    fresh: list[StoredSeed],
    known: Mapping[str, SeedState],
    changes: SeedChanges,
    config: Config,
) -> None:
    """Write parsed seeds in batches: memory stays flat however many changed."""
    # The stories these seeds held before, then their new ones.
    names = [seed.fingerprint.path for seed in fresh]
    changes.keys |= store.keys_of_sources(name for name in names if name in known)
    store.replace_stories_of(fresh, existing={name for name in names if name in known})
    store.put_seeds([(seed.fingerprint, None) for seed in fresh])
    changes.sources.update(names)
    for seed in fresh:
        changes.keys.update(row[0] for row in seed.stories)
        changes.warnings.extend(f"{config.seeds}/{w}" for w in seed.warnings)
    fresh.clear()


Outcome = StoredSeed | str  # parsed and encoded for the store, or the one-line rejection


def read_one(path: Path, name: str, max_bytes: int) -> Outcome:
    """Read, normalise and encode one seed; a rejection comes back as its message.

    Both are cheap to send back from a worker: strings, not record objects.
    """
    try:
        return stored_seed(*read_seed(path, name, max_bytes))
    except SeedError as err:
        return str(err)


def _read_chunk(folder: Path, names: list[str], max_bytes: int) -> list[Outcome]:
    return [read_one(folder / name, name, max_bytes) for name in names]


def read_seeds(
    config: Config, names: list[str], workers: Workers | None = None
) -> Iterator[tuple[str, Outcome]]:
    """Read and normalise ``names``, on every core when there are many of them."""
    if workers is None:
        with Workers() as own:
            yield from read_seeds(config, names, own)
        return
    if len(names) < PARALLEL_MIN_SEEDS or workers.count < 2:
        for name in names:
            yield name, read_one(config.seeds / name, name, config.max_seed_bytes)
        return
    chunks = [names[i : i + CHUNK] for i in range(0, len(names), CHUNK)]
    results = workers.pool().map(
        _read_chunk,
        [config.seeds] * len(chunks),
        chunks,
        [config.max_seed_bytes] * len(chunks),
    )
    for chunk, outcomes in zip(chunks, results, strict=True):
        yield from zip(chunk, outcomes, strict=True)


def _settle(
    config: Config,
    name: str,
    outcome: Outcome,
    known: Mapping[str, SeedState],
    changes: SeedChanges,
    expect: tuple[int, int] | None,
) -> StoredSeed | None:
    """What to do with one read seed: defer it, reject it, skip it (touched), or take it."""
    path = config.seeds / name
    if isinstance(outcome, str):
        if expect is not None and _moved(path, expect):
            changes.deferred.append(name)
            return None
        # Keep the last good stories (published entries stay as they were) and
        # remember this version, so it is reported once rather than re-read.
        try:
            st = path.stat()
        except OSError:
            return None
        changes.rejected_now.append(outcome)
        changes.rejections.append((SeedFingerprint(name, st.st_size, st.st_mtime_ns, ""), outcome))
        log.warning("rejected: %s", outcome)
        return None
    fingerprint = outcome.fingerprint
    if expect is not None and (fingerprint.size, fingerprint.mtime_ns) != expect:
        changes.deferred.append(name)  # moved between two looks: still being written
        return None
    state = known.get(name)
    if state is not None and state.fingerprint.sha256 == fingerprint.sha256:
        changes.touched.append(fingerprint)  # touched, not changed
        return None
    return outcome


def _moved(path: Path, expect: tuple[int, int]) -> bool:
    try:
        st = path.stat()
    except OSError:
        return True
    return (st.st_size, st.st_mtime_ns) != expect
