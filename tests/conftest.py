"""Shared fixtures: the bundled seeds, helpers to run the CLI as a real process."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
REAL_SEEDS = REPO / "seeds"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def seeds_dir(tmp_path: Path) -> Path:
    """A copy of the bundled seeds in tmp_path, with fixed mtimes so runs are reproducible."""
    folder = tmp_path / "seeds"
    folder.mkdir()
    for seed in sorted(REAL_SEEDS.glob("*.txt")):
        target = folder / seed.name
        shutil.copyfile(seed, target)
        os.utime(target, ns=(1_767_225_600_000_000_000, 1_767_225_600_000_000_000))
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
