"""``feeds status`` tells the truth under cron: failed publishes and broken stores."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import RunFeeds


def test_a_failed_publish_is_unhealthy_until_one_succeeds(
    run_feeds: RunFeeds, seeds_dir: Path, tmp_path: Path
) -> None:
    assert run_feeds("publish", "--quiet").returncode == 0
    healthy = run_feeds("status")
    assert healthy.returncode == 0, healthy.stdout
    assert "last scan" not in healthy.stdout  # cron only: no watcher, no scans
    assert "last run:     2" in healthy.stdout and "last publish: 2" in healthy.stdout

    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the output folder should be")
    (tmp_path / "feeds.toml").write_text('[publish]\noutput = "blocked"\n')
    failed = run_feeds("publish", "--quiet")
    assert failed.returncode == 2
    status = run_feeds("status")
    assert status.returncode == 1
    assert "last publish failed" in status.stdout and "is a file" in status.stdout
    assert status.stdout.rstrip().endswith("unhealthy")

    (tmp_path / "feeds.toml").unlink()
    assert run_feeds("publish", "--quiet").returncode == 0
    assert run_feeds("status").returncode == 0


def test_a_damaged_store_is_named_by_status(
    run_feeds: RunFeeds, seeds_dir: Path, tmp_path: Path
) -> None:
    assert run_feeds("publish", "--quiet").returncode == 0
    store = tmp_path / ".feeds/state.sqlite"
    with store.open("r+b") as f:  # every page after the first is garbage
        size = f.seek(0, 2)
        f.seek(4096)
        f.write(b"\xa5" * (size - 4096))
    status = run_feeds("status")
    assert status.returncode == 1
    assert f"store: {store}" in status.stdout
    publish = run_feeds("publish", "--quiet")
    assert publish.returncode == 2
    (line,) = publish.stderr.splitlines()
    assert str(store) in line and "malformed" in line, line


def test_a_read_only_store_cannot_be_written_not_foreign(
    run_feeds: RunFeeds, seeds_dir: Path, tmp_path: Path
) -> None:
    assert run_feeds("publish", "--quiet").returncode == 0
    ro = tmp_path / ".feeds-ro"
    ro.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "tmpfs", str(ro)], check=False).returncode:
        pytest.skip("cannot mount a file system here (needs root)")
    try:
        for name in ("state.sqlite",):
            shutil.copy(tmp_path / ".feeds" / name, ro / name)
        subprocess.run(["mount", "-o", "remount,ro", str(ro)], check=True)
        (tmp_path / "feeds.toml").write_text('[publish]\nstore = ".feeds-ro/state.sqlite"\n')
        publish = run_feeds("publish", "--quiet")
        assert publish.returncode == 2
        assert "cannot write the store" in publish.stderr, publish.stderr
        assert "not a feeds store" not in publish.stderr
    finally:
        subprocess.run(["umount", str(ro)], check=True)
