"""The entry fragments kept between small publishes (``feeds.store.fragments``): a run
builds only the fragments of entries that changed, and the output is the same bytes as
a run that kept none, whatever happened to the cache file."""

from __future__ import annotations

import logging
import os
import sqlite3
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from lxml import etree

from feeds.config import Config
from feeds.publish.run import publish
from feeds.store.fragments import fragments_path
from tests.conftest import NOW, SEED_MTIME_NS, synthetic_seed, tree_bytes, write_corpus

COUNT = 40
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def sites(tmp_path: Path) -> tuple[Config, Config]:
    """Two sites of the same 40 seeds, published cold: the second will keep no fragments."""
    configs = []
    for name in ("kept", "none"):
        seeds = tmp_path / name / "seeds"
        write_corpus(seeds, COUNT)
        config = Config(
            seeds=seeds,
            output=tmp_path / name / "output",
            store=tmp_path / name / "state.sqlite",
            source="test",
            max_entries=10,  # archive pages too: every document kind holds fragments
        )
        publish(config, NOW)
        configs.append(config)
    return configs[0], configs[1]


def _edit(config: Config, number: int, step: int) -> None:
    path = config.seeds / f"{number:05d}.txt"
    text = synthetic_seed(number).replace("something", f"something else ({step})")
    path.write_text(text, encoding="utf-8")
    mtime = SEED_MTIME_NS + (step + 1) * 10**9
    os.utime(path, ns=(mtime, mtime))


def _kept_rows(config: Config) -> dict[tuple[str, str, str], str]:
    with sqlite3.connect(fragments_path(config.store)) as conn:
        rows = conn.execute("SELECT fmt, entry_id, variant, digest FROM fragments").fetchall()
    return {(fmt, entry_id, variant): digest for fmt, entry_id, variant, digest in rows}


def _seen(config: Config) -> dict[tuple[str, str, str], int]:
    """Each kept row's run number (``seen``)."""
    with sqlite3.connect(fragments_path(config.store)) as conn:
        rows = conn.execute("SELECT fmt, entry_id, variant, seen FROM fragments").fetchall()
    conn.close()
    return {(fmt, entry_id, variant): seen for fmt, entry_id, variant, seen in rows}


def _entry_id(config: Config, text: str) -> str:
    """The id of the one entry whose content holds ``text``."""
    ids = [
        entry.findtext(f"{ATOM}id")
        for entry in etree.parse(str(config.output / "all.atom")).iter(f"{ATOM}entry")
        if text in (entry.findtext(f"{ATOM}content") or "")
    ]
    assert len(ids) == 1 and ids[0] is not None
    return ids[0]


def _reused(caplog: pytest.LogCaptureFixture) -> tuple[int, int]:
    """(reused, built) from the cache's debug line of the last publish."""
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("fragment cache:")]
    words = lines[-1].split()
    return int(words[2]), int(words[4])


def test_a_cold_publish_keeps_nothing(sites: tuple[Config, Config]) -> None:
    kept, _ = sites
    assert not fragments_path(kept.store).exists()


def test_edits_build_only_the_edited_entries_and_give_the_same_bytes(
    sites: tuple[Config, Config], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="feeds.store.fragments")
    kept, none = sites
    # The same seed twice (its kept fragments must not be reused once it changes), then others.
    for step, number in enumerate([3, 3, 17, 39, 3]):
        before = _kept_rows(kept) if fragments_path(kept.store).exists() else {}
        for config in sites:
            _edit(config, number, step)
        fragments_path(none.store).unlink(missing_ok=True)
        now = NOW + timedelta(hours=step + 1)
        caplog.clear()
        publish(kept, now)
        reused, built = _reused(caplog)
        publish(none, now)
        assert tree_bytes(kept.output) == tree_bytes(none.output)
        after = _kept_rows(kept)
        edited = _entry_id(kept, f"something else ({step})")
        new = {key for key in after if key not in before}
        rebuilt = {key for key in after if key in before and before[key] != after[key]}
        # What was built is what the cache did not hold, and the edited entry: no other
        # entry kept before is built again.
        assert built == len(new) + len(rebuilt)
        assert {key[1] for key in rebuilt} <= {edited}
        if step == 0:
            assert (reused, len(rebuilt)) == (0, 0)
            assert len(new) > 30  # every entry of every document rewritten
        elif number == 3:  # edited before: all its documents' other entries are kept
            assert {key[1] for key in rebuilt} == {edited}
            assert reused > 20
            assert built == len(rebuilt)


def test_a_damaged_cache_is_replaced_and_the_output_stays_right(
    sites: tuple[Config, Config], caplog: pytest.LogCaptureFixture
) -> None:
    kept, none = sites
    for config in sites:
        _edit(config, 5, 0)
        publish(config, NOW + timedelta(hours=1))
    path = fragments_path(kept.store)
    with sqlite3.connect(path) as conn:  # a row whose bytes no longer decompress
        conn.execute("UPDATE fragments SET data = x'00ff' WHERE rowid = 1")
    conn.close()
    for config in sites:
        _edit(config, 6, 1)
        publish(config, NOW + timedelta(hours=2))
    assert tree_bytes(kept.output) == tree_bytes(none.output)
    path.write_bytes(b"not a database" * 100)  # the whole file
    for config in sites:
        _edit(config, 7, 2)
        publish(config, NOW + timedelta(hours=3))
    assert tree_bytes(kept.output) == tree_bytes(none.output)
    assert any("damaged fragment cache replaced" in r.getMessage() for r in caplog.records)
    assert _kept_rows(kept)  # a working cache again


def test_a_full_render_forgets_the_kept_fragments(sites: tuple[Config, Config]) -> None:
    kept, none = sites
    for config in sites:
        _edit(config, 5, 0)
        publish(config, NOW + timedelta(hours=1))
    assert fragments_path(kept.store).exists()
    # A new site title: every file is rendered again, and no fragment made before is trusted.
    retitled = (replace(kept, title="Another title"), replace(none, title="Another title"))
    for config in retitled:
        publish(config, NOW + timedelta(hours=2))
    assert not fragments_path(kept.store).exists()
    # Kept again by the next small runs, and the same bytes as a site keeping none.
    for step in (1, 2):
        fragments_path(none.store).unlink(missing_ok=True)
        for config in retitled:
            _edit(config, 5 + step, step)
            publish(config, NOW + timedelta(hours=2 + step))
        assert tree_bytes(kept.output) == tree_bytes(none.output)
    assert fragments_path(kept.store).exists()
    assert b"Another title" in (kept.output / "all.atom").read_bytes()


def test_only_subscription_documents_keep_fragments_and_the_file_stays_bounded(
    sites: tuple[Config, Config], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Three entries a document: most entries are on archive pages only.
    sites = (replace(sites[0], max_entries=3), replace(sites[1], max_entries=3))
    kept, none = sites
    for config in sites:
        publish(config, NOW)
    # The oldest stories: editing them rewrites archive pages, whose entries are not kept.
    for step, number in enumerate([0, 1, 2]):
        for config in sites:
            _edit(config, number, step)
            publish(config, NOW + timedelta(hours=step + 1))
    subscribed = set()
    for path in kept.output.rglob("*.atom"):
        if "archive" not in path.parts:
            subscribed |= {
                e.findtext(f"{ATOM}id") for e in etree.parse(str(path)).iter(f"{ATOM}entry")
            }
    rows = _kept_rows(kept)
    assert rows and {entry_id for _, entry_id, _ in rows} <= subscribed
    assert len(subscribed) < COUNT - 10
    # Past MAX_ROWS the rows written longest ago go first.
    monkeypatch.setattr("feeds.store.fragments.MAX_ROWS", 12)
    before = _seen(kept)
    for config in sites:
        _edit(config, 30, 9)
        publish(config, NOW + timedelta(hours=9))
    after = _seen(kept)
    dropped = [seen for key, seen in before.items() if key not in after]
    assert len(before) > 12 and len(after) == 12 and dropped
    assert max(dropped) <= min(after.values())
    assert max(after.values()) == max(before.values()) + 1  # the last run's rows are in
    assert tree_bytes(kept.output) == tree_bytes(none.output)


def test_a_folder_in_the_caches_place_never_stops_a_publish(
    sites: tuple[Config, Config], caplog: pytest.LogCaptureFixture
) -> None:
    kept, none = sites
    fragments_path(kept.store).mkdir()
    retitled = (replace(kept, title="Another title"), replace(none, title="Another title"))
    for config in retitled:  # a full render, which deletes the cache
        publish(config, NOW + timedelta(hours=1))
    for config in retitled:  # a small one, which opens it
        _edit(config, 5, 1)
        publish(config, NOW + timedelta(hours=2))
    assert tree_bytes(kept.output) == tree_bytes(none.output)
    messages = [r.getMessage() for r in caplog.records]
    assert any("fragment cache not deleted" in m for m in messages)
    assert any("fragment cache not used" in m for m in messages)
