"""``feeds publish`` and ``feeds check`` as cron runs them: real processes, real files."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from feeds.store.lock import publish_lock
from tests.conftest import (
    SEED_MTIME_NS,
    RunFeeds,
    synthetic_seed,
    tree_bytes,
    wait_until,
    write_corpus,
)

NOW = "2026-11-01T12:00:00+00:00"


def test_publish_prints_one_summary_line(run_feeds: RunFeeds, seeds_dir: Path) -> None:
    result = run_feeds("publish", "--now", NOW)
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(
        r"10 entries from 2 seeds: 53 files written, 0 unchanged, 0 rejected in \d+\.\d s\n",
        result.stdout,
    )
    again = run_feeds("publish", "--now", NOW)
    assert "0 files written, 53 unchanged" in again.stdout


def test_quiet_is_silent_on_success(run_feeds: RunFeeds, seeds_dir: Path) -> None:
    result = run_feeds("publish", "--quiet")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_rejected_seed_exit_1_and_names_the_file(
    run_feeds: RunFeeds, seeds_dir: Path, tmp_path: Path
) -> None:
    (seeds_dir / "empty.txt").write_text("")
    os.utime(seeds_dir / "empty.txt", ns=(SEED_MTIME_NS, SEED_MTIME_NS))  # settled
    result = run_feeds("publish", "--quiet")
    assert result.returncode == 1
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("rejected: ") and "seeds/empty.txt: empty file" in line
    # Still rejected on the next run (exit 1 while it lasts), in the same words.
    again = run_feeds("publish", "--quiet")
    assert (again.returncode, again.stderr.splitlines()) == (1, [line])
    assert len(feedparser.parse((tmp_path / "output/all.atom").read_bytes()).entries) == 10


def test_a_seeds_folder_found_empty_is_refused_until_said_to_be_meant(
    run_feeds: RunFeeds, seeds_dir: Path, tmp_path: Path
) -> None:
    assert run_feeds("publish", "--quiet").returncode == 0
    published = tree_bytes(tmp_path / "output")
    seeds_dir.rename(tmp_path / "away")
    seeds_dir.mkdir()  # what an unmounted mount point looks like
    refused = run_feeds("publish", "--quiet")
    assert refused.returncode == 2
    assert refused.stderr.splitlines() == [
        f"error: {seeds_dir} holds no seed, but 2 were published from it; nothing was"
        " changed. If it is a mount, it is not there: mount it. To unpublish every entry,"
        " run feeds publish --allow-empty once"
    ]
    assert tree_bytes(tmp_path / "output") == published
    assert run_feeds("status").returncode != 0  # the failure is on record
    meant = run_feeds("publish", "--quiet", "--allow-empty")
    assert (meant.returncode, meant.stderr) == (0, "")
    feed = feedparser.parse(str(tmp_path / "output" / "all.atom"))
    assert feed.entries == [] and not feed.bozo
    assert run_feeds("publish", "--quiet").returncode == 0  # no seed now, and none before


def test_a_bug_exits_70_with_its_traceback_and_leaves_the_output_whole(
    run_feeds: RunFeeds, seeds_dir: Path, tmp_path: Path
) -> None:
    assert run_feeds("publish", "--quiet").returncode == 0
    published = tree_bytes(tmp_path / "output")
    (seeds_dir / "new.txt").write_text(synthetic_seed(7), encoding="utf-8")
    os.utime(seeds_dir / "new.txt", ns=(SEED_MTIME_NS, SEED_MTIME_NS))
    # A bug put in the renderer, as a real process meets one: the run is not a rejection.
    broken = (
        "import feeds.publish.dispatch as d\n"
        "def render(*args, **kwargs): raise RuntimeError('a bug')\n"
        "d.render_batch = render\n"
        "from feeds.cli import main\n"
        "main()\n"
    )
    crashed = subprocess.run(
        [sys.executable, "-c", broken, "publish", "--quiet"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert crashed.returncode == 70
    assert "RuntimeError: a bug" in crashed.stderr
    assert crashed.stderr.splitlines()[-1] == (
        "error: an internal error in feeds (a bug): please report it with the traceback above"
    )
    assert tree_bytes(tmp_path / "output") == published
    status = run_feeds("status")
    assert status.returncode == 1 and "RuntimeError: a bug" in status.stdout + status.stderr
    assert run_feeds("publish", "--quiet").returncode == 0  # the next run publishes it
    ids = {e.id for e in feedparser.parse(str(tmp_path / "output" / "all.atom")).entries}
    assert "tag:localhost,2026:entry/story-number-7-about-council-budgets" in ids


def test_bad_config_exit_2_naming_the_key(
    run_feeds: RunFeeds, seeds_dir: Path, tmp_path: Path
) -> None:
    (tmp_path / "feeds.toml").write_text('[publish]\nmax_entries = "many"\n')
    result = run_feeds("publish")
    assert result.returncode == 2
    assert result.stderr == (
        f"error: {tmp_path / 'feeds.toml'}: publish.max_entries:"
        " must be a whole number from 1 to 10000\n"
    )
    (tmp_path / "feeds.toml").write_text("[site]\ncolour = 'blue'\n")
    result = run_feeds("publish")
    assert result.returncode == 2
    assert "site.colour: unknown key" in result.stderr
    assert not (tmp_path / "output").exists()


def test_config_file_and_flags(run_feeds: RunFeeds, seeds_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site/feeds.toml").write_text(
        '[site]\ntitle = "Council News"\nbase_url = "https://news.example.org"\n'
        '[publish]\nseeds = "../seeds"\nformats = ["atom"]\n'
    )
    result = run_feeds("publish", "--config", "site/feeds.toml", "--output", "public")
    assert result.returncode == 0, result.stderr
    # Paths in the file are relative to it; flags are relative to the working directory.
    atom = feedparser.parse((tmp_path / "public/all.atom").read_bytes())
    assert atom.feed.title == "Council News"
    assert atom.entries[0].id.startswith("tag:news.example.org,2026:entry/")
    assert not (tmp_path / "public/all.rss").exists()
    assert (tmp_path / "site/.feeds/state.sqlite").exists()


def test_lock_held_exit_2_or_wait(run_feeds: RunFeeds, seeds_dir: Path, tmp_path: Path) -> None:
    store = tmp_path / ".feeds/state.sqlite"
    with publish_lock(store, wait=0):
        result = run_feeds("publish", "--wait", "0")
    assert result.returncode == 2
    assert "another feeds process" in result.stderr and "is publishing" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "output").exists()

    # With --wait, it waits for the holder to let go, then publishes.
    proc = None
    with publish_lock(store, wait=0):
        proc = subprocess.Popen(
            [sys.executable, "-m", "feeds", "publish", "--wait", "30", "--quiet"],
            cwd=tmp_path,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.poll() is None
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert (tmp_path / "output/all.atom").exists()


def test_check_reports_problems(run_feeds: RunFeeds, seeds_dir: Path, tmp_path: Path) -> None:
    assert run_feeds("publish", "--quiet").returncode == 0
    good = run_feeds("check")
    assert good.returncode == 0 and good.stdout == ""
    assert "30 feeds checked, 0 problems" in good.stderr
    (tmp_path / "output/entries/why-chiefs-need-a-framework.html").unlink()
    atom = tmp_path / "output/all.rss"
    atom.write_bytes(atom.read_bytes().replace(b"</channel>", b""))
    bad = run_feeds("check", "output")
    assert bad.returncode == 1
    assert "all.rss: not a clean feed" in bad.stdout
    assert "why-chiefs-need-a-framework.html resolves to no file" in bad.stdout


def _whole(folder: Path) -> list[str]:
    """Problems with any visible file: every feed and page must be complete."""
    problems = []
    for rel, data in tree_bytes(folder).items():
        if rel.endswith((".atom", ".rss", ".opml")):
            try:
                etree.fromstring(data)
            except etree.XMLSyntaxError as err:
                problems.append(f"{rel}: {err}")
        elif rel.endswith(".html") and not data.endswith(b"</html>\n"):
            problems.append(f"{rel}: truncated")
    return problems


@pytest.mark.slow
@pytest.mark.parametrize("render_min_docs", ["1000", "1"], ids=["in-process", "workers"])
def test_killed_publishes_leave_whole_files_and_the_next_run_finishes(
    tmp_path: Path, render_min_docs: str
) -> None:
    """Kill ``feeds publish`` at 20 random moments; output is always whole, then exact.

    Each attempt has real work to do: the site title flips between runs that
    finish, so every feed and page is rewritten, while the entries (and so the
    final output) do not depend on how many runs were cut short. With render
    workers, a worker outliving its killed publisher would leave temporary files
    behind after the next run's sweep.
    """
    env = {**os.environ, "FEEDS_PARALLEL_MIN_DOCS": render_min_docs, "FEEDS_WORKERS": "2"}
    reference = tmp_path / "reference"
    work = tmp_path / "work"
    for folder in (reference, work):
        write_corpus(folder / "seeds", 400)
    title = {"old": '[site]\ntitle = "Old News"\n', "new": '[site]\ntitle = "Council News"\n'}
    (reference / "feeds.toml").write_text(title["new"])
    (work / "feeds.toml").write_text(title["old"])
    cmd = [sys.executable, "-m", "feeds", "publish", "--quiet", "--now", NOW]
    started = time.monotonic()
    subprocess.run(cmd, cwd=reference, check=True, env=env)
    duration = time.monotonic() - started
    subprocess.run(cmd, cwd=work, check=True, env=env)

    rng = random.Random(5005)
    current = "new"
    (work / "feeds.toml").write_text(title[current])
    kills = attempts = 0
    while kills < 20 and attempts < 80:  # runs that finish before the kill do not count
        attempts += 1
        proc = subprocess.Popen(cmd, cwd=work, env=env)
        time.sleep(rng.uniform(0.05, duration))  # a random moment in the run, start-up included
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        if proc.wait() == 0:
            current = "old" if current == "new" else "new"
            (work / "feeds.toml").write_text(title[current])
        assert _whole(work / "output") == []
    assert kills == 20, f"only {kills} of {attempts} runs were killed mid-way"
    (work / "feeds.toml").write_text(title["new"])
    subprocess.run(cmd, cwd=work, check=True, env=env)
    assert _whole(work / "output") == []
    assert not list((work / "output").rglob("*.feeds-tmp"))
    assert tree_bytes(work / "output") == tree_bytes(reference / "output")


def test_two_publishers_started_together_never_interleave(tmp_path: Path) -> None:
    write_corpus(tmp_path / "seeds", 200)
    cmd = [sys.executable, "-m", "feeds", "publish", "--quiet", "--wait", "60", "--now", NOW]
    procs = [subprocess.Popen(cmd, cwd=tmp_path) for _ in range(2)]
    assert wait_until(lambda: all(p.poll() is not None for p in procs), timeout=120)
    assert [p.returncode for p in procs] == [0, 0]
    assert _whole(tmp_path / "output") == []
    assert not list((tmp_path / "output").rglob("*.feeds-tmp"))
