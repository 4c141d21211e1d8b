"""``feeds serve`` and ``feeds watch --serve``: a real server on a free 127.0.0.1 port."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import feedparser
import httpx
import pytest

from feeds.config import Config
from feeds.publish.run import publish
from feeds.store.lock import publish_lock
from tests.conftest import (
    NOW,
    REAL_SEEDS,
    SEED_MTIME_NS,
    free_port,
    port_is_free,
    responds,
    running,
    synthetic_seed,
    wait_until,
)

FEEDS = [sys.executable, "-m", "feeds"]


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Config:
    """The bundled seeds published once for the module, with bait beside the output."""
    root = tmp_path_factory.mktemp("serve")
    seeds = root / "seeds"
    seeds.mkdir()
    for seed in sorted(REAL_SEEDS.glob("*.txt")):
        shutil.copyfile(seed, seeds / seed.name)
        os.utime(seeds / seed.name, ns=(SEED_MTIME_NS, SEED_MTIME_NS))
    config = Config(
        seeds=seeds, output=root / "output", store=root / ".feeds/state.sqlite", source="test"
    )
    publish(config, NOW)
    (root / "secret.txt").write_text("secret")
    (root / "output/outside").symlink_to(root)
    (root / "output/sections/.hidden").write_text("hidden")
    return config


@contextmanager
def serving(folder: Path) -> Iterator[str]:
    """``feeds serve`` run in ``folder`` (its ``output/``) on a free port; its base URL."""
    port = free_port()
    cmd = [*FEEDS, "serve", "--port", str(port)]
    with running(cmd, folder, folder / "serve.log"):
        url = f"http://127.0.0.1:{port}/"
        assert wait_until(lambda: responds(url))
        yield url


@pytest.fixture(scope="module")
def server(published: Config) -> Iterator[str]:
    """One ``feeds serve`` over that folder for the module's read-only tests; its base URL."""
    with serving(published.output.parent) as url:
        yield url


@pytest.fixture
def own_server(tmp_path: Path, config: Config) -> Iterator[str]:
    """A server of its own, for a test that changes what is served."""
    publish(config, NOW)
    with serving(tmp_path) as url:
        yield url


def raw_status(url: str, target: str, extra: bytes = b"") -> int | None:
    """Send a request line exactly as given (no client normalisation); None if refused."""
    host, port = url.removeprefix("http://").rstrip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(
            f"GET {target} HTTP/1.1\r\nHost: {host}\r\n".encode()
            + extra
            + b"Connection: close\r\n\r\n"
        )
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except ConnectionResetError:
            pass
    if not data.startswith(b"HTTP/1.1 "):
        return None
    return int(data.split(b" ", 2)[1])


def test_feed_with_type_and_validators(server: str, published: Config) -> None:
    response = httpx.get(server + "all.atom")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    assert response.content == (published.output / "all.atom").read_bytes()
    etag = response.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")
    assert response.headers["last-modified"].endswith(" GMT")
    assert response.headers["cache-control"] == "public, max-age=30"
    assert response.headers["link"] == '<http://localhost:8080/all.atom>; rel="self"'
    expected = {
        "all.rss": "application/rss+xml; charset=utf-8",
        "feeds.opml": "text/x-opml; charset=utf-8",
        "index.html": "text/html; charset=utf-8",
        "": "text/html; charset=utf-8",
    }
    for path, content_type in expected.items():
        assert httpx.get(server + path).headers["content-type"] == content_type


def test_conditional_requests_get_304_without_body(server: str) -> None:
    first = httpx.get(server + "sections/childrens-services.rss")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    again = httpx.get(server + "sections/childrens-services.rss", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert again.headers["cache-control"] == "public, max-age=30"
    by_date = httpx.get(
        server + "sections/childrens-services.rss", headers={"If-Modified-Since": modified}
    )
    assert by_date.status_code == 304
    # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2).
    stale = httpx.get(
        server + "sections/childrens-services.rss",
        headers={"If-None-Match": '"other"', "If-Modified-Since": modified},
    )
    assert stale.status_code == 200
    weak = httpx.get(
        server + "sections/childrens-services.rss", headers={"If-None-Match": "W/" + etag}
    )
    assert weak.status_code == 304


def test_head_has_headers_and_no_body(server: str) -> None:
    get = httpx.get(server + "all.atom")
    head = httpx.head(server + "all.atom")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"]
    assert head.headers["content-encoding"] == get.headers["content-encoding"] == "gzip"
    assert head.headers["etag"] == get.headers["etag"]


def test_gzip_for_clients_that_accept_it(server: str) -> None:
    plain = httpx.get(server + "all.atom", headers={"Accept-Encoding": "identity"})
    with httpx.stream("GET", server + "all.atom", headers={"Accept-Encoding": "gzip"}) as response:
        raw = b"".join(response.iter_raw())
        assert response.headers["content-encoding"] == "gzip"
        assert response.headers["vary"] == "Accept-Encoding, Accept"
        assert response.headers["etag"] != plain.headers["etag"]  # another representation
    assert gzip.decompress(raw) == plain.content
    assert "content-encoding" not in plain.headers
    refused = httpx.get(server + "all.atom", headers={"Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in refused.headers


@pytest.mark.parametrize(
    "target",
    [
        "/../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/sections/%2e%2e/%2e%2e/etc/passwd",
        "/..%2fetc%2fpasswd",
        "/sections%2f..%2f..%2fetc%2fpasswd",
        "/..\\..\\etc\\passwd",
        "/sections/..\\all.atom",
        "//etc/passwd",
        "/etc/passwd",
        "/.feeds/state.sqlite",
        "/sections/.hidden",
        "/%61ll.atom",
        "/entries/",
        "/entries",
        "/outside/secret.txt",
        "/missing.atom",
    ],
)
def test_nothing_outside_output_is_reachable(server: str, target: str) -> None:
    assert raw_status(server, target) == 404


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_only_get_and_head(server: str, method: str) -> None:
    assert httpx.request(method, server + "all.atom").status_code == 405


def test_absurd_request_lines_and_headers_are_refused(server: str) -> None:
    assert raw_status(server, "/" + "a" * 100_000) in (None, 400, 414, 431)
    huge = b"X-Junk: " + b"x" * 100_000 + b"\r\n"
    assert raw_status(server, "/all.atom", huge) in (None, 400, 431)
    many = b"".join(b"X-H%d: y\r\n" % i for i in range(5000))
    assert raw_status(server, "/all.atom", many) in (None, 400, 431)
    assert httpx.get(server + "all.atom").status_code == 200  # and it still serves


def test_healthz_ok_then_degraded(own_server: str, config: Config) -> None:
    server = own_server
    health = httpx.get(server + "healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    (config.seeds / "bad.txt").write_text("")
    publish(config, NOW)
    health = httpx.get(server + "healthz")
    assert health.status_code == 200
    assert health.json()["status"] == "degraded"
    assert "empty file" in health.json()["rejected"][0]["error"]


def test_feeds_serve_exits_0_on_sigterm_and_frees_the_port(tmp_path: Path, config: Config) -> None:
    publish(config, NOW)
    port = free_port()
    with running([*FEEDS, "serve", "--port", str(port)], tmp_path, tmp_path / "s.log") as proc:
        assert wait_until(lambda: responds(f"http://127.0.0.1:{port}/"))
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=5) == 0  # promptly: the wait is the bound
    assert port_is_free(port)
    assert '"GET / HTTP/1.1" 200' in (tmp_path / "s.log").read_text()


def test_port_0_picks_a_free_port_and_logs_it(tmp_path: Path, config: Config) -> None:
    publish(config, NOW)
    log = tmp_path / "s.log"
    with running([*FEEDS, "serve", "--port", "0"], tmp_path, log):
        assert wait_until(lambda: "serving http://127.0.0.1:" in log.read_text())
        url = log.read_text().split("serving ", 1)[1].split()[0]
        assert url != "http://127.0.0.1:0/"
        assert wait_until(lambda: responds(url))


def _watch_serve(tmp_path: Path, port: int) -> list[str]:
    return [
        *FEEDS,
        "watch",
        "--serve",
        "--port",
        str(port),
        "--interval",
        "1",
        "--settle",
        "0.3",
        "--log-format",
        "json",
    ]


def test_watch_serve_feedparser_sees_304_then_the_new_entry(
    tmp_path: Path, seeds_dir: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/all.atom"
    with running(_watch_serve(tmp_path, port), tmp_path, tmp_path / "w.log") as proc:
        assert wait_until(lambda: httpx.get(url).status_code == 200 if responds(url) else False)
        first = feedparser.parse(url)
        assert first.status == 200 and len(first.entries) == 10
        second = feedparser.parse(url, etag=first.etag, modified=first.modified)
        assert second.status == 304

        (seeds_dir / "new.txt").write_text(synthetic_seed(77), encoding="utf-8")
        headline = "Story number 77 about council \u2018budgets\u2019"

        def republished() -> bool:
            return feedparser.parse(url, etag=first.etag, modified=first.modified).status == 200

        assert wait_until(republished)
        third = feedparser.parse(url, etag=first.etag, modified=first.modified)
        assert headline in {e.title for e in third.entries}
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=5) == 0  # promptly: the wait is the bound
    assert port_is_free(port)


def test_healthz_503_when_the_watchers_scans_stop(tmp_path: Path, seeds_dir: Path) -> None:
    port = free_port()
    health = f"http://127.0.0.1:{port}/healthz"
    with running(_watch_serve(tmp_path, port), tmp_path, tmp_path / "w.log"):
        assert wait_until(lambda: responds(health) and httpx.get(health).json()["status"] == "ok")
        # Hold the publish lock: every scan now skips its turn, as if the job were stuck.
        with publish_lock(tmp_path / ".feeds/state.sqlite", wait=5):
            assert wait_until(lambda: httpx.get(health).status_code == 503, timeout=10)
            body = httpx.get(health).json()
            assert body["status"] == "failing"
            assert any("watcher is stuck" in p for p in body["problems"])
        assert wait_until(lambda: httpx.get(health).status_code == 200, timeout=10)
        assert json.loads(httpx.get(health).text)["status"] == "ok"


def test_browsers_get_a_page_and_readers_the_feed_over_a_socket(server: str) -> None:
    reader = httpx.get(server + "all.atom", headers={"Accept": "application/atom+xml, */*"})
    browser = httpx.get(
        server + "all.atom", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    )
    assert reader.headers["content-type"] == "application/atom+xml; charset=utf-8"
    assert feedparser.parse(reader.content).bozo == 0
    assert browser.headers["content-type"] == "text/html; charset=utf-8"
    assert "This is a web feed" in browser.text
    assert browser.headers["etag"] != reader.headers["etag"]
    assert httpx.get(server + "all.json").headers["content-type"] == (
        "application/feed+json; charset=utf-8"
    )
