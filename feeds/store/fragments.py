"""Rendered entry fragments kept between runs, in a cache file beside the store.

An entry's Atom ``<entry>``, RSS ``<item>`` and JSON Feed item are the same bytes
in every document that holds it, and stay the same from run to run until the
entry or the site's settings change. This file keeps the last bytes of each
(entry, format, namespace variant) with a digest of everything they were made
from (``feeds.render.documents.EntryFragments`` computes it), so a ``--rebuild``,
or a run that rewrites feeds for a few changed entries, builds none of the others
again. One row per (entry, format, variant): replacing it keeps the file's size
in proportion to the entries.

It is a cache: the render workers read it, the publishing process writes what
they made, and any failure to open, read or write it is logged and ignored (the
fragments are then built). Deleting it is always safe.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger(__name__)

VERSION = 2
# (fmt, entry id, variant) → (digest, compressed bytes)
Stored = dict[tuple[str, str, str], tuple[str, bytes]]
FragmentRow = tuple[str, str, str, str, bytes]  # fmt, entry id, variant, digest, zlib bytes


def fragments_path(store: Path) -> Path:
    """Where the cache of a store lives: ``state.sqlite`` → ``state.fragments.sqlite``."""
    return store.with_name(f"{store.stem}.fragments{store.suffix}")


class FragmentCache:
    """One connection to the cache file: read-only in workers, read-write in the publisher."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    @classmethod
    def open(cls, path: Path, writable: bool) -> FragmentCache | None:
        """The cache at ``path``, or ``None`` (logged) when it cannot be used."""
        try:
            if writable:
                conn = _open_writable(path)
            elif path.is_file():
                conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
                if conn.execute("PRAGMA user_version").fetchone()[0] != VERSION:
                    conn.close()
                    return None
            else:
                return None
        except (sqlite3.Error, OSError) as err:
            log.warning("%s: fragment cache not used: %s", path, err)
            return None
        return cls(conn)

    def lookup(self, entry_ids: Iterable[str]) -> Stored:
        """Every fragment kept for these entries."""
        try:
            rows = self._conn.execute(
                "SELECT fmt, entry_id, variant, digest, data FROM fragments"
                " WHERE entry_id IN (SELECT value FROM json_each(?))",
                (json.dumps(list(entry_ids)),),
            ).fetchall()
        except sqlite3.Error as err:
            log.warning("fragment cache not read: %s", err)
            return {}
        return {
            (fmt, entry_id, variant): (digest, data)
            for fmt, entry_id, variant, digest, data in rows
        }

    def keep(self, rows: Iterable[FragmentRow]) -> None:
        """Remember these fragments (each replacing the one before for its key)."""
        try:
            with self._conn:
                self._conn.execute("BEGIN")
                self._conn.executemany(
                    "INSERT INTO fragments (fmt, entry_id, variant, digest, data)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (entry_id, fmt, variant)"
                    " DO UPDATE SET digest = excluded.digest, data = excluded.data",
                    rows,
                )
        except sqlite3.Error as err:
            log.warning("fragment cache not written: %s", err)

    def keep_only(self, entry_ids: Iterable[str]) -> None:
        """Forget the fragments of entries no longer published (after a full render)."""
        try:
            with self._conn:
                self._conn.execute("BEGIN")
                self._conn.execute(
                    "DELETE FROM fragments WHERE entry_id NOT IN (SELECT value FROM json_each(?))",
                    (json.dumps(list(entry_ids)),),
                )
        except sqlite3.Error as err:
            log.warning("fragment cache not pruned: %s", err)

    def close(self) -> None:
        self._conn.close()


def _open_writable(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, timeout=10)
    try:
        _prepare(conn)
    except sqlite3.DatabaseError as err:
        if isinstance(err, sqlite3.OperationalError):
            raise  # locked, read-only, full: not the file's fault
        conn.close()
        log.warning("%s: damaged fragment cache replaced: %s", path, err)
        for name in (path.name, f"{path.name}-wal", f"{path.name}-shm"):
            (path.parent / name).unlink(missing_ok=True)
        conn = sqlite3.connect(path, isolation_level=None, timeout=10)
        _prepare(conn)
    return conn


def _prepare(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA journal_mode = WAL")  # workers read while the publisher writes
    conn.execute("PRAGMA synchronous = NORMAL")
    if conn.execute("PRAGMA user_version").fetchone()[0] != VERSION:
        conn.executescript(
            "DROP TABLE IF EXISTS fragments;"
            # A rowid table: rows of a kilobyte or more are what WITHOUT ROWID is bad at
            # (the file was 3.5 times its data).
            "CREATE TABLE fragments ("
            " entry_id TEXT NOT NULL, fmt TEXT NOT NULL, variant TEXT NOT NULL,"
            " digest TEXT NOT NULL, data BLOB NOT NULL);"
            "CREATE UNIQUE INDEX fragments_by_entry ON fragments (entry_id, fmt, variant);"
            f"PRAGMA user_version = {VERSION};"
        )
