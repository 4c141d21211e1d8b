"""The benchmark corpus generator: deterministic, in exactly the seed format, and shaped like a
newsroom's archive (the facts it promises are checked through the real normaliser)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from feeds.ingest.normalise import decode_seed, section_display_name
from tests.benchmarks.corpus import SECTIONS, Corpus, mutate, write

NUMBER = re.compile(r"\((\d+)\)$")


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_the_same_seed_writes_the_same_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    write(tmp_path / "a", 60, seed=7)
    write(tmp_path / "b", 60, seed=7)
    write(tmp_path / "c", 60, seed=8)
    a, b, c = _files(tmp_path / "a"), _files(tmp_path / "b"), _files(tmp_path / "c")
    assert len(a) == 60
    assert a == b
    assert a.keys() == c.keys()
    assert sum(a[name] != c[name] for name in a) == 60
    mtimes = {p.stat().st_mtime_ns for p in (tmp_path / "a").iterdir()}
    assert len(mtimes) == 1  # fixed, so a publish of the corpus is reproducible


def test_every_file_parses_into_the_facts_the_generator_chose(tmp_path: Path) -> None:
    corpus = Corpus(3)
    write(tmp_path, 300, seed=3)
    teaser_counts: Counter[int] = Counter()
    recurs: Counter[str] = Counter()
    bare_teasers = same_section = teasers = 0
    for path in sorted(tmp_path.iterdir()):
        parsed = decode_seed(path.read_bytes(), path.name)
        n = int(path.name.split("_")[0])
        facts = corpus.article(n)
        assert parsed.warnings == ()
        assert parsed.article.headline == facts["headline"]
        assert parsed.article.section.name == section_display_name(str(facts["section"]))
        assert [a.name for a in parsed.article.authors] == facts["authors"]
        # The standfirst leads the paragraphs; its repeat (sometimes with the dash folded) is
        # dropped, so the body's first paragraph follows it.
        standfirst, *body = parsed.article.paragraphs
        assert standfirst == parsed.article.summary
        assert body[0].endswith("Point 0.") and body[-1].endswith(f"Point {len(body) - 1}.")
        assert len(body) in range(3, 13)
        teaser_counts[len(parsed.teasers)] += 1
        for teaser in parsed.teasers:
            match = NUMBER.search(teaser.headline)
            assert match, teaser.headline
            other = corpus.article(int(match.group(1)))
            assert teaser.headline == other["headline"]
            assert teaser.date == other["date"]
            teasers += 1
            recurs[teaser.key] += 1
            same_section += teaser.section == parsed.article.section
            if not teaser.authors:
                bare_teasers += 1
            else:
                assert [a.name for a in teaser.authors] == other["authors"]
    assert set(teaser_counts) == {0, 1, 2, 3, 4}
    assert max(recurs.values()) >= 10  # a recent story recurs as a teaser in many files
    assert same_section > 0.7 * teasers  # mostly the same section, so stories recur
    assert 0 < bare_teasers < 0.25 * teasers  # some teasers have a bare date and no author


def test_sections_and_authors_are_weighted_like_a_newsroom() -> None:
    corpus = Corpus(1)
    articles = [corpus.article(n) for n in range(5000)]
    sections = Counter(str(a["section"]) for a in articles)
    bylines = [a["authors"] for a in articles]
    assert isinstance(bylines[0], list)
    share = Counter(name for names in bylines for name in names)  # type: ignore[attr-defined]
    assert len(SECTIONS) == 25 and set(sections) == set(SECTIONS)
    assert sections.most_common()[0][1] > 5 * sections.most_common()[-1][1]
    assert len(corpus.authors) == 300
    top = [count for _, count in share.most_common()]
    assert top[0] > 10 * top[len(top) // 2]  # Zipf-like: a few authors write most articles
    multi = sum(len(names) > 1 for names in bylines)  # type: ignore[arg-type]
    assert 0.05 * len(bylines) < multi < 0.3 * len(bylines)
    names = set(corpus.authors)
    assert any("'" in name for name in names)
    assert any(not name.isascii() for name in names)
    assert any(name.endswith((" CBE", " OBE", " MBE", " Jr")) for name in names)
    assert any(name.startswith(("Dr ", "Cllr ", "Sir ", "Dame ", "Prof ")) for name in names)


def test_mutate_edits_adds_and_deletes_and_says_what_it_touched(tmp_path: Path) -> None:
    write(tmp_path, 200, seed=1)
    before = _files(tmp_path)
    touched = mutate(tmp_path, 40, seed=5)
    after = _files(tmp_path)
    assert len(touched) == 40
    edited = {n for n in before.keys() & after.keys() if before[n] != after[n]}
    added, deleted = after.keys() - before.keys(), before.keys() - after.keys()
    assert edited and added and deleted
    assert edited | added | deleted <= set(touched)
    assert before.keys() - set(touched) <= after.keys()  # nothing untouched changed
    assert all(before[n] == after[n] for n in before.keys() - set(touched))
    for name in edited | added:
        decode_seed(after[name], name)  # still a valid seed
