"""Exceptions a user can act on.

Every failure that reaches the user is one of these, and ``str(err)`` is a
single line that names the thing at fault::

    FeedsError
    ├── SeedError            a seed file cannot be published (path, line, field)
    │   ├── SeedTooLarge     over the configured size limit
    │   ├── SeedEncodingError  not text in UTF-8 (or clean Windows-1252)
    │   └── SeedLayoutError  text, but not in the seed layout
    ├── ConfigError          a bad key or value in feeds.toml (path, key)
    ├── StoreError           the SQLite store cannot be used
    │   ├── StoreLockedError     another publisher holds the lock
    │   ├── StoreMissingError    no store, but the output shows an earlier publish
    │   └── SchemaVersionError   the store was written by another version
    ├── PublishError         a rendered feed failed its check; nothing replaced
    ├── DeployError          the bucket refused or could not be reached; the output is kept
    │   └── DeployExtraMissing   [deploy] is set but obstore is not installed
    └── FeedPageError        a published feed file the server cannot show as a page
"""

from __future__ import annotations


class FeedsError(Exception):
    """Base class of every error feeds reports to its user."""


class SeedError(FeedsError):
    """A seed file that cannot be turned into entries.

    Rendered as ``path:line: field: message`` with the parts that apply.
    """

    def __init__(
        self, source: str, message: str, *, line: int | None = None, field: str | None = None
    ) -> None:
        self.source = source
        self.message = message
        self.line = line
        self.field = field
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        what = self.message if self.field is None else f"{self.field}: {self.message}"
        return f"{where}: {what}"

    def relocated(self, source: str) -> SeedError:
        """The same error naming the file as ``source`` (e.g. with its folder)."""
        return type(self)(source, self.message, line=self.line, field=self.field)


class SeedTooLarge(SeedError):
    """The seed file is larger than ``max_seed_bytes``."""


class SeedEncodingError(SeedError):
    """The seed file is binary or not valid text."""


class SeedLayoutError(SeedError):
    """The seed file is text but does not have the layout of a scraped article."""


class ConfigError(FeedsError):
    """A configuration file or option with a bad key or value."""

    def __init__(self, path: str, key: str | None, message: str) -> None:
        self.path = path
        self.key = key
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.key is None:
            return f"{self.path}: {self.message}"
        return f"{self.path}: {self.key}: {self.message}"


class StoreError(FeedsError):
    """The SQLite store could not be opened, read or written."""


class StoreLockedError(StoreError):
    """Another process holds the store's publish lock."""


class StoreMissingError(StoreError):
    """The store is missing or empty while the output folder holds an earlier publish:
    going on would give published entries new dates."""


class SchemaVersionError(StoreError):
    """The store's schema version is not one this program can use."""

    def __init__(self, path: str, found: int, expected: int) -> None:
        self.path = path
        self.found = found
        self.expected = expected
        super().__init__(
            f"{path}: store schema version {found} is not supported "
            f"(this feeds uses version {expected})"
        )


class SeedsEmptiedError(FeedsError):
    """The seeds folder holds no seed, but entries were published from it: most likely a
    mount that is not there. Going on would delete every entry."""


class PublishError(FeedsError):
    """A rendered file failed its check before replacing the published one."""


class DeployError(FeedsError):
    """Putting the output in object storage failed, or was refused (too many deletions).

    The local output is whole either way; what is not in the bucket yet is uploaded
    by the next publish or ``feeds deploy``.
    """


class DeployExtraMissing(DeployError):
    """The config asks for a deploy, but the optional ``deploy`` extra is not installed."""
