"""``feeds inspect`` as a user runs it: a real process on real files."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import RunFeeds

TEASER_BYLINES = {
    # Read off the two seed files.
    "EXCLUSIVE: Home Office trying to restore sharing of asylum data": (
        ["Dan Peters"],
        "2026-02-12",
    ),
    "The Top 10 councils powering ahead on productivity": (["Ann McGauran"], "2026-02-05"),
    "Why chiefs need a framework": (["Pam Parkes"], "2026-02-03"),
    "London needs fewer councils as part of a broader governance reset in the capital": (
        ["Cory Berman"],
        "2026-02-02",
    ),
    "Councils must speak out on increasing tax-raising powers": (
        ["Rob Whiteman CBE"],
        "2025-11-19",
    ),
    "Fixing the easiest win in care spending": (["Tracie Langley"], "2025-11-18"),
    "A new government front door for local impact": (["Bramwell Blower"], "2025-11-14"),
    "Council leaders 'failing' on SEND amid soaring demand, CCN admits": ([], "2025-11-14"),
}


def test_inspect_real_seeds(run_feeds: RunFeeds, seeds_dir: Path) -> None:
    result = run_feeds("inspect", *sorted(str(p) for p in seeds_dir.glob("*.txt")))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "\u00a0" not in result.stdout
    entries = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(entries) == 10
    articles = {e["headline"]: e for e in entries if e["kind"] == "article"}
    assert {h: len(e["paragraphs"]) for h, e in articles.items()} == {
        "Councils defend child abuse approach after critical report": 6,
        "£40m for CSE not enough - councils": 8,
    }
    for entry in articles.values():
        assert entry["authors"] == [{"name": "William Eichler", "slug": "william-eichler"}]
    teasers = {
        e["headline"]: ([a["name"] for a in e["authors"]], e["date"])
        for e in entries
        if e["kind"] == "teaser"
    }
    assert teasers == TEASER_BYLINES
    for entry in entries:
        assert entry["section"] == {"name": "Children's Services", "slug": "childrens-services"}
        assert entry["headline"] != "Title"
        assert entry["sources"]
        assert set(entry) >= {"kind", "headline", "section", "authors", "date", "summary"}
        if entry["kind"] == "teaser":
            assert entry["paragraphs"] == []


def test_inspect_reports_each_bad_file_and_still_prints_good_ones(
    run_feeds: RunFeeds, seeds_dir: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    files = {
        "empty.txt": b"",
        "binary.txt": b"\x7fELF\x02\x01\x01\x00\x00\x00",
        "latin.txt": b"caf\xe9 \x81 au lait",
        "noheadline.txt": b"Title\n\nCHILDREN'S SERVICES",
        "layout.txt": b"<html><body>Not a seed</body></html>",
        "huge.txt": b"NEWS\n\nHeadline\n\n" + b"x" * 5000,
    }
    for name, data in files.items():
        (bad / name).write_bytes(data)
    (bad / ".draft.txt").write_bytes(b"")  # editor leftover: silently skipped
    (bad / "x.txt~").write_bytes(b"")

    result = run_feeds("inspect", "--max-seed-bytes", "4000", str(seeds_dir), str(bad))
    assert result.returncode == 1
    errors = result.stderr.splitlines()
    assert len(errors) == len(files)
    for name in files:
        (line,) = [e for e in errors if f"{bad / name}" in e]
        assert line.startswith(f"error: {bad / name}")
    assert any("binary file" in e for e in errors)
    assert any("invalid UTF-8" in e for e in errors)
    assert any("over the limit of 4000" in e for e in errors)
    assert any("headline" in e for e in errors)
    assert len(result.stdout.splitlines()) == 10
