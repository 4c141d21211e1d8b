"""Requests per second of ``feeds serve``, beside a bare app on the same server (``wrk``)."""

from __future__ import annotations

import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO

import httpx

from tests.benchmarks.rows import FEEDS, Row, apt_install


def bench_serve(work: Path, n: int, runs: int, out: list[Row]) -> None:
    """Requests per second of ``feeds serve`` for ``all.atom`` (a 50-entry feed), plain and
    conditional, next to the same requests answered by a bare app on the same server."""
    if not apt_install("wrk", "wrk"):
        print("wrk is not available: serve rows skipped", file=sys.stderr)
        return
    site = work / f"site-{n}"
    floor_cmd = [sys.executable, str(Path(__file__).with_name("serve_floor.py")), "output/all.atom"]
    floor_200, floor_304 = serve_rates(floor_cmd, site, runs)
    ours_200, ours_304 = serve_rates([*FEEDS, "serve", "--quiet", "--output", "output"], site, runs)
    for status, floor, ours in (("200", floor_200, ours_200), ("304", floor_304, ours_304)):
        out.append(Row(f"floor: serve {status} (bare app, same server)", 5.0, rps=floor))
        out.append(
            Row(f"serve {status} requests/s", 5.0, rps=ours, floor="serve", ratio=floor / ours)
        )


def serve_rates(cmd: list[str], cwd: Path, runs: int) -> tuple[float, float]:
    """Median requests/s of ``runs`` 5-second ``wrk`` runs against the server ``cmd`` starts
    (``--port`` is added): plain GETs of ``/all.atom``, then GETs answered 304."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/all.atom"
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen([*cmd, "--port", str(port)], cwd=cwd, stderr=errors)
        try:
            etag = _wait_for_etag(url, proc, errors)
            conditional = {"If-None-Match": etag, "Accept-Encoding": "identity"}
            status = httpx.get(url, headers=conditional).status_code
            if status != 304:
                raise RuntimeError(f"{url}: a conditional GET got {status}, not 304")
            plain = _wrk_median(url, [], runs)
            return plain, _wrk_median(url, ["-H", f"If-None-Match: {etag}"], runs)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=10)


def _wrk_median(url: str, headers: list[str], runs: int) -> float:
    """Median requests/s of ``runs`` 5-second ``wrk`` runs; any answer but 2xx/3xx fails it."""
    rates = []
    for _ in range(runs):
        command = ["wrk", "-t2", "-c32", "-d5s", *headers, url]
        result = subprocess.run(command, capture_output=True, text=True, check=True)
        match = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
        if match is None or "Non-2xx or 3xx" in result.stdout:
            raise RuntimeError(f"wrk against {url} failed:\n{result.stdout}")
        rates.append(float(match.group(1)))
    return statistics.median(rates)


def _wait_for_etag(url: str, proc: subprocess.Popen[bytes], errors: IO[bytes]) -> str:
    """The ETag of ``url`` as wrk will get it (no compression), once the server answers."""
    deadline = time.monotonic() + 15
    while True:
        try:
            response = httpx.head(url, headers={"Accept-Encoding": "identity"})
            return response.headers["etag"]
        except (httpx.TransportError, KeyError):
            if proc.poll() is not None or time.monotonic() > deadline:
                errors.seek(0)
                tail = errors.read().decode(errors="replace").strip().splitlines()[-3:]
                raise RuntimeError(f"{url}: the server did not answer: {tail}") from None
            time.sleep(0.05)
