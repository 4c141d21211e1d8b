"""What every benchmark row is, and the helpers the row-makers share."""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
import sys
from dataclasses import dataclass

FEEDS = [sys.executable, "-m", "feeds"]


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


def apt_install(package: str, binary: str) -> bool:
    """Install a Debian package when its binary is missing; True if it is there after."""
    for step in (["install", "-y", package], ["update"], ["install", "-y", package]):
        if shutil.which(binary) is not None:
            return True
        subprocess.run(["apt-get", "-q", *step], check=False, capture_output=True)
    return shutil.which(binary) is not None


def files_written(summary: str) -> int:
    match = re.search(r"(\d+) files written", summary)
    return int(match.group(1)) if match else -1
