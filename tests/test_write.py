"""Atomic writes: nothing outside the output folder, identical bytes skipped, collisions refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from feeds.errors import PublishError
from feeds.publish.write import (
    IN_PROGRESS,
    RENAMING,
    TEMP_MARK,
    OutputWriter,
    clear_marker,
    sweep_temporaries,
)


def test_put_commit_and_skip_identical(tmp_path: Path) -> None:
    writer = OutputWriter(tmp_path)
    assert writer.put("sections/a.atom", b"one")
    assert not (tmp_path / "sections/a.atom").exists()  # staged, not yet visible
    assert writer.commit() == (["sections/a.atom"], [])
    assert (tmp_path / "sections/a.atom").read_bytes() == b"one"
    mtime = (tmp_path / "sections/a.atom").stat().st_mtime_ns
    again = OutputWriter(tmp_path)
    assert not again.put("sections/a.atom", b"one")
    assert again.commit() == ([], [])
    assert (tmp_path / "sections/a.atom").stat().st_mtime_ns == mtime
    assert not list(tmp_path.rglob(f"*{TEMP_MARK}"))


@pytest.mark.parametrize(
    "path",
    ["../escape.atom", "/etc/passwd", "a/../../b", ".hidden", "UPPER.atom", "a//b", "", "a\\b"],
)
def test_unsafe_paths_are_refused(tmp_path: Path, path: str) -> None:
    with pytest.raises(PublishError, match="unsafe output path"):
        OutputWriter(tmp_path / "out").put(path, b"x")


def test_symlinked_folder_leading_out_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "elsewhere").mkdir()
    (out / "authors").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(PublishError, match="leads outside"):
        OutputWriter(out).put("authors/x.atom", b"x")


def test_two_outputs_to_one_path_are_refused(tmp_path: Path) -> None:
    writer = OutputWriter(tmp_path)
    writer.put("all.atom", b"a")
    with pytest.raises(PublishError, match="two outputs map to the same path"):
        writer.put("all.atom", b"b")
    writer.abort()
    assert list(tmp_path.iterdir()) == []


def test_abort_leaves_published_files(tmp_path: Path) -> None:
    (tmp_path / "all.atom").write_bytes(b"old")
    writer = OutputWriter(tmp_path)
    writer.put("all.atom", b"new")
    writer.abort()
    assert (tmp_path / "all.atom").read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["all.atom"]


def test_removals_and_sweeping_leftovers(tmp_path: Path) -> None:
    (tmp_path / "entries").mkdir()
    (tmp_path / "entries/gone.html").write_text("x")
    (tmp_path / f"entries/.x.html.abcd{TEMP_MARK}").write_text("partial")
    assert sweep_temporaries(tmp_path) is False  # no run was interrupted: nothing is walked
    assert (tmp_path / f"entries/.x.html.abcd{TEMP_MARK}").exists()
    (tmp_path / IN_PROGRESS).touch()  # interrupted while staging: only temporaries to go
    assert sweep_temporaries(tmp_path) is False
    assert not (tmp_path / f"entries/.x.html.abcd{TEMP_MARK}").exists()
    assert not (tmp_path / IN_PROGRESS).exists()
    (tmp_path / IN_PROGRESS).write_text(RENAMING)  # interrupted while renaming
    assert sweep_temporaries(tmp_path) is True
    assert sweep_temporaries(tmp_path) is True  # until a publish has recorded its files
    clear_marker(tmp_path)
    assert sweep_temporaries(tmp_path) is False
    writer = OutputWriter(tmp_path)
    writer.remove("entries/gone.html")
    assert writer.commit() == ([], ["entries/gone.html"])
    assert list((tmp_path / "entries").iterdir()) == []
