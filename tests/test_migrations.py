"""Stores written by older versions of feeds are brought up to date, losing nothing."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

from feeds.config import Config
from feeds.publish.run import publish
from feeds.records import Author, Entry, MergedStory, Section, Story
from feeds.store.columns import ENTRY_COLUMNS, STORY_COLUMNS
from feeds.store.db import Store
from feeds.store.schema import APPLICATION_ID, SCHEMA_VERSION
from tests.conftest import DATA, LATER, NOW, tree_bytes

# The tables as version 1 created them: stories and entries as JSON documents.
_VERSION_1 = f"""
CREATE TABLE seeds (path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL, error TEXT);
CREATE TABLE stories (source TEXT NOT NULL, position INTEGER NOT NULL, key TEXT NOT NULL,
    data TEXT NOT NULL, PRIMARY KEY (source, position));
CREATE INDEX stories_by_key ON stories (key);
CREATE TABLE entries (id TEXT PRIMARY KEY, slug TEXT NOT NULL UNIQUE, key TEXT NOT NULL UNIQUE,
    origin TEXT UNIQUE, kind TEXT NOT NULL, headline TEXT NOT NULL, section TEXT NOT NULL,
    authors TEXT NOT NULL, data TEXT NOT NULL, content_hash TEXT NOT NULL,
    first_seen TEXT NOT NULL, published TEXT NOT NULL, updated TEXT NOT NULL);
CREATE TABLE outputs (path TEXT PRIMARY KEY, input_hash TEXT NOT NULL);
CREATE TABLE status (key TEXT PRIMARY KEY, value TEXT NOT NULL);
PRAGMA application_id = {APPLICATION_ID};
PRAGMA user_version = 1;
"""


def _story(n: int, day: int, author: str) -> MergedStory:
    return MergedStory(
        kind="article",
        key=f"k{n}",
        headline=f"Héadline {n}",
        section=Section("News", "news"),
        authors=(Author(author, author.lower()),),
        date=date(2026, 1, day) if n != 1 else None,
        summary=f"Standfirst {n}",
        paragraphs=(f"Standfirst {n}", "Second « paragraph »", 'A "third"'),
        sources=(f"{n}.txt", "teasers.txt"),
        origin=f"{n}.txt",
    )


def _version_1_row(entry: Entry) -> tuple[object, ...]:
    """An entry as version 1 stored it (written out here, not by feeds)."""
    story = entry.story
    data = {
        "kind": story.kind,
        "key": story.key,
        "headline": story.headline,
        "section": {"name": story.section.name, "slug": story.section.slug},
        "authors": [{"name": a.name, "slug": a.slug} for a in story.authors],
        "date": story.date.isoformat() if story.date else None,
        "summary": story.summary,
        "paragraphs": list(story.paragraphs),
        "sources": list(story.sources),
        "origin": story.origin,
    }
    return (
        entry.id,
        entry.slug,
        story.key,
        story.origin,
        story.kind,
        story.headline,
        json.dumps([story.section.name, story.section.slug]),
        json.dumps([[a.name, a.slug] for a in story.authors]),
        json.dumps(data),
        entry.content_hash,
        entry.first_seen.isoformat(),
        entry.published.isoformat(),
        entry.updated.isoformat(),
    )


def test_a_version_1_store_keeps_its_entries_and_stories(tmp_path: Path) -> None:
    entries = []
    for n, day, author in ((1, 5, "Ann"), (2, 9, "Bo"), (3, 9, "Ann")):
        when = datetime(2026, 1, day, tzinfo=UTC)
        entries.append(
            Entry(f"tag:x,2026:e{n}", f"e{n}", _story(n, day, author), str(n), when, when, when)
        )
    teaser = {
        "kind": "teaser",
        "key": "k4",
        "headline": "Teased",
        "section": {"name": "Money", "slug": "money"},
        "authors": [],
        "date": "2026-01-03",
        "summary": "Teaser text",
        "paragraphs": [],
        "source": "1.txt",
        "line": 40,
    }
    path = tmp_path / "s.sqlite"
    conn = sqlite3.connect(path)
    conn.executescript(_VERSION_1)
    conn.executemany(
        f"INSERT INTO entries VALUES ({','.join('?' * 13)})", map(_version_1_row, entries)
    )
    conn.execute("INSERT INTO stories VALUES ('1.txt', 1, 'k4', ?)", (json.dumps(teaser),))
    conn.commit()
    conn.close()

    with Store.open(path) as store:
        assert store.entries_by_id(e.id for e in entries) == {e.id: e for e in entries}
        assert store.stories_with_keys(["k4"]) == [
            Story("teaser", "k4", "Teased", Section("Money", "money"), (), date(2026, 1, 3),
                  "Teaser text", (), "1.txt", 40)
        ]  # fmt: skip
        ids = [row[0] for row in store.feed_entries("all", "all", 10, articles_only=False)]
        assert ids == ["tag:x,2026:e2", "tag:x,2026:e3", "tag:x,2026:e1"]
        ann = [row[0] for row in store.feed_entries("author", "ann", 10, articles_only=False)]
        assert ann == ["tag:x,2026:e3", "tag:x,2026:e1"]
        news = store.feed_entries("section", "news", 2, articles_only=False)
        assert [row[0] for row in news] == ["tag:x,2026:e2", "tag:x,2026:e3"]
        assert store.feed_catalog(articles_only=False) == [
            ("all", "all", "", 3),
            ("section", "news", "News", 3),
            ("author", "ann", "Ann", 2),
            ("author", "bo", "Bo", 1),
        ]
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    columns = {row[1] for row in conn.execute("PRAGMA table_info(entries)")}
    assert "data" not in columns and {"paragraphs", "sources"} <= columns


def _tables(store: Path) -> tuple[list[tuple[object, ...]], ...]:
    with sqlite3.connect(store) as conn:
        return (
            conn.execute(f"SELECT {ENTRY_COLUMNS} FROM entries ORDER BY id").fetchall(),
            conn.execute(
                f"SELECT source, position, {STORY_COLUMNS} FROM stories ORDER BY source, position"
            ).fetchall(),
            conn.execute("SELECT * FROM entry_authors ORDER BY slug, entry_id").fetchall(),
        )


def test_a_version_7_store_reads_as_a_new_one_and_its_output_is_unchanged(
    tmp_path: Path, config: Config
) -> None:
    """``store-v7.sql`` was written by feeds at schema 7 from these very seeds at ``NOW``."""
    config.store.parent.mkdir(parents=True)
    with sqlite3.connect(config.store) as conn:
        conn.executescript((DATA / "store-v7.sql").read_text())
    fresh = Config(
        seeds=config.seeds, output=tmp_path / "fresh", store=tmp_path / "fresh.sqlite", source="t"
    )
    publish(fresh, NOW)

    with Store.open(config.store):
        pass
    with sqlite3.connect(config.store) as conn:
        # Compacted after the upgrade: the old tables' pages are not left in the file.
        assert conn.execute("PRAGMA freelist_count").fetchone()[0] == 0
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION

    # The v7 store's output folder is gone: the publish puts back every file it had.
    report = publish(config, NOW)
    assert (report.added, report.changed, report.removed) == (0, 0, 0)
    assert _tables(config.store) == _tables(fresh.store)
    assert tree_bytes(config.output) == tree_bytes(fresh.output)

    # Every seed read again and every story merged again: no entry differs from its upgraded row.
    with sqlite3.connect(config.store) as conn:
        conn.execute("UPDATE seeds SET mtime_ns = 0, sha256 = ''")
    report = publish(config, LATER)
    assert report.read == 2
    assert (report.added, report.changed, report.removed, report.written) == (0, 0, 0, ())
    assert tree_bytes(config.output) == tree_bytes(fresh.output)
