"""Merged stories → stored entries with permanent ids and honest timestamps.

Only the story keys that changed seeds held or now hold are merged again.
Each merged story continues the stored entry with the same origin file (so
editing a headline in place keeps the id), else the one with the same key;
anything left is new and gets a fresh slug and ``tag:`` id.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from feeds.address import feed_stem
from feeds.config import Config
from feeds.ids import slugify, tag_uri
from feeds.ingest.merge import base_key, cap_authors, entry_origins, merge_stories
from feeds.ingest.scan import SeedChanges
from feeds.records import Entry, EntryRef, MergedStory
from feeds.store.db import Store

# Stories merged and stored at a time: bounds memory on a cold publish.
KEY_CHUNK = 1000


@dataclass
class EntryChanges:
    """What ``reconcile`` did to the entries, and so which files must be redone.

    ``feeds`` holds ``(kind, slug)`` of every feed an added, changed or removed
    entry was or is in; ``pages`` the ids of entries whose page must be
    rendered; ``gone`` the slugs of entries whose page must go.
    """

    added: int = 0
    changed: int = 0
    removed: int = 0
    feeds: set[tuple[str, str]] = field(default_factory=set)
    pages: set[str] = field(default_factory=set)
    gone: set[str] = field(default_factory=set)
    archive_pages: set[tuple[str, int]] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)

    def touch(self, section_slug: str, author_slugs: Iterable[str]) -> None:
        """Mark every feed an entry in that section by those authors is in for rendering."""
        self.feeds.add(("all", "all"))
        self.feeds.add(("section", section_slug))
        self.feeds.update(("author", slug) for slug in author_slugs)


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


def edited_at(last_updated: datetime, now: datetime) -> datetime:
    """The ``updated`` of an entry edited ``now``: ``now``, or a second after its last
    ``updated`` when the clock reads earlier (set back). An ``updated`` that went back
    would tell readers the edit is an older copy than the one they hold."""
    return max(now, last_updated + timedelta(seconds=1))


def reconcile(
    store: Store,
    seeds: SeedChanges,
    config: Config,
    now: datetime,
    stored: Callable[[list[Entry]], None] | None = None,
) -> EntryChanges:
    """Re-merge the affected stories and store them as entries with stable ids and times.

    Matching runs on light rows (keys, origins, ids); the stories themselves are
    merged and stored in chunks of keys, so memory stays flat on a cold publish.
    ``stored`` is given each chunk's added and changed entries once they are in the
    store (whose pages can then be rendered while the next chunk is merged).
    """
    result = EntryChanges()
    if not seeds.keys and not seeds.sources:
        return result
    keys, existing, matches = _match_stored(store, seeds)
    claimed = {ref.id for ref in matches.values()}
    store.delete_entries(ref.id for ref in existing)
    tombstones = []
    # Deleted entries leave every page they were on; their tombstones go in the feeds.
    leaving: list[tuple[str, str]] = []
    for ref in existing:
        if ref.id not in claimed:
            result.removed += 1
            result.touch(ref.section_slug, ref.author_slugs)
            result.gone.add(ref.slug)
            tombstones += [(stem, ref.id, now.isoformat()) for stem in _stems(ref)]
            leaving += [(stem, ref.id) for stem in _stems(ref)]
    store.add_tombstones(tombstones)

    # Matched entries keep their slugs even though their rows were just deleted.
    reserved = {ref.slug for ref in matches.values()}
    edited: dict[str, set[str]] = {}  # id → the feeds an edited entry is in now
    for start in range(0, len(keys), KEY_CHUNK):
        chunk = keys[start : start + KEY_CHUNK]
        merged = [
            cap_authors(story, config.max_authors)
            for story in merge_stories(store.stories_with_keys(chunk))
        ]
        result.warnings += _headline_clashes(merged, config)
        entries = _entries(store, merged, matches, reserved, seeds, config, now, result)
        store.insert_entries(entries)
        store.clear_tombstones(e.id for e in entries)
        if stored is not None:
            stored([e for e in entries if e.id in result.pages])
        edited.update(
            (e.id, set(_entry_stems(e)))
            for e in entries
            if e.id in result.pages and e.story.key in matches
        )
    # An edited entry stays on its archive pages, corrected in place (RFC 5005: a page
    # changes only for its own entries); it leaves only the feeds it is no longer in.
    before = {ref.id: set(_stems(ref)) for ref in matches.values()}
    for entry_id, stems in edited.items():
        leaving += [(stem, entry_id) for stem in before[entry_id] - stems]
    result.archive_pages = store.unarchive(leaving)
    places = store.archive_places(edited)
    result.archive_pages |= {(feed, page) for feed, page, _ in places}
    if config.corrections_days > 0:
        until = (now + timedelta(days=config.corrections_days)).isoformat()
        store.add_corrections((feed, entry_id, until) for feed, _, entry_id in sorted(places))
    return result


def _match_stored(
    store: Store, seeds: SeedChanges
) -> tuple[list[str], list[EntryRef], dict[str, EntryRef]]:
    """The story keys to merge (those that still have stories), the stored entries that
    the changed keys and seeds touch, and which of those entries each key continues.

    Takes the changed keys and seeds out of ``seeds``: merging does not need them.
    """
    changed_keys, changed_sources = seeds.take_changed()
    origins, holders, keys = _story_origins(store, changed_keys)
    existing = store.entry_refs_matching(changed_keys, changed_sources | holders)
    return keys, existing, _match(origins, existing)


def _story_origins(
    store: Store, keys: set[str]
) -> tuple[dict[str, str | None], set[str], list[str]]:
    """For the stories now headed by ``keys``: the origin file of each story key they give,
    every file holding a full article of them, and the keys that still have stories.

    The articles' digests stay in here: on a cold publish of 100,000 stories they are
    tens of MiB that merging would otherwise hold on to.
    """
    articles = store.story_articles(keys)
    # An article sharing its headline with another is found by its file (its key is its own).
    holders = {source for texts in articles.values() for source, _ in texts}
    return entry_origins(articles), holders, sorted(articles)


def _entries(
    store: Store,
    merged: list[MergedStory],
    matches: dict[str, EntryRef],
    reserved: set[str],
    seeds: SeedChanges,
    config: Config,
    now: datetime,
    result: EntryChanges,
) -> list[Entry]:
    zone = config.zone
    fresh = [m for m in merged if m.key not in matches]
    taken = store.slugs_taken(slugify(m.headline) for m in fresh) | reserved
    entries: list[Entry] = []
    for story in merged:
        digest = content_hash(story)
        old = matches.get(story.key)
        if old is not None:
            # Capped by its last ``published`` as well as by now: a clock set back never
            # moves a stored entry's date back.
            published = published_time(story, old.first_seen, zone, max(now, old.published))
            updated = old.updated if digest == old.content_hash else edited_at(old.updated, now)
            entry = Entry(
                old.id, old.slug, story, digest, old.first_seen, published, max(updated, published)
            )
            if digest != old.content_hash:
                result.changed += 1
                result.touch(old.section_slug, old.author_slugs)
                result.touch(story.section.slug, (a.slug for a in story.authors))
                result.pages.add(entry.id)
            entries.append(entry)
            continue
        slug = _free_slug(slugify(story.headline), taken)
        taken.add(slug)
        first_seen = _first_seen(story.sources, seeds.mtimes, now)
        published = published_time(story, first_seen, zone, now)
        # Minted once and stored: later changes of base_url or authority leave it alone.
        entry_id = tag_uri(config.tag_authority, config.tag_date, f"entry/{slug}")
        entries.append(Entry(entry_id, slug, story, digest, first_seen, published, published))
        result.added += 1
        result.touch(story.section.slug, (a.slug for a in story.authors))
        result.pages.add(entry_id)
    return entries


def _headline_clashes(merged: list[MergedStory], config: Config) -> list[str]:
    """One warning per headline that two different full articles share."""
    files: dict[str, list[str]] = {}
    for story in merged:
        if story.origin is not None:
            files.setdefault(base_key(story.key), []).append(story.origin)
    return [
        f"{', '.join(f'{config.seeds}/{name}' for name in names)}: different articles with"
        f" the same headline; published as {len(names)} entries"
        for names in files.values()
        if len(names) > 1
    ]


def _stems(ref: EntryRef) -> list[str]:
    return [
        feed_stem("all", "all"),
        feed_stem("section", ref.section_slug),
        *(feed_stem("author", s) for s in ref.author_slugs),
    ]


def _entry_stems(entry: Entry) -> list[str]:
    story = entry.story
    return [
        feed_stem("all", "all"),
        feed_stem("section", story.section.slug),
        *(feed_stem("author", a.slug) for a in story.authors),
    ]


def _match(origins: dict[str, str | None], existing: list[EntryRef]) -> dict[str, EntryRef]:
    """Which stored entry each story key continues: by origin file first, then by key.

    Matching by origin keeps an article's id when its headline is edited in place.
    """
    by_origin = {ref.origin: ref for ref in existing if ref.origin}
    by_key = {ref.key: ref for ref in existing}
    matches: dict[str, EntryRef] = {}
    claimed: set[str] = set()
    for key in sorted(origins):
        origin = origins[key]
        ref = by_origin.get(origin) if origin else None
        if ref is not None and ref.id not in claimed:
            matches[key] = ref
            claimed.add(ref.id)
    for key in sorted(origins):
        if key in matches:
            continue
        ref = by_key.get(key)
        if ref is not None and ref.id not in claimed:
            matches[key] = ref
            claimed.add(ref.id)
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
