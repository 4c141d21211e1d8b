"""Deploys that fail, are killed or are refused, against a real S3 endpoint (SeaweedFS on
loopback): nothing lost, nothing half-done, one line naming the target.

The tests that stop the shared server start it again (same ports, same data) before
they end.
"""

from __future__ import annotations

import logging
import sqlite3
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest

from feeds.config import load_config
from tests.conftest import free_port, wait_until, write_corpus
from tests.deploy_support import (
    Feeds,
    bucket_as_local,
    edit_seed,
    local_as_bucket,
    served,
    site,
)
from tests.s3server import BUCKET, SeaweedS3
from watcher.daemon import Watcher


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
    hide = "import sys; sys.modules['obstore'] = None; from feeds.cli import main; main()"
    watch = subprocess.run(
        [sys.executable, "-c", hide, "watch"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert watch.returncode == 2  # at start, not a line at every scan
    assert watch.stderr.splitlines()[-1] == result.stderr.splitlines()[0]


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


def test_the_watcher_logs_a_failing_deploy_once_and_its_end(
    tmp_path: Path,
    seeds_dir: Path,
    s3: SeaweedS3,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    site(tmp_path, s3, deploy="retries = 0")
    dead = s3.endpoint.rsplit(":", 1)[0] + f":{free_port()}"  # nothing listens there
    config_file = tmp_path / "feeds.toml"
    config_file.write_text(config_file.read_text().replace(s3.endpoint, dead))
    for name, value in s3.env().items():
        if name.startswith("AWS_"):
            monkeypatch.setenv(name, value)
    watcher = Watcher(lambda: load_config(None, tmp_path))
    caplog.set_level(logging.INFO, logger="watcher")
    for _ in range(3):
        assert watcher.scan() is not None  # a scan never fails for a deploy
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "cannot connect to the endpoint" in errors[0]
    config_file.write_text(config_file.read_text().replace(dead, s3.endpoint))
    watcher.config = load_config(None, tmp_path)
    caplog.clear()
    watcher.scan()
    assert [r.getMessage() for r in caplog.records if "deploys work again" in r.getMessage()]
