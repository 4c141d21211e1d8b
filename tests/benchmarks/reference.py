"""Reference outputs, to check that a change leaves every published byte as it was.

    python -m tests.benchmarks.reference OUT [CODE]   # writes OUT/{a,b-cold,b}/output
    git worktree add /tmp/base <commit>
    python -m tests.benchmarks.reference /tmp/ref-base /tmp/base
    diff -rq /tmp/ref-base/b/output OUT/b/output     # and a, b-cold

Three outputs, each from a new store, with the clock and every seed's mtime fixed so that two
runs of the same code give the same bytes: ``a`` the bundled ``seeds/``; ``b-cold`` a
1,000-article corpus (``tests/benchmarks/corpus.py``); ``b`` the same corpus published, then 63
seeds edited or deleted (the same edits every time) and published again. ``feeds`` is
imported from the checkout ``CODE`` when it is given (the code under test, with its own
bundled seeds), else from this one; the corpus and the edits always come from this file's
checkout, so both sides see the same input.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from tests.benchmarks import corpus

SEEDS_MTIME = 1_750_000_000.0  # 2025-06-15: undated articles take their seed's mtime
EDITS_MTIME = 1_760_000_000.0
FIRST = datetime(2026, 11, 1, 12, tzinfo=UTC)
SECOND = datetime(2026, 11, 2, 12, tzinfo=UTC)


def _fixed_copy(source: Path, target: Path, mtime: float) -> None:
    shutil.copytree(source, target)
    for path in target.iterdir():
        os.utime(path, (mtime, mtime))


# In a process of its own, started in the checkout under test, so that it (and the worker
# processes it spawns) import that checkout's feeds and nothing of this one.
_PUBLISH = """
import sys
from datetime import datetime
from pathlib import Path
from feeds.config import Config
from feeds.publish.run import publish
seeds, site, now = sys.argv[1:4]
store = Path(site) / "state.sqlite"
config = Config(seeds=Path(seeds), output=Path(site) / "output", store=store, source="ref")
publish(config, datetime.fromisoformat(now), new_store=True)
"""


def _publish(code: Path, seeds: Path, site: Path, now: datetime) -> None:
    command = [sys.executable, "-c", _PUBLISH, str(seeds), str(site), now.isoformat()]
    subprocess.run(command, cwd=code, check=True, stdout=subprocess.DEVNULL)


def write_references(out: Path, code: Path) -> None:
    """The three outputs described in the module docstring, under ``out``, of the
    checkout ``code``."""
    out = out.resolve()
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    _fixed_copy(code / "seeds", out / "seeds-a", SEEDS_MTIME)
    _publish(code, out / "seeds-a", out / "a", FIRST)
    generated = out / "corpus"
    corpus.write(generated, 1000)
    _fixed_copy(generated, out / "seeds-b", SEEDS_MTIME)
    _publish(code, out / "seeds-b", out / "b-cold", FIRST)
    _publish(code, out / "seeds-b", out / "b", FIRST)
    # The edits are made on a copy, so the seeds the publish sees change all at once.
    edited = out / "edited"
    shutil.copytree(out / "seeds-b", edited)
    for name in corpus.mutate(edited, 63, seed=7):
        target = out / "seeds-b" / name
        if (edited / name).exists():
            shutil.copy2(edited / name, target)
            os.utime(target, (EDITS_MTIME, EDITS_MTIME))
        else:
            target.unlink(missing_ok=True)
    _publish(code, out / "seeds-b", out / "b", SECOND)


def main() -> None:
    if len(sys.argv) not in (2, 3):
        raise SystemExit(__doc__)
    here = Path(__file__).resolve().parents[2]
    code = Path(sys.argv[2]).resolve() if len(sys.argv) == 3 else here
    if not (code / "feeds" / "publish" / "run.py").is_file():
        raise SystemExit(f"{code}: not a checkout of feeds")
    write_references(Path(sys.argv[1]), code)


if __name__ == "__main__":
    main()
