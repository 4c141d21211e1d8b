"""``feeds serve`` under abuse: half-open connections, a flood past the file limit, ranges.

A real process: its file limit and its socket handling are what is tested.
"""

from __future__ import annotations

import resource
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from feeds.config import Config
from feeds.publish.run import publish
from tests.conftest import NOW, free_port, responds, running, wait_until

FILE_LIMIT = 1024
HALF_OPEN = 1100


def _limit_files() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (FILE_LIMIT, FILE_LIMIT))


@pytest.fixture
def server(tmp_path: Path, config: Config) -> Iterator[tuple[str, Path]]:
    publish(config, NOW)
    port = free_port()
    log = tmp_path / "serve.log"
    cmd = [sys.executable, "-m", "feeds", "serve", "--port", str(port)]
    with running(cmd, tmp_path, log, preexec_fn=_limit_files):
        url = f"http://127.0.0.1:{port}/"
        assert wait_until(lambda: responds(url))
        yield url, log


def _half_open(port: int, count: int) -> list[socket.socket]:
    """Connections that start a request and never finish its head."""
    socks = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(b"GET /all.atom HTTP/1.1\r\nHost: x\r\n")
        socks.append(sock)
    return socks


def _closed(sock: socket.socket) -> bool:
    sock.setblocking(False)
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


@pytest.mark.slow
def test_half_open_connections_past_the_file_limit(server: tuple[str, Path]) -> None:
    url, log = server
    port = int(url.rsplit(":", 1)[1].rstrip("/"))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < HALF_OPEN + 200:
        pytest.skip("this process cannot open enough sockets")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, HALF_OPEN + 200), hard))
    try:
        socks = _half_open(port, HALF_OPEN)
        try:
            # Served within 5 s of asking: the client's timeout is the bound.
            response = httpx.get(url + "all.atom", timeout=5)
            assert response.status_code == 200
            # Every half-open connection is closed within 10 s of opening (5 s deadline).
            assert wait_until(lambda: all(_closed(s) for s in socks), timeout=10)
        finally:
            for sock in socks:
                sock.close()
        assert httpx.get(url + "all.atom", timeout=5).status_code == 200
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert log.stat().st_size < 100_000


@pytest.mark.slow
def test_a_request_head_trickled_byte_by_byte_is_dropped(server: tuple[str, Path]) -> None:
    url, _ = server
    port = int(url.rsplit(":", 1)[1].rstrip("/"))
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        dropped = False
        for byte in b"GET /all.atom HTTP/1.1\r\nX-Slow: " + b"a" * 100:
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                dropped = True
                break
            if _closed(sock):
                dropped = True
                break
            sock.setblocking(True)
            time.sleep(0.1)  # the client's pace is what is tested
        assert dropped  # within 100 bytes at 0.1 s each: 10 s, twice the 5 s deadline


def _raw(url: str, request: bytes) -> bytes:
    port = int(url.rsplit(":", 1)[1].rstrip("/"))
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request)
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except (ConnectionResetError, BrokenPipeError):
            pass
    return data


def test_an_oversized_header_block_gets_431(server: tuple[str, Path]) -> None:
    url, _ = server
    head = b"GET /all.atom HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 1_000_000 + b"\r\n\r\n"
    try:
        answer = _raw(url, head)
    except BrokenPipeError:
        answer = b""
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:100]
    assert httpx.get(url + "all.atom").status_code == 200


def test_range_requests(server: tuple[str, Path], config: Config) -> None:
    url, _ = server
    body = (config.output / "all.atom").read_bytes()
    plain = {"accept-encoding": "identity"}

    def get(range_: str, **extra: str) -> httpx.Response:
        return httpx.get(url + "all.atom", headers={**plain, "range": range_, **extra})

    first = get("bytes=0-99")
    assert first.status_code == 206
    assert first.content == body[:100]
    assert first.headers["content-range"] == f"bytes 0-99/{len(body)}"
    assert get("bytes=-10").content == body[-10:]
    assert get(f"bytes={len(body) - 5}-").content == body[-5:]
    assert get(f"bytes=10-{len(body) * 2}").content == body[10:]
    past = get(f"bytes={len(body)}-")
    assert past.status_code == 416
    assert past.headers["content-range"] == f"bytes */{len(body)}"
    assert get("bytes=0-1,5-9").status_code == 200  # several ranges: the whole body
    assert get("lines=1-2").status_code == 200
    etag = first.headers["etag"]
    assert get("bytes=0-9", **{"if-range": etag}).status_code == 206
    assert get("bytes=0-9", **{"if-range": '"stale"'}).content == body
    assert first.headers["accept-ranges"] == "bytes"
