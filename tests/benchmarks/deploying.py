"""Deploy rows: the output put in a real bucket (SeaweedFS on loopback), PUTs counted.

    python -m tests.benchmarks.deploying [--size 10000] [--runs 3] [--workdir DIR]

Rows, each the median of ``--runs``: ``feeds deploy`` of a cold publish's output into
an empty prefix; ``feeds deploy`` again with nothing changed (listing and comparing,
as ``aws s3 sync`` does) beside its floor, one LIST of the prefix; and a publish of
one edited seed with its incremental upload, with the files written and objects PUT.
Part of ``tests.benchmarks.bench`` and runnable alone.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tests.benchmarks import corpus
from tests.benchmarks.measure import timed_process
from tests.benchmarks.rows import FEEDS, Row, files_written, median_rows
from tests.s3server import BUCKET, SeaweedS3


def bench_deploy(work: Path, n: int, runs: int, out: list[Row]) -> None:
    """The deploy rows for the corpus of ``n`` seeds (generated when missing)."""
    seeds = work / f"deploy-seeds-{n}"
    if not seeds.is_dir():
        corpus.write(seeds, n)
    server = SeaweedS3(Path(tempfile.mkdtemp(prefix="seaweed-", dir=work)))
    server.start()
    os.environ.update(server.env())
    try:
        cold: list[Row] = []
        again: list[Row] = []
        lists: list[float] = []
        edits: list[Row] = []
        for run in range(runs):
            site = work / f"deploy-site-{n}"
            shutil.rmtree(site, ignore_errors=True)
            site.mkdir()
            publish = [*FEEDS, "publish", "--seeds", str(seeds), "--quiet"]
            timed_process(publish, site)  # no [deploy] yet: the output alone
            prefix = f"bench-{n}-{time.time_ns()}"
            _config(site, server, prefix)
            wall, cpu, rss, summary = timed_process([*FEEDS, "deploy"], site)
            cold.append(
                Row(f"deploy: cold, {n} (objects PUT)", wall, cpu, rss, files_written=_put(summary))
            )
            wall, cpu, rss, summary = timed_process([*FEEDS, "deploy"], site)
            again.append(
                Row(
                    f"deploy: nothing changed, {n} (objects PUT)",
                    wall,
                    cpu,
                    rss,
                    files_written=_put(summary),
                )
            )
            lists.append(_list_seconds(server, prefix))
            corpus.mutate(seeds, 1, seed=77_000 + run)
            wall, cpu, rss, summary = timed_process(
                [*FEEDS, "publish", "--seeds", str(seeds)], site
            )
            written, put = files_written(summary), _put(summary)
            edits.append(
                Row(
                    f"publish + deploy: 1 changed, {n} (objects PUT)",
                    wall,
                    cpu,
                    rss,
                    files_written=put,
                )
            )
            print(
                f"run {run}: 1 changed: {written} files written, {put} objects PUT", file=sys.stderr
            )
    finally:
        server.stop()
    list_floor = statistics.median(lists)
    out.append(median_rows(cold))
    out.append(Row(f"floor: one LIST of the {n} prefix (obstore, in process)", list_floor))
    row = median_rows(again)
    row.floor, row.ratio = "list", row.wall_s / list_floor
    out.append(row)
    out.append(median_rows(edits))


def _config(site: Path, server: SeaweedS3, prefix: str) -> None:
    (site / "feeds.toml").write_text(
        "[publish]\nsettle = 0\n"
        f'[deploy]\ntarget = "s3://{BUCKET}/{prefix}"\nendpoint = "{server.endpoint}"\n'
        'region = "us-east-1"\n'
    )


def _put(summary: str) -> int:
    match = re.search(r"(\d+) put", summary)
    return int(match.group(1)) if match else -1


def _list_seconds(server: SeaweedS3, prefix: str) -> float:
    started = time.perf_counter()
    count = len(server.objects(prefix))
    seconds = time.perf_counter() - started
    assert count > 0
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=corpus.positive_int, default=10_000)
    parser.add_argument("--runs", type=corpus.positive_int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "feeds-bench")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    bench_deploy(args.workdir.resolve(), args.size, args.runs, rows)
    from tests.benchmarks.bench import table

    print(table(rows))


if __name__ == "__main__":
    main()
