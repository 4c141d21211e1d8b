"""The SQLite store, the only user of SQLite: ``db`` (the ``Store``), ``history`` (its
queries about feeds, archive pages, corrections and tombstones), ``schema`` (versioned
and migrated) and ``lock`` (one publisher at a time)."""
