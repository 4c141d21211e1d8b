"""Merged stories → stored entries with permanent ids and honest timestamps.

Only the story keys that changed seeds held or now hold are merged again.
Each merged story continues the stored entry with the same origin file (so
editing a headline in place keeps the id), else the one with the same key;
anything left is new and gets a fresh slug and ``tag:`` id.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from feeds.config import Config
from feeds.ids import slugify, tag_uri
from feeds.merge import merge_stories
from feeds.records import Entry, MergedStory
from feeds.store import Store
from feeds.sync import SeedChanges


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

    def touch(self, entry: Entry) -> None:
        """Mark every feed ``entry`` belongs to as needing a new rendering."""
        self.feeds.add(("all", "all"))
        self.feeds.add(("section", entry.story.section.slug))
        self.feeds.update(("author", a.slug) for a in entry.story.authors)


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
    tombstones = []
    for entry in existing:
        if entry.id not in claimed:
            result.removed += 1
            result.touch(entry)
            result.gone.add(entry.slug)
            tombstones += [(stem, entry.id, now.isoformat()) for stem in feed_stems(entry)]
    store.add_tombstones(tombstones)

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
            entry = Entry(
                old.id, old.slug, story, digest, old.first_seen, published, max(updated, published)
            )
            if digest != old.content_hash:
                result.changed += 1
                result.touch(old)
                result.touch(entry)
                result.pages.add(entry.id)
            new_entries.append(entry)
            continue
        slug = _free_slug(slugify(story.headline), taken)
        taken.add(slug)
        first_seen = _first_seen(story.sources, seeds.mtimes, now)
        published = published_time(story, first_seen, zone, now)
        # Minted once and stored: later changes of base_url or authority leave it alone.
        entry_id = tag_uri(config.tag_authority, config.tag_date, f"entry/{slug}")
        entry = Entry(entry_id, slug, story, digest, first_seen, published, published)
        new_entries.append(entry)
        result.added += 1
        result.touch(entry)
        result.pages.add(entry.id)
    store.insert_entries(new_entries)
    store.clear_tombstones(e.id for e in new_entries)
    # Deleted and edited entries leave the archive pages they were on: an edited
    # one goes back to the subscription document with its new ``updated``.
    left = [e.id for e in existing if e.id not in claimed]
    left += [e.id for e in new_entries if e.id in result.pages]
    result.archive_pages = store.unarchive(left)
    return result


def feed_stems(entry: Entry) -> list[str]:
    """The paths (without extension) of every feed ``entry`` is in."""
    stems = ["all", f"sections/{entry.story.section.slug}"]
    return stems + [f"authors/{a.slug}" for a in entry.story.authors]


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
