"""What a deploy uploads and deletes, in which order, with which headers. Pure.

Order is what keeps a reader from meeting a broken link while an upload is under
way: the pages feeds link to (entry pages, archive pages, the stylesheet) go
first, then the feeds, then the pages and lists that link the feeds (the HTML
pages, ``feeds.opml``), and deletions last, once nothing uploaded links them.
Object PUTs are atomic, so every object a reader fetches is a whole file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from feeds.address import archive_place, content_type, output_kind
from feeds.deploy.settings import DeploySettings

# Stages of an upload; each finishes before the next starts.
STAGES = (("entry", "archive", "asset"), ("feed",), ("list",))

Stat = tuple[int, int]  # (size, mtime_ns) of a file as published


@dataclass(frozen=True)
class Upload:
    """One file to PUT: where it goes and the headers it is served with."""

    path: str  # relative to the output folder
    key: str  # in the bucket
    content_type: str
    cache_control: str
    gzip: bool


@dataclass(frozen=True)
class DeployPlan:
    """The uploads in stages (each finished before the next), then the keys to delete."""

    stages: tuple[tuple[Upload, ...], ...]
    deletes: tuple[str, ...]  # keys in the bucket

    @property
    def uploads(self) -> list[Upload]:
        return [upload for stage in self.stages for upload in stage]

    def describe(self) -> list[str]:
        """One line per action, in the order they would happen (``--dry-run``)."""
        lines = [f"put {u.key} ({u.content_type}; {u.cache_control})" for u in self.uploads]
        return lines + [f"delete {key}" for key in self.deletes]


def changed_since_deploy(
    local: Mapping[str, Stat], deployed: Mapping[str, Stat]
) -> tuple[list[str], list[str]]:
    """Files published since the last deploy (new, or another size or mtime) and files
    deployed that are no longer published: what an incremental deploy uploads and deletes."""
    puts = sorted(path for path, stat in local.items() if deployed.get(path) != stat)
    deletes = sorted(path for path in deployed if path not in local)
    return puts, deletes


def bucket_differences(
    published: Iterable[str],
    fingerprints: Mapping[str, tuple[int | None, str]],
    remote: Mapping[str, tuple[int, str]],
    settings: DeploySettings,
) -> tuple[list[str], list[str]]:
    """Compare published files with a bucket listing (``key → (size, ETag)``, keys under
    the prefix): the paths to upload and the keys to delete.

    ``fingerprints`` holds ``(size or None when unknown, MD5 of the body to upload)``
    of the files whose key is listed; a file without one is uploaded. A single-part
    PUT's ETag is the MD5 of its body; an object whose ETag is anything else
    (multipart, KMS) is uploaded again, which is safe.
    """
    puts = []
    keys = set()
    for path in published:
        key = settings.object_key(path)
        keys.add(key)
        if not _same(remote.get(key), fingerprints.get(path)):
            puts.append(path)
    deletes = sorted(key for key in remote if key not in keys)
    return sorted(puts), deletes


def _same(found: tuple[int, str] | None, mine: tuple[int | None, str] | None) -> bool:
    if found is None or mine is None:
        return False
    size, md5 = mine
    return found[1].strip('"').lower() == md5 and (size is None or size == found[0])


def plan_deploy(
    puts: Iterable[str],
    delete_keys: Iterable[str],
    published: Iterable[str],
    settings: DeploySettings,
) -> DeployPlan:
    """Put ``puts`` in stages with their headers; ``published`` is every path published
    now, which says which archive pages are the newest of their feed (still filling)."""
    newest = _newest_archive_pages(published)
    by_stage: list[list[Upload]] = [[] for _ in STAGES]
    for path in sorted(puts):
        kind = output_kind(path)
        stage = next(i for i, kinds in enumerate(STAGES) if kind in kinds)
        by_stage[stage].append(
            Upload(
                path=path,
                key=settings.object_key(path),
                content_type=content_type(path),
                cache_control=cache_control(path, kind, newest, settings),
                gzip=settings.gzip,
            )
        )
    return DeployPlan(tuple(tuple(s) for s in by_stage if s), tuple(sorted(delete_keys)))


def cache_control(path: str, kind: str, newest: set[str], settings: DeploySettings) -> str:
    """Long for pages that rarely change (closed archive pages, entry pages), short for
    everything a new entry changes: feeds, lists, and the archive page still filling."""
    if kind == "entry":
        return settings.entry_cache_control
    if kind == "archive" and path not in newest:
        return settings.archive_cache_control
    return settings.cache_control


def headers_fingerprint(settings: DeploySettings) -> str:
    """What the objects' headers and bodies depend on besides the files: a change means
    every object is uploaded again."""
    return "|".join(
        (
            settings.cache_control,
            settings.archive_cache_control,
            settings.entry_cache_control,
            "gzip" if settings.gzip else "identity",
        )
    )


def _newest_archive_pages(paths: Iterable[str]) -> set[str]:
    newest: dict[str, tuple[int, str]] = {}
    for path in paths:
        place = archive_place(path)
        if place is not None and place[1] > newest.get(place[0], (0, ""))[0]:
            newest[place[0]] = (place[1], path)
    return {path for _, path in newest.values()}
