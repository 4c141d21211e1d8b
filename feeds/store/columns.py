"""Stories and entries as the store's columns, and back.

A story is kept as plain columns, not as one JSON document: a cold publish
writes and reads every story and entry at least once, and decoding whole JSON
documents was most of that cost. Paragraphs are one text column with a line
break between them (normalising folds every run of white space inside a
paragraph into one space, so a paragraph never holds one). The short lists,
authors and sources, stay JSON: names and file names may hold any character.
"""

from __future__ import annotations

import functools
import json
from datetime import date, datetime
from typing import Any

from feeds.records import (
    Author,
    Entry,
    MergedStory,
    ParsedSeed,
    Section,
    SeedFingerprint,
    StoredSeed,
    Story,
)

# Columns of ``stories`` after (source, position), in this order (see ``story_row``).
STORY_COLUMNS = (
    "key, kind, headline, section, section_slug, authors, date, summary, paragraphs, line"
)
# Columns of ``entries`` that ``entry_from_row`` reads, in this order.
ENTRY_COLUMNS = (
    "id, slug, key, origin, kind, headline, section, section_slug, authors, date, summary,"
    " paragraphs, sources, content_hash, first_seen, published, updated"
)
ENTRY_SELECT = f"SELECT {ENTRY_COLUMNS} FROM entries"


def joined_paragraphs(paragraphs: tuple[str, ...]) -> str:
    """The paragraphs as one column: a line break between each two."""
    text = "\n".join(paragraphs)
    if paragraphs and (text.count("\n") != len(paragraphs) - 1 or paragraphs == ("",)):
        # Normalising never makes such a paragraph; stored, it would not read back the same.
        raise ValueError("a paragraph holds a line break, or is the only one and empty")
    return text


def split_paragraphs(text: str) -> tuple[str, ...]:
    """Inverse of :func:`joined_paragraphs`."""
    return tuple(text.split("\n")) if text else ()


def _authors_json(authors: tuple[Author, ...]) -> str:
    return json.dumps([[a.name, a.slug] for a in authors], ensure_ascii=False)


def _common_columns(story: Story | MergedStory) -> tuple[Any, ...]:
    return (
        story.key,
        story.kind,
        story.headline,
        story.section.name,
        story.section.slug,
        _authors_json(story.authors),
        story.date.isoformat() if story.date else None,
        story.summary,
        joined_paragraphs(story.paragraphs),
    )


def story_row(story: Story) -> tuple[Any, ...]:
    """A seed's story as the ``STORY_COLUMNS`` of its row."""
    return (*_common_columns(story), story.line)


def stored_seed(parsed: ParsedSeed, fingerprint: SeedFingerprint) -> StoredSeed:
    """``parsed`` encoded for the store (done where the seed is parsed: in a worker)."""
    rows = tuple(story_row(story) for story in parsed.stories)
    return StoredSeed(fingerprint, rows, parsed.warnings)


def entry_columns(entry: Entry) -> tuple[Any, ...]:
    """An entry as the values of ``ENTRY_COLUMNS``."""
    story = entry.story
    key, *common = _common_columns(story)
    return (
        entry.id,
        entry.slug,
        key,
        story.origin,
        *common,
        json.dumps(list(story.sources), ensure_ascii=False),
        entry.content_hash,
        entry.first_seen.isoformat(),
        entry.published.isoformat(),
        entry.updated.isoformat(),
    )


# Decoding a run's stories meets the same few hundred sections and authors tens of thousands
# of times: one shared (frozen) record each halves the time and the memory it takes.
@functools.lru_cache(maxsize=4096)
def _section(name: str, slug: str) -> Section:
    return Section(name=name, slug=slug)


@functools.lru_cache(maxsize=65_536)
def _author(name: str, slug: str) -> Author:
    return Author(name=name, slug=slug)


def _authors(text: str) -> tuple[Author, ...]:
    return tuple(_author(name, slug) for name, slug in json.loads(text))


def _story_fields(
    key: str,
    kind: str,
    headline: str,
    section: str,
    section_slug: str,
    authors: str,
    day: str | None,
    summary: str,
    paragraphs: str,
) -> tuple[Any, str, str, Section, tuple[Author, ...], date | None, str, tuple[str, ...]]:
    """The fields ``Story`` and ``MergedStory`` share, in their order, from their columns."""
    return (
        kind,
        key,
        headline,
        _section(section, section_slug),
        _authors(authors),
        date.fromisoformat(day) if day else None,
        summary,
        split_paragraphs(paragraphs),
    )


def story_from_row(source: str, row: tuple[Any, ...]) -> Story:
    """A seed's story from the ``STORY_COLUMNS`` of its row."""
    return Story(*_story_fields(*row[:9]), source, row[9])


def entry_from_row(row: tuple[Any, ...]) -> Entry:
    """An ``Entry`` from a row of ``ENTRY_SELECT`` (``Store.entry_rows``)."""
    id_, slug, key, origin = row[:4]
    sources, chash, first_seen, published, updated = row[12:]
    story = MergedStory(*_story_fields(key, *row[4:12]), tuple(json.loads(sources)), origin)
    return Entry(
        id=id_,
        slug=slug,
        story=story,
        content_hash=chash,
        first_seen=datetime.fromisoformat(first_seen),
        published=datetime.fromisoformat(published),
        updated=datetime.fromisoformat(updated),
    )
