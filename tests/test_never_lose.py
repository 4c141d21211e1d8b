"""Articles are never silently lost: same headlines, half-written seeds, lost output, lost store."""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from datetime import timedelta
from pathlib import Path

import feedparser
import pytest

from feeds.config import Config
from feeds.publish.run import publish
from tests.conftest import NOW, RunFeeds, tree_bytes, write_corpus


def article(headline: str, body: str, author: str = "Jo Bloggs") -> str:
    return "\n\n".join(["NEWS", headline, "Stand.", body, f"Popular articles by {author}"])


@pytest.fixture
def empty(tmp_path: Path) -> Config:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    return Config(
        seeds=seeds,
        output=tmp_path / "output",
        store=tmp_path / ".feeds" / "state.sqlite",
        source="test",
        settle=0,
    )


def entries(config: Config) -> dict[str, str]:
    """id → content of every entry in all.atom."""
    parsed = feedparser.parse((config.output / "all.atom").read_bytes())
    return {e.id: e.content[0].value for e in parsed.entries}


def test_two_articles_with_one_headline_stay_two_entries(empty: Config) -> None:
    (empty.seeds / "b.txt").write_text(article("COUNCIL CUTS BUDGET", "Loud body.", "Ann Ames"))
    (empty.seeds / "c.txt").write_text(article("Council cuts budget", "Quiet body.", "Bo Bell"))
    report = publish(empty, NOW)
    first = entries(empty)
    assert len(first) == 2
    assert any("Loud body." in c for c in first.values())
    assert any("Quiet body." in c for c in first.values())
    clash = [w for w in report.warnings if "same headline" in w]
    assert len(clash) == 1
    assert f"{empty.seeds}/b.txt" in clash[0] and f"{empty.seeds}/c.txt" in clash[0]
    assert len({p.name for p in (empty.output / "entries").iterdir()}) == 2

    # A third version, added later and sorting first, replaces neither published one.
    (empty.seeds / "a.txt").write_text(article("Council Cuts Budget", "Third body.", "Cy Cole"))
    publish(empty, NOW + timedelta(hours=1))
    second = entries(empty)
    assert len(second) == 3
    for entry_id, content in first.items():
        assert second[entry_id] == content

    # An identical copy adds nothing; deleting one of the three leaves the other two whole.
    (empty.seeds / "d.txt").write_text(article("council cuts budget", "Quiet body.", "Bo Bell"))
    publish(empty, NOW + timedelta(hours=2))
    assert entries(empty) == second
    (empty.seeds / "b.txt").unlink()
    publish(empty, NOW + timedelta(hours=3))
    third = entries(empty)
    assert len(third) == 2
    assert not any("Loud body." in c for c in third.values())
    assert {i: c for i, c in second.items() if "Loud body." not in c} == third


def test_a_published_article_keeps_its_body_when_a_case_variant_arrives(empty: Config) -> None:
    (empty.seeds / "z.txt").write_text(article("Rents rise again", "Original body."))
    publish(empty, NOW)
    (before,) = entries(empty).items()
    (empty.seeds / "a.txt").write_text(article("RENTS RISE AGAIN", "Another body."))
    os.utime(empty.seeds / "a.txt")
    publish(empty, NOW + timedelta(hours=1))
    after = entries(empty)
    assert after[before[0]] == before[1]
    assert len(after) == 2


def test_cron_publish_leaves_a_seed_being_written_for_the_next_run(
    run_feeds: RunFeeds, seeds_dir: Path, tmp_path: Path
) -> None:
    assert run_feeds("publish", "--quiet").returncode == 0
    half = seeds_dir / "half.txt"
    whole = article("Housing plan unveiled", "First paragraph.\n\nSecond paragraph.")
    half.write_text(whole[: len(whole) // 2])  # a writer is still at it
    result = run_feeds("publish")
    assert result.returncode == 0, result.stderr
    assert ", 1 deferred in " in result.stdout
    titles = [e.title for e in feedparser.parse(tmp_path / "output/all.atom").entries]
    assert "Housing plan unveiled" not in titles
    assert run_feeds("publish", "-v").stderr.count("half.txt is still being written") == 1

    half.write_text(whole)  # the writer is done; the file settles
    past = time.time_ns() - 10 * 10**9
    os.utime(half, ns=(past, past))
    result = run_feeds("publish")
    assert " deferred" not in result.stdout
    titles = [e.title for e in feedparser.parse(tmp_path / "output/all.atom").entries]
    assert "Housing plan unveiled" in titles


def test_a_seed_dated_in_the_future_is_not_held_back(
    run_feeds: RunFeeds, seeds_dir: Path, tmp_path: Path
) -> None:
    future = seeds_dir / "future.txt"
    future.write_text(article("Dated tomorrow", "Body."))
    ahead = time.time_ns() + 86_400 * 10**9
    os.utime(future, ns=(ahead, ahead))
    result = run_feeds("publish")
    assert " deferred" not in result.stdout
    titles = [e.title for e in feedparser.parse(tmp_path / "output/all.atom").entries]
    assert "Dated tomorrow" in titles


@pytest.fixture
def site(tmp_path: Path) -> Config:
    """Twelve stories, five to a feed: archive pages, entry pages, section and author feeds."""
    seeds = tmp_path / "seeds"
    write_corpus(seeds, 12)
    return Config(
        seeds=seeds,
        output=tmp_path / "output",
        store=tmp_path / ".feeds" / "state.sqlite",
        max_entries=5,
        source="test",
    )


def test_lost_output_files_come_back(site: Config) -> None:
    publish(site, NOW)
    published = tree_bytes(site.output)
    assert any(p.startswith("archive/") for p in published)
    lost = [p for p in published if p.startswith(("entries/", "archive/"))]
    shutil.rmtree(site.output / "entries")
    shutil.rmtree(site.output / "archive")
    report = publish(site, NOW)
    assert sorted(report.written) == sorted(lost)
    assert tree_bytes(site.output) == published

    shutil.rmtree(site.output)
    report = publish(site, NOW)
    assert len(report.written) == len(published)
    assert tree_bytes(site.output) == published
    assert publish(site, NOW).written == ()


def test_altered_output_files_are_put_right(site: Config) -> None:
    publish(site, NOW)
    published = tree_bytes(site.output)
    page = next(p for p in published if p.startswith("entries/"))
    (site.output / "all.atom").write_bytes(b"<feed/>")
    (site.output / page).write_text("defaced")
    (site.output / "archive/all/1.atom").write_bytes(published["archive/all/1.atom"] + b" ")
    report = publish(site, NOW)
    assert sorted(report.written) == sorted(["all.atom", page, "archive/all/1.atom"])
    assert tree_bytes(site.output) == published


def test_a_touched_file_is_checked_once_and_not_rewritten(site: Config) -> None:
    publish(site, NOW)
    os.utime(site.output / "all.rss")  # same bytes, new mtime
    assert publish(site, NOW).written == ()
    assert publish(site, NOW).written == ()


def test_a_store_without_file_records_adopts_the_files_as_they_are(site: Config) -> None:
    publish(site, NOW)
    con = sqlite3.connect(site.store)
    with con:
        con.execute("DELETE FROM files")  # as a store from before records were kept
        con.execute("DELETE FROM status WHERE key = 'files_complete'")
    con.close()
    assert publish(site, NOW).written == ()
    (site.output / "index.html").unlink()
    assert publish(site, NOW).written == ("index.html",)
    # The pages adopted are checked from their records from now on.
    page = next(p for p in tree_bytes(site.output) if p.startswith("entries/"))
    (site.output / page).unlink()
    assert publish(site, NOW).written == (page,)


def test_the_watchers_cheap_scan_skips_the_check(site: Config) -> None:
    publish(site, NOW)
    (site.output / "all.json").unlink()
    assert publish(site, NOW, verify=False).written == ()
    assert publish(site, NOW).written == ("all.json",)


@pytest.mark.parametrize("how", ["deleted", "emptied"])
def test_a_lost_store_is_refused_unless_asked_for(
    run_feeds: RunFeeds, seeds_dir: Path, tmp_path: Path, how: str
) -> None:
    assert run_feeds("publish", "--quiet").returncode == 0
    published = tree_bytes(tmp_path / "output")
    store = tmp_path / ".feeds/state.sqlite"
    store.unlink()
    if how == "emptied":
        store.write_bytes(b"")
    for command in (["publish"], ["watch", "--interval", "60"]):
        result = run_feeds(*command, timeout=20)
        assert result.returncode == 2, result.stderr
        (line,) = result.stderr.splitlines()
        assert str(store) in line and "--new-store" in line, line
        assert tree_bytes(tmp_path / "output") == published
    result = run_feeds("publish", "--new-store")
    assert result.returncode == 0, result.stderr
    assert run_feeds("publish", "--quiet").returncode == 0  # the new store is a store


def test_a_first_publish_needs_no_flag(
    run_feeds: RunFeeds, seeds_dir: Path, tmp_path: Path
) -> None:
    (tmp_path / "output").mkdir()
    (tmp_path / "output" / "README").write_text("not a publish")
    assert run_feeds("publish", "--quiet").returncode == 0
