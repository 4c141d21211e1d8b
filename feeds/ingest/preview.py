"""``feeds inspect``: read seed files, merge their stories, and report what they give."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from feeds.errors import SeedError
from feeds.ingest.merge import merge_stories
from feeds.ingest.normalise import is_editor_leftover
from feeds.ingest.seeds import read_seed, scan_seeds
from feeds.records import ParsedSeed, story_to_json


@dataclass(frozen=True)
class InspectResult:
    """Merged entries as JSON-ready dicts, plus one message per rejected file."""

    entries: tuple[dict[str, Any], ...]
    errors: tuple[SeedError, ...]
    warnings: tuple[str, ...]


def _expand(paths: tuple[Path, ...], errors: list[SeedError]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found, refused = scan_seeds(path)
            files.extend(path / name for name in sorted(found))
            errors.extend(SeedError(str(path / name), refused[name]) for name in sorted(refused))
        elif not is_editor_leftover(path.name):
            # A file named explicitly is inspected whatever its extension;
            # editor leftovers are skipped everywhere, even when named.
            files.append(path)
    return files


def inspect_paths(paths: tuple[Path, ...], max_seed_bytes: int) -> InspectResult:
    """Normalise and merge the given files (folders expand to their seed files)."""
    parsed: list[ParsedSeed] = []
    errors: list[SeedError] = []
    for path in _expand(paths, errors):
        try:
            seed, _ = read_seed(path, str(path), max_seed_bytes)
        except SeedError as err:
            errors.append(err)
            continue
        parsed.append(seed)
    merged = merge_stories(story for seed in parsed for story in seed.stories)
    entries = []
    for story in merged:
        data = story_to_json(story)
        data.pop("key")
        entries.append(data)
    warnings = tuple(w for seed in parsed for w in seed.warnings)
    return InspectResult(tuple(entries), tuple(errors), warnings)
