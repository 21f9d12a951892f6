"""Three-way merges of a generated file: both sides' changes kept, overlaps marked the way
git marks them, and no line of either side ever lost."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fastapi_architect.generate.merge import Merged, merge_three

BASE = "import os\n\n\ndef first():\n    return 1\n\n\ndef second():\n    return 2\n"


def merge(base: str, ours: str, theirs: str) -> Merged:
    return merge_three(base, ours, theirs, ours_label="yours", theirs_label="generated")


def test_changes_to_different_places_merge_cleanly() -> None:
    ours = BASE.replace("return 1", "return 100  # by hand")
    theirs = BASE.replace("import os\n", "import os\nimport sys\n")
    merged = merge(BASE, ours, theirs)
    assert merged == Merged(
        text=BASE.replace("return 1", "return 100  # by hand").replace(
            "import os\n", "import os\nimport sys\n"
        ),
        conflicts=0,
    )


def test_changes_to_the_same_lines_are_marked_git_style() -> None:
    ours = BASE.replace("return 2", "return 20")
    theirs = BASE.replace("return 2", "return 2.0")
    merged = merge(BASE, ours, theirs)
    assert merged.conflicts == 1
    assert merged.text == (
        "import os\n\n\ndef first():\n    return 1\n\n\ndef second():\n"
        "<<<<<<< yours\n"
        "    return 20\n"
        "=======\n"
        "    return 2.0\n"
        ">>>>>>> generated\n"
    )


def test_each_conflict_region_is_counted() -> None:
    ours = BASE.replace("return 1", "return 10").replace("return 2", "return 20")
    theirs = BASE.replace("return 1", "return 1.0").replace("return 2", "return 2.0")
    merged = merge(BASE, ours, theirs)
    assert merged.conflicts == 2
    assert merged.text.count("<<<<<<< yours\n") == 2
    assert merged.text.count("\n=======\n") == 2
    assert merged.text.count(">>>>>>> generated\n") == 2


def test_identical_texts_come_back_byte_for_byte() -> None:
    for text in ("", "a", "a\nb", "a\nb\n", "a\r\nb\r\n", "a\r\nb", "\n\n"):
        assert merge(text, text, text) == Merged(text=text, conflicts=0)


def test_a_change_on_one_side_only_is_taken_exactly() -> None:
    edited = BASE.replace("return 1", "return 1\r\n").rstrip("\n")  # odd endings, no final one
    assert merge(BASE, edited, BASE) == Merged(text=edited, conflicts=0)
    assert merge(BASE, BASE, edited) == Merged(text=edited, conflicts=0)
    assert merge(BASE, edited, edited) == Merged(text=edited, conflicts=0)


def test_a_missing_final_newline_is_kept_in_a_clean_merge() -> None:
    base = "a\nb\nc"
    merged = merge(base, "A\nb\nc", "a\nb\nC")
    assert merged == Merged(text="A\nb\nC", conflicts=0)


def test_markers_stay_on_their_own_lines_when_a_side_has_no_final_newline() -> None:
    merged = merge("a\nb\n", "a\nmine", "a\ntheirs")
    assert merged.conflicts == 1
    assert merged.text.splitlines() == [
        "a",
        "<<<<<<< yours",
        "mine",
        "=======",
        "theirs",
        ">>>>>>> generated",
    ]


def test_markers_follow_the_users_crlf_line_endings() -> None:
    merged = merge("a\r\nb\r\n", "a\r\nmine\r\n", "a\r\ntheirs\r\n")
    assert merged.text == (
        "a\r\n<<<<<<< yours\r\nmine\r\n=======\r\ntheirs\r\n>>>>>>> generated\r\n"
    )


def test_both_adding_a_file_from_nothing_conflicts_with_both_kept() -> None:
    merged = merge("", "mine\n", "theirs\n")
    assert merged == Merged(
        text="<<<<<<< yours\nmine\n=======\ntheirs\n>>>>>>> generated\n", conflicts=1
    )


# Texts of a few distinct short lines, so that random edits often touch the same places,
# sometimes ending in a line with no final newline.
lines = st.lists(st.sampled_from(["a\n", "b\n", "c\n", "d\n", "\n"]), max_size=8)
texts = st.builds(lambda body, last: "".join(body) + last, lines, st.sampled_from(["", "e"]))


@given(texts, texts)
def test_a_side_equal_to_the_base_takes_the_other(base: str, other: str) -> None:
    assert merge(base, base, other) == Merged(text=other, conflicts=0)
    assert merge(base, other, base) == Merged(text=other, conflicts=0)


@given(texts, texts, texts)
def test_no_line_added_by_either_side_is_lost(base: str, ours: str, theirs: str) -> None:
    merged = merge(base, ours, theirs)
    result_lines = {line.rstrip("\n") for line in merged.text.splitlines()}
    base_lines = {line.rstrip("\n") for line in base.splitlines()}
    for side in (ours, theirs):
        for line in side.splitlines():
            if line not in base_lines:
                assert line in result_lines
    assert merged.text.count("<<<<<<< yours\n") == merged.conflicts
    assert merged.text.count(">>>>>>> generated\n") == merged.conflicts


@given(texts, texts, texts)
def test_a_clean_merge_holds_no_markers(base: str, ours: str, theirs: str) -> None:
    merged = merge(base, ours, theirs)
    if merged.conflicts == 0:
        assert "<<<<<<<" not in merged.text
        assert ">>>>>>>" not in merged.text


@given(texts, texts, texts)
def test_lines_are_never_run_together(base: str, ours: str, theirs: str) -> None:
    # A line without a final newline ("e") must not be glued to the next one or a marker.
    allowed = {"a", "b", "c", "d", "", "e", "<<<<<<< yours", "=======", ">>>>>>> generated"}
    assert set(merge(base, ours, theirs).text.splitlines()) <= allowed
