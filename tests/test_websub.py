"""WebSub publishing: hub links in every feed, one ping per rewritten feed, failures reported."""

from __future__ import annotations

import json
import re
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import feedparser
import httpx
import pytest
from lxml import etree

from feeds.websub import describe_failures, send_pings
from tests.conftest import (
    RunFeeds,
    free_port,
    responds,
    running,
    synthetic_seed,
    wait_for_scans,
    wait_until,
)

TOPIC = "http://localhost:8080/all.atom"
HUB = "http://hub.test/"


def _send(handler: object, pings: list[tuple[str, str]], retries: int, seconds: float) -> list:
    transport = httpx.MockTransport(handler)  # type: ignore[arg-type]
    return send_pings(pings, retries, seconds, transport=transport)


def test_ping_is_a_form_encoded_publish() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    (result,) = _send(handler, [(HUB, TOPIC)], retries=3, seconds=5)
    assert result.ok and result.attempts == 1
    (request,) = seen
    assert request.method == "POST"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(request.content.decode()) == {"hub.mode": ["publish"], "hub.url": [TOPIC]}


def test_retries_with_backoff_then_succeeds() -> None:
    answers = iter([500, 503, 202])
    (result,) = _send(lambda r: httpx.Response(next(answers)), [(HUB, TOPIC)], 3, seconds=5)
    assert result.ok and result.attempts == 3


def test_gives_up_after_bounded_retries() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    (result,) = _send(refuse, [(HUB, TOPIC)], retries=2, seconds=5)
    assert not result.ok and result.attempts == 3
    assert result.error == "ConnectError: connection refused"
    assert describe_failures([result]) == [
        f"hub {HUB}: 1 of 1 pings not sent (ConnectError: connection refused); kept for next run"
    ]


class Hub:
    """A real hub stand-in on loopback that records publish pings."""

    def __init__(self, mode: str = "ok") -> None:
        self.mode = mode
        self.pings: list[str] = []
        self.release = threading.Event()
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                form = parse_qs(self.rfile.read(length).decode())
                assert form["hub.mode"] == ["publish"]
                hub.pings.extend(form["hub.url"])
                if hub.mode == "hang":
                    hub.release.wait(30)
                    return
                if hub.mode == "slow":
                    time.sleep(0.2)
                self.send_response(500 if hub.mode == "fail" else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/hub"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Hub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hub() -> Iterator[Hub]:
    with Hub() as h:
        yield h


def configure(tmp_path: Path, hub_url: str, timeout: float = 2.0, retries: int = 2) -> None:
    (tmp_path / "feeds.toml").write_text(
        "[publish]\nsettle = 0\n"
        f'[websub]\nhubs = ["{hub_url}"]\ntimeout = {timeout}\nretries = {retries}\n'
    )


WATCH = [sys.executable, "-m", "feeds", "watch", "--interval", "1", "--settle", "0.3"]
EICHLER_FEEDS = {
    f"http://localhost:8080/{stem}.{fmt}"
    for stem in ("all", "sections/childrens-services", "authors/william-eichler")
    for fmt in ("atom", "rss", "json")
}


def test_hub_links_in_atom_rss_and_headers(
    tmp_path: Path, seeds_dir: Path, hub: Hub, run_feeds: RunFeeds
) -> None:
    configure(tmp_path, hub.url)
    assert run_feeds("publish", "--quiet").returncode == 0
    atom = feedparser.parse((tmp_path / "output/all.atom").read_bytes())
    assert {link.rel: link.href for link in atom.feed.links}["hub"] == hub.url
    rss = etree.parse(str(tmp_path / "output/all.rss"))
    hubs = rss.findall("channel/{http://www.w3.org/2005/Atom}link[@rel='hub']")
    assert [h.get("href") for h in hubs] == [hub.url]
    assert feedparser.parse((tmp_path / "output/all.rss").read_bytes()).bozo == 0
    # The one-shot publish pinged every feed it wrote, once: 10 feeds in 3 formats.
    assert len(hub.pings) == 30 and len(set(hub.pings)) == 30

    port = free_port()
    cmd = [sys.executable, "-m", "feeds", "serve", "--port", str(port)]
    with running(cmd, tmp_path, tmp_path / "serve.log"):
        url = f"http://127.0.0.1:{port}/all.rss"
        assert wait_until(lambda: responds(url))
        assert httpx.get(url).headers["link"] == (
            f'<{hub.url}>; rel="hub", <http://localhost:8080/all.rss>; rel="self"'
        )


def test_one_ping_per_rewritten_feed(tmp_path: Path, seeds_dir: Path, hub: Hub) -> None:
    configure(tmp_path, hub.url)
    with running(WATCH, tmp_path, tmp_path / "watch.log"):
        assert wait_until(lambda: len(hub.pings) == 30)
        hub.pings.clear()
        seed = seeds_dir / "003_710dfe4fad0154d6.txt"
        seed.write_text(seed.read_text().replace("£20m", "£22m"), encoding="utf-8")
        assert wait_until(lambda: len(hub.pings) >= 9)
        # Two scans later: no second round for the same change.
        assert wait_for_scans(tmp_path / ".feeds/state.sqlite", 2)
    assert sorted(hub.pings) == sorted(EICHLER_FEEDS)


@pytest.mark.parametrize("mode", ["fail", "hang"])
def test_a_failing_hub_never_starves_another_and_is_reported(
    tmp_path: Path, seeds_dir: Path, mode: str, run_feeds: RunFeeds
) -> None:
    with Hub(mode) as bad, Hub() as good:
        (tmp_path / "feeds.toml").write_text(
            f'[websub]\nhubs = ["{bad.url}", "{good.url}"]\ntimeout = 1\nretries = 2\n'
        )
        port = free_port()
        cmd = [*WATCH, "--serve", "--port", str(port)]
        with running(cmd, tmp_path, tmp_path / "watch.log"):
            feed = f"http://127.0.0.1:{port}/all.atom"
            assert wait_until(lambda: responds(feed))
            # The healthy hub gets every ping of the first publish while the other fails.
            assert wait_until(lambda: len(set(good.pings)) == 30)
            (seeds_dir / "new.txt").write_text(synthetic_seed(61), encoding="utf-8")
            title = "Story number 61 about council \u2018budgets\u2019"
            assert wait_until(lambda: title in httpx.get(feed).text, timeout=10)
            assert wait_until(lambda: len(set(good.pings)) > 30)

            def reported() -> bool:
                status = json.loads(run_feeds("status", "--json").stdout)
                return [f["hub"] for f in status["hub_failures"]] == [bad.url]

            assert wait_until(reported, timeout=30)
            health = httpx.get(f"http://127.0.0.1:{port}/healthz").json()
            assert health["status"] == "degraded"
            assert health["hub_failures"][0]["hub"] == bad.url
        log = (tmp_path / "watch.log").read_text()
        assert log.count(f"hub {bad.url}:") == 1  # said once, not every scan
        assert "HTTP Request" not in log


def test_a_hanging_hub_never_holds_up_a_cron_publish(
    tmp_path: Path, seeds_dir: Path, run_feeds: RunFeeds
) -> None:
    with Hub("hang") as hub:
        configure(tmp_path, hub.url, timeout=1, retries=3)
        result = run_feeds("publish", "--quiet", timeout=30)
        # It returned while the hub still held every request open, and said nothing.
        assert not hub.release.is_set() and hub.pings
        assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
        status = json.loads(run_feeds("status", "--json").stdout)
        assert [f["hub"] for f in status["hub_failures"]] == [hub.url]
        # Once the hub answers, the next run sends what was missed, though nothing changed.
        hub.mode = "ok"
        hub.release.set()
        hub.pings.clear()
        again = run_feeds("publish")
        assert again.returncode == 0, again.stderr
        assert "0 files written" in again.stdout
        assert len(set(hub.pings)) == 30
        assert json.loads(run_feeds("status", "--json").stdout)["hub_failures"] == []
        hub.pings.clear()
        assert run_feeds("publish", "--quiet").returncode == 0
        assert hub.pings == []  # nothing owed any more


def test_a_refusing_hub_is_one_line_and_the_summary_counts_the_pings(
    tmp_path: Path, seeds_dir: Path, run_feeds: RunFeeds
) -> None:
    with Hub("slow") as slow:
        configure(tmp_path, slow.url, timeout=5, retries=0)
        result = run_feeds("publish")
        assert result.returncode == 0 and len(slow.pings) == 30
        seconds = float(result.stdout.rsplit(" in ", 1)[1].split()[0])
        assert seconds >= 0.2  # the hub held each ping 0.2 s: the summary includes them
    refused = f"http://127.0.0.1:{free_port()}/hub"
    configure(tmp_path, refused, timeout=1, retries=1)
    (seeds_dir / "new.txt").write_text(synthetic_seed(61), encoding="utf-8")
    result = run_feeds("publish")
    assert result.returncode == 0
    (line,) = [x for x in result.stderr.splitlines() if x.startswith("warning: hub")]
    assert re.fullmatch(
        rf"warning: hub {refused}: (\d+) of \1 pings not sent \(ConnectError: .*\);"
        " kept for next run",
        line,
    )
    quiet = run_feeds("publish", "--quiet")
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")
