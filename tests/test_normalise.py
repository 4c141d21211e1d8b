"""The normaliser: one rule per test, on small hand-written seeds, plus the two real ones."""

from __future__ import annotations

import contextlib
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.errors import SeedEncodingError, SeedError, SeedLayoutError, SeedTooLarge
from feeds.ingest.normalise import (
    clean_text,
    decode_seed,
    is_editor_leftover,
    normalise_seed,
    section_display_name,
    split_names,
)
from feeds.store.columns import story_from_row, story_row
from tests.conftest import REAL_SEEDS

NBSP = "\u00a0"


def seed(*blocks: str) -> str:
    """Blocks separated by one blank line and no trailing newline, as the scraper writes."""
    return "\n\n".join(blocks)


TEASER = ("NEWS", "Teaser headline", "By Jo Bloggs | 3 March 2026", "Teaser text cut short w...")
ARTICLE = ("Title", "NEWS", "Main headline", "The standfirst.", "The standfirst.", "Body one.")


def test_real_seed_000() -> None:
    text = (REAL_SEEDS / "000_6213f4a63f5092ea.txt").read_text(encoding="utf-8")
    parsed = normalise_seed(text, "000.txt")
    article = parsed.article
    assert article.headline == "Councils defend child abuse approach after critical report"
    assert article.section.name == "Children's Services"
    assert article.section.slug == "childrens-services"
    assert [a.name for a in article.authors] == ["William Eichler"]
    assert article.date is None
    # Standfirst + the five paragraphs after its repeat (read off the file).
    assert len(article.paragraphs) == 6
    assert article.summary.startswith("Councils have insisted they take child exploitation")
    assert article.paragraphs[0] == article.summary
    assert article.paragraphs[1].startswith("A new report by the Independent Inquiry")
    assert article.paragraphs[-1].startswith("A spokesperson for the Local Government Association")
    assert [(t.headline, [a.name for a in t.authors], t.date) for t in parsed.teasers] == [
        (
            "EXCLUSIVE: Home Office trying to restore sharing of asylum data",
            ["Dan Peters"],
            date(2026, 2, 12),
        ),
        ("The Top 10 councils powering ahead on productivity", ["Ann McGauran"], date(2026, 2, 5)),
        ("Why chiefs need a framework", ["Pam Parkes"], date(2026, 2, 3)),
        (
            "London needs fewer councils as part of a broader governance reset in the capital",
            ["Cory Berman"],
            date(2026, 2, 2),
        ),
    ]


def test_real_seed_003() -> None:
    text = (REAL_SEEDS / "003_710dfe4fad0154d6.txt").read_text(encoding="utf-8")
    parsed = normalise_seed(text, "003.txt")
    assert parsed.article.headline == "£40m for CSE not enough - councils"
    assert len(parsed.article.paragraphs) == 8
    assert [a.name for a in parsed.article.authors] == ["William Eichler"]
    teasers = {t.headline: t for t in parsed.teasers}
    assert len(teasers) == 4
    assert [
        a.name for a in teasers["Councils must speak out on increasing tax-raising powers"].authors
    ] == ["Rob Whiteman CBE"]
    bare = teasers["Council leaders 'failing' on SEND amid soaring demand, CCN admits"]
    assert bare.authors == ()
    assert bare.date == date(2025, 11, 14)
    # The file ends its last paragraph with U+00A0 before the newline.
    assert all(NBSP not in p for p in parsed.article.paragraphs)
    assert parsed.article.paragraphs[6].endswith("by 2020.")


def test_title_placeholder_is_skipped_and_optional() -> None:
    with_title = normalise_seed(seed(*ARTICLE), "a.txt")
    without = normalise_seed(seed(*ARTICLE[1:]), "a.txt")
    assert with_title.article.headline == without.article.headline == "Main headline"
    assert with_title.article.section.name == "News"


def test_standfirst_repeat_differing_in_quotes_and_spaces_appears_once() -> None:
    text = seed(
        "NEWS",
        "Headline",
        "Councils said \u2018very seriously\u2019 it was.",
        f"Councils  said 'very seriously'{NBSP} it was.",
        "Second paragraph.",
    )
    article = normalise_seed(text, "a.txt").article
    assert article.summary == "Councils said \u2018very seriously\u2019 it was."
    assert article.paragraphs == (article.summary, "Second paragraph.")


def test_standfirst_without_repeat_is_still_the_first_paragraph() -> None:
    article = normalise_seed(seed("NEWS", "Headline", "Stand.", "Body."), "a.txt").article
    assert article.paragraphs == ("Stand.", "Body.")


def test_whitespace_folded_and_xml_invalid_characters_removed() -> None:
    assert clean_text(f"  a{NBSP} {NBSP}b\tc  ") == "a b c"
    assert clean_text("x\x00y\x1bz\ufffe\uffff\ud800!") == "xyz!"
    assert clean_text("caf\u00e9 \u00a3 \u2013") == "caf\u00e9 \u00a3 \u2013"
    text = seed("NEWS", f"Head{NBSP}line\x07", "Stand\x0b.", "Body.")
    article = normalise_seed(text, "a.txt").article
    assert article.headline == "Head line"
    assert article.summary == "Stand."


@pytest.mark.parametrize(
    ("label", "name"),
    [
        ("CHILDREN'S SERVICES", "Children's Services"),
        ("ARTS AND CULTURE", "Arts and Culture"),
        ("HOUSING", "Housing"),
        ("THE ECONOMY", "The Economy"),
    ],
)
def test_section_display_names(label: str, name: str) -> None:
    assert section_display_name(label) == name
    assert label.title() != name or "'" not in label  # the trap str.title() falls into


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        ("Dan Peters", ["Dan Peters"]),
        ("Ann McGauran and Pam Parkes", ["Ann McGauran", "Pam Parkes"]),
        ("A Smith, B Jones and C Brown", ["A Smith", "B Jones", "C Brown"]),
        ("Rob Whiteman CBE", ["Rob Whiteman CBE"]),
        ("Rob Whiteman, CBE and Jo Bloggs", ["Rob Whiteman, CBE", "Jo Bloggs"]),
        ("Sean O'Neil & Zoë Ämberg", ["Sean O'Neil", "Zoë Ämberg"]),
    ],
)
def test_byline_names(byline: str, names: list[str]) -> None:
    assert [a.name for a in split_names(byline)] == names


def test_author_slugs() -> None:
    assert [a.slug for a in split_names("Sean O'Neil and Zoë Ämberg")] == [
        "sean-oneil",
        "zoe-amberg",
    ]


def test_teaser_with_several_authors_and_its_cut_marker() -> None:
    text = seed(
        *ARTICLE,
        "NEWS",
        "Joint piece",
        "By A Smith, B Jones and C Brown | 1 April 2026",
        "It starts and then stops...",
    )
    (teaser,) = normalise_seed(text, "a.txt").teasers
    assert [a.name for a in teaser.authors] == ["A Smith", "B Jones", "C Brown"]
    assert teaser.summary == "It starts and then stops..."
    assert teaser.kind == "teaser"
    assert teaser.paragraphs == ()
    assert teaser.date == date(2026, 4, 1)


def test_teaser_with_bare_date_has_no_author() -> None:
    text = seed(*ARTICLE, "NEWS", "Undated byline", "14 November 2025", "Text...")
    (teaser,) = normalise_seed(text, "a.txt").teasers
    assert teaser.authors == ()
    assert teaser.date == date(2025, 11, 14)


def test_capitalised_body_paragraph_is_not_a_teaser() -> None:
    # Four blocks whose first is in capitals, but the third is no byline.
    text = seed(
        "NEWS",
        "Headline",
        "Stand.",
        "WHAT THE MINISTER SAID",
        "A quote.",
        "More body.",
        "Last body.",
        *TEASER,
        "Popular articles by Jo Bloggs",
    )
    parsed = normalise_seed(text, "a.txt")
    assert parsed.article.paragraphs == (
        "Stand.",
        "WHAT THE MINISTER SAID",
        "A quote.",
        "More body.",
        "Last body.",
    )
    assert [t.headline for t in parsed.teasers] == ["Teaser headline"]


def test_footer_gives_the_article_author() -> None:
    text = seed(*ARTICLE, "Popular articles by Ann McGauran and Pam Parkes")
    authors = normalise_seed(text, "a.txt").article.authors
    assert [a.name for a in authors] == ["Ann McGauran", "Pam Parkes"]


def test_bad_teaser_date_names_line_and_field() -> None:
    text = seed(*ARTICLE, "NEWS", "Teaser", "By Jo Bloggs | 31 Febtember 2026", "Text...")
    with pytest.raises(SeedLayoutError) as info:
        normalise_seed(text, "seeds/x.txt")
    assert str(info.value) == (
        # ARTICLE is six blocks (lines 1-11); NEWS is 13, the headline 15, the byline 17.
        "seeds/x.txt:17: byline: expected a date like '12 February 2026', found '31 Febtember 2026'"
    )


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        (b"", SeedLayoutError, "bad.txt: empty file"),
        (b"\n\n  \n", SeedLayoutError, "bad.txt: empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", SeedEncodingError, "bad.txt:3: binary file"),
        (b"NEWS\n\nHead\n\nSt\xe9\x81nd", SeedEncodingError, "bad.txt:5: invalid UTF-8"),
        (b"Title\n\nNEWS", SeedLayoutError, "bad.txt:3: headline: no headline"),
        (b"NEWS\n\nHeadline only", SeedLayoutError, "bad.txt:3: summary: no standfirst"),
        (
            b'{"json": "not a seed"}',
            SeedLayoutError,
            "bad.txt:1: section: expected an upper-case section label",
        ),
        (b"Popular articles by Jo", SeedLayoutError, "bad.txt: no article"),
    ],
)
def test_bad_input_gives_one_line_error(data: bytes, error: type[SeedError], message: str) -> None:
    with pytest.raises(error) as info:
        decode_seed(data, "bad.txt")
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)


def test_too_large() -> None:
    with pytest.raises(SeedTooLarge, match=r"^big.txt: file is 101 bytes, over the limit of 100$"):
        decode_seed(b"x" * 101, "big.txt", max_bytes=100)


def test_bom_and_crlf_are_accepted() -> None:
    text = seed(*ARTICLE).replace("\n", "\r\n")
    parsed = decode_seed(b"\xef\xbb\xbf" + text.encode(), "a.txt")
    assert parsed.article.headline == "Main headline"
    assert parsed.article.paragraphs == ("The standfirst.", "Body one.")
    assert parsed.warnings == ()


def test_windows_1252_with_seed_shape_is_decoded_with_a_warning() -> None:
    data = seed("NEWS", "\u00a340m plan \u2013 council\u2019s view", "Stand.").encode("cp1252")
    parsed = decode_seed(data, "legacy.txt")
    assert parsed.article.headline == "\u00a340m plan \u2013 council\u2019s view"
    assert parsed.warnings == ("legacy.txt: not UTF-8; decoded as Windows-1252",)


def test_windows_1252_without_seed_shape_is_invalid_utf8() -> None:
    with pytest.raises(SeedEncodingError, match="invalid UTF-8"):
        decode_seed("just some caf\u00e9 text".encode("cp1252"), "x.txt")


def test_undefined_windows_1252_byte_is_invalid_utf8() -> None:
    # 0x81 is undefined in Windows-1252, so the legacy fallback must not apply.
    with pytest.raises(SeedEncodingError, match=r"byte 0x81"):
        decode_seed(seed("NEWS", "Head\x81line", "Stand.").encode("latin-1"), "x.txt")


@pytest.mark.parametrize(
    ("name", "leftover"),
    [
        (".hidden.txt", True),
        ("a.txt~", True),
        ("a.txt.tmp", True),
        ("a.txt.swp", True),
        ("a.txt.part", True),
        ("a.txt", False),
    ],
)
def test_editor_leftovers(name: str, leftover: bool) -> None:
    assert is_editor_leftover(name) is leftover


def _xml_safe(text: str) -> bool:
    return all(
        c in "\t\n\r" or "\x20" <= c <= "\ud7ff" or "\ue000" <= c <= "\ufffd" or c >= "\U00010000"
        for c in text
    )


_real_text = (REAL_SEEDS / "003_710dfe4fad0154d6.txt").read_text(encoding="utf-8")


@st.composite
def mutated_seeds(draw: st.DrawFn) -> str:
    """The real seed with random blocks replaced, dropped, duplicated or garbled."""
    blocks = _real_text.split("\n\n")
    for _ in range(draw(st.integers(0, 6))):
        i = draw(st.integers(0, len(blocks) - 1))
        action = draw(st.sampled_from(["replace", "drop", "dup", "upper", "insert"]))
        if action == "replace":
            blocks[i] = draw(st.text())
        elif action == "drop" and len(blocks) > 1:
            del blocks[i]
        elif action == "dup":
            blocks.insert(i, blocks[i])
        elif action == "upper":
            blocks[i] = blocks[i].upper()
        else:
            blocks.insert(i, draw(st.text(min_size=1)))
    return "\n\n".join(blocks)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), mutated_seeds()))
def test_normalised_records_are_xml_safe_and_stored_whole_or_a_seed_error(
    text: str,
) -> None:
    try:
        parsed = normalise_seed(text, "fuzz.txt")
    except SeedError:
        return
    for story in parsed.stories:
        strings = [story.headline, story.summary, story.section.name, *story.paragraphs]
        strings += [a.name for a in story.authors]
        assert all(s and _xml_safe(s) for s in strings)
        # Paragraphs are one column, a line break between them: none may hold one.
        assert story_from_row(story.source, story_row(story)) == story


@settings(max_examples=200, deadline=None)
@given(st.binary())
def test_decode_seed_never_raises_anything_but_seed_error(data: bytes) -> None:
    with contextlib.suppress(SeedError):
        decode_seed(data, "fuzz.txt")
