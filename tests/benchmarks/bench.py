"""Benchmarks: cold, no-change and incremental publishes, idle scans and serving, vs. their floors.

    python -m tests.benchmarks.bench [--sizes 1000,10000,100000] [--runs 3] [--json bench.json]

Each figure is the median of ``--runs`` runs, with wall time, CPU time and peak
RSS (summed over the process and its workers) where a whole process is
measured, its ratio to the floor measured in the same run (reading every
corpus file, or stat-ing every file), and its target. A third floor, copying a
cold publish's output into a fresh folder and syncing it, shows the file
system's share of a cold publish.
Corpora are generated once per size under ``--workdir`` (deterministic, see
``tests/benchmarks/corpus.py``). Serving is measured with ``wrk`` on loopback,
installed with apt-get when missing, against ``feeds serve`` and, as its floor,
a bare app on the same server (``tests/benchmarks/serve_floor.py``). Not part
of the test suite.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import httpx
from lxml import etree

from feeds.audit import check_folder
from feeds.config import Config
from feeds.publish.run import publish
from tests.benchmarks import corpus
from tests.benchmarks.hugo import peer_rows

FEEDS = [sys.executable, "-m", "feeds"]
TARGETS = {
    "cold publish 10000": ("wall_s", 2.2),
    "cold publish 100000": ("wall_s", 15.0),
    "--rebuild 10000": ("ratio", 0.5),
    "cold publish 10000 vs hugo + pages": ("ratio", 0.65),
    "no-change republish 100000": ("wall_s", 1.5),
    "watcher: 1 changed, 100000": ("wall_s", 1.0),
    "process: 1 changed, 10000": ("wall_s", 0.6),
    "idle scan 100000": ("ratio", 3.0),
    "serve 304 requests/s": ("rps", 3000.0),
}


@dataclass
class Row:
    figure: str
    wall_s: float
    cpu_s: float | None = None
    rss_mib: float | None = None
    floor: str = ""
    ratio: float | None = None
    files_written: int | None = None
    rps: float | None = None
    target: str = ""
    met: bool | None = None


def timed_process(cmd: list[str], cwd: Path) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds (user+sys, its workers included) and peak RSS (MiB) of ``cmd``.

    The RSS is the peak of the sum over the process and its descendants (the
    render and parse workers), sampled every 20 ms from /proc: a single
    process's maximum would hide the workers' share.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.02):
            peak = max(peak, tree_rss_kib(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed:\n{stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, peak / 1024, stdout


def cpu_seconds() -> float:
    """CPU seconds of this process and of its finished children (render and parse workers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def tree_rss_kib(pid: int) -> int:
    """Resident KiB of ``pid`` and all its descendants, read from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def files_written(summary: str) -> int:
    match = re.search(r"(\d+) files written", summary)
    return int(match.group(1)) if match else -1


def floors(folder: Path, read: bool = True) -> tuple[float, float]:
    """Seconds to read every file (``cat`` to /dev/null; 0 unless ``read``) and to stat
    every file."""
    started = time.perf_counter()
    if read:
        subprocess.run(
            f"find {folder}/ -type f -print0 | xargs -0 cat > /dev/null", shell=True, check=True
        )
    read_seconds = time.perf_counter() - started
    started = time.perf_counter()
    with os.scandir(folder) as it:
        for entry in it:
            entry.stat()
    return read_seconds, time.perf_counter() - started


def write_floor(
    output: Path, scratch: Path, runs: int, sync: bool = True
) -> tuple[float, int, int]:
    """Median seconds to copy a publish's output into a fresh folder and (``sync``) sync
    it, after deleting the last copy as a cold run deletes the last output: the file
    system's share of a cold publish. Also the output's file count and bytes."""
    files = [p for p in output.rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    times = []
    for _ in range(runs):
        shutil.rmtree(scratch, ignore_errors=True)
        started = time.perf_counter()
        subprocess.run(["cp", "-a", str(output), str(scratch)], check=True)
        if sync:
            subprocess.run(["sync", "-f", str(scratch)], check=True)
        times.append(time.perf_counter() - started)
    shutil.rmtree(scratch, ignore_errors=True)
    return statistics.median(times), len(files), size


def reset_peak_rss() -> None:
    """Start measuring this process's peak RSS afresh (Linux: 5 to /proc/self/clear_refs).

    The watcher and idle-scan rows publish in this process, as the daemon does in its own;
    those runs are below the worker thresholds, so this process is all there is to measure.
    """
    Path("/proc/self/clear_refs").write_text("5")


def peak_rss_mib() -> float:
    """This process's peak RSS since ``reset_peak_rss`` (VmHWM), in MiB."""
    status = Path("/proc/self/status").read_text()
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    if match is None:
        raise RuntimeError("no VmHWM in /proc/self/status")
    return int(match.group(1)) / 1024


def median_rows(rows: list[Row]) -> Row:
    def median(values: list[float | None]) -> float | None:
        known = [v for v in values if v is not None]
        return statistics.median(known) if known else None

    return Row(
        rows[0].figure,
        statistics.median(r.wall_s for r in rows),
        median([r.cpu_s for r in rows]),
        median([r.rss_mib for r in rows]),
        files_written=sorted(rows, key=lambda r: r.wall_s)[len(rows) // 2].files_written,
    )


def compare_with_cold(
    n: int, incremental: Config, site: Path, touched: set[str], touched_keys: set[str]
) -> dict[str, object]:
    """The incremental output against a cold publish of the same final corpus, and
    ``feeds check`` (feedparser's view) of the incremental output.

    Byte-identity cannot hold where the history matters (an edited entry's
    ``updated``, a deleted one's tombstone, archive pages that keep what they
    were given), so every entry is also compared as a reader sees it, and each
    difference is traced to the edits: to the seeds they ``touched``, or to a
    story those seeds held before or after an edit (``touched_keys``; a deleted
    teaser can change the date or byline of an article in another file). Any
    that is not is a bug, counted as ``unexplained``.
    """
    cold = Config(seeds=incremental.seeds, output=site / "output-cold", store=site / "cold.sqlite")
    shutil.rmtree(cold.output, ignore_errors=True)
    for path in site.glob("cold.sqlite*"):
        path.unlink()
    publish(cold, datetime.now(UTC))
    mine = _files(incremental.output)
    theirs = _files(cold.output)
    common = mine.keys() & theirs.keys()
    same = [p for p in common if mine[p] == theirs[p]]
    differ = sorted(common - set(same))
    problems, feeds = check_folder(incremental.output, incremental.base_url)
    ours, cold_views = entry_views(incremental.output), entry_views(cold.output)
    differing = {i for i in ours.keys() | cold_views.keys() if ours.get(i) != cold_views.get(i)}
    origins = entry_sources(incremental.store) | entry_sources(cold.store)

    def explained(entry_id: str) -> bool:
        key, sources = origins.get(entry_id, ("", set()))
        return key in touched_keys or bool(sources & touched)

    unexplained = sorted(i for i in differing if not explained(i))
    return {
        "size": n,
        "files incremental": len(mine),
        "files cold": len(theirs),
        "identical": len(same),
        "differ": len(differ),
        "only incremental": len(mine.keys() - theirs.keys()),
        "only cold": len(theirs.keys() - mine.keys()),
        "differing examples": differ[:5],
        "feeds checked": feeds,
        "feed problems": len(problems),
        "entries": len(ours),
        "entries differing": len(differing),
        "seeds edited": len(touched),
        "unexplained": len(unexplained),
        "unexplained examples": unexplained[:5],
    }


def entry_views(root: Path) -> dict[str, tuple[str | None, ...]]:
    """Every entry of ``all.atom`` and its archive pages: id → what a reader sees of it."""
    atom = "{http://www.w3.org/2005/Atom}"
    fields = ("title", "published", "updated", "summary", "content")
    views: dict[str, tuple[str | None, ...]] = {}
    for doc in [root / "all.atom", *(root / "archive" / "all").glob("*.atom")]:
        for entry in etree.parse(doc).getroot().iterfind(f"{atom}entry"):
            link = entry.find(f"{atom}link")
            authors = ", ".join(
                a.findtext(f"{atom}name") or "" for a in entry.iter(f"{atom}author")
            )
            views[entry.findtext(f"{atom}id") or ""] = (
                *(entry.findtext(f"{atom}{f}") for f in fields),
                link.get("href") if link is not None else None,
                authors,
            )
    return views


def entry_sources(store: Path) -> dict[str, tuple[str, set[str]]]:
    """Entry id → its story key and the seed files it came from, as the store has them."""
    with sqlite3.connect(store) as conn:
        rows = conn.execute("SELECT id, key, json_extract(data, '$.sources') FROM entries")
        return {i: (k, set(json.loads(s))) for i, k, s in rows}


def story_keys(store: Path, seeds: list[str]) -> set[str]:
    """The story keys the store holds for ``seeds`` (their articles and teasers)."""
    marks = ",".join("?" * len(seeds))
    with sqlite3.connect(store) as conn:
        rows = conn.execute(f"SELECT key FROM stories WHERE source IN ({marks})", seeds)
        return {k for (k,) in rows}


def _files(root: Path) -> dict[str, str]:
    """``relative path → sha256`` of every file under ``root``."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }


def bench_size(
    n: int, runs: int, work: Path, out: list[Row], correctness: list[dict[str, object]]
) -> None:
    seeds = work / f"corpus-{n}"
    marker = seeds / ".complete"
    if not marker.exists() or marker.read_text() != str(corpus.VERSION):
        shutil.rmtree(seeds, ignore_errors=True)
        corpus.write(seeds, n)
        marker.write_text(str(corpus.VERSION))
    floors(seeds)  # warm the page cache
    read_floor, stat_floor = floors(seeds)
    out.append(Row(f"floor: read {n} files", read_floor))
    out.append(Row(f"floor: stat {n} files", stat_floor))
    site = work / f"site-{n}"

    def fresh() -> None:
        shutil.rmtree(site, ignore_errors=True)
        site.mkdir()

    cmd = [*FEEDS, "publish", "--seeds", str(seeds), "--output", "output"]
    cold: list[Row] = []
    again: list[Row] = []
    rebuilt: list[Row] = []
    for _ in range(runs):
        fresh()
        wall, cpu, rss, summary = timed_process(cmd, site)
        cold.append(Row(f"cold publish {n}", wall, cpu, rss, files_written=files_written(summary)))
        wall, cpu, rss, summary = timed_process(cmd, site)
        again.append(
            Row(f"no-change republish {n}", wall, cpu, rss, files_written=files_written(summary))
        )
        # Everything rendered again, nothing new to write: templates edited, say.
        wall, cpu, rss, summary = timed_process([*cmd, "--rebuild"], site)
        rebuilt.append(Row(f"--rebuild {n}", wall, cpu, rss, files_written=files_written(summary)))
    cold_row = median_rows(cold)
    for row in (cold_row, median_rows(again)):
        row.floor, row.ratio = "read", row.wall_s / read_floor
        out.append(row)
    row = median_rows(rebuilt)
    row.floor, row.ratio = "cold", row.wall_s / cold_row.wall_s
    out.append(row)
    out.extend(peer(seeds, work / f"hugo-{n}", runs, n, [cold_row, row]))
    seconds, count, size = write_floor(site / "output", work / "write-floor", runs)
    out.append(Row(f"floor: write the output ({count} files, {size / 1e6:.0f} MB)", seconds))
    seconds, _, _ = write_floor(site / "output", work / "write-floor", runs, sync=False)
    out.append(Row("floor: write the output, no fsync", seconds))

    # Incremental: a copy of the corpus is edited, as an editor would.
    work_seeds = work / f"edited-{n}"
    shutil.rmtree(work_seeds, ignore_errors=True)
    shutil.copytree(seeds, work_seeds)
    config = Config(
        seeds=work_seeds, output=site / "output-edit", store=site / "edit.sqlite", source="bench"
    )
    publish(config, datetime.now(UTC))
    touched: set[str] = set()
    touched_keys: set[str] = set()
    for changed in (1, 100):
        watcher: list[Row] = []
        for run in range(runs):
            names = corpus.mutate(work_seeds, changed, seed=1000 * changed + run)
            touched.update(names)
            touched_keys.update(story_keys(config.store, names))
            reset_peak_rss()
            started = time.perf_counter()
            cpu0 = cpu_seconds()
            report = publish(config, datetime.now(UTC).replace(microsecond=0))
            wall = time.perf_counter() - started
            watcher.append(
                Row(
                    f"watcher: {changed} changed, {n}",
                    wall,
                    cpu_seconds() - cpu0,
                    peak_rss_mib(),
                    files_written=len(report.written),
                )
            )
            touched_keys.update(story_keys(config.store, names))
        row = median_rows(watcher)
        row.floor, row.ratio = "read", row.wall_s / read_floor
        out.append(row)
    process: list[Row] = []
    cmd = [*FEEDS, "publish", "--seeds", str(work_seeds), "--output", "output-edit"]
    cmd += ["--config", str(_config_file(site, "edit.sqlite"))]
    for run in range(runs):
        names = corpus.mutate(work_seeds, 1, seed=99_000 + run)
        touched.update(names)
        touched_keys.update(story_keys(config.store, names))
        wall, cpu, rss, summary = timed_process(cmd, site)
        touched_keys.update(story_keys(config.store, names))
        process.append(
            Row(f"process: 1 changed, {n}", wall, cpu, rss, files_written=files_written(summary))
        )
    row = median_rows(process)
    row.floor, row.ratio = "read", row.wall_s / read_floor
    out.append(row)

    # The stat floor again, of this folder, beside each scan: this machine's speed drifts
    # over the minutes a 100k run takes, and a floor from the start would not be like for like.
    idle: list[Row] = []
    stat_floors: list[float] = []
    for _ in range(runs):
        stat_floors.append(floors(work_seeds, read=False)[1])
        # The rows before leave garbage behind; a collection during a 20 ms scan would
        # double it, and measure the earlier rows, not the scan.
        gc.collect()
        reset_peak_rss()
        started = time.perf_counter()
        cpu0 = cpu_seconds()
        report = publish(config, datetime.now(UTC), settled_before_ns=time.time_ns())
        wall = time.perf_counter() - started
        idle.append(
            Row(
                f"idle scan {n}",
                wall,
                cpu_seconds() - cpu0,
                peak_rss_mib(),
                files_written=len(report.written),
            )
        )
    stat_floor = statistics.median(stat_floors)
    out.append(Row(f"floor: stat {n} files (edited copy, beside each idle scan)", stat_floor))
    row = median_rows(idle)
    row.floor, row.ratio = "stat", row.wall_s / stat_floor
    out.append(row)

    # Last: the cold publish it runs would swell this process before the idle scans.
    correctness.append(compare_with_cold(n, config, site, touched, touched_keys))


def peer(seeds: Path, site: Path, runs: int, n: int, ours: list[Row]) -> list[Row]:
    """Hugo's rows for the same corpus, then each of ``ours`` as a ratio to Hugo with pages."""
    if not apt_install("hugo", "hugo"):
        print("hugo is not available: peer rows skipped", file=sys.stderr)
        return []
    rows = [
        Row(figure, wall, files_written=files)
        for figure, wall, files in peer_rows(seeds, site, runs, n)
    ]
    with_pages = rows[-1].wall_s
    for row in ours:
        rows.append(
            Row(
                f"{row.figure} vs hugo + pages",
                row.wall_s,
                floor="hugo",
                ratio=row.wall_s / with_pages,
            )
        )
    return rows


def _config_file(site: Path, store: str) -> Path:
    path = site / "feeds.toml"
    # settle = 0: the row measures publishing the change just made, not waiting for it to
    # settle (with the default, a cron publish leaves a file edited this second for later).
    path.write_text(f'[publish]\nstore = "{store}"\nsettle = 0\n')
    return path


def apt_install(package: str, binary: str) -> bool:
    """Install a Debian package when its binary is missing; True if it is there after."""
    for step in (["install", "-y", package], ["update"], ["install", "-y", package]):
        if shutil.which(binary) is not None:
            return True
        subprocess.run(["apt-get", "-q", *step], check=False, capture_output=True)
    return shutil.which(binary) is not None


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


def judge(rows: list[Row]) -> None:
    for row in rows:
        if row.figure not in TARGETS:
            continue
        kind, target = TARGETS[row.figure]
        if kind == "rps":
            row.target, row.met = f">= {target:,.0f}/s", (row.rps or 0) >= target
        elif kind == "ratio":
            row.target, row.met = f"<= {target:g}x {row.floor}", (row.ratio or 0) <= target
        else:
            row.target, row.met = f"<= {target:g} s", row.wall_s <= target
            if row.figure == "cold publish 100000" and row.rss_mib is not None:
                row.target += ", <= 400 MiB"
                row.met = row.met and row.rss_mib <= 400


def table(rows: list[Row]) -> str:
    lines = [
        "| figure | median wall | CPU | peak RSS | files written | vs floor | target | met |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for r in rows:
        wall = f"{r.rps:,.0f} req/s" if r.rps is not None else f"{r.wall_s:.3f} s"
        cpu = f"{r.cpu_s:.2f} s" if r.cpu_s is not None else ""
        rss = f"{r.rss_mib:.0f} MiB" if r.rss_mib is not None else ""
        files = "" if r.files_written is None else str(r.files_written)
        ratio = f"{r.ratio:.1f}x {r.floor}" if r.ratio is not None else ""
        met = "" if r.met is None else ("yes" if r.met else "no")
        lines.append(
            f"| {r.figure} | {wall} | {cpu} | {rss} | {files} | {ratio} | {r.target} | {met} |"
        )
    return "\n".join(lines)


def measure_in_own_process(
    n: int, runs: int, work: Path, rows: list[Row], correctness: list[dict[str, object]]
) -> None:
    """``bench_size`` in a fresh Python process: the watcher and idle-scan rows publish
    in-process, and their peak RSS must not carry what an earlier size left on the heap."""
    results = work / f"results-{n}.json"
    command = [sys.executable, "-m", "tests.benchmarks.bench", "--one-size", str(n)]
    # Absolute paths: the child runs from the project folder, whatever this one's is.
    command += [
        "--runs",
        str(runs),
        "--workdir",
        str(work.resolve()),
        "--json",
        str(results.resolve()),
    ]
    subprocess.run(command, cwd=Path(__file__).resolve().parents[2], check=True)
    measured = json.loads(results.read_text())
    rows.extend(Row(**row) for row in measured["rows"])
    correctness.extend(measured["correctness"])


def sizes_list(text: str) -> list[int]:
    """An argparse type: ``1000,10000`` → corpus sizes, each at least 1."""
    return [corpus.positive_int(part) for part in text.split(",")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=sizes_list, default=[1000, 10_000, 100_000])
    parser.add_argument("--runs", type=corpus.positive_int, default=3)
    parser.add_argument("--json", type=Path, default=Path("bench.json"))
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "feeds-bench")
    parser.add_argument("--no-serve", action="store_true")
    # One size in this process, its results as JSON: see measure_in_own_process.
    parser.add_argument("--one-size", type=corpus.positive_int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    correctness: list[dict[str, object]] = []
    if args.one_size:
        bench_size(args.one_size, args.runs, args.workdir, rows, correctness)
        args.json.write_text(
            json.dumps({"rows": [asdict(r) for r in rows], "correctness": correctness})
        )
        return
    sizes: list[int] = args.sizes
    for n in sorted(sizes):
        print(f"measuring {n} ...", file=sys.stderr)
        measure_in_own_process(n, args.runs, args.workdir, rows, correctness)
    if not args.no_serve:
        bench_serve(args.workdir, 10_000 if 10_000 in sizes else max(sizes), args.runs, rows)
    judge(rows)
    print(table(rows))
    print("\nIncremental output (after the edits above) vs a cold publish of the same corpus:")
    for c in correctness:
        print(
            f"- {c['size']}: {c['identical']} of {c['files incremental']} files identical,"
            f" {c['differ']} differ (e.g. {', '.join(c['differing examples'])}),"  # type: ignore[arg-type]
            f" {c['only incremental']} only incremental, {c['only cold']} only cold;"
            f" feeds check: {c['feeds checked']} feeds, {c['feed problems']} problems;"
            f" entries as a reader sees them: {c['entries differing']} of {c['entries']} differ,"
            f" {c['unexplained']} not traced to the edits of {c['seeds edited']} seeds"
            + (f" (unexplained: {c['unexplained examples']})" if c["unexplained"] else "")
        )
    machine = f"{platform.node()}: {os.cpu_count()} cores, {platform.python_version()}"
    args.json.write_text(
        json.dumps(
            {
                "date": datetime.now(UTC).isoformat(),
                "machine": machine,
                "rows": [asdict(r) for r in rows],
                "correctness": correctness,
            },
            indent=2,
        )
    )
    print(f"\n{machine}; JSON in {args.json}", file=sys.stderr)


if __name__ == "__main__":
    main()
