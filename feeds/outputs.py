"""The store's entries → the files of the output folder, rendering only what changed.

An incremental run redoes only the feeds an added, changed or removed entry
was or is in (with their pages), the index and OPML when the list of feeds
changed, and the pages of the entries that changed; a full run (the first,
after a settings change, or ``--rebuild``) redoes everything. Each feed and
listing page has a digest of what it is rendered from (entry ids, hashes and
times, settings, ``RENDER_VERSION``): it is rendered only when that digest
moved or the file is missing, and written only when its bytes differ from
what is on disk. Entry pages are rendered in batches, so memory stays flat
however many there are.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from feeds.address import (
    archive_path,
    archive_place,
    entry_page_path,
    entry_page_slug,
    feed_path,
    page_path,
)
from feeds.archive import newest_first, place_overflow
from feeds.config import Config
from feeds.history_store import FeedRow
from feeds.ids import tag_uri
from feeds.jobs import Dispatcher, Doc
from feeds.pages import PageRenderer, opml_files, render_opml
from feeds.plan import RENDER_VERSION, feed_spec
from feeds.reconcile import EntryChanges
from feeds.records import FeedSpec, Site
from feeds.render import History
from feeds.store import Store
from feeds.write import OutputWriter

log = logging.getLogger(__name__)

ENTRY_BATCH = 500
STYLESHEET = "feed.xsl"
XSL_VERSION = "2"  # bump with templates/feed.xsl


def site_from_config(config: Config) -> Site:
    """The rendering view of the config."""
    return Site(
        title=config.title,
        base_url=config.base_url,
        tag_authority=config.tag_authority,
        tag_date=config.tag_date,
        language=config.language,
        formats=config.formats,
        hubs=config.hubs,
        section_names=config.section_names,
        stylesheet=urlsplit(config.base_url).path + STYLESHEET,
    )


def _digest(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, default=str, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True)
class OutputPlan:
    """What ``render_outputs`` staged: digests to record and paths it removed."""

    digests: dict[str, str]
    removed: list[str]
    considered: int


def render_outputs(
    store: Store,
    config: Config,
    writer: OutputWriter,
    changes: EntryChanges,
    full: bool,
    now: datetime,
    damaged: frozenset[str] | set[str] = frozenset(),
) -> OutputPlan:
    """Render and stage the files ``changes`` affect (every file when ``full``), and the
    ``damaged`` ones: published files found missing or altered."""
    site = site_from_config(config)
    pages = PageRenderer(site)
    articles_only = not config.teasers
    size = config.max_entries
    base = (RENDER_VERSION, config.render_fingerprint())
    stored = store.output_hashes()
    catalog = [
        feed_spec(
            kind,  # type: ignore[arg-type]
            slug,
            name,
            count,
            site_title=config.title,
            section_name=config.section_name,
        )
        for kind, slug, name, count in store.feed_catalog(articles_only)
    ]
    # Feed ids are minted once, like entry ids: a later change of base_url leaves them.
    feed_ids = store.feed_ids(
        [s.stem for s in catalog],
        lambda stem: tag_uri(config.tag_authority, config.tag_date, f"feed/{stem}"),
    )
    catalog = [replace(s, id=feed_ids[s.stem]) for s in catalog]
    by_key: dict[tuple[str, str], FeedSpec] = {(s.kind, s.slug): s for s in catalog}
    by_stem = {s.stem: s for s in catalog}

    def files_of(spec: FeedSpec) -> list[str]:
        return [feed_path(spec, fmt) for fmt in config.formats] + [page_path(spec)]

    expired = store.expire_tombstones((now - timedelta(days=config.tombstone_days)).isoformat())
    expired |= store.expire_corrections(now.isoformat())
    touched_pages = set(changes.archive_pages)
    todo = set(by_key) if full else changes.feeds & by_key.keys()
    todo |= {_key(by_stem[f]) for f in expired | {f for f, _ in touched_pages} if f in by_stem}
    todo |= {k for k, s in by_key.items() if not damaged.isdisjoint(files_of(s))}
    touched_pages |= {place for p in damaged if (place := archive_place(p)) is not None}

    # The subscription documents: each feed's newest entries not yet archived, and the
    # archived ones corrected lately; any beyond max_entries go onto archive pages.
    rows: dict[tuple[str, str], list[FeedRow]] = {}
    for key in sorted(todo | ({("all", "all")} & by_key.keys())):
        stem = by_key[key].stem
        window = store.feed_entries(key[0], key[1], size, articles_only, stem)
        if key in todo and "atom" in config.formats:
            touched_pages |= _archive_overflow(store, by_key[key], size, articles_only)
        if config.corrections_days > 0:
            window += store.corrections(stem, articles_only)
        rows[key] = newest_first(window)

    history_of = {by_key[k].stem for k in todo} | {f for f, _ in touched_pages}
    pages_of = store.archive_pages(None if full else history_of)
    if full:
        store.forget_other_feeds(by_stem)
    else:
        store.forget_feeds(_stem(kind, slug) for kind, slug in changes.feeds - by_key.keys())

    digests: dict[str, str] = {}
    staged: list[Doc] = []
    newest_of: dict[str, str] = {}  # path → its newest entry's ``updated``: render order
    for key in sorted(todo):
        spec = _with_entries(by_key[key], rows[key])
        tombs = tuple((i, datetime.fromisoformat(d)) for i, d in store.tombstones(spec.stem))
        last = pages_of.get(spec.stem)
        history = History(
            complete=last is None,
            prev_archive=archive_path(spec, last) if last else None,
            tombstones=tombs,
        )
        newest_updated = max((r[3] for r in rows[key]), default="")
        for fmt in config.formats:
            extra = history if fmt == "atom" else None
            path = feed_path(spec, fmt)
            digests[path] = _digest(base, "feed", fmt, spec, rows[key], extra)
            staged.append(Doc(path, fmt, spec.entry_ids, spec, history))  # type: ignore[arg-type]
            newest_of[path] = newest_updated
        if spec.kind != "all":
            path = page_path(spec)
            digests[path] = _digest(base, "page", spec, rows[key])
            staged.append(Doc(path, "page", spec.entry_ids, spec))
            newest_of[path] = newest_updated
    if "atom" in config.formats:
        every_page = {(f, p) for f, n in pages_of.items() if f in by_stem for p in range(1, n + 1)}
        wanted_pages = every_page if full else touched_pages & every_page
        for f, p in sorted(wanted_pages):
            entries_rows = store.archive_page_entries(f, p, articles_only)
            spec = _with_entries(by_stem[f], entries_rows)
            spec = replace(spec, title=f"{spec.title} · archive {p}", count=0)
            history = History(
                page=p,
                prev_archive=archive_path(spec, p - 1) if p > 1 else None,
                next_archive=archive_path(spec, p + 1) if p < pages_of[f] else None,
            )
            path = archive_path(spec, p)
            digests[path] = _digest(base, "archive", spec, entries_rows, history)
            staged.append(Doc(path, "atom", spec.entry_ids, spec, history))
            newest_of[path] = max((r[3] for r in entries_rows), default="")

    listing = [(s.kind, s.slug, s.title, s.count) for s in catalog]
    top = rows.get(("all", "all"), [])
    all_spec = _with_entries(by_key[("all", "all")], top) if top else None
    digests["index.html"] = _digest(base, "index", listing, top)
    lists = opml_files(config.formats)
    for path in lists:
        digests[path] = _digest(base, "opml", [row[:3] for row in listing])
    digests[STYLESHEET] = _digest(base, "xsl", XSL_VERSION)

    to_render = [
        doc
        for doc in staged
        if full or stored.get(doc.path) != digests[doc.path] or doc.path in damaged
    ]
    # Documents sharing entries are rendered close together, so each entry's elements
    # are built once and found in the cache by the next document that holds it.
    to_render.sort(key=lambda doc: (newest_of[doc.path], doc.path))
    if full:
        entry_ids: Sequence[str] = store.entry_ids(articles_only)
    else:
        lost = {slug for p in damaged if (slug := entry_page_slug(p)) is not None}
        entry_ids = sorted(changes.pages.union(store.ids_of_slugs(lost)))
    # Entry pages to delete: on a full run every page in entries/ that is not rendered
    # again, else those of removed entries (unless a new entry took the slug).
    if full:
        folder = config.output / "entries"
        names = [p.name for p in folder.iterdir()] if folder.is_dir() else []
        unwanted = {f"entries/{name}" for name in names if name.endswith(".html")}
    else:
        unwanted = {entry_page_path(s) for s in changes.gone}
    with Dispatcher(store, writer, site, len(to_render) + len(entry_ids)) as dispatcher:
        for doc in to_render:
            dispatcher.add(doc)
        _entry_pages(store, dispatcher, entry_ids, articles_only, unwanted)
    for path in ("index.html", *lists, STYLESHEET):
        if full or stored.get(path) != digests[path] or path in damaged:
            if path == "index.html":
                ids = all_spec.entry_ids if all_spec else ()
                latest = store.entries_by_id(ids)
                writer.put(path, pages.index(catalog, [latest[i] for i in ids]))
            elif path == STYLESHEET:
                writer.put(path, pages.stylesheet())
            else:
                writer.put(path, render_opml(catalog, site, lists[path]))

    # Feeds (and their pages) that no longer exist: an author with no entries left.
    # Archive pages of a live feed never go; everything of a feed that is gone does.
    live = {p for s in catalog for p in files_of(s)} | {"index.html", *lists, STYLESHEET}
    removed = sorted(p for p in stored if p not in live and _archive_stem(p) not in by_stem)
    removed += sorted(unwanted)
    for path in removed:
        writer.remove(path)
    log.debug("%d feeds considered, %d files rendered", len(todo), dispatcher.rendered)
    # Rows not in ``digests`` keep their stored digest; only changed ones are recorded.
    return OutputPlan(digests, removed, len(todo))


def _archive_overflow(
    store: Store, spec: FeedSpec, size: int, articles_only: bool
) -> set[tuple[str, int]]:
    """Move a feed's entries beyond its newest ``size`` onto archive pages; the pages touched."""
    stem = spec.stem
    archived = store.archived_count(stem, articles_only)
    overflow = store.feed_overflow(
        spec.kind, spec.slug, size, spec.count - archived, archived, articles_only, stem
    )
    pages, on_newest, _ = store.archive_head(stem)
    new_pages, placed = place_overflow(pages, on_newest, overflow, size)
    if new_pages == pages and not placed:
        return set()
    store.archive_put(stem, placed, new_pages)
    # The pages that got entries, the new ones, and the old newest page: it links its successor.
    touched = {page for page, _ in placed} | set(range(max(pages, 1), new_pages + 1))
    return {(stem, page) for page in touched}


def _archive_stem(path: str) -> str | None:
    place = archive_place(path)
    return place[0] if place else None


def _stem(kind: str, slug: str) -> str:
    return FeedSpec(kind, slug, "", "", ()).stem  # type: ignore[arg-type]


def _key(spec: FeedSpec) -> tuple[str, str]:
    return (spec.kind, spec.slug)


def _with_entries(spec: FeedSpec, rows: Sequence[FeedRow]) -> FeedSpec:
    return replace(spec, entry_ids=tuple(r[0] for r in rows))


def _entry_pages(
    store: Store,
    dispatcher: Dispatcher,
    ids: Sequence[str],
    articles_only: bool,
    unwanted: set[str],
) -> None:
    """Render the pages of the entries ``ids`` (teasers have none when ``articles_only``).

    Each page rendered is taken out of ``unwanted`` (the pages to delete): the set
    stays as small as the folder was, where a set of pages written would hold them all.
    """
    for i in range(0, len(ids), ENTRY_BATCH):
        for entry_id, slug, kind in store.entry_slugs(ids[i : i + ENTRY_BATCH]):
            if articles_only and kind != "article":
                continue
            path = entry_page_path(slug)
            dispatcher.add(Doc(path, "entry", (entry_id,)))
            unwanted.discard(path)
