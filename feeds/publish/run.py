"""One publish: seeds → store → plan → render → output. The one place the stages meet.

Each run does work in proportion to what changed:

1. ``feeds.ingest.scan``: stat every seed; read, hash and normalise only those whose
   size or mtime moved; record fingerprints, stories and rejections.
2. ``feeds.publish.reconcile``: re-merge only the story keys those seeds held or now
   hold, and give each merged story its permanent id and honest timestamps. When
   many change, their entry pages are rendered on the workers meanwhile.
3. ``feeds.publish.execute``: plan every feed, and render only the files whose
   inputs (entries, timestamps, settings) have a new digest.

One pool of worker processes (``feeds.workers.Workers``) serves every step of a run.
Everything happens in one store transaction that commits after the files are
in place, so a run that dies is simply redone by the next one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Set
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from feeds.address import PUBLISHED_SIGNS, absolute_url, archive_place
from feeds.config import Config
from feeds.deploy.settings import DEPLOY_NEEDED
from feeds.errors import ConfigError, FeedsError, StoreMissingError
from feeds.folders import check_folders
from feeds.ingest.scan import Progress, SeedChanges, sync_seeds
from feeds.publish.plan import RENDER_VERSION, anything_to_render
from feeds.publish.reconcile import EntryChanges, reconcile
from feeds.publish.verify import COMPLETE, Damage, check_outputs, stat_files
from feeds.publish.write import OutputWriter, clear_marker, sweep_temporaries
from feeds.store.db import Store
from feeds.store.lock import publish_lock
from feeds.workers import Workers, parallel_min_docs

if TYPE_CHECKING:
    from feeds.deploy.run import DeployReport

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PublishReport:
    """What one publish did; the CLI and the watcher turn it into messages and exit codes."""

    seeds: int
    entries: int
    read: int = 0
    rejected: tuple[str, ...] = ()  # every seed currently rejected, one line each
    newly_rejected: tuple[str, ...] = ()  # rejected by this run (their files changed)
    warnings: tuple[str, ...] = ()
    deferred: tuple[str, ...] = ()  # seeds still being written, left for the next run
    added: int = 0
    changed: int = 0
    removed: int = 0
    written: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    unchanged: int = 0
    seconds: float = 0.0
    feed_urls: tuple[str, ...] = field(default=())  # self URLs of rewritten feeds
    pings: tuple[tuple[str, str], ...] = ()  # (hub, topic) owed, this run's and earlier ones
    deploy: DeployReport | None = None  # with [deploy]: what the upload after it did

    @property
    def ok(self) -> bool:
        return not self.rejected

    def summary(self) -> str:
        """The one-line summary ``feeds publish`` prints."""
        deferred = f", {len(self.deferred)} deferred" if self.deferred else ""
        return (
            f"{self.entries} entries from {self.seeds} seeds: {len(self.written)} files written,"
            f" {self.unchanged} unchanged, {len(self.rejected)} rejected{deferred}"
            f" in {self.seconds:.1f} s"
        )


def settled_before(config: Config) -> int:
    """The moment (ns since the epoch) a seed must have been last modified before to be
    read: files younger than ``settle`` seconds may still be being written."""
    return time.time_ns() - int(config.settle * 1e9)


def publish(
    config: Config,
    now: datetime,
    *,
    wait: float = 0.0,
    rebuild: bool = False,
    progress: Progress | None = None,
    settled_before_ns: int | None = None,
    status: Mapping[str, str] | None = None,
    verify: bool = True,
    new_store: bool = False,
    allow_empty: bool = False,
) -> PublishReport:
    """Bring ``config.output`` up to date with ``config.seeds``; see the module docstring.

    With ``settled_before_ns`` (the watcher's), seed files modified after that
    moment, or seen to change while being read, are left for the next run, so
    a half-written file is never published. With ``verify`` (the default; the
    watcher does it every few scans) every file published before is checked
    (size and mtime) and any that is missing or altered is written again.
    A missing or empty store beside an output folder that was published to is
    refused (``StoreMissingError``) unless ``new_store``. So is a seeds folder found
    empty after seeds were published from it (``SeedsEmptiedError``) unless ``allow_empty``.
    """
    started = time.perf_counter()
    now = now.astimezone(UTC).replace(microsecond=0)
    check_folders(config)
    if not config.seeds.is_dir():
        raise ConfigError(config.source, "publish.seeds", f"{config.seeds} is not a folder")
    if not new_store and not config.store.exists():
        refuse_lost_store(config, None)
    if config.deploy is not None:
        from feeds.deploy.bucket import check_extra

        check_extra(config.deploy)
    with publish_lock(config.store, wait), Store.open(config.store) as store:
        if not new_store:
            refuse_lost_store(config, store)
        with store.transaction():
            run = _run(
                store, config, now, rebuild, progress, settled_before_ns, verify, allow_empty
            )
            store.set_status(
                last_run=now.isoformat(),
                render_fingerprint=_fingerprint(config),
                max_authors=str(config.max_authors),
                last_publish_error="",
                **(status or {}),
            )
            if run.written or run.deleted:
                store.set_status(last_publish=now.isoformat())
            # Owed in the same transaction as the files: a run killed before it pings
            # leaves them for the next one.
            pings = store.owe_pings(config.hubs, run.feed_urls)
        clear_marker(config.output)  # committed: the store knows every file now
        deployed = _deploy(store, config, now)
        if config.deploy is not None and store.status().get(DEPLOY_NEEDED) == "1":
            pings = []  # still owed: a hub is told of a feed only once the bucket has it
        report = _report(store, config, run, pings, time.perf_counter() - started)
        return replace(report, deploy=deployed) if deployed else report


@dataclass
class _Run:
    """One publish's work, inside its transaction."""

    seeds: SeedChanges
    entries: EntryChanges
    written: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    feed_urls: list[str] = field(default_factory=list)


def _fingerprint(config: Config) -> str:
    return f"{RENDER_VERSION}:{config.render_fingerprint()}"


def _run(
    store: Store,
    config: Config,
    now: datetime,
    rebuild: bool,
    progress: Progress | None,
    settled_before_ns: int | None,
    verify: bool,
    allow_empty: bool,
) -> _Run:
    """Seeds → entries → output files, all recorded in the store's open transaction."""
    interrupted = sweep_temporaries(config.output)
    # What the last publish left, checked before this one changes anything.
    damage = check_outputs(store, config.output, not config.teasers) if verify else Damage()
    with Workers() as workers:
        seeds = sync_seeds(store, config, progress, settled_before_ns, workers, allow_empty)
        if store.status().get("max_authors") != str(config.max_authors):
            seeds.keys |= store.story_keys()  # every entry's authors are capped anew
        writer = OutputWriter(config.output)
        try:
            entries, pages_done = _reconcile(store, config, seeds, now, writer, workers)
            seeds.release()
            run = _Run(seeds, entries)
            full = (
                rebuild
                or interrupted
                or store.status().get("render_fingerprint") != _fingerprint(config)
            )
            tombstones_before = (now - timedelta(days=config.tombstone_days)).isoformat()
            expiring = store.history_expires(tombstones_before, now.isoformat())
            if pages_done or anything_to_render(
                full, entries.feeds, entries.pages, expiring, damage.damaged
            ):
                run.written, run.deleted = _write_outputs(
                    store, config, writer, entries, full, now, damage, workers, pages_done
                )
        except BaseException:
            writer.abort()
            raise
    # Damaged files rewritten with the same bytes are left as they are: take them.
    again = stat_files(config.output, sorted(set(run.written) | damage.damaged))
    removed = [*run.deleted, *damage.stale]
    store.record_files(damage.adopted + again, removed)
    if damage.adopted or again or removed:
        store.set_status(**{DEPLOY_NEEDED: "1"})  # with the files: a kill cannot lose it
    if verify:  # every file published now has its record (adopted, or written above)
        store.set_status(**{COMPLETE: "1"})
    run.feed_urls = _feed_urls(config, run.written)
    return run


def _deploy(store: Store, config: Config, now: datetime) -> DeployReport | None:
    """Put what this publish (and any earlier one not yet deployed) changed in the bucket."""
    if config.deploy is None:
        return None
    from feeds.deploy.run import deploy_pending

    return deploy_pending(store, config, now)


def _reconcile(
    store: Store,
    config: Config,
    seeds: SeedChanges,
    now: datetime,
    writer: OutputWriter,
    workers: Workers,
) -> tuple[EntryChanges, Set[str]]:
    """``reconcile``; when many entries change, their pages are rendered meanwhile on the
    workers. Returns the entry changes and the ids of the entries whose pages are staged."""
    if workers.count < 2 or len(seeds.keys) < parallel_min_docs():
        return reconcile(store, seeds, config, now), frozenset()
    # Imported here: feedgen, lxml and Jinja2 cost a tenth of a second to load, and
    # most runs (cron, the watcher's scans) have nothing to render.
    from feeds.publish.execute import pages_while_merging

    with pages_while_merging(store, config, writer, workers) as render_pages:
        entries = reconcile(store, seeds, config, now, render_pages)
    return entries, entries.pages


def _write_outputs(
    store: Store,
    config: Config,
    writer: OutputWriter,
    entries: EntryChanges,
    full: bool,
    now: datetime,
    damage: Damage,
    workers: Workers,
    pages_done: Set[str],
) -> tuple[list[str], list[str]]:
    """Plan, render and put the files in place; returns the paths written and deleted."""
    from feeds.publish.execute import render_outputs

    recorded = render_outputs(
        store, config, writer, entries, full, now, damage.damaged, workers, pages_done
    )
    written, deleted = writer.commit()
    store.record_outputs(recorded.digests, recorded.removed)
    return written, deleted


def _report(
    store: Store, config: Config, run: _Run, pings: list[tuple[str, str]], seconds: float
) -> PublishReport:
    seeds, entries = run.seeds, run.entries
    files = len(store.output_hashes()) + store.entry_count(articles_only=not config.teasers)
    return PublishReport(
        seeds=seeds.count,
        entries=store.entry_count(),
        read=seeds.read,
        rejected=tuple(error for _, error in store.rejected_seeds()),
        newly_rejected=tuple(seeds.rejected_now),
        warnings=(*seeds.warnings, *entries.warnings),
        deferred=tuple(seeds.deferred),
        added=entries.added,
        changed=entries.changed,
        removed=entries.removed,
        written=tuple(run.written),
        deleted=tuple(run.deleted),
        unchanged=files - len(run.written),
        seconds=seconds,
        feed_urls=tuple(run.feed_urls),
        pings=tuple(pings),
    )


def _feed_urls(config: Config, written: list[str]) -> list[str]:
    """Self URLs of the subscription documents written (archive pages have no hub)."""
    suffixes = tuple(f".{f}" for f in config.formats)
    return [
        absolute_url(config.base_url, p)
        for p in written
        if p.endswith(suffixes) and archive_place(p) is None
    ]


def refuse_lost_store(config: Config, store: Store | None) -> None:
    """Raise ``StoreMissingError`` when the store (``None``: no file) has never recorded
    a publish but the output folder holds one: the store was deleted or replaced."""
    if store is not None and store.status().get("last_run"):
        return
    if not any((config.output / name).is_file() for name in PUBLISHED_SIGNS):
        return
    state = "is missing" if store is None else "has no publish recorded"
    raise StoreMissingError(
        f"{config.store} {state}, but {config.output} holds an earlier publish: restore the"
        " store from a backup, or pass --new-store to start a new one (entries not dated in"
        " their seeds then get new dates)"
    )


def record_scan_failure(config: Config, now: datetime, error: str) -> None:
    """Note a failed scan in the store for ``feeds status``; best effort, as the store may be the
    thing that failed."""
    _record_failure(config, "scan", last_scan=now.isoformat(), last_scan_error=error)


def record_publish_failure(config: Config, now: datetime, error: str) -> None:
    """Note a failed ``feeds publish`` for ``feeds status`` (cleared by the next success);
    when the store is what failed, ``feeds status`` finds that out for itself."""
    _record_failure(config, "publish", last_failure=now.isoformat(), last_publish_error=error)


def _record_failure(config: Config, what: str, **values: str) -> None:
    if not config.store.is_file():
        return  # never create a store just to say that publishing failed
    try:
        with Store.open(config.store) as store, store.transaction():
            store.set_status(**values)
    except FeedsError as err:
        log.warning("could not record the failed %s in the store: %s", what, err)
