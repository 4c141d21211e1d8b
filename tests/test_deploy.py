"""Deploying to object storage, end to end: the CLI as a process, a real S3 endpoint
(SeaweedFS on loopback), readers fetching objects over HTTP.

One server for the module (xdist runs the group on one worker); each test deploys
under its own prefix. The tests that stop the server start it again (same ports, same
data) before they end.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import feedparser
import httpx
import obstore
import pytest

from feeds.cli import main
from feeds.config import load_config
from feeds.serve.app import FeedApp
from tests.conftest import free_port, tree_bytes, wait_until, write_corpus
from tests.s3server import BUCKET, SeaweedS3

pytestmark = pytest.mark.xdist_group("s3")


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedS3]:
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


def test_cold_deploy_puts_the_output_and_a_reader_reads_it(
    tmp_path: Path, seeds_dir: Path, s3: SeaweedS3, feeds: Feeds
) -> None:
    prefix = site(tmp_path, s3)
    result = feeds(tmp_path, s3, "publish")
    assert result.returncode == 0, result.stderr
    local = local_as_bucket(tmp_path / "output")
    assert len(local) > 40
    assert f"deploy to s3://{BUCKET}/{prefix}: {len(local)} put, 0 deleted" in result.stdout
    assert bucket_as_local(s3, prefix) == local  # every file, whole (ETag is the MD5)

    feed = feedparser.parse(s3.url(f"{prefix}/all.atom"))
    assert not feed.bozo
    assert feed.headers["content-type"] == "application/atom+xml; charset=utf-8"
    mine = feedparser.parse((tmp_path / "output" / "all.atom").read_bytes())
    assert [e.id for e in feed.entries] == [e.id for e in mine.entries]
    assert len(feed.entries) == 10

    again = feeds(tmp_path, s3, "publish")
    assert again.returncode == 0 and "deploy" not in again.stdout  # nothing to do, no request


def test_one_edit_puts_exactly_the_files_the_publish_wrote(
    tmp_path: Path, seeds_dir: Path, s3: SeaweedS3, feeds: Feeds
) -> None:
    prefix = site(tmp_path, s3)
    assert feeds(tmp_path, s3, "publish").returncode == 0
    output = tmp_path / "output"
    mtimes = {p: (output / p).stat().st_mtime_ns for p in tree_bytes(output)}
    before = s3.objects(prefix)
    second = int(time.time())  # LastModified counts whole seconds: let one pass
    assert wait_until(lambda: int(time.time()) > second, timeout=2)

    edit_seed(seeds_dir, "A paragraph added by an editor.")
    result = feeds(tmp_path, s3, "publish")
    assert result.returncode == 0, result.stderr
    written = {p for p in tree_bytes(output) if (output / p).stat().st_mtime_ns != mtimes.get(p)}
    after = s3.objects(prefix)
    put = {
        key.removeprefix(f"{prefix}/")
        for key, meta in after.items()
        if meta["last_modified"] != before[key]["last_modified"]
    }
    assert written and put == written
    assert len(written) < len(mtimes) // 2
    assert f": {len(written)} put, 0 deleted" in result.stdout
    assert bucket_as_local(s3, prefix) == local_as_bucket(output)


def test_a_deleted_seed_takes_its_objects_with_it(
    tmp_path: Path, seeds_dir: Path, s3: SeaweedS3, feeds: Feeds
) -> None:
    prefix = site(tmp_path, s3)
    assert feeds(tmp_path, s3, "publish").returncode == 0
    output = tmp_path / "output"
    pages_before = {p for p in tree_bytes(output) if p.startswith("entries/")}
    sorted(seeds_dir.glob("*.txt"))[0].unlink()
    result = feeds(tmp_path, s3, "publish")
    assert result.returncode == 0, result.stderr
    gone = pages_before - {p for p in tree_bytes(output) if p.startswith("entries/")}
    assert gone
    assert bucket_as_local(s3, prefix) == local_as_bucket(output)
    assert not {f"{prefix}/{p}" for p in gone} & set(s3.objects(prefix))


def served(config_dir: Path, path: str) -> httpx.Response:
    """``path`` as ``feeds serve`` answers it (in process)."""
    config = load_config(None, config_dir)

    async def fetch() -> httpx.Response:
        transport = httpx.ASGITransport(app=FeedApp(config))
        async with httpx.AsyncClient(transport=transport, base_url="http://feeds.test") as client:
            return await client.get(f"/{path}")

    return asyncio.run(fetch())


def test_objects_carry_the_types_feeds_serve_uses_and_the_cache_control_of_their_kind(
    tmp_path: Path, seeds_dir: Path, s3: SeaweedS3, feeds: Feeds
) -> None:
    prefix = site(
        tmp_path,
        s3,
        extra="max_entries = 3",
        deploy='cache_control = "public, max-age=30"\n'
        'archive_cache_control = "public, max-age=604800, immutable"\n'
        'entry_cache_control = "public, max-age=900"',
    )
    assert feeds(tmp_path, s3, "publish").returncode == 0
    files = sorted(tree_bytes(tmp_path / "output"))
    archive = sorted(p for p in files if p.startswith("archive/all/"))
    assert len(archive) >= 2  # 10 entries, 3 a page: closed pages and the one filling
    closed, filling = archive[:-1], archive[-1]
    expected = {
        "all.atom": "public, max-age=30",
        "all.rss": "public, max-age=30",
        "all.json": "public, max-age=30",
        "index.html": "public, max-age=30",
        "feeds.opml": "public, max-age=30",
        "feed.xsl": "public, max-age=30",
        next(p for p in files if p.startswith("entries/")): "public, max-age=900",
        closed[0]: "public, max-age=604800, immutable",
        filling: "public, max-age=30",
    }
    with httpx.Client() as client:
        for path, cache in expected.items():
            response = client.get(s3.url(f"{prefix}/{path}"))
            assert response.status_code == 200, path
            assert response.headers["cache-control"] == cache, path
            as_served = served(tmp_path, path).headers["content-type"]
            assert response.headers["content-type"] == as_served, path
            assert response.content == (tmp_path / "output" / path).read_bytes()


def test_gzip_when_configured(tmp_path: Path, seeds_dir: Path, s3: SeaweedS3, feeds: Feeds) -> None:
    prefix = site(tmp_path, s3, deploy="gzip = true")
    assert feeds(tmp_path, s3, "publish").returncode == 0
    response = httpx.get(s3.url(f"{prefix}/all.atom"), headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.content == (tmp_path / "output" / "all.atom").read_bytes()
    again = feeds(tmp_path, s3, "deploy")  # compressed bodies compare equal: nothing to do
    assert again.returncode == 0 and ": 0 put, 0 deleted" in again.stdout


def test_feeds_deploy_plans_refuses_and_repairs(
    tmp_path: Path, seeds_dir: Path, s3: SeaweedS3, feeds: Feeds
) -> None:
    prefix = site(tmp_path, s3)
    assert feeds(tmp_path, s3, "publish").returncode == 0
    store = s3.store()
    obstore.delete(store, f"{prefix}/all.rss")
    obstore.put(store, f"{prefix}/all.atom", b"defaced")
    strays = [f"{prefix}/stray-{n}.html" for n in range(3)]
    for key in strays:
        obstore.put(store, key, b"not ours")
    meddled = s3.objects(prefix)

    plan = feeds(tmp_path, s3, "deploy", "--dry-run")
    assert plan.returncode == 0, plan.stderr
    assert plan.stdout.splitlines() == [
        f"put {prefix}/all.atom (application/atom+xml; charset=utf-8; public, max-age=60)",
        f"put {prefix}/all.rss (application/rss+xml; charset=utf-8; public, max-age=60)",
        *(f"delete {key}" for key in strays),
        f"deploy to s3://{BUCKET}/{prefix} (dry run): 2 to put, 3 to delete,"
        f" {len(meddled) - 4} unchanged; nothing changed",
    ]
    assert s3.objects(prefix) == meddled

    refused = feeds(tmp_path, s3, "deploy", "--max-deletes", "2")
    assert refused.returncode == 1
    assert refused.stderr.splitlines() == [
        f"error: deploy to s3://{BUCKET}/{prefix} refused: it would delete 3 objects, over the"
        " limit of 2 (--max-deletes, deploy.max_deletes); check that"
        f" {tmp_path / 'output'} is the right output folder"
    ]
    assert s3.objects(prefix) == meddled

    repaired = feeds(tmp_path, s3, "deploy", "--max-deletes", "3")
    assert repaired.returncode == 0, repaired.stderr
    assert ": 2 put, 3 deleted" in repaired.stdout
    assert bucket_as_local(s3, prefix) == local_as_bucket(tmp_path / "output")
    assert ": 0 put, 0 deleted" in feeds(tmp_path, s3, "deploy").stdout


class CheckingHub:
    """A hub that, when told a feed changed, fetches it from the bucket at that moment."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, bytes]] = []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
                topic = form["hub.url"][0]
                hub.seen.append((topic, httpx.get(topic).content))
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_a_dead_endpoint_fails_the_run_and_the_next_completes_it_before_any_ping(
    tmp_path: Path, seeds_dir: Path, s3: SeaweedS3, feeds: Feeds
) -> None:
    hub = CheckingHub()
    try:
        # retries = 0: the endpoint is down for good; each retry would only wait longer.
        prefix = site(tmp_path, s3, extra=f'[websub]\nhubs = ["{hub.url}"]', deploy="retries = 0")
        assert feeds(tmp_path, s3, "publish").returncode == 0
        assert hub.seen  # each feed fetched from the bucket as its ping arrived: there
        for topic, body in hub.seen:
            path = topic.removeprefix(s3.url(prefix) + "/")
            assert body == (tmp_path / "output" / path).read_bytes(), topic
        hub.seen.clear()
        s3.stop()
        edit_seed(seeds_dir, "Written while the bucket was down.")
        failed = feeds(tmp_path, s3, "publish", "--quiet")
        assert failed.returncode == 1
        assert failed.stderr.splitlines() == [
            f"error: deploy to s3://{BUCKET}/{prefix} ({s3.endpoint}) failed:"
            " cannot connect to the endpoint (error sending request)"
        ]
        assert b"Written while" in (tmp_path / "output" / "all.atom").read_bytes()
        assert hub.seen == []  # the bucket does not have the feeds: no hub is told
        status = feeds(tmp_path, s3, "status")
        assert status.returncode == 1 and "last deploy failed" in status.stdout
        health = served(tmp_path, "healthz")
        assert health.status_code == 503
        assert health.json()["last_deploy_error"].startswith(f"deploy to s3://{BUCKET}/{prefix}")

        s3.start()
        recovered = feeds(tmp_path, s3, "publish")
        assert recovered.returncode == 0, recovered.stderr
        assert "0 files written" in recovered.stdout and " put, 0 deleted" in recovered.stdout
        assert bucket_as_local(s3, prefix) == local_as_bucket(tmp_path / "output")
        assert len(hub.seen) >= 3  # all.atom, .rss, .json and the section's and author's
        for topic, body in hub.seen:  # each fetched when its ping arrived
            path = topic.removeprefix(s3.url(prefix) + "/")
            assert body == (tmp_path / "output" / path).read_bytes(), topic
        assert feeds(tmp_path, s3, "status").returncode == 0
        health = served(tmp_path, "healthz")
        assert health.status_code == 200 and health.json()["last_deploy"]
        assert health.json()["last_deploy_error"] is None
    finally:
        hub.server.shutdown()
        hub.server.server_close()
        s3.running()  # for the tests after this one


def test_a_kill_during_the_upload_leaves_whole_objects_and_the_next_run_completes(
    tmp_path: Path, s3: SeaweedS3, feeds: Feeds
) -> None:
    write_corpus(tmp_path / "seeds", 80)
    prefix = site(tmp_path, s3, deploy="concurrency = 1")  # slow enough to be caught
    cmd = [sys.executable, "-m", "feeds", "publish", "--quiet"]
    with subprocess.Popen(cmd, cwd=tmp_path, env=s3.env()) as proc:
        assert wait_until(lambda: len(s3.objects(prefix)) > 20, timeout=60, interval=0.05)
        proc.kill()
        assert proc.wait() == -9
    output = tmp_path / "output"
    local = local_as_bucket(output)
    partial = bucket_as_local(s3, prefix)
    assert 20 < len(partial) < len(local)
    assert all(local[path] == found for path, found in partial.items())  # whole files only
    result = feeds(tmp_path, s3, "publish")
    assert result.returncode == 0, result.stderr
    assert bucket_as_local(s3, prefix) == local


def test_the_watcher_uploads_what_it_republishes(
    tmp_path: Path, seeds_dir: Path, s3: SeaweedS3
) -> None:
    prefix = site(tmp_path, s3)
    cmd = [sys.executable, "-m", "feeds", "watch", "--interval", "0.3"]
    with subprocess.Popen(cmd, cwd=tmp_path, env=s3.env(), stderr=subprocess.PIPE) as proc:
        try:
            key = f"{prefix}/all.atom"
            assert wait_until(lambda: key in s3.objects(prefix), timeout=20)
            edit_seed(seeds_dir, "Seen by the watcher.")
            assert wait_until(
                lambda: b"Seen by the watcher" in httpx.get(s3.url(key)).content, timeout=20
            )
            assert wait_until(
                lambda: bucket_as_local(s3, prefix) == local_as_bucket(tmp_path / "output"),
                timeout=10,
            )
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def test_credentials_come_from_the_environment_or_the_credentials_file_never_the_config(
    tmp_path: Path, seeds_dir: Path, s3: SeaweedS3, feeds: Feeds
) -> None:
    prefix = site(tmp_path, s3)
    env = {k: v for k, v in s3.env().items() if not k.startswith("AWS_")}
    wrong = {**env, "AWS_ACCESS_KEY_ID": "feeds-test", "AWS_SECRET_ACCESS_KEY": "wrong"}
    refused = feeds(tmp_path, s3, "publish", "--quiet", env=wrong)
    assert refused.returncode == 1
    assert refused.stderr.splitlines() == [
        f"error: deploy to s3://{BUCKET}/{prefix} ({s3.endpoint}) failed:"
        " HTTP 403 Forbidden (SignatureDoesNotMatch)"
    ]
    credentials = tmp_path / "aws-credentials"
    credentials.write_text(
        "[default]\naws_access_key_id = nobody\naws_secret_access_key = x\n"
        "[newsroom]\naws_access_key_id = feeds-test\naws_secret_access_key = feeds-test-secret\n"
    )
    from_file = {**env, "AWS_SHARED_CREDENTIALS_FILE": str(credentials), "AWS_PROFILE": "newsroom"}
    result = feeds(tmp_path, s3, "publish", env=from_file)
    assert result.returncode == 0, result.stderr
    assert bucket_as_local(s3, prefix) == local_as_bucket(tmp_path / "output")

    with (tmp_path / "feeds.toml").open("a") as f:
        f.write('secret_access_key = "feeds-test-secret"\n')
    in_config = feeds(tmp_path, s3, "publish")
    assert in_config.returncode == 2
    assert "deploy.secret_access_key: credentials are never read from the config file" in (
        in_config.stderr
    )


def test_without_the_extra_a_deploy_is_one_line_naming_it_and_nothing_is_written(
    tmp_path: Path, seeds_dir: Path, s3: SeaweedS3, feeds: Feeds, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = site(tmp_path, s3)
    monkeypatch.setitem(sys.modules, "obstore", None)  # as if not installed: import fails
    result = feeds(tmp_path, s3, "publish")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"error: deploy.target is set (s3://{BUCKET}/{prefix}) but the deploy extra"
        " is not installed: pip install 'feeds[deploy]'"
    ]
    assert not (tmp_path / "output").exists()


def test_new_cache_headers_are_put_on_every_object(
    tmp_path: Path, seeds_dir: Path, s3: SeaweedS3, feeds: Feeds
) -> None:
    prefix = site(tmp_path, s3)
    assert feeds(tmp_path, s3, "publish").returncode == 0
    count = len(tree_bytes(tmp_path / "output"))
    site(tmp_path, s3, deploy='cache_control = "public, max-age=5"')
    result = feeds(tmp_path, s3, "publish")
    assert result.returncode == 0, result.stderr
    assert "0 files written" in result.stdout
    assert f": {count} put, 0 deleted" in result.stdout  # the bytes are the same; headers not
    response = httpx.get(s3.url(f"{prefix}/all.atom"))
    assert response.headers["cache-control"] == "public, max-age=5"
    assert ": 0 put, 0 deleted" in feeds(tmp_path, s3, "deploy").stdout


def test_the_server_killed_mid_upload_fails_the_run_and_the_next_completes_it(
    tmp_path: Path, s3: SeaweedS3, feeds: Feeds
) -> None:
    try:
        write_corpus(tmp_path / "seeds", 80)
        # One upload at a time, slow enough to be caught; no retries of a server that is gone.
        prefix = site(tmp_path, s3, deploy="concurrency = 1\nretries = 0")
        cmd = [sys.executable, "-m", "feeds", "publish", "--quiet"]
        with subprocess.Popen(
            cmd, cwd=tmp_path, env=s3.env(), stderr=subprocess.PIPE, text=True
        ) as proc:
            assert wait_until(lambda: len(s3.objects(prefix)) > 20, timeout=60, interval=0.05)
            s3.stop()
            _, stderr = proc.communicate(timeout=60)
        assert proc.returncode == 1
        assert stderr.splitlines() == [
            f"error: deploy to s3://{BUCKET}/{prefix} ({s3.endpoint}) failed:"
            " cannot connect to the endpoint (error sending request)"
        ]
        s3.start()
        local = local_as_bucket(tmp_path / "output")
        partial = bucket_as_local(s3, prefix)
        assert 20 < len(partial) < len(local)
        assert all(local[path] == found for path, found in partial.items())
        result = feeds(tmp_path, s3, "publish")
        assert result.returncode == 0, result.stderr
        assert f": {len(local) - len(partial)} put, 0 deleted" in result.stdout
        assert bucket_as_local(s3, prefix) == local
    finally:
        s3.running()


def test_a_store_that_does_not_know_every_file_is_not_listed_against_the_bucket(
    tmp_path: Path, seeds_dir: Path, s3: SeaweedS3, feeds: Feeds
) -> None:
    site(tmp_path, s3)
    assert feeds(tmp_path, s3, "publish").returncode == 0
    store = tmp_path / ".feeds" / "state.sqlite"
    with sqlite3.connect(store) as con:  # as a store from before file records were kept
        con.execute("DELETE FROM status WHERE key = 'files_complete'")
    con.close()
    refused = feeds(tmp_path, s3, "deploy")
    assert refused.returncode == 1
    assert refused.stderr.splitlines() == [
        f"error: {store}: the store does not know every published file yet: run feeds publish first"
    ]
    assert feeds(tmp_path, s3, "publish").returncode == 0  # checks every file: complete
    assert ": 0 put, 0 deleted" in feeds(tmp_path, s3, "deploy").stdout
