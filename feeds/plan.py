"""Which feeds exist and what each is called: all items, one per section, one per author. Pure.

The store lists the feeds (``Store.feed_catalog``) and each feed's newest
entries (``Store.feed_entries``, newest ``published`` first, ties broken by id);
this module turns those rows into ``FeedSpec``s. Names that differ but share a
slug (a straight and a curly apostrophe, say) are one feed, named with the
spelling that sorts first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from feeds.records import FeedKind, FeedSpec

# Bump when templates or rendering change, so every file is rendered again. Here, not
# in feeds.outputs, so a run with nothing to render never imports the renderers.
RENDER_VERSION = "3"


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
