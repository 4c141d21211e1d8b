"""The design's floor: the work a cold publish cannot skip under the project's rules, each
piece done once, in one process, timed in CPU seconds.

    python -m tests.benchmarks.design_floor SEEDS SITE

``SITE`` is a folder a cold publish of ``SEEDS`` has just written (``output/`` and
the store ``.feeds/state.sqlite``); its entries are read back untimed. The pieces:

- ``seeds``: read every seed and normalise it into stories (``decode_seed``);
- ``merge``: merge the stories into one per key (``merge_stories``);
- ``fragments``: each entry's Atom entry, RSS item and JSON Feed item, built by feedgen
  and serialised once (the rule: feed documents are feedgen's output);
- ``pages``: each entry's HTML page, through its compiled template.

Left out, so the floor is lower than any real publish: storing stories and entries,
planning, assembling the documents from the fragments, history and archive pages,
writing the files (the write floor has a row of its own) and starting the process.
Divided by the cores, it is the least wall time a cold publish built on these rules
could take with both cores busy throughout.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from feeds.config import load_config
from feeds.ingest.merge import merge_stories
from feeds.ingest.normalise import decode_seed
from feeds.publish.execute import site_from_config
from feeds.records import Entry, Story
from feeds.render.documents import EntryFragments
from feeds.render.pages import PageRenderer
from feeds.store.columns import entry_from_row
from feeds.store.db import Store


def _cpu(work: Callable[[], object]) -> float:
    # Without the cycle collector: this process holds every story and entry at once, which a
    # publish never does, and a floor should not charge for that.
    gc.collect()
    gc.disable()
    try:
        started = time.process_time()
        work()
        return time.process_time() - started
    finally:
        gc.enable()


def measure(seeds: Path, site: Path) -> dict[str, float]:
    """CPU seconds of each piece of the floor (see the module docstring), and their sum."""
    stories: list[Story] = []

    def read_seeds() -> None:
        for path in sorted(seeds.glob("*.txt")):
            stories.extend(decode_seed(path.read_bytes(), path.name).stories)

    config = load_config(None, site)
    with Store.open(site / ".feeds" / "state.sqlite") as store:
        rows = store.entry_rows(store.entry_ids(articles_only=not config.teasers))
    entries: list[Entry] = [entry_from_row(row) for row in rows.values()]
    site_record = site_from_config(config)
    # Each fragment is asked for once: a cache would only hold memory.
    fragments = EntryFragments(site_record, size=1)
    # The namespaces the published documents declare: a fragment is indented for them.
    atom_ns = etree.parse(str(site / "output" / "all.atom")).getroot().nsmap
    rss_ns = etree.parse(str(site / "output" / "all.rss")).getroot().nsmap

    def build_fragments() -> None:
        for entry in entries:
            fragments.fragment("atom", entry, atom_ns, None)
            fragments.fragment("rss", entry, rss_ns, None)
            fragments.fragment("json", entry, {}, None)

    pages = PageRenderer(site_record)

    def render_pages() -> None:
        for entry in entries:
            pages.entry(entry)

    result = {
        "seeds": _cpu(read_seeds),
        "merge": _cpu(lambda: merge_stories(stories)),
        "fragments": _cpu(build_fragments),
        "pages": _cpu(render_pages),
    }
    result["total"] = sum(result.values())
    return result


def design_floor(seeds: Path, site: Path) -> dict[str, float]:
    """``measure`` in a process of its own, as a cold publish starts in one: this one
    (which later publishes in-process) is left as it was."""
    command = [sys.executable, "-m", "tests.benchmarks.design_floor", str(seeds), str(site)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return dict(json.loads(done.stdout))


def main() -> None:
    if len(sys.argv) != 3:
        raise SystemExit("usage: python -m tests.benchmarks.design_floor SEEDS SITE")
    seeds, site = Path(sys.argv[1]), Path(sys.argv[2])
    for path in (seeds, site / ".feeds" / "state.sqlite", site / "output" / "all.atom"):
        if not path.exists():
            raise SystemExit(f"{path}: missing (SITE must hold a cold publish of SEEDS)")
    print(json.dumps(measure(seeds, site)))


if __name__ == "__main__":
    main()
