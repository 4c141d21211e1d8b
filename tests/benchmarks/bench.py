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
a bare app on the same server (``tests/benchmarks/serve_floor.py``). Deploys are
measured against SeaweedFS on loopback (``tests/benchmarks/deploying.py``). Not
part of the test suite.
"""

from __future__ import annotations

import argparse
import compileall
import gc
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import feeds
from feeds.config import Config
from feeds.publish.run import publish
from tests.benchmarks import corpus
from tests.benchmarks.compare import compare_with_cold, story_keys
from tests.benchmarks.deploying import bench_deploy
from tests.benchmarks.design_floor import design_floor
from tests.benchmarks.hugo import peer_rows
from tests.benchmarks.measure import (
    cpu_seconds,
    floors,
    peak_rss_mib,
    reset_peak_rss,
    timed_process,
    write_floor,
)
from tests.benchmarks.rows import FEEDS, Row, apt_install, files_written, median_rows
from tests.benchmarks.serving import bench_serve
from tests.benchmarks.trash import Trash

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
    trash = Trash(work / "trash")  # see tests/benchmarks/trash.py

    def fresh() -> None:
        trash.discard(site)
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
    out.extend(_design_rows(seeds, site, n, cold_row))
    out.extend(peer(seeds, work / f"hugo-{n}", runs, n, [cold_row, row], trash))
    scratch = work / "write-floor"
    seconds, count, size = write_floor(site / "output", scratch, runs, trash)
    out.append(Row(f"floor: write the output ({count} files, {size / 1e6:.0f} MB)", seconds))
    seconds, _, _ = write_floor(site / "output", scratch, runs, trash, sync=False)
    out.append(Row("floor: write the output, no fsync", seconds))

    # Incremental: a copy of the corpus is edited, as an editor would.
    work_seeds = work / f"edited-{n}"
    trash.discard(work_seeds)
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
            # As the daemon's scans between checks of the published files (1 in 10 checks).
            report = publish(config, datetime.now(UTC).replace(microsecond=0), verify=False)
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
    checking: list[Row] = []
    stat_floors: list[float] = []
    for _ in range(runs):
        stat_floors.append(floors(work_seeds, read=False)[1])
        idle.append(_idle_scan(config, f"idle scan {n}", verify=False))
        checking.append(_idle_scan(config, f"idle scan {n}, checking the output", verify=True))
    stat_floor = statistics.median(stat_floors)
    out.append(Row(f"floor: stat {n} files (edited copy, beside each idle scan)", stat_floor))
    for rows in (idle, checking):
        row = median_rows(rows)
        row.floor, row.ratio = "stat", row.wall_s / stat_floor
        out.append(row)

    # Last: the cold publish it runs would swell this process before the idle scans.
    correctness.append(compare_with_cold(n, config, site, touched, touched_keys))


def _design_rows(seeds: Path, site: Path, n: int, cold: Row) -> list[Row]:
    """The design's floor (``tests/benchmarks/design_floor.py``) over this machine's cores,
    and the cold row as a ratio to it."""
    pieces = design_floor(seeds, site)
    cores = os.cpu_count() or 1
    named = ", ".join(f"{k} {v:.2f}" for k, v in pieces.items() if k != "total")
    floor = Row(
        f"floor: the design's work once, {n} ({named} s CPU), over {cores} cores",
        pieces["total"] / cores,
        pieces["total"],
    )
    ratio = Row(
        f"cold publish {n} vs the design's floor",
        cold.wall_s,
        floor="design",
        ratio=cold.wall_s / floor.wall_s,
    )
    return [floor, ratio]


def _idle_scan(config: Config, figure: str, verify: bool) -> Row:
    """A publish with nothing to do, in this process as the daemon's scans are; ``verify``
    also checks every published file, which the daemon does one scan in ten."""
    # The rows before leave garbage behind; a collection during a 20 ms scan would
    # double it, and measure the earlier rows, not the scan.
    gc.collect()
    reset_peak_rss()
    started = time.perf_counter()
    cpu0 = cpu_seconds()
    report = publish(config, datetime.now(UTC), settled_before_ns=time.time_ns(), verify=verify)
    wall = time.perf_counter() - started
    cpu = cpu_seconds() - cpu0
    return Row(figure, wall, cpu, peak_rss_mib(), files_written=len(report.written))


def peer(seeds: Path, site: Path, runs: int, n: int, ours: list[Row], trash: Trash) -> list[Row]:
    """Hugo's rows for the same corpus, then each of ``ours`` as a ratio to Hugo with pages."""
    if not apt_install("hugo", "hugo"):
        print("hugo is not available: peer rows skipped", file=sys.stderr)
        return []
    rows = [
        Row(figure, wall, files_written=files)
        for figure, wall, files in peer_rows(seeds, site, runs, n, trash)
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
    parser.add_argument("--no-deploy", action="store_true", help="skip the deploy rows")
    # One size in this process, its results as JSON: see measure_in_own_process.
    parser.add_argument("--one-size", type=corpus.positive_int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    # The process rows time `feeds` as an installed copy runs: from compiled bytecode (pip
    # compiles a package it installs; an editable checkout is compiled on first import).
    # Where PYTHONDONTWRITEBYTECODE is set, as on this project's VM, nothing would be, and
    # every run would compile the package from source (~0.05 s of a 0.5 s cron run).
    compileall.compile_dir(Path(feeds.__file__).parent, quiet=1)
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
    if not args.no_deploy:  # a bucket on loopback (SeaweedFS), see tests/benchmarks/deploying.py
        bench_deploy(args.workdir.resolve(), min(10_000, max(sizes)), args.runs, rows)
    Trash(args.workdir / "trash").empty()  # after every measurement: see its module
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
