"""Typed records that flow between the stages, named for the stage they come from.

``Story`` (one seed's article or teaser) → ``MergedStory`` (one story across
the corpus) → ``Entry`` (a stored story with its id and timestamps) →
``FeedSpec`` (one feed to render). All are frozen and hold only tuples,
strings and aware datetimes, so they hash, compare and serialise
deterministically.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, NamedTuple

from feeds.address import absolute_url, feed_stem

Kind = Literal["article", "teaser"]
FeedKind = Literal["all", "section", "author"]


@dataclass(frozen=True)
class Section:
    """A section of the site: display name and URL-safe slug."""

    name: str
    slug: str


@dataclass(frozen=True)
class Author:
    """A byline name and its URL-safe slug."""

    name: str
    slug: str


@dataclass(frozen=True)
class Story:
    """One article or teaser exactly as one seed file tells it.

    ``key`` is the folded headline that identifies the story across files;
    ``line`` is the line of its headline in ``source``.
    """

    kind: Kind
    key: str
    headline: str
    section: Section
    authors: tuple[Author, ...]
    date: date | None
    summary: str
    paragraphs: tuple[str, ...]
    source: str
    line: int


@dataclass(frozen=True)
class ParsedSeed:
    """Everything one seed file yields: its main article and its teasers."""

    source: str
    article: Story
    teasers: tuple[Story, ...]
    warnings: tuple[str, ...] = ()

    @property
    def stories(self) -> tuple[Story, ...]:
        return (self.article, *self.teasers)


@dataclass(frozen=True)
class MergedStory:
    """One story across the corpus: a full article wins over teasers of it.

    ``origin`` is the seed file holding the full article (``None`` for a
    story known only from teasers); it lets an entry keep its identity when
    the headline is edited in place.
    """

    kind: Kind
    key: str
    headline: str
    section: Section
    authors: tuple[Author, ...]
    date: date | None
    summary: str
    paragraphs: tuple[str, ...]
    sources: tuple[str, ...]
    origin: str | None


@dataclass(frozen=True)
class Entry:
    """A published story: permanent id and slug, and its timestamps (aware, UTC).

    ``first_seen`` is when the story was first published; ``published`` is its
    byline date when it has one, else ``first_seen``.
    """

    id: str
    slug: str
    story: MergedStory
    content_hash: str
    first_seen: datetime
    published: datetime
    updated: datetime


@dataclass(frozen=True)
class EntryRef:
    """A stored entry without its story: what matching and change tracking need."""

    id: str
    slug: str
    key: str
    origin: str | None
    content_hash: str
    first_seen: datetime
    published: datetime
    updated: datetime
    section_slug: str
    author_slugs: tuple[str, ...]


@dataclass(frozen=True)
class FeedSpec:
    """One feed to render (in every configured format) and its HTML page."""

    kind: FeedKind
    slug: str
    title: str
    subtitle: str
    entry_ids: tuple[str, ...]
    count: int = 0  # entries it would hold without the max_entries cap
    id: str = ""  # its atom:id, minted once and stored (see Store.feed_ids)

    @property
    def stem(self) -> str:
        """Path of the feed without extension, relative to the output folder."""
        return feed_stem(self.kind, self.slug)


@dataclass(frozen=True)
class SeedFingerprint:
    """What the store remembers of a seed file to tell whether it changed."""

    path: str
    size: int
    mtime_ns: int
    sha256: str


@dataclass(frozen=True)
class StoredSeed:
    """A parsed seed as the store keeps it: each story's row, the article first.

    Made where the seed is parsed (a worker process on a large run), so the
    publisher only moves strings into the store. Each row starts with the
    story's key (see ``feeds.store.columns.story_row``).
    """

    fingerprint: SeedFingerprint
    stories: tuple[tuple[Any, ...], ...]
    warnings: tuple[str, ...] = ()


def story_to_json(story: Story | MergedStory) -> dict[str, Any]:
    """The JSON shape ``feeds inspect`` shows."""
    data: dict[str, Any] = {
        "kind": story.kind,
        "key": story.key,
        "headline": story.headline,
        "section": {"name": story.section.name, "slug": story.section.slug},
        "authors": [{"name": a.name, "slug": a.slug} for a in story.authors],
        "date": story.date.isoformat() if story.date else None,
        "summary": story.summary,
        "paragraphs": list(story.paragraphs),
    }
    if isinstance(story, MergedStory):
        data["sources"] = list(story.sources)
        data["origin"] = story.origin
    else:
        data["source"] = story.source
        data["line"] = story.line
    return data


@dataclass(frozen=True)
class Site:
    """What rendering needs to know about the site (from the config)."""

    title: str
    base_url: str
    tag_authority: str
    tag_date: str
    language: str
    formats: tuple[str, ...]
    hubs: tuple[str, ...] = ()
    section_names: tuple[tuple[str, str], ...] = ()
    stylesheet: str | None = None  # path of the XSLT that feeds carry for browsers

    def url(self, path: str) -> str:
        """The absolute URL of a file under the output folder."""
        return absolute_url(self.base_url, path)

    def section_name(self, slug: str, default: str) -> str:
        """A section's display name after the config's overrides."""
        for known, name in self.section_names:
            if known == slug:
                return name
        return default


@dataclass(frozen=True)
class History:
    """Where an Atom document stands in its feed's history (RFC 5005) and what left it (RFC 6721).

    A subscription document is ``complete`` when it holds every entry, else it
    links ``prev_archive``. An archive page has ``page`` set, links ``current``
    and its neighbours. ``tombstones`` are ``(entry id, when deleted)``. ``updated``
    is the document's ``<updated>`` when its entries' newest is older: what made it
    newest has left (a deletion, an entry moved to another feed).
    """

    complete: bool = False
    prev_archive: str | None = None
    next_archive: str | None = None
    page: int | None = None
    tombstones: tuple[tuple[str, datetime], ...] = ()
    # Out of the repr, which digests are made from: a document without it keeps its digest.
    updated: datetime | None = field(default=None, repr=False)


class CatalogRow(NamedTuple):
    """A feed as the store lists it: ``kind`` all, section or author, and how many
    entries it has."""

    kind: str
    slug: str
    name: str
    entries: int


class FeedRow(NamedTuple):
    """An entry as a feed or archive page holds it: what its order and digest need."""

    id: str
    content_hash: str
    published: str  # ISO 8601 in UTC: text order is time order
    updated: str
