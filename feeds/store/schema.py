"""The store's schema: the tables, their version, and the steps from older versions.

``feeds.store.db`` creates a new store from ``SCHEMA`` and brings an older one
up to date by running ``MIGRATIONS[n]`` for each version ``n`` it is behind.
"""

SCHEMA_VERSION = 7
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

SCHEMA = (
    """
CREATE TABLE seeds (
    path TEXT PRIMARY KEY,          -- relative to the seeds folder
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    error TEXT                      -- the current rejection, NULL when parsed
);
CREATE TABLE stories (              -- the last good parse of each seed
    source TEXT NOT NULL,
    position INTEGER NOT NULL,      -- 0 the article, then its teasers
    key TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (source, position)
);
CREATE INDEX stories_by_key ON stories (key);
CREATE TABLE entries (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    key TEXT NOT NULL UNIQUE,
    origin TEXT UNIQUE,
    kind TEXT NOT NULL,
    headline TEXT NOT NULL,
    section TEXT NOT NULL,          -- JSON [name, slug]
    section_slug TEXT NOT NULL,
    authors TEXT NOT NULL,          -- JSON [[name, slug], ...]
    data TEXT NOT NULL,             -- JSON of the merged story
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
)

# Version n → n+1 steps, applied in order when an older store is opened.
MIGRATIONS: dict[int, str] = {
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
}
