"""The entry store: one SQLite file, the only user of ``sqlite3``.

It remembers each seed's fingerprint and parsed stories, each entry's id,
slug and timestamps, a digest of what each output file was rendered from,
and the status shown by ``feeds status``. It is what keeps ids and dates
stable between runs and lets a publish redo only what changed.

A publish runs inside one transaction that commits only after its files are
written, so a run that dies midway is redone in full by the next one. The
tables are in ``feeds.store.schema``; the lock that keeps publishers apart is in
``feeds.store.lock``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from feeds.errors import SchemaVersionError, StoreError, StoreLockedError
from feeds.records import Entry, EntryRef, StoredSeed, Story
from feeds.store.columns import (
    ENTRY_COLUMNS,
    ENTRY_SELECT,
    STORY_COLUMNS,
    entry_columns,
    entry_from_row,
    story_from_row,
)
from feeds.store.deployed import DeployQueries
from feeds.store.history import HistoryQueries
from feeds.store.outputs import OutputQueries
from feeds.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA, SCHEMA_VERSION
from feeds.store.seeds import SeedQueries

log = logging.getLogger(__name__)


class Store(SeedQueries, HistoryQueries, OutputQueries, DeployQueries):
    """A connection to the store file. Use as a context manager; one per thread."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn

    @classmethod
    def open(cls, path: Path) -> Store:
        """Open (creating when missing) the store at ``path`` and check its schema version."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, isolation_level=None, timeout=30)
        except (OSError, sqlite3.Error) as err:
            raise StoreError(f"{path}: cannot open store: {err}") from err
        store = cls(path, conn)
        try:
            store._prepare()
        except sqlite3.DatabaseError as err:
            conn.close()
            raise StoreError(f"{path}: {_what_went_wrong(err)}: {err}") from err
        except StoreError:
            conn.close()
            raise
        return store

    def _prepare(self) -> None:
        conn = self._conn
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if version == 0 and tables == 0:
            with self.transaction():
                _execute_script(conn, SCHEMA)
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            return
        if app_id != APPLICATION_ID:
            raise StoreError(f"{self.path}: not a feeds store (another program's database)")
        if version > SCHEMA_VERSION or (version < SCHEMA_VERSION and version not in MIGRATIONS):
            raise SchemaVersionError(str(self.path), version, SCHEMA_VERSION)
        if version < SCHEMA_VERSION:
            self._upgrade()

    def _upgrade(self) -> None:
        """Run the steps from the store's version to this one, each in a transaction of its
        own; the version is read inside it, as another process may have just upgraded."""
        conn = self._conn
        rewrote = False
        while True:
            with self.transaction():
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if version >= SCHEMA_VERSION:
                    break
                step = MIGRATIONS[version]
                if isinstance(step, str):
                    _execute_script(conn, step)
                else:
                    step(conn)
                    rewrote = True
                conn.execute(f"PRAGMA user_version = {version + 1}")
            log.info("%s: store upgraded to schema version %d", self.path, version + 1)
        if rewrote:
            # The old tables' pages are free but still in the file (a store of 100,000
            # entries: 1.8 GB after the upgrade to 8, 1.2 GB once compacted, in 7 s).
            try:
                conn.execute("VACUUM")
            except sqlite3.Error as err:
                log.warning(
                    "%s: not compacted after its upgrade (%s); it works as is", self.path, err
                )

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction: committed on success, rolled back on any exception."""
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as err:
            raise StoreLockedError(f"{self.path}: store is busy: {err}") from err
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        else:
            try:
                self._conn.execute("COMMIT")
            except sqlite3.Error as err:
                raise StoreError(f"{self.path}: cannot commit: {err}") from err

    def _q(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        try:
            return self._conn.execute(sql, params)
        except sqlite3.Error as err:
            raise StoreError(f"{self.path}: {err}") from err

    def _many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        try:
            self._conn.executemany(sql, rows)
        except sqlite3.Error as err:
            raise StoreError(f"{self.path}: {err}") from err

    # -- stories -----------------------------------------------------------

    def keys_of_sources(self, sources: Iterable[str]) -> set[str]:
        """The story keys the given seeds held before this run."""
        keys: set[str] = set()
        for chunk in _chunks(list(sources)):
            marks = ",".join("?" * len(chunk))
            keys.update(
                k for (k,) in self._q(f"SELECT key FROM stories WHERE source IN ({marks})", chunk)
            )
        return keys

    def replace_stories_of(self, seeds: Sequence[StoredSeed], existing: set[str]) -> None:
        """Store seeds' freshly parsed stories in place of their old ones.

        ``existing`` names the seeds that may have old stories (the others are new).
        """
        self._many("DELETE FROM stories WHERE source = ?", ((s,) for s in sorted(existing)))
        self._many(
            f"INSERT INTO stories (source, position, {STORY_COLUMNS})"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (seed.fingerprint.path, i, *row)
                for seed in seeds
                for i, row in enumerate(seed.stories)
            ),
        )

    def story_keys(self) -> set[str]:
        """Every story key the seeds hold."""
        return {key for (key,) in self._q("SELECT DISTINCT key FROM stories")}

    def stories_with_keys(self, keys: Iterable[str]) -> list[Story]:
        """Every stored story whose key is one of ``keys``."""
        out: list[Story] = []
        for chunk in _chunks(sorted(keys)):
            marks = ",".join("?" * len(chunk))
            rows = self._q(
                f"SELECT source, {STORY_COLUMNS} FROM stories WHERE key IN ({marks})", chunk
            )
            out.extend(story_from_row(row[0], row[1:]) for row in rows)
        return out

    # -- entries -----------------------------------------------------------

    def entry_refs_matching(self, keys: Iterable[str], origins: Iterable[str]) -> list[EntryRef]:
        """Entries (without their text) whose key or origin is among those given."""
        found: dict[str, EntryRef] = {}
        sql = (
            "SELECT id, slug, key, origin, content_hash, first_seen, published, updated,"
            " section_slug, authors FROM entries WHERE {} IN ({})"
        )
        for column, values in (("key", sorted(keys)), ("origin", sorted(origins))):
            for chunk in _chunks(values):
                rows = self._q(sql.format(column, ",".join("?" * len(chunk))), chunk)
                for (
                    i,
                    slug,
                    key,
                    origin,
                    chash,
                    first,
                    published,
                    updated,
                    section,
                    authors,
                ) in rows:
                    found[i] = EntryRef(
                        i,
                        slug,
                        key,
                        origin,
                        chash,
                        datetime.fromisoformat(first),
                        datetime.fromisoformat(published),
                        datetime.fromisoformat(updated),
                        section,
                        tuple(s for _, s in json.loads(authors)),
                    )
        return [found[i] for i in sorted(found)]

    def story_articles(self, keys: Iterable[str]) -> dict[str, list[tuple[str, bytes]]]:
        """For each key that still has stories: (source, text digest) of each full article
        headed so (an empty list when only teasers mention it).

        Digests tell articles of one key apart, so only keys with two or more articles
        have their paragraphs read; the lone article of a key gets an empty digest.
        """
        out: dict[str, list[tuple[str, bytes]]] = {}
        rows = self._q(
            "SELECT key, source, kind = 'article' FROM stories"
            " WHERE key IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted(keys)),),
        )
        for key, source, is_article in rows:
            articles = out.setdefault(key, [])
            if is_article:
                articles.append((source, b""))
        shared = sorted(key for key, articles in out.items() if len(articles) > 1)
        rows = self._q(
            "SELECT key, source, paragraphs FROM stories WHERE kind = 'article'"
            " AND key IN (SELECT value FROM json_each(?))",
            (json.dumps(shared),),
        )
        for key, source, paragraphs in rows:
            digest = hashlib.blake2b(paragraphs.encode(), digest_size=16).digest()
            articles = out[key]
            articles[articles.index((source, b""))] = (source, digest)
        return out

    def entries_by_id(self, ids: Iterable[str]) -> dict[str, Entry]:
        """The entries with ``ids`` that exist, by id."""
        return {i: entry_from_row(row) for i, row in self.entry_rows(ids).items()}

    def entry_rows(self, ids: Iterable[str]) -> dict[str, tuple[Any, ...]]:
        """Raw rows of the entries with ``ids`` (for ``entry_from_row``), by id."""
        out: dict[str, tuple[Any, ...]] = {}
        for chunk in _chunks(sorted(set(ids))):
            marks = ",".join("?" * len(chunk))
            for row in self._q(f"{ENTRY_SELECT} WHERE id IN ({marks})", chunk):
                out[row[0]] = tuple(row)
        return out

    def entry_slugs(self, ids: Iterable[str]) -> list[tuple[str, str, str]]:
        """``(id, slug, kind)`` of the entries with ``ids`` that exist, by id."""
        out: list[tuple[str, str, str]] = []
        for chunk in _chunks(sorted(set(ids))):
            marks = ",".join("?" * len(chunk))
            out += self._q(f"SELECT id, slug, kind FROM entries WHERE id IN ({marks})", chunk)
        return sorted(out)

    def slugs_taken(self, slugs: Iterable[str]) -> set[str]:
        taken: set[str] = set()
        for chunk in _chunks(sorted(set(slugs))):
            marks = ",".join("?" * len(chunk))
            taken.update(
                s for (s,) in self._q(f"SELECT slug FROM entries WHERE slug IN ({marks})", chunk)
            )
        return taken

    def delete_entries(self, ids: Iterable[str]) -> None:
        rows = [(i,) for i in ids]
        self._many("DELETE FROM entries WHERE id = ?", rows)
        self._many("DELETE FROM entry_authors WHERE entry_id = ?", rows)

    def insert_entries(self, entries: Iterable[Entry]) -> None:
        entries = list(entries)
        marks = ", ".join("?" * len(ENTRY_COLUMNS.split(",")))
        self._many(
            f"INSERT INTO entries ({ENTRY_COLUMNS}) VALUES ({marks})",
            (entry_columns(e) for e in entries),
        )
        self._many(
            "INSERT OR IGNORE INTO entry_authors (slug, entry_id, name) VALUES (?, ?, ?)",
            ((a.slug, e.id, a.name) for e in entries for a in e.story.authors),
        )

    def entry_ids(self, articles_only: bool) -> list[str]:
        only = " WHERE kind = 'article'" if articles_only else ""
        return [i for (i,) in self._q(f"SELECT id FROM entries{only} ORDER BY id")]

    def entry_count(self, articles_only: bool = False) -> int:
        only = " WHERE kind = 'article'" if articles_only else ""
        return int(self._q(f"SELECT count(*) FROM entries{only}").fetchone()[0])

    def seed_count(self) -> int:
        return int(self._q("SELECT count(*) FROM seeds").fetchone()[0])

    def output_count(self, suffixes: Iterable[str]) -> int:
        """How many owned output files end in one of ``suffixes`` (``.atom``, say)."""
        total = 0
        for suffix in suffixes:
            row = self._q("SELECT count(*) FROM outputs WHERE path LIKE ?", (f"%{suffix}",))
            total += int(row.fetchone()[0])
        return total


def _execute_script(conn: sqlite3.Connection, script: str) -> None:
    # executescript() would COMMIT the open transaction first; run each statement in it instead.
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


def _what_went_wrong(err: sqlite3.DatabaseError) -> str:
    """The store's failure as a user can act on it, from SQLite's error code."""
    name = getattr(err, "sqlite_errorname", "")
    if name.startswith(("SQLITE_READONLY", "SQLITE_PERM", "SQLITE_CANTOPEN", "SQLITE_AUTH")):
        return "cannot write the store"
    if name.startswith(("SQLITE_FULL", "SQLITE_IOERR")):
        return "cannot write the store (disk full or failing)"
    if name.startswith("SQLITE_CORRUPT"):
        return "the store is damaged (restore it from a backup)"
    return "not a feeds store"


def _chunks(values: list[str], size: int = 500) -> Iterator[list[str]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]
