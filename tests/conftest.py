"""Shared fixtures: the bundled seeds, helpers to run the CLI as a real process."""

from __future__ import annotations

import compileall
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from feeds.config import Config

# The deploy tests' fixtures: a SeaweedFS server, the CLI run in process.
pytest_plugins = ["tests.deploy_support"]

REPO = Path(__file__).resolve().parent.parent
REAL_SEEDS = REPO / "seeds"
DATA = Path(__file__).resolve().parent / "data"


def pytest_configure(config: pytest.Config) -> None:
    """Compile the package once, in the controller, before any worker starts.

    Dozens of tests run ``feeds`` as a process. Where PYTHONDONTWRITEBYTECODE is set
    (this project's CI machine sets it), an editable checkout has no
    bytecode, and each of those processes would compile the package from source again.
    """
    if not hasattr(config, "workerinput"):  # xdist workers find it done
        for package in ("feeds", "watcher"):
            compileall.compile_dir(REPO / package, quiet=1)


@pytest.fixture
def seeds_dir(tmp_path: Path) -> Path:
    """A copy of the bundled seeds in tmp_path, with fixed mtimes so runs are reproducible."""
    folder = tmp_path / "seeds"
    folder.mkdir()
    for seed in sorted(REAL_SEEDS.glob("*.txt")):
        target = folder / seed.name
        shutil.copyfile(seed, target)
        os.utime(target, ns=(SEED_MTIME_NS, SEED_MTIME_NS))
    return folder


RunFeeds = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run_feeds(tmp_path: Path) -> RunFeeds:
    """Run ``python -m feeds ARGS`` in tmp_path and return the completed process."""

    def run(
        *args: str, cwd: Path | None = None, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "feeds", *args],
            cwd=cwd or tmp_path,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    return run


NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
LATER = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
SEED_MTIME_NS = 1_767_225_600_000_000_000  # 2026-01-01T00:00:00Z


@pytest.fixture
def config(tmp_path: Path, seeds_dir: Path) -> Config:
    """Defaults, with every path inside tmp_path."""
    return Config(
        seeds=seeds_dir,
        output=tmp_path / "output",
        store=tmp_path / ".feeds" / "state.sqlite",
        source="test",
    )


SECTIONS = ("HOUSING", "CHILDREN'S SERVICES", "FINANCE")
AUTHORS = ("Ann McGauran", "Dan Peters", "Sean O'Neil", "Zoë Ämberg", "Rob Whiteman CBE")


def synthetic_seed(i: int, paragraphs: int = 4) -> str:
    """A seed in the scraped layout: article ``i`` with two teasers of articles i+1 and i+2."""

    def headline(n: int) -> str:
        return f"Story number {n} about council \u2018budgets\u2019"

    section = SECTIONS[i % len(SECTIONS)]
    author = AUTHORS[i % len(AUTHORS)]
    stand = f"Standfirst of story {i}, with\u00a0a non-breaking space."
    body = [
        f"Paragraph {p} of story {i} says 'something' \u2013 and more." for p in range(paragraphs)
    ]
    blocks = ["Title", section, headline(i), stand, stand, *body]
    for n in (i + 1, i + 2):
        day = 1 + n % 28
        blocks += [
            SECTIONS[n % len(SECTIONS)],
            headline(n),
            f"By {AUTHORS[n % len(AUTHORS)]} | {day:02d} March 2026",
            f"Teaser text of story {n} cut short w...",
        ]
    blocks.append(f"Popular articles by {author}")
    return "\n\n".join(blocks)


def write_corpus(folder: Path, count: int, paragraphs: int = 4) -> None:
    """``count`` synthetic seeds with fixed mtimes, so publishes are reproducible."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        path = folder / f"{i:05d}.txt"
        path.write_text(synthetic_seed(i, paragraphs), encoding="utf-8")
        os.utime(path, ns=(SEED_MTIME_NS, SEED_MTIME_NS))


def wait_until(
    predicate: Callable[[], bool], timeout: float = 10.0, interval: float = 0.02
) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` passes; no fixed sleeps in tests."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def last_scan(store: Path) -> str | None:
    """When the watcher using ``store`` last scanned, as it recorded it (read-only)."""
    try:
        conn = sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=5)
        try:
            row = conn.execute("SELECT value FROM status WHERE key = 'last_scan'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def wait_for_scans(store: Path, count: int, timeout: float = 15.0) -> bool:
    """Poll until the watcher has recorded ``count`` more scans (idle ones log nothing)."""
    seen = [last_scan(store)]

    def moved() -> bool:
        latest = last_scan(store)
        if latest != seen[-1]:
            seen.append(latest)
        return len(seen) > count

    return wait_until(moved, timeout)


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every visible file under ``folder`` by relative path."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int) -> bool:
    """Nothing listens, and a new server could bind it (as servers do, with SO_REUSEADDR:
    closed connections may linger in TIME_WAIT)."""
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            return False
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def responds(url: str) -> bool:
    try:
        httpx.get(url, timeout=1)
    except httpx.HTTPError:
        return False
    return True


@contextmanager
def running(
    cmd: list[str], cwd: Path, log: Path, preexec_fn: Callable[[], None] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """A process for the length of a test; SIGTERM and wait at the end, kill if it hangs."""
    with log.open("wb") as err:
        proc = subprocess.Popen(cmd, cwd=cwd, stderr=err, preexec_fn=preexec_fn)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
