"""What a publish must write: the feeds, archive pages and listings to render, and why. Pure.

The executor (``feeds.publish.execute``) reads the store once into the snapshots
below, asks ``feeds_to_render`` which feeds a run touches, reads their
histories, and gives everything to ``plan_outputs``. The plan says which
documents to render with which entries, where entries that scroll off a feed
go (RFC 5005 archive pages), which tombstones and corrections have expired,
which files to delete and which digests to record. Nothing here touches the
store, the disk or the clock: ``now`` comes in with the inputs.

A document is rendered when its digest (what it is made from: entries, their
hashes and times, its history, the settings, ``RENDER_VERSION``) differs from
the one recorded, when its file was found missing or altered, or on a full run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

from feeds.address import (
    INDEX,
    STYLESHEET,
    archive_path,
    archive_place,
    feed_path,
    feed_stem,
    opml_files,
    page_path,
)
from feeds.publish.archive import newest_first, place_overflow
from feeds.records import FeedKind, FeedRow, FeedSpec, History

# Bump when templates or rendering change, so every file is rendered again. Here, not
# in feeds.publish.execute, so a run with nothing to render never imports the renderers.
RENDER_VERSION = "3"
XSL_VERSION = "2"  # bump with templates/feed.xsl

DocKind = Literal["atom", "rss", "json", "page", "entry"]
FeedKey = tuple[str, str]  # (kind, slug)
Place = tuple[str, int]  # (feed stem, archive page)


def feed_spec(
    kind: FeedKind,
    slug: str,
    name: str,
    count: int,
    *,
    site_title: str,
    section_name: Callable[[str, str], str],
    entry_ids: Sequence[str] = (),
) -> FeedSpec:
    """The spec of one feed; ``section_name(slug, name)`` applies the config's overrides."""
    if kind == "all":
        title, subtitle = site_title, f"The latest articles from {site_title}"
    elif kind == "section":
        shown = section_name(slug, name)
        title = f"{shown} · {site_title}"
        subtitle = f"The latest {shown} articles from {site_title}"
    else:
        title = f"{name} · {site_title}"
        subtitle = f"The latest articles by {name} from {site_title}"
    return FeedSpec(kind, slug, title, subtitle, tuple(entry_ids), count)


@dataclass(frozen=True)
class Doc:
    """One file to render: a feed in one format, a listing page, or an entry's page."""

    path: str
    kind: DocKind
    ids: tuple[str, ...]  # the entries it holds, in order
    spec: FeedSpec | None = None  # None for an entry's page
    history: History | None = None


@dataclass(frozen=True)
class Settings:
    """What planning needs of the config."""

    formats: tuple[str, ...]
    max_entries: int
    corrections: bool
    fingerprint: str  # the config's render fingerprint

    @property
    def base(self) -> tuple[str, str]:
        return (RENDER_VERSION, self.fingerprint)


@dataclass(frozen=True)
class Changes:
    """What reconciling the seeds changed: feeds ``(kind, slug)`` whose entries changed,
    archive pages an edit or deletion touched, and the ids of entries to render."""

    feeds: frozenset[FeedKey] = frozenset()
    archive_pages: frozenset[Place] = frozenset()
    entries: frozenset[str] = frozenset()


@dataclass(frozen=True)
class FeedHistory:
    """One feed as the store holds it, before this run's archiving and expiries."""

    window: tuple[FeedRow, ...]  # newest unarchived entries, at most max_entries
    overflow: tuple[str, ...] = ()  # ids of unarchived entries beyond the window, oldest first
    corrections: tuple[tuple[FeedRow, str], ...] = ()  # (row, until): edited archived entries
    tombstones: tuple[tuple[str, str], ...] = ()  # (entry id, deleted), oldest first
    pages: int = 0  # archive pages
    on_newest: int = 0  # entries on the newest page
    updated: str = ""  # the newest <updated> its subscription document has carried


@dataclass(frozen=True)
class PlanInputs:
    """The snapshots a plan is made from."""

    settings: Settings
    now: datetime
    tombstones_before: datetime
    catalog: tuple[FeedSpec, ...]  # every feed, with its count and stored id
    todo: tuple[FeedSpec, ...]  # those to render (``feeds_to_render``)
    histories: Mapping[str, FeedHistory]  # by stem: every feed in ``todo``, and ``all``
    archive_pages: Mapping[str, int]  # stem → pages, for the feeds whose pages may be rendered
    stored: Mapping[str, str]  # path → digest recorded by the last run
    changes: Changes
    damaged: frozenset[str] = frozenset()  # published files found missing or altered
    full: bool = False


@dataclass(frozen=True)
class OutputPlan:
    """What to render and record; see the module docstring."""

    docs: tuple[Doc, ...]  # feeds and their listing pages, in render order
    archive_pages: tuple[Place, ...]  # archive pages to render (``archive_page_doc``)
    page_counts: Mapping[str, int]  # stem → archive pages, after this run's moves
    listings: tuple[str, ...]  # index.html, OPML lists, feed.xsl: to write
    archive_moves: Mapping[str, tuple[int, tuple[tuple[int, str], ...]]]  # stem → (pages, placed)
    digests: Mapping[str, str]  # to record for every document considered
    removed: tuple[str, ...]  # files to delete
    forget: tuple[str, ...] = ()  # feeds gone: their history goes
    keep_only: tuple[str, ...] | None = None  # full run: every other feed's history goes
    considered: int = 0
    all_rows: tuple[FeedRow, ...] = field(default=())  # the main feed's, for index.html
    feed_updated: Mapping[str, str] = field(default_factory=dict)  # stem → its new <updated>


def digest(*parts: object) -> str:
    """A digest of what a document is made from."""
    return hashlib.sha256(json.dumps(parts, default=str, ensure_ascii=False).encode()).hexdigest()


def files_of(spec: FeedSpec, formats: Sequence[str]) -> list[str]:
    """Every file of one feed: a document per format and its HTML page."""
    return [feed_path(spec, fmt) for fmt in formats] + [page_path(spec)]


def anything_to_render(
    full: bool,
    changed_feeds: Collection[FeedKey],
    changed_entries: Collection[str],
    expiring: bool,
    damaged: Collection[str],
) -> bool:
    """Whether a run has anything to plan at all; most runs (an idle scan) have not."""
    return full or bool(changed_feeds or changed_entries or expiring or damaged)


def feeds_to_render(
    catalog: Sequence[FeedSpec],
    changes: Changes,
    expiring: set[str],
    damaged: frozenset[str],
    formats: Sequence[str],
    full: bool,
) -> tuple[FeedSpec, ...]:
    """The feeds a run renders: all on a full run; else those whose entries, history or
    files changed, and those whose tombstones or corrections expire."""
    if full:
        return tuple(catalog)
    stems = expiring | {stem for stem, _ in changes.archive_pages}
    return tuple(
        spec
        for spec in catalog
        if (spec.kind, spec.slug) in changes.feeds
        or spec.stem in stems
        or not damaged.isdisjoint(files_of(spec, formats))
    )


def plan_outputs(inputs: PlanInputs) -> OutputPlan:
    """The whole plan of one run (see the module docstring)."""
    pages_of = dict(inputs.archive_pages)
    moves = _archive_moves(inputs)
    pages_of.update((stem, pages) for stem, (pages, _) in moves.items())
    touched = set(inputs.changes.archive_pages) | {
        place for p in inputs.damaged if (place := archive_place(p)) is not None
    }
    for stem, (pages, placed) in moves.items():
        # The pages that got entries, the new ones, and the old newest page: it links
        # its successor.
        touched |= {(stem, page) for page, _ in placed}
        touched |= {(stem, p) for p in range(max(inputs.histories[stem].pages, 1), pages + 1)}
    docs: list[tuple[str, Doc]] = []  # (the feed's updated, doc): the render order
    digests: dict[str, str] = {}
    feed_updated: dict[str, str] = {}
    for spec in inputs.todo:
        rows = _subscription_rows(inputs, spec.stem)
        newest, feed_docs = _feed_docs(inputs, spec, rows, pages_of.get(spec.stem), digests)
        docs += feed_docs
        if newest > inputs.histories[spec.stem].updated:
            feed_updated[spec.stem] = newest
    by_stem = {spec.stem: spec for spec in inputs.catalog}
    every_page = {(f, p) for f, n in pages_of.items() if f in by_stem for p in range(1, n + 1)}
    wanted = every_page if inputs.full else touched & every_page
    all_rows = _subscription_rows(inputs, "all")
    listings = _listing_digests(inputs, all_rows, digests)
    docs.sort(key=lambda pair: (pair[0], pair[1].path))
    return OutputPlan(
        docs=tuple(doc for _, doc in docs if is_stale(inputs, doc.path, digests[doc.path])),
        archive_pages=_in_render_order(wanted, pages_of)
        if "atom" in inputs.settings.formats
        else (),
        page_counts=pages_of,
        listings=tuple(p for p in listings if is_stale(inputs, p, digests[p])),
        archive_moves=moves,
        digests=digests,
        removed=_removed(inputs, by_stem, listings),
        forget=_forgotten(inputs),
        keep_only=tuple(sorted(by_stem)) if inputs.full else None,
        considered=len(inputs.todo),
        all_rows=tuple(all_rows),
        feed_updated=feed_updated,
    )


def _in_render_order(
    pages: set[tuple[str, int]], counts: dict[str, int]
) -> tuple[tuple[str, int], ...]:
    """Archive pages in the order of the part of history they hold, across feeds: page p
    of a feed with n pages holds about the (p - 1/2)/n quantile of its entries' time, so
    the pages of ``all``, a section and an author that share entries are rendered near
    each other, and each entry's Atom fragment is built once while it is still in the
    render cache (sorted by feed, each was built once per feed)."""
    return tuple(sorted(pages, key=lambda page: ((page[1] - 0.5) / counts[page[0]], page)))


def is_stale(inputs: PlanInputs, path: str, new_digest: str) -> bool:
    """Whether a document must be rendered: a full run, a new digest, or its file damaged."""
    return inputs.full or inputs.stored.get(path) != new_digest or path in inputs.damaged


def archive_page_doc(
    settings: Settings,
    feed: FeedSpec,
    page: int,
    pages: int,
    rows: Sequence[FeedRow],
    updated: str = "",
) -> tuple[Doc, str, str]:
    """Archive page ``page`` of ``pages`` of a feed (RFC 5005), holding ``rows`` (newest
    first), its digest and its ``<updated>``: its entries' newest, never older than the
    ``updated`` it carried before (its newest entry may have been deleted since)."""
    spec = replace(feed, entry_ids=tuple(r.id for r in rows))
    spec = replace(spec, title=f"{spec.title} · archive {page}", count=0)
    of_entries = max((r.updated for r in rows), default="")
    newest = max(of_entries, updated)
    left = [newest] if newest > of_entries else []
    history = History(
        page=page,
        prev_archive=archive_path(spec, page - 1) if page > 1 else None,
        next_archive=archive_path(spec, page + 1) if page < pages else None,
        updated=datetime.fromisoformat(newest) if left else None,
    )
    path = archive_path(spec, page)
    doc = Doc(path, "atom", spec.entry_ids, spec, history)
    return doc, digest(settings.base, "archive", spec, list(rows), history, *left), newest


def _archive_moves(inputs: PlanInputs) -> dict[str, tuple[int, tuple[tuple[int, str], ...]]]:
    """Entries beyond each rendered feed's window go onto its archive pages (Atom only)."""
    moves: dict[str, tuple[int, tuple[tuple[int, str], ...]]] = {}
    if "atom" not in inputs.settings.formats:
        return moves
    for spec in inputs.todo:
        history = inputs.histories[spec.stem]
        pages, placed = place_overflow(
            history.pages, history.on_newest, history.overflow, inputs.settings.max_entries
        )
        if pages != history.pages or placed:
            moves[spec.stem] = (pages, tuple(placed))
    return moves


def _subscription_rows(inputs: PlanInputs, stem: str) -> list[FeedRow]:
    """A subscription document's entries: its window, and its archived entries corrected
    lately (until their time is up), newest first."""
    history = inputs.histories.get(stem)
    if history is None:
        return []
    rows = list(history.window)
    if inputs.settings.corrections:
        now = inputs.now.isoformat()
        rows += [row for row, until in history.corrections if until > now]
    return newest_first(rows)


def _feed_docs(
    inputs: PlanInputs,
    spec: FeedSpec,
    rows: list[FeedRow],
    last_page: int | None,
    digests: dict[str, str],
) -> tuple[str, list[tuple[str, Doc]]]:
    """The documents of one feed: a subscription document per format and its page; and
    the feed's ``<updated>``."""
    spec = replace(spec, entry_ids=tuple(r.id for r in rows))
    before = inputs.tombstones_before.isoformat()
    history = inputs.histories[spec.stem]
    shown = [(i, d) for i, d in history.tombstones if d >= before]
    # The newest change a reader can see: an entry's, or a deletion's. Never older than
    # the document said before: what made it newest may have left it since.
    of_entries = max((r.updated for r in rows), default="")
    newest = max([of_entries, history.updated, *(d for _, d in shown)])
    changes = inputs.changes.entries
    if any(r.id in changes and r.updated < history.updated for r in rows):
        # An entry added now whose own date is older than the feed's (an article that
        # arrives late, dated by its byline or its file): the date of the run says so.
        newest = max(newest, inputs.now.isoformat())
    # A feed that has never held anything (the main feed before the first article) is
    # dated when first published, not 1970; kept from then on like any feed's date.
    newest = newest or inputs.now.isoformat()
    left = [newest] if newest > of_entries else []
    feed_history = History(
        complete=last_page is None,
        prev_archive=archive_path(spec, last_page) if last_page else None,
        tombstones=tuple((i, datetime.fromisoformat(d)) for i, d in shown),
        updated=datetime.fromisoformat(newest) if left else None,
    )
    base = inputs.settings.base
    out: list[tuple[str, Doc]] = []
    for fmt in inputs.settings.formats:
        extra = feed_history if fmt == "atom" else None
        path = feed_path(spec, fmt)
        digests[path] = digest(base, "feed", fmt, spec, rows, extra, *left)
        out.append((newest, Doc(path, fmt, spec.entry_ids, spec, feed_history)))  # type: ignore[arg-type]
    if spec.kind != "all":
        path = page_path(spec)
        digests[path] = digest(base, "page", spec, rows)
        out.append((newest, Doc(path, "page", spec.entry_ids, spec)))
    return newest, out


def _listing_digests(
    inputs: PlanInputs, all_rows: list[FeedRow], digests: dict[str, str]
) -> list[str]:
    """index.html, the OPML lists and the stylesheet: their digests; returns their paths."""
    base = inputs.settings.base
    listing = [(s.kind, s.slug, s.title, s.count) for s in inputs.catalog]
    digests[INDEX] = digest(base, "index", listing, all_rows)
    lists = opml_files(inputs.settings.formats)
    for path in lists:
        digests[path] = digest(base, "opml", [row[:3] for row in listing])
    digests[STYLESHEET] = digest(base, "xsl", XSL_VERSION)
    return [INDEX, *lists, STYLESHEET]


def _removed(
    inputs: PlanInputs, by_stem: Mapping[str, FeedSpec], listings: list[str]
) -> tuple[str, ...]:
    """Files of feeds that no longer exist (an author with no entries left). Archive pages
    of a live feed never go; everything of a feed that is gone does."""
    formats = inputs.settings.formats
    live = {p for s in inputs.catalog for p in files_of(s, formats)} | set(listings)
    gone = []
    for path in sorted(inputs.stored):
        place = archive_place(path)
        if path not in live and (place is None or place[0] not in by_stem):
            gone.append(path)
    return tuple(gone)


def _forgotten(inputs: PlanInputs) -> tuple[str, ...]:
    """Feeds an incremental run saw go: their history goes, so one that comes back starts
    anew (a full run keeps only the catalog's, ``keep_only``)."""
    if inputs.full:
        return ()
    live = {(s.kind, s.slug) for s in inputs.catalog}
    gone = inputs.changes.feeds - live
    return tuple(sorted(feed_stem(kind, slug) for kind, slug in gone))
