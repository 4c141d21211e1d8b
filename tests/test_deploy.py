"""Deploying to object storage, end to end: the CLI (in process, or as a process where
that is what is tested), a real S3 endpoint (SeaweedFS on loopback), readers fetching
objects over HTTP.

One server per test worker that runs deploy tests (a session fixture); each test deploys
under its own prefix.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import feedparser
import httpx
import obstore

from tests.conftest import tree_bytes, wait_until
from tests.deploy_support import (
    Feeds,
    bucket_as_local,
    edit_seed,
    local_as_bucket,
    served,
    site,
)
from tests.s3server import BUCKET, SeaweedS3


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
