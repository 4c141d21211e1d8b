"""A deterministic corpus of seed files in exactly the scraped layout, for benchmarks.

    python -m tests.benchmarks.corpus DIR --count 10000 [--seed 1]
    python -m tests.benchmarks.corpus DIR --mutate 100 [--seed 2]

About 25 sections of weighted sizes; about 300 authors with a Zipf-like share
of the articles (suffixes, prefixes, apostrophes, non-ASCII letters, several
authors per byline); 3-12 body paragraphs with curly and straight quotes and
U+00A0; 0-4 teasers per file, mostly of other articles in the same section,
so one story recurs as a teaser in many files (some with a bare date and no
author). ``--mutate N`` edits, adds and deletes N files in all, as an editor
would.
"""

from __future__ import annotations

import argparse
import os
import random
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

SECTIONS = [
    "CHILDREN'S SERVICES", "HOUSING", "FINANCE", "SOCIAL CARE", "EDUCATION", "TRANSPORT",
    "ENVIRONMENT", "PLANNING", "WORKFORCE", "DEVOLUTION", "HEALTH", "CULTURE AND LEISURE",
    "TECHNOLOGY", "PROCUREMENT", "ECONOMIC DEVELOPMENT", "LAW AND GOVERNANCE", "WASTE",
    "POLICING", "FIRE AND RESCUE", "PUBLIC HEALTH", "LEADERSHIP", "ELECTIONS", "CLIMATE",
    "SPORT", "OPINION",
]  # fmt: skip
FIRST = [
    "Ann", "Dan", "Pam", "Cory", "Rob", "Tracie", "Bramwell", "William", "Zoë", "Siân",
    "José", "Łucja", "Ngozi", "Aoife", "Hamish", "Priya", "Mehmet", "Ingrid", "Chloé", "Tomás",
    "Ife", "Ravi", "Olga", "Émile", "Kwame", "Niamh", "Yusuf", "Greta", "Björn", "Leilani",
]  # fmt: skip
LAST = [
    "Peters", "McGauran", "Parkes", "Berman", "Whiteman", "Langley", "Blower", "Eichler",
    "O'Neil", "D'Souza", "Ó Briain", "Müller", "Nowak", "Okafor", "Jones", "Smith-Jones",
    "van der Berg", "García", "Håkansson", "MacLeod", "Khan", "Patel", "Ivanova", "Dubois",
    "Mensah", "Kelly", "Ayd\u0131n", "Lindqvist", "Kahale", "Brown",
]  # fmt: skip
PREFIXES = ["Dr ", "Cllr ", "Sir ", "Dame ", "Prof "]
SUFFIXES = [" CBE", " OBE", " MBE", " Jr"]
WORDS = [
    "council", "budget", "services", "housing", "care", "children", "funding", "reform",
    "pressure", "demand", "government", "minister", "local", "authority", "plan", "strategy",
    "report", "warn", "gap", "policy", "review", "data", "staff", "pay", "cuts", "homes",
    "schools", "roads", "green", "growth", "digital", "rural", "city", "county", "borough",
    "district", "partnership",
]  # fmt: skip
MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]  # fmt: skip
NBSP = "\u00a0"
# Stored in a generated corpus's marker: a corpus written by another version is written again.
VERSION = 2


def _authors(rng: random.Random, count: int = 300) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if rng.random() < 0.06:
            name = rng.choice(PREFIXES) + name
        if rng.random() < 0.05:
            name += rng.choice(SUFFIXES)
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


class Corpus:
    """Everything derived from the random seed: sections, authors and every article's facts."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        rng = random.Random(seed)
        self.authors = _authors(rng)
        # Zipf-like: the k-th author writes in proportion to 1/k.
        self.author_weights = [1 / (k + 1) for k in range(len(self.authors))]
        self.section_weights = [1 / (k + 1) ** 0.8 for k in range(len(SECTIONS))]
        self._sections: dict[int, dict[str, list[int]]] = {}  # corpus size → section → articles

    def _section(self, rng: random.Random) -> str:
        # The first draw of an article's generator, so the section can be found alone.
        return rng.choices(SECTIONS, self.section_weights)[0]

    def section_members(self, total: int) -> dict[str, list[int]]:
        """Section label → the articles of a corpus of ``total`` files in it, newest first."""
        if total not in self._sections:
            members: dict[str, list[int]] = {label: [] for label in SECTIONS}
            for n in range(total):
                members[self._section(random.Random(f"{self.seed}:{n}"))].append(n)
            self._sections[total] = members
        return self._sections[total]

    def article(self, n: int) -> dict[str, object]:
        """The facts of article ``n`` (stable whatever else the corpus holds)."""
        rng = random.Random(f"{self.seed}:{n}")
        section = self._section(rng)
        k = 1 if rng.random() < 0.85 else rng.choice([2, 2, 3])
        authors = list(dict.fromkeys(rng.choices(self.authors, self.author_weights, k=k)))
        words = rng.sample(WORDS, rng.randint(4, 9))
        headline = f"{' '.join(words).capitalize()} ({n})"
        if rng.random() < 0.3:
            headline = headline.replace(words[1], f"\u2018{words[1]}\u2019", 1)
        day = date(2026, 10, 31) - timedelta(days=n % 2000, hours=0)
        return {"section": section, "authors": authors, "headline": headline, "date": day}

    def seed_text(self, n: int, total: int, edit: int = 0) -> str:
        """Seed file ``n`` of a corpus of ``total`` files; ``edit`` > 0 changes its body."""
        rng = random.Random(f"{self.seed}:text:{n}")
        facts = self.article(n)
        topic = f"{rng.choice(WORDS)} and {rng.choice(WORDS)}"
        stand = f"{facts['headline']} \u2013 what it means for {topic}."
        paragraphs = []
        for p in range(rng.randint(3, 12)):
            words = " ".join(rng.choices(WORDS, k=rng.randint(25, 60)))
            quote = rng.choice(["\u2018", "'"]) + " ".join(rng.choices(WORDS, k=6)) + "'"
            space = NBSP + " " if rng.random() < 0.2 else " "
            paragraphs.append(f"{words.capitalize()},{space}said {quote}. Point {p}.")
        if edit:
            paragraphs[0] = f"Edited ({edit}): " + paragraphs[0]
        repeat = stand.replace("\u2013", "-") if rng.random() < 0.5 else stand
        blocks = ["Title", str(facts["section"]), str(facts["headline"]), stand, repeat]
        blocks += paragraphs
        for other in self._teasers(rng, n, total, str(facts["section"])):
            t = self.article(other)
            when = t["date"]
            assert isinstance(when, date)
            day = f"{when.day:02d} {MONTHS[when.month - 1]} {when.year}"
            names = t["authors"]
            assert isinstance(names, list)
            bare = random.Random(f"{self.seed}:bare:{other}").random() < 0.1
            byline = day if bare else f"By {_join(names)} | {day}"
            blurb = " ".join(random.Random(other).choices(WORDS, k=24)).capitalize()
            blocks += [str(t["section"]), str(t["headline"]), byline, blurb[:150] + "..."]
        blocks.append(f"Popular articles by {_join(facts['authors'])}")  # type: ignore[arg-type]
        return "\n\n".join(blocks)

    def _teasers(self, rng: random.Random, n: int, total: int, section: str) -> list[int]:
        """Mostly recent articles of the same section (article 0 is the newest), so the
        newest stories of a section recur as teasers in many of its files."""
        same = self.section_members(total)[section]
        picks: list[int] = []
        for _ in range(rng.randint(0, 4)):
            pool: Sequence[int] = same if rng.random() < 0.8 else range(total)
            for _attempt in range(20):
                other = pool[int(len(pool) * rng.random() ** 3)]
                if other != n and other not in picks:
                    picks.append(other)
                    break
        return picks


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def file_name(n: int) -> str:
    return f"{n:06d}_{n * 2654435761 % 2**32:08x}.txt"


def write(folder: Path, count: int, seed: int = 1) -> None:
    """Write ``count`` seed files (fixed mtimes, so publishes of them are reproducible)."""
    folder.mkdir(parents=True, exist_ok=True)
    corpus = Corpus(seed)
    mtime = 1_767_225_600_000_000_000
    for n in range(count):
        path = folder / file_name(n)
        path.write_text(corpus.seed_text(n, count), encoding="utf-8")
        os.utime(path, ns=(mtime, mtime))


def mutate(folder: Path, changes: int, seed: int = 2, corpus_seed: int = 1) -> list[str]:
    """Edit, add and delete ``changes`` files in all (about 70/20/10); returns what it touched."""
    rng = random.Random(seed)
    corpus = Corpus(corpus_seed)
    names = sorted(p.name for p in folder.glob("*.txt"))
    total = len(names)
    touched = []
    for i in range(changes):
        roll = rng.random()
        if roll < 0.7 or total < 2:
            name = rng.choice(names)
            n = int(name.split("_")[0])
            (folder / name).write_text(corpus.seed_text(n, total, edit=seed * 1000 + i), "utf-8")
        elif roll < 0.9:
            n = total + seed * 100_000 + i
            name = file_name(n)
            (folder / name).write_text(corpus.seed_text(n, total), encoding="utf-8")
        else:
            name = rng.choice(names)
            (folder / name).unlink(missing_ok=True)
        touched.append(name)
    return touched


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is less than 1")
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--count", type=positive_int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--mutate", type=positive_int, metavar="N", help="change N files of the corpus"
    )
    args = parser.parse_args()
    if args.mutate:
        if not any(args.folder.glob("*.txt")):
            parser.error(f"{args.folder}: no seed files (*.txt) to mutate")
        mutate(args.folder, args.mutate, seed=args.seed)
    else:
        write(args.folder, args.count, seed=args.seed)


if __name__ == "__main__":
    main()
