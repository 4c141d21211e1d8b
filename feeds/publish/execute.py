"""Carrying out a plan: read the store, plan (``feeds.publish.plan``), render, stage, record.

This is the doing half of a publish's output step; every decision about what
to render, archive, expire or delete is ``feeds.publish.plan``'s. Here the store is
read into the planner's snapshots, the plan's store changes are recorded
(archive moves, expiries, forgotten feeds), and its documents are rendered on
every core and staged with the ``OutputWriter``. Entry pages and archive pages
are streamed in batches, so memory stays flat however many there are.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence, Set
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from feeds.address import (
    ENTRY_FOLDER,
    INDEX,
    STYLESHEET,
    archive_place,
    entry_page_path,
    entry_page_slug,
    entry_pages,
    opml_files,
)
from feeds.config import Config
from feeds.ids import tag_uri
from feeds.publish.dispatch import Dispatcher
from feeds.publish.plan import (
    RENDER_VERSION,
    Changes,
    Doc,
    FeedHistory,
    OutputPlan,
    PlanInputs,
    Settings,
    archive_page_doc,
    feed_spec,
    feeds_to_render,
    is_stale,
    plan_outputs,
)
from feeds.publish.reconcile import EntryChanges
from feeds.publish.write import OutputWriter
from feeds.records import Entry, FeedSpec, Site
from feeds.render.pages import PageRenderer, render_opml
from feeds.store.db import Store
from feeds.store.fragments import FragmentCache, forget_fragments
from feeds.workers import Workers, parallel_min_docs

log = logging.getLogger(__name__)

ENTRY_BATCH = 500


@dataclass(frozen=True)
class Recorded:
    """What the run staged, for the store: digests to record and paths removed."""

    digests: dict[str, str]
    removed: list[str]
    considered: int


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


def _fragment_cache(config: Config, site: Site, full: bool) -> FragmentCache | None:
    """The fragments kept by earlier small runs; a full render deletes them instead."""
    if full:
        forget_fragments(config.store)
        return None
    return FragmentCache.open(config.store, f"{RENDER_VERSION}|{site!r}")


def settings_from_config(config: Config) -> Settings:
    """The planning view of the config."""
    return Settings(
        formats=config.formats,
        max_entries=config.max_entries,
        corrections=config.corrections_days > 0,
        fingerprint=config.render_fingerprint(),
    )


@contextmanager
def pages_while_merging(
    store: Store, config: Config, writer: OutputWriter, workers: Workers
) -> Iterator[Callable[[list[Entry]], None]]:
    """A function that renders entry pages on ``workers`` as ``reconcile`` stores their
    entries, while the publishing process merges the next ones (it would otherwise keep
    one core idle); every page is staged when the block ends."""
    site = site_from_config(config)
    # One batch a worker in flight: the pages of a chunk are rendered before the next is
    # merged, and the rows waiting for them add no more than a few MiB to what merging holds.
    with Dispatcher(store, writer, site, parallel_min_docs(), workers, 1) as dispatcher:

        def render(entries: list[Entry]) -> None:
            for entry in entries:
                if config.teasers or entry.story.kind == "article":
                    dispatcher.add(Doc(entry_page_path(entry.slug), "entry", (entry.id,)))

        yield render


def render_outputs(
    store: Store,
    config: Config,
    writer: OutputWriter,
    changes: EntryChanges,
    full: bool,
    now: datetime,
    damaged: frozenset[str] | set[str] = frozenset(),
    workers: Workers | None = None,
    pages_done: Set[str] = frozenset(),
) -> Recorded:
    """Plan, then render and stage the files the plan names; record its store changes.

    ``pages_done`` holds the ids of entries whose pages are already staged
    (``pages_while_merging``)."""
    plan, inputs = _plan(store, config, changes, full, now, frozenset(damaged))
    _record_history(store, config, plan, now)
    # The history is in the store now. Held through rendering, it would cost tens of MiB
    # on a cold publish of 100,000 entries: every archived id, once per feed it is in.
    plan, inputs = replace(plan, archive_moves={}), replace(inputs, histories={})
    digests = dict(plan.digests)
    site = site_from_config(config)
    articles_only = not config.teasers
    unwanted = _unwanted_entry_pages(config, changes, full)
    if full:
        entry_ids: Sequence[str] = store.entry_ids(articles_only)
    else:
        lost = {slug for p in damaged if (slug := entry_page_slug(p)) is not None}
        entry_ids = sorted(changes.pages.union(store.ids_of_slugs(lost)))
    expected = len(plan.docs) + len(plan.archive_pages) + len(entry_ids) - len(pages_done)
    kept = _fragment_cache(config, site, full)
    try:
        with Dispatcher(store, writer, site, expected, workers, kept=kept) as dispatcher:
            for doc in plan.docs:
                dispatcher.add(doc)
            for doc in _archive_docs(store, config, plan, inputs, digests):
                dispatcher.add(doc)
            _entry_pages(store, dispatcher, entry_ids, articles_only, unwanted, pages_done)
        if kept is not None:
            kept.save()
    finally:
        if kept is not None:
            kept.close()
    _write_listings(store, writer, site, plan, inputs)
    removed = [*plan.removed, *sorted(unwanted)]
    for path in removed:
        writer.remove(path)
    log.debug("%d feeds considered, %d files rendered", plan.considered, dispatcher.rendered)
    return Recorded(digests, removed, plan.considered)


def _plan(
    store: Store,
    config: Config,
    changes: EntryChanges,
    full: bool,
    now: datetime,
    damaged: frozenset[str],
) -> tuple[OutputPlan, PlanInputs]:
    """Read the store's snapshots and make the plan."""
    settings = settings_from_config(config)
    catalog = _catalog(store, config)
    before = now - timedelta(days=config.tombstone_days)
    summary = Changes(
        feeds=frozenset(changes.feeds),
        archive_pages=frozenset(changes.archive_pages),
        entries=frozenset(changes.pages),
    )
    expiring = store.expiring_feeds(before.isoformat(), now.isoformat())
    todo = feeds_to_render(catalog, summary, expiring, damaged, config.formats, full)
    stems = {spec.stem for spec in todo}
    stems |= {stem for stem, _ in summary.archive_pages}
    stems |= {place[0] for p in damaged if (place := archive_place(p)) is not None}
    inputs = PlanInputs(
        settings=settings,
        now=now,
        tombstones_before=before,
        catalog=catalog,
        todo=todo,
        histories=_histories(store, config, todo, "atom" in config.formats),
        archive_pages=store.archive_pages(None if full else stems),
        stored=store.output_hashes(),
        changes=summary,
        damaged=damaged,
        full=full,
    )
    return plan_outputs(inputs), inputs


def _catalog(store: Store, config: Config) -> tuple[FeedSpec, ...]:
    """Every feed, with its stored id (minted once, like entry ids: a later change of
    base_url leaves it)."""
    specs = [
        feed_spec(
            kind,  # type: ignore[arg-type]
            slug,
            name,
            count,
            site_title=config.title,
            section_name=config.section_name,
        )
        for kind, slug, name, count in store.feed_catalog(not config.teasers)
    ]
    ids = store.feed_ids(
        [s.stem for s in specs],
        lambda stem: tag_uri(config.tag_authority, config.tag_date, f"feed/{stem}"),
    )
    return tuple(replace(s, id=ids[s.stem]) for s in specs)


def _histories(
    store: Store, config: Config, todo: Iterable[FeedSpec], archiving: bool
) -> dict[str, FeedHistory]:
    """The feeds to render as the store holds them, and the main feed (for index.html)."""
    articles_only = not config.teasers
    size = config.max_entries
    todo = list(todo)
    feed_updated = store.feed_updated(spec.stem for spec in todo)
    out: dict[str, FeedHistory] = {}
    for spec in todo:
        stem = spec.stem
        overflow: list[str] = []
        pages = on_newest = 0
        if archiving:
            archived = store.archived_count(stem, articles_only)
            overflow = store.feed_overflow(
                spec.kind, spec.slug, size, spec.count - archived, archived, articles_only, stem
            )
            pages, on_newest, _ = store.archive_head(stem)
        out[stem] = FeedHistory(
            window=tuple(store.feed_entries(spec.kind, spec.slug, size, articles_only, stem)),
            overflow=tuple(overflow),
            corrections=tuple(store.corrections_until(stem, articles_only)),
            tombstones=tuple(store.tombstones(stem)),
            pages=pages,
            on_newest=on_newest,
            updated=feed_updated.get(stem, ""),
        )
    if "all" not in out:
        out["all"] = FeedHistory(
            window=tuple(store.feed_entries("all", "all", size, articles_only, "all")),
            corrections=tuple(store.corrections_until("all", articles_only)),
        )
    return out


def _record_history(store: Store, config: Config, plan: OutputPlan, now: datetime) -> None:
    """The plan's changes to the feeds' history: archive moves, expiries, forgotten feeds."""
    for stem, (pages, placed) in sorted(plan.archive_moves.items()):
        store.archive_put(stem, placed, pages)
    store.expire_tombstones((now - timedelta(days=config.tombstone_days)).isoformat())
    store.expire_corrections(now.isoformat())
    store.set_feed_updated(sorted(plan.feed_updated.items()))
    if plan.keep_only is not None:
        store.forget_other_feeds(plan.keep_only)
    else:
        store.forget_feeds(plan.forget)


def _archive_docs(
    store: Store, config: Config, plan: OutputPlan, inputs: PlanInputs, digests: dict[str, str]
) -> Iterable[Doc]:
    """The archive pages the plan names, read one at a time (after its moves are
    recorded, so each holds what it was given), when stale."""
    by_stem = {spec.stem: spec for spec in inputs.catalog}
    for stem, page in plan.archive_pages:
        rows = store.archive_page_entries(stem, page, not config.teasers)
        before = store.archive_updated(stem, page)
        doc, new_digest, updated = archive_page_doc(
            inputs.settings, by_stem[stem], page, plan.page_counts[stem], rows, before
        )
        if updated > before:
            store.set_archive_updated(stem, page, updated)
        digests[doc.path] = new_digest
        if is_stale(inputs, doc.path, new_digest):
            yield doc


def _write_listings(
    store: Store, writer: OutputWriter, site: Site, plan: OutputPlan, inputs: PlanInputs
) -> None:
    """index.html, the OPML lists and the stylesheet, as the plan says."""
    pages = PageRenderer(site)
    lists = opml_files(site.formats)
    for path in plan.listings:
        if path == INDEX:
            ids = [row.id for row in plan.all_rows]
            latest = store.entries_by_id(ids)
            writer.put(path, pages.index(list(inputs.catalog), [latest[i] for i in ids]))
        elif path == STYLESHEET:
            writer.put(path, pages.stylesheet())
        else:
            writer.put(path, render_opml(list(inputs.catalog), site, lists[path]))


def _unwanted_entry_pages(config: Config, changes: EntryChanges, full: bool) -> set[str]:
    """Entry pages to delete unless rendered again: on a full run every page in entries/,
    else those of removed entries (unless a new entry took the slug)."""
    if not full:
        return {entry_page_path(s) for s in changes.gone}
    folder = config.output / ENTRY_FOLDER
    return entry_pages([p.name for p in folder.iterdir()] if folder.is_dir() else [])


def _entry_pages(
    store: Store,
    dispatcher: Dispatcher,
    ids: Sequence[str],
    articles_only: bool,
    unwanted: set[str],
    done: Set[str],
) -> None:
    """Render the pages of the entries ``ids`` (teasers have none when ``articles_only``)
    but those in ``done``, already rendered.

    Each page rendered is taken out of ``unwanted`` (the pages to delete): the set
    stays as small as the folder was, where a set of pages written would hold them all.
    """
    for i in range(0, len(ids), ENTRY_BATCH):
        for entry_id, slug, kind in store.entry_slugs(ids[i : i + ENTRY_BATCH]):
            if articles_only and kind != "article":
                continue
            path = entry_page_path(slug)
            if entry_id not in done:
                dispatcher.add(Doc(path, "entry", (entry_id,)))
            unwanted.discard(path)
