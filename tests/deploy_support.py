"""What the deploy tests share: a SeaweedFS server, a site deploying to a prefix of
its own, the CLI run in process, and the bucket and output seen the same way.

Registered as a plugin by ``tests/conftest.py`` (its fixtures are found everywhere).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from feeds.cli import main
from feeds.config import load_config
from feeds.serve.app import FeedApp
from tests.conftest import tree_bytes
from tests.s3server import BUCKET, SeaweedS3


@pytest.fixture(scope="session")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedS3]:
    """One server per test worker that runs a deploy test: started once (about a second),
    shared by prefix. (xdist's ``loadgroup`` would put them on one worker, but pytest 9.2
    silently stops it grouping: pytest-xdist issue 1386.)"""
    server = SeaweedS3(tmp_path_factory.mktemp("seaweed"))
    server.start()
    yield server
    server.stop()


def site(tmp_path: Path, s3: SeaweedS3, extra: str = "", deploy: str = "") -> str:
    """A feeds.toml deploying to a prefix of its own; returns the prefix."""
    prefix = re.sub(r"[^a-z0-9]+", "-", tmp_path.name.lower()).strip("-")
    (tmp_path / "feeds.toml").write_text(
        f'[site]\nbase_url = "{s3.url(prefix)}/"\n'
        f"[publish]\nsettle = 0\n{extra}\n"
        f'[deploy]\ntarget = "s3://{BUCKET}/{prefix}"\nendpoint = "{s3.endpoint}"\n'
        f'region = "us-east-1"\n{deploy}\n'
    )
    return prefix


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


Feeds = Callable[..., Ran]


@pytest.fixture
def feeds(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Feeds:
    """Run the ``feeds`` command in this process, as its console script does (``main``): in
    ``tmp_path``, with the writer's credentials or ``env``'s ``AWS_*`` variables alone."""

    def run(tmp_path: Path, s3: SeaweedS3, *args: str, env: dict[str, str] | None = None) -> Ran:
        monkeypatch.chdir(tmp_path)
        for name in [n for n in os.environ if n.startswith("AWS_")]:
            monkeypatch.delenv(name)
        aws = {k: v for k, v in (s3.env() if env is None else env).items() if k.startswith("AWS_")}
        for name, value in aws.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setattr(sys, "argv", ["feeds", *args])
        root = logging.getLogger()
        handlers, level = root.handlers[:], root.level
        capsys.readouterr()
        try:
            main()
            code = 0
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else int(stop.code is not None)
        finally:
            root.handlers[:], root.level = handlers, level
        out = capsys.readouterr()
        return Ran(code, out.out, out.err)

    return run


def md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def bucket_as_local(s3: SeaweedS3, prefix: str) -> dict[str, tuple[int, str]]:
    return {
        key.removeprefix(f"{prefix}/"): (meta["size"], meta["e_tag"].strip('"'))
        for key, meta in s3.objects(prefix).items()
    }


def local_as_bucket(output: Path) -> dict[str, tuple[int, str]]:
    return {path: (len(data), md5(data)) for path, data in tree_bytes(output).items()}


def edit_seed(seeds: Path, text: str) -> Path:
    """Add a paragraph to the body of the first bundled seed (an edit of one article)."""
    seed = sorted(seeds.glob("*.txt"))[0]
    body = seed.read_text(encoding="utf-8")
    assert "\nA new report by" in body
    seed.write_text(body.replace("\nA new report by", f"\n{text}\n\nA new report by"), "utf-8")
    return seed


def served(config_dir: Path, path: str) -> httpx.Response:
    """``path`` as ``feeds serve`` answers it (in process)."""
    config = load_config(None, config_dir)

    async def fetch() -> httpx.Response:
        transport = httpx.ASGITransport(app=FeedApp(config))
        async with httpx.AsyncClient(transport=transport, base_url="http://feeds.test") as client:
            return await client.get(f"/{path}")

    return asyncio.run(fetch())
