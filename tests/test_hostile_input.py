"""Hostile seeds folders and seeds: one bad file is one line, never the end of the run."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest

from feeds.config import Config
from feeds.errors import SeedTooLarge
from feeds.ingest import seeds
from feeds.ingest.normalise import MAX_BYLINE_NAMES, decode_seed
from feeds.publish.run import publish
from tests.conftest import NOW, RunFeeds, tree_bytes


def article(headline: str, body: str = "Body.", byline: str = "Jo Bloggs") -> str:
    return "\n\n".join(["NEWS", headline, "Stand.", body, f"Popular articles by {byline}"])


@pytest.fixture
def config(tmp_path: Path) -> Config:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "good.txt").write_text(article("A good story"))
    return Config(
        seeds=seeds, output=tmp_path / "output", store=tmp_path / "state.sqlite", source="test"
    )


def titles(config: Config) -> list[str]:
    return [e.title for e in feedparser.parse((config.output / "all.atom").read_bytes()).entries]


def test_unreadable_names_are_rejected_by_name_and_the_rest_publish(config: Config) -> None:
    seeds = config.seeds
    (seeds / "loop.txt").symlink_to("loop.txt")
    (seeds / "folder.txt").mkdir()
    os.mkfifo(seeds / "pipe.txt")
    (seeds / "dangling.txt").symlink_to("nowhere.txt")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(seeds / "sock.txt"))
        report = publish(config, NOW)
    assert titles(config) == ["A good story"]
    assert sorted(report.rejected) == sorted(
        [
            f"{seeds}/dangling.txt: cannot read: a symlink to a missing file (nowhere.txt)",
            f"{seeds}/folder.txt: a folder, not a seed file",
            f"{seeds}/loop.txt: cannot read: Too many levels of symbolic links",
            f"{seeds}/pipe.txt: a named pipe, not a seed file",
            f"{seeds}/sock.txt: a socket, not a seed file",
        ]
    )
    # Reported once, not on every run; and still rejected (exit 1) while they are there.
    again = publish(config, NOW)
    assert again.newly_rejected == ()
    assert len(again.rejected) == 5


def test_a_seed_that_turns_into_a_loop_keeps_its_entry(config: Config) -> None:
    publish(config, NOW)
    (config.seeds / "good.txt").unlink()
    (config.seeds / "good.txt").symlink_to("good.txt")
    report = publish(config, NOW)
    assert titles(config) == ["A good story"]
    assert len(report.rejected) == 1
    (config.seeds / "good.txt").unlink()
    publish(config, NOW, allow_empty=True)  # the last seed gone: said to be meant
    assert titles(config) == []


def test_a_seed_whose_link_target_goes_missing_keeps_its_entry(config: Config) -> None:
    # A seed linked from a mount that is not there for a while: its entry is not deleted.
    elsewhere = config.seeds.parent / "mount"
    elsewhere.mkdir()
    (config.seeds / "good.txt").rename(elsewhere / "good.txt")
    (config.seeds / "good.txt").symlink_to(elsewhere / "good.txt")
    publish(config, NOW)
    assert titles(config) == ["A good story"]
    (elsewhere / "good.txt").rename(elsewhere / "away.txt")
    report = publish(config, NOW)
    assert titles(config) == ["A good story"]
    assert report.rejected == (
        f"{config.seeds}/good.txt: cannot read: a symlink to a missing file ({elsewhere}/good.txt)",
    )
    (elsewhere / "away.txt").rename(elsewhere / "good.txt")
    assert publish(config, NOW).rejected == ()
    (config.seeds / "good.txt").unlink()  # removing the link is what deletes it
    publish(config, NOW, allow_empty=True)
    assert titles(config) == []


def test_seeds_vanishing_under_churn_never_stop_a_publish(config: Config) -> None:
    # A writer creates and deletes seeds as fast as it can while publishes run.
    churn = subprocess.Popen(
        [
            "python3",
            "-c",
            "import os, sys\n"
            "d = sys.argv[1]\n"
            "for i in range(100000):\n"
            "    p = os.path.join(d, f'c{i % 50}.txt')\n"
            "    open(p, 'w').write('NEWS\\n\\nChurn %d\\n\\nStand.\\n\\nBody.' % i)\n"
            "    os.unlink(p)\n",
            str(config.seeds),
        ]
    )
    try:
        for _ in range(30):
            publish(config, NOW, settled_before_ns=time.time_ns())
        assert churn.poll() is None  # every publish ran while files came and went
    finally:
        churn.kill()
        churn.wait()
    assert "A good story" in titles(config)


def test_stray_nul_bytes_are_dropped_with_a_warning() -> None:
    data = article("Nul story", "Bo\x00dy.").encode()
    parsed = decode_seed(data, "nul.txt")
    assert parsed.article.paragraphs == ("Stand.", "Body.")
    assert parsed.warnings == ("nul.txt:7: 1 NUL byte dropped",)


def test_a_binary_file_is_still_rejected() -> None:
    from feeds.errors import SeedEncodingError

    with pytest.raises(SeedEncodingError, match=r"binary file \(NUL bytes\)"):
        decode_seed(article("Wide").encode("utf-16-le"), "wide.txt")


def test_a_huge_byline_is_rejected_by_name_and_the_rest_publish(config: Config) -> None:
    names = ", ".join(f"Writer Number{i}" for i in range(10_000))
    (config.seeds / "byline.txt").write_text(article("Many hands", byline=names))
    report = publish(config, NOW)
    assert report.rejected == (
        f"{config.seeds}/byline.txt:9: byline: 10000 names, over the limit of {MAX_BYLINE_NAMES}",
    )
    assert titles(config) == ["A good story"]


def test_authors_beyond_max_authors_are_named_in_the_text(config: Config) -> None:
    names = [f"Writer Number{i}" for i in range(30)]
    (config.seeds / "many.txt").write_text(article("Many hands", byline=", ".join(names)))
    publish(config, NOW)
    authors = sorted(p.stem for p in (config.output / "authors").glob("*.atom"))
    assert len(authors) == 20 + 1  # and Jo Bloggs of good.txt
    entry = next(
        e for e in feedparser.parse(config.output / "all.atom").entries if e.title == "Many hands"
    )
    assert [a.name for a in entry.authors] == names[:20]
    assert f"Also by {', '.join(names[20:])}." in entry.content[0].value
    # Fewer authors per entry, set later, applies to every entry at once.
    publish(Config(**{**config.__dict__, "max_authors": 5}), NOW)
    assert len(list((config.output / "authors").glob("*.atom"))) == 5 + 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("\n\n".join(["p"] * 5_001), "5001 paragraphs, over the limit of 5000"),
        ("x" * 100_001, "a paragraph of 100001 characters, over the limit of 100000"),
    ],
)
def test_other_seed_limits_name_the_file(config: Config, body: str, message: str) -> None:
    (config.seeds / "big.txt").write_text(article("Big", body=body))
    (line,) = publish(config, NOW).rejected
    assert line.startswith(f"{config.seeds}/big.txt:") and line.endswith(f"body: {message}")
    assert titles(config) == ["A good story"]


def test_a_read_only_output_is_one_line_and_exit_2(
    run_feeds: RunFeeds, seeds_dir: Path, tmp_path: Path
) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m,ro", "tmpfs", str(ro)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a read-only file system here (needs root)")
    try:
        result = run_feeds("publish", "--output", str(ro / "output"))
        assert result.returncode == 2
        (line,) = result.stderr.splitlines()
        assert line.startswith(f"error: {ro}") and "Read-only file system" in line, line
        assert tree_bytes(ro) == {}
    finally:
        subprocess.run(["umount", str(ro)], check=True)


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A folder an unprivileged user can reach (pytest's own are root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="feeds-nobody-"))
    folder.chmod(0o777)
    yield folder
    for path in folder.rglob("*"):
        if path.is_dir():
            path.chmod(0o755)
    shutil.rmtree(folder)


def test_an_unreadable_seeds_folder_is_one_line_and_exit_2(open_folder: Path) -> None:
    """Run as an unprivileged user: root reads every folder, whatever its mode."""
    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or setpriv is None:
        pytest.skip("needs root and setpriv to drop to an unprivileged user")
    site = open_folder
    (site / "seeds").mkdir()
    (site / "seeds" / "a.txt").write_text(article("A story"))
    (site / "seeds").chmod(0o000)  # nobody may list it
    result = subprocess.run(
        [
            setpriv,
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            sys.executable,
            "-m",
            "feeds",
            "publish",
        ],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    (line,) = result.stderr.splitlines()
    assert "publish.seeds" in line and "Permission denied" in line, line


@pytest.mark.parametrize(("limit", "whole"), [(10_000, True), (300, False)])
def test_a_seed_that_grew_after_its_stat_is_read_whole_or_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: int, whole: bool
) -> None:
    """The file grows between fstat and read (the race, made to happen every time): all of it
    is read, up to the limit, never only the part fstat saw."""
    path = tmp_path / "grown.txt"
    path.write_text(article("Grown", body="Long body. " * 40))
    real_fstat = os.fstat

    def smaller(fd: int) -> os.stat_result:
        st = real_fstat(fd)
        return os.stat_result((*st[:6], 100, *st[7:]))  # st_size as it was when half written

    monkeypatch.setattr(seeds.os, "fstat", smaller)
    if whole:
        parsed, fingerprint = seeds.read_seed(path, "grown.txt", limit)
        assert fingerprint.size == path.stat().st_size
        assert parsed.article.paragraphs[-1] == "Long body. " * 39 + "Long body."
    else:
        with pytest.raises(SeedTooLarge, match=r"over the limit of 300$"):
            seeds.read_seed(path, "grown.txt", limit)
