"""Entry fragments kept between runs: used only when they are what would be built, and a
damaged or missing cache changes nothing but the time taken."""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from feeds.config import Config
from feeds.publish import dispatch
from feeds.publish.run import publish
from feeds.store.fragments import fragments_path
from tests.conftest import NOW, tree_bytes


def fragments_used(caplog: pytest.LogCaptureFixture) -> tuple[int, int]:
    """(built, kept from before) of the last publish, from its debug line."""
    lines = [r.getMessage() for r in caplog.records if "entry fragments:" in r.getMessage()]
    match = re.search(r"entry fragments: (\d+) built, (\d+) kept from before", lines[-1])
    assert match, lines[-1]
    caplog.clear()
    return int(match.group(1)), int(match.group(2))


@pytest.fixture
def logged(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG, logger="feeds.publish.execute")
    return caplog


def test_a_rebuild_builds_no_fragment_and_writes_the_same_bytes(
    config: Config, logged: pytest.LogCaptureFixture
) -> None:
    publish(config, NOW)
    built, kept = fragments_used(logged)
    assert built > 0 and kept == 0
    published = tree_bytes(config.output)
    report = publish(config, NOW, rebuild=True)
    assert fragments_used(logged) == (0, built)
    assert report.written == ()
    assert tree_bytes(config.output) == published


def edit_first_seed(seeds: Path) -> None:
    seed = sorted(seeds.glob("*.txt"))[0]
    body = seed.read_text(encoding="utf-8")
    seed.write_text(body.replace("\nA new report by", "\nAn added paragraph.\n\nA new report by"))


def test_an_edited_entry_is_built_again_and_the_bytes_are_those_a_rebuild_without_cache_gives(
    config: Config, logged: pytest.LogCaptureFixture
) -> None:
    publish(config, NOW)
    built_cold, _ = fragments_used(logged)
    edit_first_seed(config.seeds)
    later = NOW + timedelta(hours=1)
    publish(config, later)
    built, kept = fragments_used(logged)
    assert 0 < built < built_cold and kept > 0
    assert b"An added paragraph." in (config.output / "all.atom").read_bytes()
    published = tree_bytes(config.output)
    fragments_path(config.store).unlink()  # every fragment built afresh
    publish(config, later, rebuild=True)
    assert fragments_used(logged)[1] == 0
    assert tree_bytes(config.output) == published


def test_a_new_site_setting_builds_every_fragment_again(
    config: Config, logged: pytest.LogCaptureFixture
) -> None:
    publish(config, NOW)
    built, _ = fragments_used(logged)
    publish(replace(config, title="Council News"), NOW)
    assert fragments_used(logged) == (built, 0)
    assert b"Council News" in (config.output / "all.atom").read_bytes()


def test_a_damaged_cache_is_ignored_and_changes_no_byte(
    config: Config, logged: pytest.LogCaptureFixture
) -> None:
    publish(config, NOW)
    built, _ = fragments_used(logged)
    published = tree_bytes(config.output)
    cache = fragments_path(config.store)
    with sqlite3.connect(cache) as con:  # one fragment's bytes damaged
        con.execute(
            "UPDATE fragments SET data = x'00ff'"
            " WHERE (entry_id, fmt) = (SELECT entry_id, fmt FROM fragments LIMIT 1)"
        )
    con.close()
    publish(config, NOW, rebuild=True)
    assert fragments_used(logged)[0] >= 1  # that one built again
    assert tree_bytes(config.output) == published

    for name in (cache.name, f"{cache.name}-wal", f"{cache.name}-shm"):
        (cache.parent / name).unlink(missing_ok=True)
    cache.write_bytes(b"not a database" * 100)
    publish(config, NOW, rebuild=True)
    warnings = [r.getMessage() for r in logged.records if r.levelno == logging.WARNING]
    assert warnings == [f"{cache}: damaged fragment cache replaced: file is not a database"]
    assert fragments_used(logged) == (built, 0)
    assert tree_bytes(config.output) == published
    publish(config, NOW, rebuild=True)  # the new cache is used
    assert fragments_used(logged) == (0, built)


def test_new_templates_render_every_entry_page_again(
    config: Config, logged: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish(config, NOW)
    built, _ = fragments_used(logged)
    pages = len([p for p in tree_bytes(config.output) if p.startswith("entries/")])
    monkeypatch.setattr(dispatch, "templates_fingerprint", lambda: "edited-templates")
    publish(config, NOW, rebuild=True)
    assert fragments_used(logged) == (pages, built - pages)


def cached_entries(config: Config) -> set[str]:
    with sqlite3.connect(fragments_path(config.store)) as con:
        found = {entry_id for (entry_id,) in con.execute("SELECT entry_id FROM fragments")}
    con.close()
    return found


def test_a_full_render_forgets_the_fragments_of_deleted_entries(config: Config) -> None:
    publish(config, NOW)
    before = cached_entries(config)
    sorted(config.seeds.glob("*.txt"))[0].unlink()
    publish(config, NOW + timedelta(hours=1))
    assert cached_entries(config) == before  # an incremental run leaves them
    publish(config, NOW + timedelta(hours=1), rebuild=True)
    after = cached_entries(config)
    assert after and after < before
    with sqlite3.connect(config.store) as con:
        ids = {entry_id for (entry_id,) in con.execute("SELECT id FROM entries")}
    con.close()
    assert after == ids
