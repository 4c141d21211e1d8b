"""The peer row: Hugo building the same articles as per-section and per-author Atom feeds.

The corpus is written once as Markdown with front matter (title, date, section,
authors, the standfirst as summary), through feeds' own normaliser, so both
tools publish the same articles. Two builds: feeds only (articles listed but not
rendered as pages) and feeds plus one HTML page per article, 50 entries a feed.
"""

from __future__ import annotations

import json
import multiprocessing
import shutil
import subprocess
import time
from pathlib import Path

from feeds.ingest.merge import merge_stories
from feeds.ingest.normalise import decode_seed
from feeds.records import Story
from tests.benchmarks.trash import Trash

CONFIG = """\
baseURL = "http://localhost/"
languageCode = "en"
title = "Bench"
disableKinds = ["sitemap", "robotsTXT", "404", "RSS"]
[taxonomies]
  section = "sections"
  author = "authors"
[mediaTypes."application/atom+xml"]
  suffixes = ["atom"]
[outputFormats.Atom]
  mediaType = "application/atom+xml"
  baseName = "index"
[outputs]
  home = ["HTML", "Atom"]
  term = ["HTML", "Atom"]
  taxonomy = ["HTML"]
  section = ["HTML"]
  page = ["HTML"]
"""
ATOM = """\
{{ printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\"?>" | safeHTML }}
<feed xmlns="http://www.w3.org/2005/Atom">
<title>{{ .Title }}</title>
<id>{{ .Permalink }}</id>
<link rel="self" href="{{ .Permalink }}index.atom"/>
<updated>{{ (index .Pages 0).Date.Format "2006-01-02T15:04:05Z07:00" }}</updated>
{{ range first 50 .Pages }}<entry>
<title>{{ .Title }}</title>
<id>{{ .Permalink }}</id>
<link href="{{ .Permalink }}"/>
<published>{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}</published>
<updated>{{ .Lastmod.Format "2006-01-02T15:04:05Z07:00" }}</updated>
{{ range .Params.authors }}<author><name>{{ . }}</name></author>{{ end }}
<summary>{{ .Summary | plainify }}</summary>
<content type="html">{{ .Content | html }}</content>
</entry>
{{ end }}</feed>
"""
PAGE = """\
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><h1>{{ .Title }}</h1>{{ .Content }}</body></html>
"""
LIST = """\
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><h1>{{ .Title }}</h1><ul>{{ range first 50 .Pages }}
<li><a href="{{ .Permalink }}">{{ .Title }}</a></li>{{ end }}</ul></body></html>
"""


def write_site(seeds: Path, site: Path, pages: bool) -> None:
    """A Hugo site of the articles in ``seeds`` (once per corpus; the config per build)."""
    content = site / "content" / "posts"
    marker = site / ".complete"
    if not marker.exists():
        shutil.rmtree(site, ignore_errors=True)
        content.mkdir(parents=True)
        stories: list[Story] = []
        for path in sorted(seeds.glob("*.txt")):
            stories.extend(decode_seed(path.read_bytes(), path.name).stories)
        for n, story in enumerate(s for s in merge_stories(stories) if s.kind == "article"):
            front = {
                "title": story.headline,
                "date": f"{story.date or '2026-01-01'}T00:00:00Z",
                "sections": [story.section.name],
                "authors": [a.name for a in story.authors],
                "summary": story.summary,
            }
            body = "\n\n".join(story.paragraphs)
            (content / f"a{n:06d}.md").write_text(f"{json.dumps(front)}\n\n{body}\n")
        for folder, name, text in (
            ("_default", "single.html", PAGE),
            ("_default", "list.html", LIST),
            ("_default", "list.atom", ATOM),
            ("_default", "terms.html", LIST),
        ):
            (site / "layouts" / folder).mkdir(parents=True, exist_ok=True)
            (site / "layouts" / folder / name).write_text(text)
        marker.write_text("1")
    config = CONFIG
    if not pages:  # listed in every feed, never rendered as a page of its own
        config += '[[cascade]]\n  [cascade._build]\n    render = "never"\n'
        config += '  [cascade._target]\n    path = "/posts/**"\n'
    (site / "config.toml").write_text(config)


def build_seconds(site: Path, trash: Trash) -> tuple[float, int]:
    """Wall seconds of a cold ``hugo`` build into a fresh ``public/`` (the last one moved to
    ``trash``, as feeds' last output is), and the files it wrote."""
    public = site / "public"
    trash.discard(public)
    trash.discard(site / "resources")
    started = time.perf_counter()
    subprocess.run(
        ["hugo", "--quiet", "--source", str(site), "--destination", str(public)],
        check=True,
        capture_output=True,
    )
    seconds = time.perf_counter() - started
    return seconds, sum(1 for p in public.rglob("*") if p.is_file())


def peer_rows(
    seeds: Path, site: Path, runs: int, n: int, trash: Trash
) -> list[tuple[str, float, int]]:
    """(figure, median wall seconds, files) of Hugo's two builds of the corpus."""
    import statistics

    rows = []
    for pages, what in ((False, "feeds"), (True, "feeds + pages")):
        # In a process of its own: parsing the whole corpus here would leave this one
        # (which later publishes in process for the watcher and idle-scan rows) hundreds of
        # MiB larger and slower at 100k.
        child = multiprocessing.get_context("spawn").Process(
            target=write_site, args=(seeds, site, pages)
        )
        child.start()
        child.join()
        if child.exitcode != 0:
            raise RuntimeError(f"writing the Hugo site failed (exit {child.exitcode})")
        timings = [build_seconds(site, trash) for _ in range(runs)]
        rows.append(
            (f"hugo 0.111: {what}, {n}", statistics.median(t for t, _ in timings), timings[0][1])
        )
    return rows
