"""The store's entries → the files of the output folder, rendering only what changed.

Every file that should exist gets a digest of everything it is rendered
from (entries, timestamps, settings, ``RENDER_VERSION``). A file is rendered
only when its digest differs from the stored one or it is missing, and
written only when its bytes differ from what is on disk.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable

from feeds.check import check_feed
from feeds.config import Config
from feeds.pages import PageRenderer, render_opml
from feeds.plan import plan_feeds
from feeds.records import Entry, EntrySummary, FeedSpec, Site
from feeds.render import entry_page_path, feed_path, page_path, render_feed
from feeds.store import Store
from feeds.write import OutputWriter

log = logging.getLogger(__name__)

# Bump when templates or rendering change, so every file is rendered again.
RENDER_VERSION = "1"
OUTPUT_FOLDERS = ("sections", "authors", "entries")


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
    )


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
