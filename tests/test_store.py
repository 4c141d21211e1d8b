"""The store: schema version checks and the publish lock, on real SQLite files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from feeds.errors import SchemaVersionError, StoreError, StoreLockedError
from feeds.records import SeedFingerprint
from feeds.store.db import Store
from feeds.store.lock import publish_lock
from feeds.store.schema import APPLICATION_ID, SCHEMA_VERSION


def test_new_store_has_version_and_id(tmp_path: Path) -> None:
    path = tmp_path / "deep/state.sqlite"
    with Store.open(path) as store:
        with store.transaction():
            store.put_seed(SeedFingerprint("a.txt", 1, 2, "ab"), None)
        assert store.seed_states()["a.txt"].fingerprint.sha256 == "ab"
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    conn.close()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(SchemaVersionError) as info:
        Store.open(path)
    assert str(info.value) == (
        f"{path}: store schema version {SCHEMA_VERSION + 1} is not supported"
        f" (this feeds uses version {SCHEMA_VERSION})"
    )


def test_foreign_database_and_garbage_are_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(StoreError, match="not a feeds store"):
        Store.open(other)
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="not a feeds store"):
        Store.open(garbage)


def test_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.sqlite") as store:
        with pytest.raises(RuntimeError), store.transaction():
            store.put_seed(SeedFingerprint("a.txt", 1, 2, "ab"), None)
            raise RuntimeError("crash mid-publish")
        assert store.seed_states() == {}


def test_lock_is_exclusive_and_bounded(tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    with (
        publish_lock(store, wait=0),
        pytest.raises(StoreLockedError, match=r"another feeds process \(pid \d+\)"),
        publish_lock(store, wait=0.2),
    ):
        pass
    with publish_lock(store, wait=0):
        pass  # released on exit
