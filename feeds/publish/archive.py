"""Where entries that scroll off a feed go: RFC 5005 archive pages that never reshuffle. Pure.

A feed's subscription document holds its newest ``max_entries`` entries by
``published``. Entries beyond them go, oldest first, onto the feed's newest
archive page; when that page holds ``page_size`` entries the next page is
started at once (empty), so a full page already links its successor and never
changes again because of new entries. Pages are numbered from 1, the oldest.
"""

from __future__ import annotations

from collections.abc import Sequence

from feeds.records import FeedRow


def place_overflow(
    pages: int, on_newest: int, overflow: Sequence[str], page_size: int
) -> tuple[int, list[tuple[int, str]]]:
    """Place ``overflow`` (oldest first) after a feed's archive of ``pages`` pages.

    ``on_newest`` is how many entries the newest page holds. Returns the new
    number of pages and ``(page, entry id)`` for each entry placed.
    """
    if pages == 0 and not overflow:
        return 0, []
    if pages == 0:
        pages, on_newest = 1, 0
    placed: list[tuple[int, str]] = []
    for entry_id in overflow:
        if on_newest >= page_size:
            pages, on_newest = pages + 1, 0
        placed.append((pages, entry_id))
        on_newest += 1
    if on_newest >= page_size:
        pages += 1
    return pages, placed


def newest_first(rows: Sequence[FeedRow]) -> list[FeedRow]:
    """Feed rows ``(id, hash, published, updated)`` in feed order: newest ``published``
    first, entries published at the same moment by id."""
    by_id = sorted(rows, key=lambda row: row.id)
    return sorted(by_id, key=lambda row: row.published, reverse=True)
