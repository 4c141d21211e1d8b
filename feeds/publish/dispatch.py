"""Rendering on every core: batches of documents and the entry rows they are built from.

``feeds.publish.plan`` decides *what* to render; this module renders it. The
documents go out in batches, each carrying the store rows of the entries it
needs (worker processes cannot see the publish's uncommitted transaction),
and come back as temporary files staged beside their targets, which the
``OutputWriter`` then puts in place with the rest. A small run renders its
batches in-process through the very same function, so the bytes never depend
on where they were rendered.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from feeds.publish.plan import Doc
from feeds.publish.write import OutputWriter, discard_temporary, stage_bytes, temporary_path
from feeds.records import Entry, Site
from feeds.render.documents import EntryFragments, KeptFragments, render_feed
from feeds.render.pages import PageRenderer
from feeds.store.columns import entry_from_row
from feeds.store.db import Store
from feeds.store.fragments import FragmentCache
from feeds.workers import Workers, parallel_min_docs

log = logging.getLogger(__name__)

Row = tuple[Any, ...]  # a row of the store's entries table (see ``entry_from_row``)

BATCH_ROWS = 600  # entry rows per batch: a few MiB to pickle, and enough work to share
IN_FLIGHT = 3  # batches queued per worker: keeps them busy, and memory bounded


@dataclass(frozen=True)
class Batch:
    """Documents and the rows of every entry they hold; ``run`` tells one publish from another."""

    run: str
    root: Path
    docs: tuple[Doc, ...]
    rows: dict[str, Row]


Staged = tuple[str, bool]  # (path, whether it was staged: False when its bytes are unchanged)


class _Renderers:
    """Per-process render state for one run: the page templates and the entry caches."""

    def __init__(self, site: Site, run: str) -> None:
        self.site = site
        self.run = run
        self.pages = PageRenderer(site)
        # Entries recur in nearby documents (rendered in order of their newest entry):
        # 6,000 fragments of a few KiB each keep most of them without holding every one.
        self.fragments = EntryFragments(site, size=6000)
        self.entries: OrderedDict[str, Entry] = OrderedDict()

    def entry(self, entry_id: str, row: Row) -> Entry:
        found = self.entries.get(entry_id)
        if found is None:
            found = self.entries[entry_id] = entry_from_row(row)
            if len(self.entries) > 2000:
                self.entries.popitem(last=False)
        return found


_state: _Renderers | None = None


def render_batch(site: Site, batch: Batch, kept: KeptFragments | None = None) -> list[Staged]:
    """Render ``batch`` and stage each file whose bytes differ from the published one;
    ``kept``: fragments from earlier runs (in the publishing process only)."""
    global _state
    if _state is None or _state.run != batch.run or _state.site != site:
        # Caches are only valid within one run: entries change between runs.
        _state = _Renderers(site, batch.run)
    state = _state
    out: list[Staged] = []
    try:
        for doc in batch.docs:
            state.fragments.kept = kept if keeps_fragments(doc) else None
            entries = [state.entry(i, batch.rows[i]) for i in doc.ids]
            data = _render(state, doc, entries)
            out.append((doc.path, stage_bytes(batch.root, doc.path, data, batch.run)))
    except BaseException:
        # The caller never learns of this batch's staged files: delete them here.
        for path, staged in out:
            if staged:
                discard_temporary(temporary_path(batch.root, path, batch.run))
        raise
    return out


def keeps_fragments(doc: Doc) -> bool:
    """Whether ``doc``'s entry fragments are worth keeping between runs: a subscription
    document is rewritten whenever any of its entries changes, mostly around the same
    entries; an archive page, only when one of its own is corrected."""
    return doc.kind in ("atom", "rss", "json") and (doc.history is None or doc.history.page is None)


def _render(state: _Renderers, doc: Doc, entries: Sequence[Entry]) -> bytes:
    if doc.kind == "entry":
        return state.pages.entry(entries[0])
    assert doc.spec is not None  # every feed and listing document has one
    if doc.kind == "page":
        return state.pages.listing(doc.spec, entries)
    return render_feed(
        doc.kind, doc.spec, entries, state.site, doc.history, state.fragments, check_as=doc.path
    )


class Dispatcher:
    """Collects documents into batches and renders them, on worker processes when many.

    Use as a context manager; ``add`` every document, then leave the block:
    every staged file is then known to the writer. ``kept`` (fragments kept between
    runs) is used when the documents are rendered in this process.
    """

    def __init__(
        self,
        store: Store,
        writer: OutputWriter,
        site: Site,
        expected: int,
        workers: Workers | None = None,
        in_flight: int = IN_FLIGHT,
        kept: FragmentCache | None = None,
    ) -> None:
        self._store = store
        self._writer = writer
        self._site = site
        self._docs: list[Doc] = []
        self._ids: set[str] = set()
        self._pending: list[Future[list[Staged]]] = []
        self._own: Workers | None = None
        if workers is None:
            workers = self._own = Workers()
        self._pool: ProcessPoolExecutor | None = None
        if expected >= parallel_min_docs() and workers.count > 1:
            self._pool = workers.pool()
            self._window = workers.count * in_flight
        self._kept = kept if self._pool is None else None
        self.rendered = 0

    def __enter__(self) -> Dispatcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None:
                self._flush()
            self._drain(collect=exc_type is None)
        finally:
            if self._own is not None:
                self._own.__exit__(exc_type, exc, traceback)

    def add(self, doc: Doc) -> None:
        """Render ``doc`` (now or later: its file is staged by the time the block ends)."""
        self._writer.target(doc.path)  # refuse an unsafe path here, before any work
        self._docs.append(doc)
        self._ids.update(doc.ids)
        self.rendered += 1
        if len(self._ids) >= BATCH_ROWS:
            self._flush()

    def _flush(self) -> None:
        if not self._docs:
            return
        rows = self._store.entry_rows(self._ids)
        batch = Batch(self._writer.tag, self._writer.root, tuple(self._docs), rows)
        self._docs, self._ids = [], set()
        if self._pool is None:
            if self._kept is not None:
                self._kept.load({i for doc in batch.docs if keeps_fragments(doc) for i in doc.ids})
            self._adopt(render_batch(self._site, batch, self._kept))
            return
        self._pending.append(self._pool.submit(render_batch, self._site, batch))
        while len(self._pending) >= self._window:
            self._adopt(self._pending.pop(0).result())

    def _drain(self, collect: bool) -> None:
        """Wait for every batch out; on failure still adopt what was staged, so abort can
        delete it."""
        error: BaseException | None = None
        for future in self._pending:
            try:
                self._adopt(future.result())
            except BaseException as err:  # noqa: BLE001 - re-raised below, after the rest
                error = error or err
        self._pending.clear()
        if error is not None and collect:
            raise error

    def _adopt(self, staged: list[Staged]) -> None:
        for path, was_staged in staged:
            self._writer.adopt(path, was_staged)
