"""The store's queries about what was published: digests and stats of output files,
feed ids, pings owed to hubs, and the status of the last runs.

A mixin of ``feeds.store.db.Store`` (it uses the store's ``_q`` and ``_many``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Any


class OutputQueries:
    """Output digests and file stats, feed ids, owed pings, run status."""

    def _q(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        raise NotImplementedError  # provided by Store

    def _many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        raise NotImplementedError  # provided by Store

    # -- outputs -----------------------------------------------------------

    def output_hashes(self) -> dict[str, str]:
        """``path → digest of what it was rendered from`` for every feed and page we own.

        Entry pages are not listed: they follow their entries (see feeds.publish.execute).
        """
        return dict(self._q("SELECT path, input_hash FROM outputs").fetchall())

    def record_outputs(self, written: dict[str, str], removed: Iterable[str]) -> None:
        self._many("DELETE FROM outputs WHERE path = ?", ((p,) for p in removed))
        self._many(
            "INSERT INTO outputs (path, input_hash) VALUES (?, ?)"
            " ON CONFLICT (path) DO UPDATE SET input_hash = excluded.input_hash",
            sorted(written.items()),
        )

    def file_stats(self) -> dict[str, tuple[int, int]]:
        """``path → (size, mtime_ns)`` of every output file as the last publish left it."""
        return {p: (size, mtime) for p, size, mtime in self._q("SELECT * FROM files")}

    def record_files(self, stats: Iterable[tuple[str, int, int]], removed: Iterable[str]) -> None:
        """Remember output files as they are now (path, size, mtime_ns); forget ``removed``."""
        self._q(
            "DELETE FROM files WHERE path IN (SELECT value FROM json_each(?))",
            (json.dumps(list(removed)),),
        )
        self._many(
            "INSERT INTO files (path, size, mtime_ns) VALUES (?, ?, ?) ON CONFLICT (path)"
            " DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns",
            stats,
        )

    def entry_page_slugs(self, articles_only: bool) -> list[str]:
        """The slugs of every entry that has a page."""
        where = " WHERE kind = 'article'" if articles_only else ""
        return [slug for (slug,) in self._q(f"SELECT slug FROM entries{where}")]

    def ids_of_slugs(self, slugs: Iterable[str]) -> list[str]:
        """The ids of the entries with these slugs."""
        rows = self._q(
            "SELECT id FROM entries WHERE slug IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted(slugs)),),
        )
        return [entry_id for (entry_id,) in rows]

    def feed_ids(self, stems: Sequence[str], mint: Callable[[str], str]) -> dict[str, str]:
        """Each feed's stored ``atom:id``; ``mint(stem)`` gives one to a feed that has none."""
        known = dict(
            self._q(
                "SELECT feed, id FROM feed_ids WHERE feed IN (SELECT value FROM json_each(?))",
                (json.dumps(list(stems)),),
            ).fetchall()
        )
        new = {stem: mint(stem) for stem in stems if stem not in known}
        self._many("INSERT INTO feed_ids (feed, id) VALUES (?, ?)", sorted(new.items()))
        return {**known, **new}

    # -- WebSub ------------------------------------------------------------

    def owe_pings(self, hubs: Sequence[str], topics: Iterable[str]) -> list[tuple[str, str]]:
        """Add pings of ``topics`` to every hub; drop those of hubs no longer configured.

        Returns every ping still owed, ``(hub, topic)``.
        """
        self._q(
            "DELETE FROM pending_pings WHERE hub NOT IN (SELECT value FROM json_each(?))",
            (json.dumps(list(hubs)),),
        )
        self._many(
            "INSERT OR IGNORE INTO pending_pings (hub, topic) VALUES (?, ?)",
            ((hub, topic) for topic in sorted(set(topics)) for hub in hubs),
        )
        return [(h, t) for h, t in self._q("SELECT hub, topic FROM pending_pings ORDER BY 1, 2")]

    def pings_sent(self, pings: Iterable[tuple[str, str]]) -> None:
        """Pings the hubs took: no longer owed."""
        self._many("DELETE FROM pending_pings WHERE hub = ? AND topic = ?", pings)

    # -- status ------------------------------------------------------------

    def set_status(self, **values: str) -> None:
        self._many(
            "INSERT INTO status (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            sorted(values.items()),
        )

    def status(self) -> dict[str, str]:
        return dict(self._q("SELECT key, value FROM status").fetchall())
