"""Entry fragments kept between small publishes, in a cache file beside the store.

An entry's Atom ``<entry>``, RSS ``<item>`` and JSON Feed item are the same bytes
in every document that holds it, and stay the same from run to run until the
entry or the site changes. A publish of one edited article rewrites the feeds
that hold it, and with them the fragments of the ~50 entries beside it in each:
about 1,500 fragments at a tenth of a second, most of them built by the last run
too. This file keeps each (entry, format, namespace variant) with a digest of
everything it was made from, so the next such run builds only what changed.

Only runs that render in the publishing process use it (the ones a cron job or
the watcher makes of a few changes), and only for subscription documents: an
archive page is rewritten only when one of its own entries is corrected, so its
fragments would be written and never read. At most ``MAX_ROWS`` are kept, the
oldest written dropped first (one still in use is then built and kept again once;
marking every row reused as used would cost a write of each, every run). A full
render neither reads nor writes it, and deletes it: it builds each fragment about
once anyway, on every core, and keeping 300,000 of them cost a cold publish of
100,000 articles more time and memory than building them (measured in issue #16).
Being a cache, any failure to open, read or write it is logged and the fragments
are built instead; deleting it is always safe.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import sqlite3
import zlib
from collections.abc import Iterable
from pathlib import Path

from feeds.records import Entry

log = logging.getLogger(__name__)

VERSION = 2
Key = tuple[str, str, str]  # format, entry id, namespace variant
# Rows kept at most, the oldest written dropped first: a 10,000-article site's
# one-edit runs use a few hundred, a hundred edits at once ~20,000; ~2 KB each on disk.
MAX_ROWS = 20_000


def fragments_path(store: Path) -> Path:
    """Where the cache of a store lives: ``state.sqlite`` → ``state.fragments.sqlite``."""
    return store.with_name(f"{store.stem}.fragments{store.suffix}")


def forget_fragments(store: Path) -> None:
    """Delete the cache of ``store`` (a full render makes every fragment again)."""
    path = fragments_path(store)
    for name in (path.name, f"{path.name}-journal"):
        try:
            (path.parent / name).unlink()
        except FileNotFoundError:
            pass
        except OSError as err:  # a folder in its place, say: a cache never stops a publish
            log.warning("%s: fragment cache not deleted: %s", path.parent / name, err)


class FragmentCache:
    """The kept fragments of one publish: ``load`` the rows of a batch's entries, ``get``
    and ``add`` while rendering it, ``save`` what was built once the run is done."""

    def __init__(self, conn: sqlite3.Connection, store: Path, basis: str) -> None:
        self._conn = conn
        self._store = store
        self._damaged = False
        # Everything a fragment depends on besides its entry, its format and its variant:
        # the site, the render version, and the libraries that build and serialise it.
        self._basis = hashlib.sha256(f"{VERSION}|{basis}|{_libraries()}".encode()).digest()
        self._rows: dict[Key, tuple[str, bytes]] = {}
        self._entry_digests: dict[str, str] = {}
        self._made: list[tuple[str, str, str, str, bytes]] = []
        self._reused = 0

    @classmethod
    def open(cls, store: Path, basis: str) -> FragmentCache | None:
        """The cache beside ``store`` (made when missing), or ``None`` (logged) when it
        cannot be used; a damaged file is replaced."""
        path = fragments_path(store)
        try:
            try:
                conn = _connect(path)
            except sqlite3.DatabaseError as err:
                if isinstance(err, sqlite3.OperationalError):
                    raise  # locked, read-only, full: not the file's fault
                log.warning("%s: damaged fragment cache replaced: %s", path, err)
                forget_fragments(store)
                conn = _connect(path)
        except (sqlite3.Error, OSError) as err:
            log.warning("%s: fragment cache not used: %s", path, err)
            return None
        return cls(conn, store, basis)

    def load(self, entry_ids: Iterable[str]) -> None:
        """Read the kept fragments of these entries (those of the last batch are dropped)."""
        self._rows.clear()
        try:
            rows = self._conn.execute(
                "SELECT fmt, entry_id, variant, digest, data FROM fragments"
                " WHERE entry_id IN (SELECT value FROM json_each(?))",
                (json.dumps(list(entry_ids)),),
            ).fetchall()
        except sqlite3.Error as err:
            self._failed("read", err)
            return
        for fmt, entry_id, variant, digest, data in rows:
            self._rows[(fmt, entry_id, variant)] = (digest, data)

    def get(self, fmt: str, entry: Entry, variant: str) -> bytes | None:
        """The kept bytes of this fragment, if they were made from exactly this entry."""
        kept = self._rows.get((fmt, entry.id, variant))
        if kept is None or kept[0] != self._digest(entry):
            return None
        try:
            data = zlib.decompress(kept[1])
        except zlib.error:
            return None  # a damaged row: built again, and replaced by save()
        self._reused += 1
        return data

    def add(self, fmt: str, entry: Entry, variant: str, data: bytes) -> None:
        """Keep a fragment just built (written by ``save``)."""
        self._made.append((fmt, entry.id, variant, self._digest(entry), zlib.compress(data, 1)))

    def save(self) -> None:
        """Write the fragments built in this run, each replacing the one kept before it, and
        drop the oldest written beyond ``MAX_ROWS``."""
        made, self._made = self._made, []
        log.debug("fragment cache: %d reused, %d built and kept", self._reused, len(made))
        if not made:
            return
        try:
            with self._conn:
                (last,) = self._conn.execute(
                    "SELECT coalesce(max(seen), 0) FROM fragments"
                ).fetchone()
                self._conn.executemany(
                    "INSERT INTO fragments (fmt, entry_id, variant, digest, data, seen)"
                    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (entry_id, fmt, variant)"
                    " DO UPDATE SET digest = excluded.digest, data = excluded.data,"
                    " seen = excluded.seen",
                    ((*row, last + 1) for row in made),
                )
                (count,) = self._conn.execute("SELECT count(*) FROM fragments").fetchone()
                if count > MAX_ROWS:
                    self._conn.execute(
                        "DELETE FROM fragments WHERE rowid IN"
                        " (SELECT rowid FROM fragments ORDER BY seen LIMIT ?)",
                        (count - MAX_ROWS,),
                    )
        except sqlite3.Error as err:
            self._failed("written", err)

    def close(self) -> None:
        """Close the file; one found damaged is deleted (the next run starts a new one)."""
        self._conn.close()
        if self._damaged:
            forget_fragments(self._store)

    def _failed(self, what: str, err: sqlite3.Error) -> None:
        log.warning("%s: fragment cache not %s: %s", fragments_path(self._store), what, err)
        if not isinstance(err, sqlite3.OperationalError):
            self._damaged = True

    def _digest(self, entry: Entry) -> str:
        found = self._entry_digests.get(entry.id)
        if found is None:
            # The entry's repr holds every field, the story's text included: any change
            # to what a fragment shows gives another digest.
            digest = hashlib.sha256(self._basis)
            digest.update(repr(entry).encode())
            found = self._entry_digests[entry.id] = digest.hexdigest()
        return found


@functools.cache
def _libraries() -> str:
    """The versions of the libraries that build and serialise fragments."""
    from feedgen.version import version_full
    from lxml.etree import LXML_VERSION

    return f"feedgen {version_full} lxml {LXML_VERSION}"


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=10)
    try:
        # A cache: a crash or power cut may lose or damage its last writes (a damaged file
        # is replaced), so no journal file is made and deleted, and nothing is synced.
        conn.execute("PRAGMA journal_mode = MEMORY")
        conn.execute("PRAGMA synchronous = OFF")
        if conn.execute("PRAGMA user_version").fetchone()[0] != VERSION:
            conn.executescript(
                "DROP TABLE IF EXISTS fragments;"
                "CREATE TABLE fragments ("
                " entry_id TEXT NOT NULL, fmt TEXT NOT NULL, variant TEXT NOT NULL,"
                " digest TEXT NOT NULL, data BLOB NOT NULL, seen INTEGER NOT NULL);"
                "CREATE UNIQUE INDEX fragments_by_entry ON fragments (entry_id, fmt, variant);"
                f"PRAGMA user_version = {VERSION};"
            )
    except BaseException:
        conn.close()
        raise
    return conn
