"""The store's queries about feeds and their history: windows, archive pages, tombstones.

A mixin of ``feeds.store.Store`` (it uses the store's ``_q`` and ``_many``), kept
apart so each file stays readable. Every feed is read newest ``published`` first,
ties broken by id (ISO 8601 in UTC, so text order is time order): an edit never
moves an entry, only a new ``published`` does.

Lists of values go to SQLite as one JSON parameter (``json_each(?)``) instead of
being cut into chunks of ``?`` placeholders.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from feeds.records import CatalogRow, FeedRow

_ORDER = " ORDER BY e.published DESC, e.id"  # newest first; the stable tie-break is the id
_REVERSE = " ORDER BY e.published ASC, e.id DESC"  # exactly the reverse
# Entries joined by id, for their narrow columns (kind, published, updated, content_hash).
# Left to itself SQLite looks the id up in the primary key's index and then reads the
# row, which carries the whole text; this index holds those columns. At 100,000 entries
# the author catalog takes 0.3 s instead of 0.5-0.8 s, an archive page a fifth as long.
_ENTRIES_BY_ID = "entries AS e INDEXED BY entries_feed_columns"
# A feed's own history: forgotten with the feed, so one that comes back starts anew.
_PER_FEED = (
    "archive",
    "archive_heads",
    "corrections",
    "tombstones",
    "feed_updated",
    "archive_updated",
)


def _json(values: Iterable[str]) -> str:
    return json.dumps(sorted(set(values)))


class HistoryQueries:
    """Feed windows, RFC 5005 archive pages, corrections and RFC 6721 tombstones."""

    def _q(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        raise NotImplementedError  # provided by Store

    def _many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        raise NotImplementedError  # provided by Store

    # -- windows -----------------------------------------------------------

    def feed_catalog(self, articles_only: bool) -> list[CatalogRow]:
        """``(kind, slug, name, entries)`` of every feed: all, each section, each author.

        A feed's name is the one that sorts first among its entries' spellings.
        """
        only = " WHERE kind = 'article'" if articles_only else ""
        total = int(self._q(f"SELECT count(*) FROM entries{only}").fetchone()[0])
        # The main feed always exists: its subscribers keep it, and its tombstones, when
        # the last entry goes.
        catalog = [CatalogRow("all", "all", "", total)]
        catalog += [
            CatalogRow("section", slug, name, count)
            for slug, name, count in self._q(
                "SELECT section_slug, min(section), count(*)"
                f" FROM entries{only} GROUP BY section_slug ORDER BY section_slug"
            )
        ]
        join = f" JOIN {_ENTRIES_BY_ID} ON e.id = a.entry_id WHERE e.kind = 'article'"
        catalog += [
            CatalogRow("author", slug, name, count)
            for slug, name, count in self._q(
                "SELECT a.slug, min(a.name), count(*) FROM entry_authors AS a"
                f"{join if articles_only else ''} GROUP BY a.slug ORDER BY a.slug"
            )
        ]
        return catalog

    def feed_entries(
        self,
        kind: str,
        slug: str,
        limit: int,
        articles_only: bool,
        unarchived_of: str | None = None,
    ) -> list[FeedRow]:
        """A feed's newest entries (not archived in ``unarchived_of``), newest first."""
        columns = "e.id, e.content_hash, e.published, e.updated"
        sql, params = _feed_query(columns, kind, slug, articles_only, unarchived_of)
        return [FeedRow(*row) for row in self._q(sql + _ORDER + " LIMIT ?", (*params, limit))]

    def feed_overflow(
        self,
        kind: str,
        slug: str,
        keep: int,
        unarchived: int,
        archived: int,
        articles_only: bool,
        stem: str,
    ) -> list[str]:
        """Ids of a feed's unarchived entries beyond its newest ``keep``, oldest first.

        ``unarchived`` and ``archived`` are the feed's counts. The index is walked
        from whichever end reaches them sooner: from the newest when a few entries
        scroll off a feed with a long history (every run of the watcher), from the
        oldest when little is archived yet (a cold publish), without ever holding
        every row of the feed.
        """
        extra = unarchived - keep
        if extra <= 0:
            return []
        sql, params = _feed_query("e.id", kind, slug, articles_only, stem)
        # Interned: on a cold publish an entry is in the overflow of every feed it is in,
        # and one string each instead of three saves tens of MiB at 100,000 entries.
        if archived > keep:
            rows = self._q(sql + _ORDER + " LIMIT ?", (*params, unarchived))
            newest_first = [sys.intern(i) for (i,) in rows]
            return newest_first[keep:][::-1]
        rows = self._q(sql + _REVERSE + " LIMIT ?", (*params, extra))
        return [sys.intern(i) for (i,) in rows]

    # -- archive pages -------------------------------------------------------

    def archived_count(self, feed: str, articles_only: bool) -> int:
        """How many of a feed's entries are on its archive pages."""
        if articles_only:
            sql = (
                f"SELECT count(*) FROM archive AS a JOIN {_ENTRIES_BY_ID} ON e.id = a.entry_id"
                " WHERE a.feed = ? AND e.kind = 'article'"
            )
        else:
            sql = "SELECT count(*) FROM archive WHERE feed = ?"
        return int(self._q(sql, (feed,)).fetchone()[0])

    def archive_head(self, feed: str) -> tuple[int, int, int]:
        """``(pages, entries on the newest page, last seq)`` of a feed's archive."""
        row = self._q("SELECT pages FROM archive_heads WHERE feed = ?", (feed,)).fetchone()
        pages = int(row[0]) if row else 0
        count, seq = self._q(
            "SELECT count(*), coalesce(max(seq), 0) FROM archive WHERE feed = ? AND page = ?",
            (feed, pages),
        ).fetchone()
        top = self._q("SELECT coalesce(max(seq), 0) FROM archive WHERE feed = ?", (feed,))
        return pages, int(count), max(int(seq), int(top.fetchone()[0]))

    def archive_put(self, feed: str, placed: Sequence[tuple[int, str]], pages: int) -> None:
        """Record entries placed on pages (``(page, id)``, in order) and the page count."""
        seq = self.archive_head(feed)[2]
        self._many(
            "INSERT INTO archive (feed, page, seq, entry_id) VALUES (?, ?, ?, ?)",
            ((feed, page, seq + n, entry_id) for n, (page, entry_id) in enumerate(placed, 1)),
        )
        self._q(
            "INSERT INTO archive_heads (feed, pages) VALUES (?, ?)"
            " ON CONFLICT (feed) DO UPDATE SET pages = excluded.pages",
            (feed, pages),
        )

    def archive_pages(self, feeds: Iterable[str] | None = None) -> dict[str, int]:
        """How many archive pages each feed has (of the given feeds only)."""
        sql = "SELECT feed, pages FROM archive_heads"
        if feeds is None:
            return {f: int(n) for f, n in self._q(sql)}
        rows = self._q(sql + " WHERE feed IN (SELECT value FROM json_each(?))", (_json(feeds),))
        return {f: int(n) for f, n in rows}

    def archive_page_entries(self, feed: str, page: int, articles_only: bool) -> list[FeedRow]:
        """``(id, content_hash, published, updated)`` of one archive page, newest first."""
        only = " AND e.kind = 'article'" if articles_only else ""
        rows = self._q(
            "SELECT e.id, e.content_hash, e.published, e.updated FROM archive AS a"
            f" JOIN {_ENTRIES_BY_ID} ON e.id = a.entry_id WHERE a.feed = ? AND a.page = ?{only}"
            + _ORDER,
            (feed, page),
        )
        return [FeedRow(*row) for row in rows]

    def archive_places(self, entry_ids: Iterable[str]) -> set[tuple[str, int, str]]:
        """``(feed, page, entry id)`` for every archive page holding one of ``entry_ids``."""
        rows = self._q(
            "SELECT feed, page, entry_id FROM archive"
            " WHERE entry_id IN (SELECT value FROM json_each(?))",
            (_json(entry_ids),),
        )
        return {(f, int(p), i) for f, p, i in rows}

    def unarchive(self, places: Iterable[tuple[str, str]]) -> set[tuple[str, int]]:
        """Take entries off their pages (``(feed, entry id)``); returns the pages touched."""
        places = sorted(set(places))
        rows = self._q(
            "SELECT a.feed, a.page FROM archive AS a JOIN json_each(?) AS j"
            " ON a.feed = json_extract(j.value, '$[0]')"
            " AND a.entry_id = json_extract(j.value, '$[1]')",
            (json.dumps(places),),
        )
        touched = {(f, int(p)) for f, p in rows}
        self._many("DELETE FROM archive WHERE feed = ? AND entry_id = ?", places)
        self._many("DELETE FROM corrections WHERE feed = ? AND entry_id = ?", places)
        return touched

    def forget_feeds(self, feeds: Iterable[str]) -> None:
        """Feeds that no longer exist lose their history: one that comes back starts anew."""
        rows = [(f,) for f in sorted(set(feeds))]
        for table in _PER_FEED:
            self._many(f"DELETE FROM {table} WHERE feed = ?", rows)

    def forget_other_feeds(self, live: Iterable[str]) -> None:
        """Feeds not in ``live`` lose their history: one that comes back starts anew."""
        keep = _json(live)
        for table in _PER_FEED:
            sql = f"DELETE FROM {table} WHERE feed NOT IN (SELECT value FROM json_each(?))"
            self._q(sql, (keep,))

    def expiring_feeds(self, tombstones_before: str, now: str) -> set[str]:
        """The feeds holding a tombstone or a correction whose time is up."""
        rows = self._q(
            "SELECT feed FROM tombstones WHERE deleted < ?"
            " UNION SELECT feed FROM corrections WHERE until <= ?",
            (tombstones_before, now),
        )
        return {f for (f,) in rows}

    def history_expires(self, tombstones_before: str, now: str) -> bool:
        """Whether a tombstone or a correction is due to leave its feed: documents change."""
        row = self._q(
            "SELECT EXISTS (SELECT 1 FROM tombstones WHERE deleted < ?)"
            " OR EXISTS (SELECT 1 FROM corrections WHERE until <= ?)",
            (tombstones_before, now),
        ).fetchone()
        return bool(row[0])

    # -- corrections ---------------------------------------------------------

    def add_corrections(self, rows: Iterable[tuple[str, str, str]]) -> None:
        """``(feed, entry_id, until)``: an archived entry edited, shown in the feed until then."""
        self._many(
            "INSERT OR REPLACE INTO corrections (feed, entry_id, until) VALUES (?, ?, ?)", rows
        )

    def corrections(self, feed: str, articles_only: bool) -> list[FeedRow]:
        """The feed's corrected archived entries, as ``feed_entries`` rows."""
        only = " AND e.kind = 'article'" if articles_only else ""
        rows = self._q(
            "SELECT e.id, e.content_hash, e.published, e.updated FROM corrections AS c"
            f" JOIN {_ENTRIES_BY_ID} ON e.id = c.entry_id WHERE c.feed = ?{only}" + _ORDER,
            (feed,),
        )
        return [FeedRow(*row) for row in rows]

    def corrections_until(self, feed: str, articles_only: bool) -> list[tuple[FeedRow, str]]:
        """The feed's corrected archived entries with the time each is shown until."""
        only = " AND e.kind = 'article'" if articles_only else ""
        rows = self._q(
            "SELECT e.id, e.content_hash, e.published, e.updated, c.until FROM corrections AS c"
            f" JOIN {_ENTRIES_BY_ID} ON e.id = c.entry_id WHERE c.feed = ?{only}" + _ORDER,
            (feed,),
        )
        return [(FeedRow(i, h, p, u), until) for i, h, p, u, until in rows]

    def expire_corrections(self, now: str) -> set[str]:
        """Drop corrections whose time is up; returns the feeds whose documents change."""
        feeds = {
            f for (f,) in self._q("SELECT DISTINCT feed FROM corrections WHERE until <= ?", (now,))
        }
        self._q("DELETE FROM corrections WHERE until <= ?", (now,))
        return feeds

    # -- tombstones ----------------------------------------------------------

    def add_tombstones(self, rows: Iterable[tuple[str, str, str]]) -> None:
        """``(feed, entry_id, deleted)``: the entry left that feed at that time."""
        self._many(
            "INSERT OR REPLACE INTO tombstones (feed, entry_id, deleted) VALUES (?, ?, ?)", rows
        )

    def clear_tombstones(self, entry_ids: Iterable[str]) -> None:
        """An entry that is back (its seed restored) is no longer deleted."""
        self._many("DELETE FROM tombstones WHERE entry_id = ?", ((i,) for i in entry_ids))

    def tombstones(self, feed: str) -> list[tuple[str, str]]:
        rows = self._q(
            "SELECT entry_id, deleted FROM tombstones WHERE feed = ? ORDER BY deleted, entry_id",
            (feed,),
        )
        return [(i, d) for i, d in rows]

    def expire_tombstones(self, before: str) -> set[str]:
        """Drop tombstones older than ``before``; returns the feeds whose documents change."""
        feeds = {
            f
            for (f,) in self._q("SELECT DISTINCT feed FROM tombstones WHERE deleted < ?", (before,))
        }
        self._q("DELETE FROM tombstones WHERE deleted < ?", (before,))
        return feeds

    # -- each subscription document's newest <updated> -------------------------

    def feed_updated(self, feeds: Iterable[str]) -> dict[str, str]:
        """Feed stem → the newest ``<updated>`` its subscription document has carried."""
        sql = (
            "SELECT feed, updated FROM feed_updated WHERE feed IN (SELECT value FROM json_each(?))"
        )
        return {f: u for f, u in self._q(sql, (_json(feeds),))}

    def set_feed_updated(self, rows: Iterable[tuple[str, str]]) -> None:
        """``(feed, updated)``: the newest ``<updated>`` that feed's documents now carry."""
        self._many("INSERT OR REPLACE INTO feed_updated (feed, updated) VALUES (?, ?)", rows)

    def archive_updated(self, feed: str, page: int) -> str:
        """The newest ``<updated>`` that archive page has carried ("" if none yet)."""
        sql = "SELECT updated FROM archive_updated WHERE feed = ? AND page = ?"
        row = self._q(sql, (feed, page)).fetchone()
        return str(row[0]) if row else ""

    def set_archive_updated(self, feed: str, page: int, updated: str) -> None:
        """The newest ``<updated>`` that archive page now carries."""
        self._q(
            "INSERT OR REPLACE INTO archive_updated (feed, page, updated) VALUES (?, ?, ?)",
            (feed, page, updated),
        )


def _feed_query(
    columns: str, kind: str, slug: str, articles_only: bool, unarchived_of: str | None
) -> tuple[str, list[Any]]:
    where = ["e.kind = 'article'"] if articles_only else []
    params: list[Any] = []
    if kind == "section":
        where.append("e.section_slug = ?")
        params.append(slug)
    source = "entries AS e"
    if kind == "author":
        source = f"entry_authors AS a JOIN {_ENTRIES_BY_ID} ON e.id = a.entry_id"
        where.append("a.slug = ?")
        params.append(slug)
    if unarchived_of is not None:
        where.append(
            "NOT EXISTS (SELECT 1 FROM archive AS h WHERE h.feed = ? AND h.entry_id = e.id)"
        )
        params.append(unarchived_of)
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    return f"SELECT {columns} FROM {source}{clause}", params
