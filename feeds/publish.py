"""One publish: seeds → store → plan → render → output. The one place the stages meet.

Each run does work in proportion to what changed:

1. ``sync_seeds``: stat every seed; read, hash and normalise only those whose
   size or mtime moved; record fingerprints, stories and rejections.
2. ``reconcile``: re-merge only the story keys those seeds held or now hold,
   and give each merged story its permanent id and honest timestamps.
3. ``render_outputs``: plan every feed, and render only the files whose
   inputs (entries, timestamps, settings) have a new digest.

Everything happens in one store transaction that commits after the files are
in place, so a run that dies is simply redone by the next one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time as clock
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from feeds.check import check_feed
from feeds.config import Config
from feeds.errors import ConfigError, SeedError
from feeds.ids import slugify, tag_uri
from feeds.merge import merge_stories
from feeds.pages import PageRenderer, render_opml
from feeds.plan import plan_feeds
from feeds.records import Entry, EntrySummary, FeedSpec, MergedStory, SeedFingerprint, Site
from feeds.render import entry_page_path, feed_path, page_path, render_feed
from feeds.seeds import read_seed, scan_seeds
from feeds.store import SeedState, Store, publish_lock
from feeds.write import OutputWriter, sweep_temporaries

log = logging.getLogger(__name__)

# Bump when templates or rendering change, so every file is rendered again.
RENDER_VERSION = "1"
OUTPUT_FOLDERS = ("sections", "authors", "entries")

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class PublishReport:
    """What one publish did; the CLI and the watcher turn it into messages and exit codes."""

    seeds: int
    entries: int
    read: int = 0
    rejected: tuple[str, ...] = ()  # every seed currently rejected, one line each
    newly_rejected: tuple[str, ...] = ()  # rejected by this run (their files changed)
    warnings: tuple[str, ...] = ()
    added: int = 0
    changed: int = 0
    removed: int = 0
    written: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    unchanged: int = 0
    seconds: float = 0.0
    feed_urls: tuple[str, ...] = field(default=())  # self URLs of rewritten feeds

    @property
    def ok(self) -> bool:
        return not self.rejected

    def summary(self) -> str:
        """The one-line summary ``feeds publish`` prints."""
        return (
            f"{self.entries} entries from {self.seeds} seeds: {len(self.written)} files written,"
            f" {self.unchanged} unchanged, {len(self.rejected)} rejected in {self.seconds:.1f} s"
        )


@dataclass
class SeedChanges:
    """What ``sync_seeds`` found: the story keys and seeds whose entries must be redone."""

    keys: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)
    mtimes: dict[str, int] = field(default_factory=dict)
    read: int = 0
    rejected_now: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    count: int = 0


@dataclass
class EntryChanges:
    """What ``reconcile`` did to the entries."""

    added: int = 0
    changed: int = 0
    removed: int = 0


def site_from_config(config: Config, hubs: tuple[str, ...] = ()) -> Site:
    """The rendering view of the config."""
    return Site(
        title=config.title,
        base_url=config.base_url,
        tag_authority=config.tag_authority,
        tag_date=config.tag_date,
        language=config.language,
        formats=config.formats,
        hubs=hubs,
        section_names=config.section_names,
    )


def publish(
    config: Config,
    now: datetime,
    *,
    wait: float = 0.0,
    rebuild: bool = False,
    progress: Progress | None = None,
) -> PublishReport:
    """Bring ``config.output`` up to date with ``config.seeds``; see the module docstring."""
    started = clock.perf_counter()
    now = now.astimezone(UTC).replace(microsecond=0)
    if not config.seeds.is_dir():
        raise ConfigError(config.source, "publish.seeds", f"{config.seeds} is not a folder")
    with publish_lock(config.store, wait), Store.open(config.store) as store:
        with store.transaction():
            sweep_temporaries(config.output, OUTPUT_FOLDERS)
            seeds = sync_seeds(store, config, progress)
            entries = reconcile(store, seeds, config, now)
            writer = OutputWriter(config.output)
            try:
                hashes, obsolete = render_outputs(store, config, writer, rebuild)
                written, deleted = writer.commit()
            except BaseException:
                writer.abort()
                raise
            store.record_outputs(hashes, obsolete)
            store.set_status(last_publish=now.isoformat())
        rejected = tuple(f"{config.seeds / p}: {e}" for p, e in store.rejected_seeds())
        total = store.entry_count()
    feed_files = [p for p in written if p.endswith(tuple(f".{f}" for f in config.formats))]
    return PublishReport(
        seeds=seeds.count,
        entries=total,
        read=seeds.read,
        rejected=rejected,
        newly_rejected=tuple(seeds.rejected_now),
        warnings=tuple(seeds.warnings),
        added=entries.added,
        changed=entries.changed,
        removed=entries.removed,
        written=tuple(written),
        deleted=tuple(deleted),
        unchanged=len(hashes) - len(written),
        seconds=clock.perf_counter() - started,
        feed_urls=tuple(config.base_url + p for p in feed_files),
    )


def sync_seeds(store: Store, config: Config, progress: Progress | None = None) -> SeedChanges:
    """Read the seeds whose size or mtime changed; record stories, rejections and deletions."""
    changes = SeedChanges()
    known = store.seed_states()
    present = {e.name: e for e in scan_seeds(config.seeds)}
    changes.count = len(present)
    changes.mtimes = {name: e.stat().st_mtime_ns for name, e in present.items()}
    to_read = []
    for name, dir_entry in present.items():
        state = known.get(name)
        st = dir_entry.stat()
        if state is None or (state.fingerprint.size, state.fingerprint.mtime_ns) != (
            st.st_size,
            st.st_mtime_ns,
        ):
            to_read.append(name)
    for done, name in enumerate(to_read, start=1):
        _sync_one(store, config, name, known, changes)
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
    store: Store, config: Config, name: str, known: Mapping[str, SeedState], changes: SeedChanges
) -> None:
    path = config.seeds / name
    changes.read += 1
    try:
        parsed, fingerprint = read_seed(path, name, config.max_seed_bytes)
    except SeedError as err:
        # Keep the last good stories (published entries stay as they were) and
        # remember this version, so it is reported once rather than re-read.
        try:
            st = path.stat()
            fingerprint = SeedFingerprint(name, st.st_size, st.st_mtime_ns, "")
        except OSError:
            return
        store.put_seed(fingerprint, str(err).removeprefix(f"{path}: "))
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


def content_hash(story: MergedStory) -> str:
    """Digest of what a reader sees of a story; a new one means a new ``updated``."""
    shown = [
        story.kind,
        story.headline,
        [story.section.name, story.section.slug],
        [[a.name, a.slug] for a in story.authors],
        story.date.isoformat() if story.date else None,
        story.summary,
        list(story.paragraphs),
    ]
    return hashlib.sha256(json.dumps(shown, ensure_ascii=False).encode()).hexdigest()


def published_time(
    story: MergedStory, first_seen: datetime, zone: ZoneInfo, now: datetime
) -> datetime:
    """The byline date at midnight in the site's zone, else when first seen; never in the future."""
    if story.date is not None:
        value = datetime.combine(story.date, time(0), tzinfo=zone).astimezone(UTC)
    else:
        value = first_seen
    return min(value, now)


def reconcile(store: Store, seeds: SeedChanges, config: Config, now: datetime) -> EntryChanges:
    """Re-merge the affected stories and store them as entries with stable ids and times."""
    zone = config.zone
    result = EntryChanges()
    if not seeds.keys and not seeds.sources:
        return result
    merged = merge_stories(store.stories_with_keys(seeds.keys))
    existing = store.entries_matching(seeds.keys, seeds.sources)
    matches = _match(merged, existing)
    claimed = {e.id for e in matches.values()}
    store.delete_entries(e.id for e in existing)
    result.removed = sum(1 for e in existing if e.id not in claimed)

    fresh = [m for m in merged if m.key not in matches]
    # Matched entries keep their slugs even though their rows were just deleted.
    taken = store.slugs_taken(slugify(m.headline) for m in fresh) | {
        e.slug for e in matches.values()
    }
    new_entries: list[Entry] = []
    for story in merged:
        digest = content_hash(story)
        old = matches.get(story.key)
        if old is not None:
            published = published_time(story, old.first_seen, zone, now)
            updated = old.updated if digest == old.content_hash else now
            result.changed += digest != old.content_hash
            new_entries.append(
                Entry(
                    old.id,
                    old.slug,
                    story,
                    digest,
                    old.first_seen,
                    published,
                    max(updated, published),
                )
            )
            continue
        slug = _free_slug(slugify(story.headline), taken)
        taken.add(slug)
        first_seen = _first_seen(story.sources, seeds.mtimes, now)
        published = published_time(story, first_seen, zone, now)
        # Minted once and stored: later changes of base_url or authority leave it alone.
        entry_id = tag_uri(config.tag_authority, config.tag_date, f"entry/{slug}")
        new_entries.append(Entry(entry_id, slug, story, digest, first_seen, published, published))
        result.added += 1
    store.insert_entries(new_entries)
    return result


def _match(merged: list[MergedStory], existing: list[Entry]) -> dict[str, Entry]:
    """Which stored entry each merged story continues: by origin file first, then by key.

    Matching by origin keeps an article's id when its headline is edited in place.
    """
    by_origin = {e.story.origin: e for e in existing if e.story.origin}
    by_key = {e.story.key: e for e in existing}
    matches: dict[str, Entry] = {}
    claimed: set[str] = set()
    for story in merged:
        entry = by_origin.get(story.origin) if story.origin else None
        if entry is not None and entry.id not in claimed:
            matches[story.key] = entry
            claimed.add(entry.id)
    for story in merged:
        if story.key in matches:
            continue
        entry = by_key.get(story.key)
        if entry is not None and entry.id not in claimed:
            matches[story.key] = entry
            claimed.add(entry.id)
    return matches


def _free_slug(base: str, taken: set[str]) -> str:
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def _first_seen(sources: Iterable[str], mtimes: dict[str, int], now: datetime) -> datetime:
    known = [mtimes[s] for s in sources if s in mtimes]
    if not known:
        return now
    seen = datetime.fromtimestamp(min(known) // 1_000_000_000, tz=UTC)
    return min(seen, now)


def _digest(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, default=str, ensure_ascii=False).encode()).hexdigest()


def _entry_inputs(summaries: dict[str, EntrySummary], ids: Iterable[str]) -> list[object]:
    return [
        [i, summaries[i].content_hash, summaries[i].published, summaries[i].updated] for i in ids
    ]


def render_outputs(
    store: Store, config: Config, writer: OutputWriter, rebuild: bool = False
) -> tuple[dict[str, str], list[str]]:
    """Render and stage every output file whose inputs changed.

    Returns the digest of every file that should exist (to record in the
    store) and the files that should no longer exist.
    """
    site = site_from_config(config)
    summaries = {s.id: s for s in store.entry_summaries()}
    specs = plan_feeds(
        list(summaries.values()),
        site_title=config.title,
        max_entries=config.max_entries,
        section_name=config.section_name,
        include_teasers=config.teasers,
    )
    base = (RENDER_VERSION, config.render_fingerprint())
    wanted: dict[str, tuple[str, Callable[[dict[str, Entry]], bytes], tuple[str, ...]]] = {}
    pages = PageRenderer(site)

    def feed_renderer(spec: FeedSpec, fmt: str) -> Callable[[dict[str, Entry]], bytes]:
        def render(entries: dict[str, Entry]) -> bytes:
            data = render_feed(fmt, spec, [entries[i] for i in spec.entry_ids], site)
            check_feed(fmt, data, feed_path(spec, fmt))
            return data

        return render

    def listing_renderer(spec: FeedSpec) -> Callable[[dict[str, Entry]], bytes]:
        if spec.kind == "all":
            return lambda entries: pages.index(specs, [entries[i] for i in spec.entry_ids])
        return lambda entries: pages.listing(spec, [entries[i] for i in spec.entry_ids])

    def entry_renderer(entry_id: str) -> Callable[[dict[str, Entry]], bytes]:
        return lambda entries: pages.entry(entries[entry_id])

    all_specs = [(s.kind, s.slug, s.title, len(s.entry_ids)) for s in specs]
    for spec in specs:
        inputs = _entry_inputs(summaries, spec.entry_ids)
        for fmt in config.formats:
            digest = _digest(base, "feed", fmt, spec, inputs)
            wanted[feed_path(spec, fmt)] = (digest, feed_renderer(spec, fmt), spec.entry_ids)
        extra = all_specs if spec.kind == "all" else None
        digest = _digest(base, "page", spec, inputs, extra)
        wanted[page_path(spec)] = (digest, listing_renderer(spec), spec.entry_ids)
    wanted["feeds.opml"] = (
        _digest(base, "opml", all_specs),
        lambda _entries: render_opml(specs, site),
        (),
    )
    shown = [i for i, s in summaries.items() if config.teasers or s.kind == "article"]
    for entry_id in shown:
        summary = summaries[entry_id]
        digest = _digest(base, "entry", _entry_inputs(summaries, [entry_id]))
        wanted[entry_page_path(summary.slug)] = (digest, entry_renderer(entry_id), (entry_id,))

    stored = store.output_hashes()
    todo = [
        path
        for path, (digest, _, _) in sorted(wanted.items())
        if rebuild or stored.get(path) != digest or not (config.output / path).exists()
    ]
    needed = {i for path in todo for i in wanted[path][2]}
    entries = store.entries_by_id(needed)
    for path in todo:
        writer.put(path, wanted[path][1](entries))
    obsolete = sorted(stored.keys() - wanted.keys())
    for path in obsolete:
        writer.remove(path)
    log.debug(
        "%d files to consider, %d rendered, %d obsolete", len(wanted), len(todo), len(obsolete)
    )
    return {path: w[0] for path, w in wanted.items()}, obsolete
