"""The store's schema: the tables, their version, and the steps from older versions.

``feeds.store.db`` creates a new store from ``SCHEMA`` and brings an older one
up to date by running ``MIGRATIONS[n]`` for each version ``n`` it is behind.
"""

import json
import sqlite3
from collections.abc import Callable
from typing import Any

from feeds.store.columns import STORY_COLUMNS, joined_paragraphs

SCHEMA_VERSION = 10
# "feed" in ASCII: marks the file as ours, so a foreign database is refused.
APPLICATION_ID = 0x66656564

# Tables added by version 2: section and authors as indexed columns, so a feed's
# newest entries are one indexed query (newest ``updated`` first, ties by id).
_FEED_INDEXES = """
CREATE INDEX entries_by_updated ON entries (updated DESC, id);
CREATE INDEX entries_by_section ON entries (section_slug, updated DESC, id);
CREATE TABLE entry_authors (
    slug TEXT NOT NULL,
    entry_id TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (slug, entry_id)
) WITHOUT ROWID;
CREATE INDEX entry_authors_by_entry ON entry_authors (entry_id);
"""

# Tables added by version 3: feed history (RFC 5005) and tombstones (RFC 6721).
_HISTORY = """
CREATE TABLE archive (             -- RFC 5005 archive pages: membership never moves
    feed TEXT NOT NULL,             -- the feed's stem: all, sections/x, authors/y
    page INTEGER NOT NULL,          -- 1 is the oldest
    seq INTEGER NOT NULL,           -- order of archiving, oldest first within a page
    entry_id TEXT NOT NULL,
    PRIMARY KEY (feed, entry_id)
) WITHOUT ROWID;
CREATE INDEX archive_by_page ON archive (feed, page, seq);
CREATE INDEX archive_by_entry ON archive (entry_id);
CREATE TABLE tombstones (          -- RFC 6721 deleted entries, per feed that carried them
    feed TEXT NOT NULL,
    entry_id TEXT NOT NULL,
    deleted TEXT NOT NULL,
    PRIMARY KEY (feed, entry_id)
) WITHOUT ROWID;
"""

# Version 4: the feed catalog (sections, names, counts) and an author's entries are
# read from indexes alone, never from the entries' rows, which carry their whole text.
_CATALOG_INDEX = """
CREATE INDEX entries_by_section_name ON entries (section_slug, kind, section);
CREATE INDEX seeds_rejected ON seeds (path) WHERE error IS NOT NULL;
CREATE INDEX entries_feed_columns ON entries (id, updated, content_hash, published, kind);
DROP INDEX entries_by_updated;
CREATE INDEX entries_by_updated ON entries (updated DESC, id, content_hash, published, kind);
DROP INDEX entries_by_section;
CREATE INDEX entries_by_section
    ON entries (section_slug, updated DESC, id, content_hash, published, kind);
"""

# Version 5: feeds are ordered and windowed by ``published`` (an edit no longer moves an
# entry); every feed's archive pages are counted, so a page emptied by deletions still
# exists and every chain stays whole; corrections of archived entries are carried in the
# subscription document for a while; feed ids are minted once; missed pings wait here.
_BY_PUBLISHED = """
DROP INDEX entries_by_updated;
CREATE INDEX entries_by_published ON entries (published DESC, id, content_hash, updated, kind);
DROP INDEX entries_by_section;
CREATE INDEX entries_by_section
    ON entries (section_slug, published DESC, id, content_hash, updated, kind);
CREATE TABLE archive_heads (       -- pages 1..pages of a feed's archive exist, even if emptied
    feed TEXT PRIMARY KEY,
    pages INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE corrections (         -- archived entries edited: also in the subscription document
    feed TEXT NOT NULL,
    entry_id TEXT NOT NULL,
    until TEXT NOT NULL,
    PRIMARY KEY (feed, entry_id)
) WITHOUT ROWID;
CREATE TABLE feed_ids (            -- each feed's atom:id, minted once
    feed TEXT PRIMARY KEY,
    id TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE pending_pings (       -- WebSub pings that did not go out: the latest per topic
    hub TEXT NOT NULL,
    topic TEXT NOT NULL,
    PRIMARY KEY (hub, topic)
) WITHOUT ROWID;
"""

# Version 6: the size and mtime of every file a publish put in the output folder,
# so a publish can find one that was deleted or altered with one stat per file.
_FILES = """
CREATE TABLE files (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL
) WITHOUT ROWID;
"""

# Version 7: what the deploy bucket holds, so each deploy uploads only what changed.
_DEPLOYED = """
CREATE TABLE deployed (
    path TEXT PRIMARY KEY,          -- relative to the output folder
    size INTEGER NOT NULL,          -- the published file's, when it was uploaded
    mtime_ns INTEGER NOT NULL,
    md5 TEXT NOT NULL               -- of the object's body (its ETag)
) WITHOUT ROWID;
"""

# Version 8: stories and entries as columns, not JSON documents (see feeds.store.columns).
_STORIES = """
CREATE TABLE stories (              -- the last good parse of each seed
    source TEXT NOT NULL,
    position INTEGER NOT NULL,      -- 0 the article, then its teasers
    key TEXT NOT NULL,
    kind TEXT NOT NULL,
    headline TEXT NOT NULL,
    section TEXT NOT NULL,          -- its name
    section_slug TEXT NOT NULL,
    authors TEXT NOT NULL,          -- JSON [[name, slug], ...]
    date TEXT,                      -- the byline date, ISO 8601
    summary TEXT NOT NULL,
    paragraphs TEXT NOT NULL,       -- a line break between each two
    line INTEGER NOT NULL,          -- of the headline in the seed
    PRIMARY KEY (source, position)
);
"""

# Version 9: the newest <updated> each subscription document has carried, so it never
# moves back when what made it newest leaves (a deletion's tombstone expires, an entry
# moves to another section, a correction's time is up).
_FEED_UPDATED = """
CREATE TABLE feed_updated (
    feed TEXT PRIMARY KEY,          -- the feed's stem
    updated TEXT NOT NULL           -- ISO 8601, UTC
) WITHOUT ROWID;
"""

# Version 10: the same for each archive page, which keeps its date when its newest entry
# is deleted (and is not dated 1970 when deletions empty it).
_ARCHIVE_UPDATED = """
CREATE TABLE archive_updated (
    feed TEXT NOT NULL,             -- the feed's stem
    page INTEGER NOT NULL,
    updated TEXT NOT NULL,          -- ISO 8601, UTC
    PRIMARY KEY (feed, page)
) WITHOUT ROWID;
"""

SCHEMA = (
    """
CREATE TABLE seeds (
    path TEXT PRIMARY KEY,          -- relative to the seeds folder
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    error TEXT                      -- the current rejection, NULL when parsed
);
"""
    + _STORIES
    + """CREATE INDEX stories_by_key ON stories (key);
CREATE TABLE entries (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    key TEXT NOT NULL UNIQUE,
    origin TEXT UNIQUE,
    kind TEXT NOT NULL,
    headline TEXT NOT NULL,
    section TEXT NOT NULL,          -- its name
    section_slug TEXT NOT NULL,
    authors TEXT NOT NULL,          -- JSON [[name, slug], ...]
    date TEXT,
    summary TEXT NOT NULL,
    paragraphs TEXT NOT NULL,       -- a line break between each two
    sources TEXT NOT NULL,          -- JSON [seed, ...]: every seed that tells the story
    content_hash TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    published TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE TABLE outputs (              -- files we own under the output folder
    path TEXT PRIMARY KEY,
    input_hash TEXT NOT NULL
);
CREATE TABLE status (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""
    + _FEED_INDEXES
    + _HISTORY
    + _CATALOG_INDEX
    + _BY_PUBLISHED
    + _FILES
    + _DEPLOYED
    + _FEED_UPDATED
    + _ARCHIVE_UPDATED
)


def _columns_from_json(conn: sqlite3.Connection) -> None:
    """Version 7 → 8: each story's and entry's JSON document becomes columns."""
    conn.execute("DROP INDEX stories_by_key")
    conn.execute("ALTER TABLE stories RENAME TO stories_v7")
    conn.execute(_STORIES)
    conn.execute("CREATE INDEX stories_by_key ON stories (key)")
    # Streamed from the old table into the new one: a large store's stories are GBs.
    old = conn.execute("SELECT source, position, key, data FROM stories_v7")
    conn.executemany(
        f"INSERT INTO stories (source, position, {STORY_COLUMNS})"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            (source, position, key, *_story_columns(story), story["line"])
            for source, position, key, data in old
            for story in (json.loads(data),)
        ),
    )
    conn.execute("DROP TABLE stories_v7")
    for column in (
        "date TEXT",
        "summary TEXT NOT NULL DEFAULT ''",
        "paragraphs TEXT NOT NULL DEFAULT ''",
        "sources TEXT NOT NULL DEFAULT '[]'",
    ):
        conn.execute(f"ALTER TABLE entries ADD COLUMN {column}")
    ids = [i for (i,) in conn.execute("SELECT id FROM entries ORDER BY id")]
    # A chunk at a time, never updating the table a query is still reading.
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(f"SELECT id, data FROM entries WHERE id IN ({marks})", chunk)
        updates = []
        for entry_id, data in rows.fetchall():
            story = json.loads(data)
            sources = json.dumps(story["sources"], ensure_ascii=False)
            updates.append((*_story_columns(story), sources, entry_id))
        conn.executemany(
            "UPDATE entries SET kind = ?, headline = ?, section = ?, section_slug = ?,"
            " authors = ?, date = ?, summary = ?, paragraphs = ?, sources = ? WHERE id = ?",
            updates,
        )
    conn.execute("ALTER TABLE entries DROP COLUMN data")


def _story_columns(data: dict[str, Any]) -> tuple[Any, ...]:
    """A version 7 story document as (kind, headline, section, section_slug, authors, date,
    summary, paragraphs)."""
    authors = [[a["name"], a["slug"]] for a in data["authors"]]
    return (
        data["kind"],
        data["headline"],
        data["section"]["name"],
        data["section"]["slug"],
        json.dumps(authors, ensure_ascii=False),
        data["date"],
        data["summary"],
        joined_paragraphs(tuple(data["paragraphs"])),
    )


# Version n → n+1 steps, applied in order when an older store is opened.
MIGRATIONS: dict[int, str | Callable[[sqlite3.Connection], None]] = {
    1: """
ALTER TABLE entries ADD COLUMN section_slug TEXT NOT NULL DEFAULT '';
UPDATE entries SET section_slug = json_extract(section, '$[1]');
"""
    + _FEED_INDEXES
    + """
INSERT OR IGNORE INTO entry_authors (slug, entry_id, name)
    SELECT json_extract(a.value, '$[1]'), e.id, json_extract(a.value, '$[0]')
    FROM entries AS e, json_each(e.authors) AS a;
DELETE FROM outputs WHERE path LIKE 'entries/%';
""",
    2: _HISTORY,
    3: _CATALOG_INDEX,
    4: _BY_PUBLISHED
    + """
INSERT INTO archive_heads (feed, pages) SELECT feed, max(page) FROM archive GROUP BY feed;
""",
    5: _FILES,
    6: _DEPLOYED,
    7: _columns_from_json,
    8: _FEED_UPDATED,
    9: _ARCHIVE_UPDATED,
}
