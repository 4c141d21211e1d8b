"""``feeds watch`` as systemd runs it: a real process on tmp_path, polled with deadlines."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import feedparser

from feeds.store.lock import publish_lock
from tests.conftest import (
    NOW,
    REAL_SEEDS,
    RunFeeds,
    running,
    synthetic_seed,
    tree_bytes,
    wait_for_scans,
    wait_until,
    write_corpus,
)

WATCH = [sys.executable, "-m", "feeds", "watch", "--interval", "1", "--settle", "0.5"]


class Daemon:
    """A running ``feeds watch`` whose JSON log lines can be read back."""

    def __init__(self, proc: subprocess.Popen[bytes], log: Path) -> None:
        self.proc = proc
        self.log = log

    def lines(self) -> list[dict[str, str]]:
        text = self.log.read_text(encoding="utf-8") if self.log.exists() else ""
        return [json.loads(line) for line in text.splitlines() if line.startswith("{")]

    def messages(self, needle: str = "") -> list[str]:
        return [line["message"] for line in self.lines() if needle in line["message"]]

    def scans(self) -> int:
        return len(self.messages("scan: "))

    def stop(self, timeout: float = 5.0) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=timeout)


@contextmanager
def watching(cwd: Path, *args: str) -> Iterator[Daemon]:
    log = cwd / "watch.log"
    with running([*WATCH, "--log-format", "json", *args], cwd, log) as proc:
        yield Daemon(proc, log)


def titles(path: Path) -> set[str]:
    if not path.exists():
        return set()
    return {e.title for e in feedparser.parse(path.read_bytes()).entries}


def entries(path: Path) -> dict[str, feedparser.FeedParserDict]:
    return {e.title: e for e in feedparser.parse(path.read_bytes()).entries}


def old_mtime(path: Path) -> None:
    ns = int(NOW.timestamp() * 1e9)
    os.utime(path, ns=(ns, ns))


def test_new_edited_and_deleted_seeds(tmp_path: Path, seeds_dir: Path) -> None:
    out = tmp_path / "output"
    with watching(tmp_path) as daemon:
        assert wait_until(lambda: len(titles(out / "all.atom")) == 10)
        # Catch-up scan at start: published before the first interval elapsed.
        first = entries(out / "all.atom")

        (seeds_dir / "new.txt").write_text(synthetic_seed(40), encoding="utf-8")
        headline = "Story number 40 about council \u2018budgets\u2019"
        assert wait_until(lambda: headline in titles(out / "all.atom"))
        # Section Children's Services is SECTIONS[40 % 3]; the author AUTHORS[40 % 5].
        assert headline in titles(out / "sections/childrens-services.atom")
        assert headline in titles(out / "authors/ann-mcgauran.atom")

        seed = seeds_dir / "003_710dfe4fad0154d6.txt"
        seed.write_text(seed.read_text().replace("£20m", "£21m"), encoding="utf-8")
        title = "£40m for CSE not enough - councils"
        assert wait_until(lambda: "£21m" in entries(out / "all.atom")[title].content[0].value)
        edited = entries(out / "all.atom")[title]
        assert edited.id == first[title].id
        assert edited.published == first[title].published
        assert edited.updated > first[title].updated

        (seeds_dir / "000_6213f4a63f5092ea.txt").unlink()
        assert wait_until(lambda: "Why chiefs need a framework" not in titles(out / "all.atom"))
        # Renames come before deletions within a publish: wait for the whole of it.
        assert wait_until(lambda: not (out / "authors/pam-parkes.atom").exists())
        assert daemon.stop(timeout=5) == 0  # promptly: the wait is the bound
    assert daemon.messages("stopped after")


def test_half_written_file_is_published_once_complete(tmp_path: Path, seeds_dir: Path) -> None:
    out = tmp_path / "output"
    with watching(tmp_path) as daemon:
        assert wait_until(lambda: (out / "all.atom").exists())
        text = synthetic_seed(50, paragraphs=8)
        half = len(text) // 2
        path = seeds_dir / "slow.txt"
        with path.open("w", encoding="utf-8") as f:
            f.write(text[:half])
            f.flush()
            time.sleep(0.2)  # the writer pauses, for less than the settle time
            f.write(text[half:])
        headline = "Story number 50 about council \u2018budgets\u2019"
        assert wait_until(lambda: headline in titles(out / "all.atom"))
        assert wait_for_scans(tmp_path / ".feeds/state.sqlite", 2)  # and later scans too
        entry = entries(out / "all.atom")[headline]
        assert entry.content[0].value.count("<p>") == 9  # standfirst + 8 paragraphs
        assert entry.updated == entry.published  # never published half, then changed
        assert not daemon.messages("rejected") and not daemon.messages("standfirst")


def test_sigterm_exits_promptly_with_code_0(tmp_path: Path, seeds_dir: Path) -> None:
    with watching(tmp_path) as daemon:
        assert wait_until(lambda: bool(daemon.messages("watching")))
        assert daemon.stop(timeout=5) == 0  # promptly: the wait is the bound


def test_idle_scans_log_nothing_at_info(tmp_path: Path, seeds_dir: Path) -> None:
    with watching(tmp_path) as daemon:
        assert wait_until(lambda: daemon.scans() == 1)
        count = len(daemon.lines())
        mtimes = {p: p.stat().st_mtime_ns for p in (tmp_path / "output").rglob("*")}
        # Two idle scans pass; nothing may be logged or written.
        assert wait_for_scans(tmp_path / ".feeds/state.sqlite", 2)
        assert len(daemon.lines()) == count
        assert {p: p.stat().st_mtime_ns for p in (tmp_path / "output").rglob("*")} == mtimes
        # The one warning: the default address, said once at start.
        warnings = [line["message"] for line in daemon.lines() if line["level"] == "warning"]
        assert len(warnings) == 1 and "site.base_url is not set" in warnings[0]


def test_status_reports_a_rejected_seed_until_it_is_fixed(
    tmp_path: Path, seeds_dir: Path, run_feeds: RunFeeds
) -> None:
    with watching(tmp_path) as daemon:
        assert wait_until(lambda: daemon.scans() == 1)
        assert run_feeds("status").returncode == 0
        seed = seeds_dir / "003_710dfe4fad0154d6.txt"
        good = seed.read_bytes()
        seed.write_bytes(b"\x00\x01 broken")

        def rejected() -> bool:
            return run_feeds("status").returncode == 1

        assert wait_until(rejected)
        result = run_feeds("status", "--json")
        report = json.loads(result.stdout)
        assert report["rejected"] == [
            {
                "path": "003_710dfe4fad0154d6.txt",
                "error": f"{seed}:1: binary file (NUL bytes)",
            }
        ]
        assert report["entries"] == 10  # its entries are kept as they were
        # Reported once per change of the file, not on every scan.
        scans = daemon.scans()
        assert wait_for_scans(tmp_path / ".feeds/state.sqlite", 2)
        assert len(daemon.messages("binary file")) == 1
        assert daemon.scans() == scans
        seed.write_bytes(good)
        assert wait_until(lambda: run_feeds("status").returncode == 0)


def test_a_failing_scan_is_logged_and_the_daemon_carries_on(
    tmp_path: Path, seeds_dir: Path, run_feeds: RunFeeds
) -> None:
    out = tmp_path / "output"
    out.mkdir()
    store = tmp_path / ".feeds" / "state.sqlite"
    (out / "all.atom").mkdir()  # a folder where a feed must go: every publish fails
    with watching(tmp_path) as daemon:
        assert wait_until(lambda: bool(daemon.messages("scan failed")))
        assert wait_for_scans(store, 2)
        # Logged once while it lasts (each scan fails alike), and when it ends.
        assert len(daemon.messages("scan failed")) == 1
        status = json.loads(run_feeds("status", "--json").stdout)
        assert "all.atom" in status["last_scan_error"]
        (out / "all.atom").rmdir()
        assert wait_until(lambda: len(titles(out / "all.atom")) == 10)
        assert wait_until(lambda: run_feeds("status").returncode == 0)
        assert daemon.messages("scans work again")
        # The seeds folder found empty (a mount not there): refused, nothing unpublished.
        published = tree_bytes(out)
        seeds_dir.rename(tmp_path / "away")
        seeds_dir.mkdir()
        assert wait_until(lambda: bool(daemon.messages("holds no seed")))
        assert wait_for_scans(store, 2)
        assert len(daemon.messages("holds no seed")) == 1
        assert tree_bytes(out) == published
        seeds_dir.rmdir()
        (tmp_path / "away").rename(seeds_dir)
        assert wait_until(lambda: len(daemon.messages("scans work again")) == 2)
        assert tree_bytes(out) == published
        assert daemon.proc.poll() is None


def test_sighup_rereads_the_config(tmp_path: Path, seeds_dir: Path) -> None:
    config = tmp_path / "feeds.toml"
    config.write_text('[site]\ntitle = "Before"\n')
    out = tmp_path / "output"
    with watching(tmp_path) as daemon:
        assert wait_until(lambda: (out / "all.atom").exists())
        config.write_text('[site]\ntitle = "After"\n')
        daemon.proc.send_signal(signal.SIGHUP)
        assert wait_until(lambda: feedparser.parse(str(out / "all.atom")).feed.title == "After")
        assert daemon.messages("config reloaded")
        # A config that would do damage is refused; the daemon keeps the one it has.
        config.write_text('[site]\ntitle = "Root"\n[publish]\noutput = "/"\n')
        daemon.proc.send_signal(signal.SIGHUP)
        assert wait_until(lambda: bool(daemon.messages("config not reloaded")))
        (line,) = daemon.messages("config not reloaded")
        assert "publish.output" in line
        assert daemon.proc.poll() is None
        assert feedparser.parse(str(out / "all.atom")).feed.title == "After"


def test_watcher_and_publish_give_identical_output(tmp_path: Path, run_feeds: RunFeeds) -> None:
    watched, published = tmp_path / "watched", tmp_path / "published"
    for folder in (watched, published):
        folder.mkdir()
        write_corpus(folder / "seeds", 30)
        for seed in REAL_SEEDS.glob("*.txt"):
            (folder / "seeds" / seed.name).write_bytes(seed.read_bytes())
            old_mtime(folder / "seeds" / seed.name)
    with watching(watched) as daemon:
        assert wait_until(lambda: daemon.scans() == 1)
    assert run_feeds("publish", "--quiet", cwd=published).returncode == 0
    assert tree_bytes(watched / "output") == tree_bytes(published / "output")


def test_one_change_in_a_thousand_rewrites_only_its_files(tmp_path: Path) -> None:
    write_corpus(tmp_path / "seeds", 1000, paragraphs=2)
    out = tmp_path / "output"
    with watching(tmp_path) as daemon:
        assert wait_until(lambda: daemon.scans() == 1, timeout=60)
        before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
        seed = tmp_path / "seeds/00500.txt"
        seed.write_text(seed.read_text().replace("Paragraph 1 of", "Edited paragraph 1 of"))
        assert wait_until(lambda: daemon.scans() == 2, timeout=30)
        after = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    changed = sorted(p.relative_to(out).as_posix() for p in after if after[p] != before.get(p))
    # Story 500: section SECTIONS[500 % 3] = Finance, author AUTHORS[500 % 5] = Ann McGauran.
    feeds = {"all", "sections/finance", "authors/ann-mcgauran"}
    must = {f"{f}.{fmt}" for f in feeds for fmt in ("atom", "rss", "json")}
    must |= {"entries/story-number-500-about-council-budgets.html"}
    may = {"index.html", "sections/finance.html", "authors/ann-mcgauran.html"}
    # Edited, the entry leaves the archive page it was on for the subscription
    # document, whose oldest entry goes onto the last page: two pages per feed at most.
    archived = {p for p in changed if p.startswith("archive/")}
    assert all(p.rsplit("/", 1)[0] in {f"archive/{f}" for f in feeds} for p in archived)
    assert len(archived) <= 2 * len(feeds)
    assert must <= set(changed) - archived <= must | may
    (line,) = daemon.messages("scan: 0 added, 1 changed")
    assert f"{len(changed)} files written" in line


def test_cron_publish_alongside_the_daemon_never_corrupts_output(
    tmp_path: Path, run_feeds: RunFeeds
) -> None:
    from tests.test_cli_publish import _whole

    write_corpus(tmp_path / "seeds", 200)
    out = tmp_path / "output"
    with watching(tmp_path) as daemon:
        for i in range(5):
            seed = tmp_path / f"seeds/{i:05d}.txt"
            seed.write_text(seed.read_text().replace("Paragraph 0", f"Edit {i} of paragraph 0"))
            result = run_feeds("publish", "--quiet", "--wait", "30")
            assert result.returncode == 0, result.stderr
            assert _whole(out) == []
        # The daemon kept working through the contention: it publishes the next change.
        (tmp_path / "seeds/extra.txt").write_text(synthetic_seed(900), encoding="utf-8")
        headline = "Story number 900 about council \u2018budgets\u2019"
        assert wait_until(lambda: headline in titles(out / "all.atom"), timeout=30)
        assert daemon.proc.poll() is None
    assert _whole(out) == []
    assert not list(out.rglob("*.feeds-tmp"))
    # The newest 50, then the edited stories that had scrolled into the archive (corrections).
    entries = feedparser.parse((out / "all.atom").read_bytes()).entries
    edited = {f"Story number {i} about council \u2018budgets\u2019" for i in range(5)}
    assert len(entries) > 50
    assert all(e.title in edited for e in entries[50:])


def _has_open(pid: int, path: str) -> bool:
    """Whether process ``pid`` has ``path`` open (Linux /proc)."""
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return False
    for fd in fds:
        try:
            if str(fd.readlink()) == path:
                return True
        except OSError:
            continue
    return False


def test_starting_beside_a_first_publish_under_way_is_not_a_lost_store(
    tmp_path: Path, seeds_dir: Path, run_feeds: RunFeeds
) -> None:
    """A cron publish creating the store has put files in place but not committed yet:
    a watcher starting then waits for it rather than taking the store for lost."""
    assert run_feeds("publish", "--quiet").returncode == 0
    store = tmp_path / ".feeds/state.sqlite"
    conn = sqlite3.connect(store)
    with ExitStack() as stack:
        stack.enter_context(publish_lock(store, wait=5))  # the publish under way holds it
        with conn:  # as the store looks before that publish commits its first run
            last_run = conn.execute("SELECT value FROM status WHERE key = 'last_run'").fetchone()
            conn.execute("DELETE FROM status WHERE key = 'last_run'")
        daemon = watching(tmp_path)
        watcher = daemon.__enter__()
        try:
            # The watcher reaches its check at start: it must wait for the lock, not refuse.
            lock_file = f"{store}.lock"
            assert wait_until(
                lambda: watcher.proc.poll() is not None or _has_open(watcher.proc.pid, lock_file),
                timeout=20,
            )
            assert watcher.proc.poll() is None, (tmp_path / "watch.log").read_text()
            with conn:  # the publish commits...
                conn.execute("INSERT INTO status VALUES ('last_run', ?)", last_run)
            conn.close()
            stack.close()  # ...and lets go of the lock
            assert wait_until(lambda: bool(watcher.messages("watching")), timeout=20)
            assert watcher.proc.poll() is None
        finally:
            daemon.__exit__(None, None, None)
