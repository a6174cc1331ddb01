"""book/_ext/chapter_times.py: the introduction's table takes each chapter's time from its header."""
import json
import re
from pathlib import Path

import pytest

from conftest import book_extension
from coursetools import toc

BOOK = Path(__file__).resolve().parent.parent / "book"


chapter_times = book_extension("chapter_times")


def notebook(tmp_path, *markdown):
    path = tmp_path / "chapter.ipynb"
    cells = [{"cell_type": "markdown", "metadata": {}, "source": text} for text in markdown]
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4,
                                "nbformat_minor": 5}))
    return path


@pytest.mark.parametrize("header, minutes", [
    ("**Time:** about 75 minutes.", 75),
    ("numpy arrays. **Time:** about\n55 minutes.", 55),
    ("**Time:** about 2 hours.", 120),
    ("**Time**: about 45 minutes to read;", 45),
])
def test_the_time_line_of_a_header(tmp_path, header, minutes):
    assert chapter_times.chapter_minutes(notebook(tmp_path, "# A chapter", header)) == minutes


@pytest.mark.parametrize("make, expected", [
    (lambda tmp: tmp / "missing.ipynb", "no such chapter notebook"),
    (lambda tmp: (tmp / "x.ipynb").write_text("not json") and tmp / "x.ipynb", "not a notebook"),
    (lambda tmp: notebook(tmp, "# A chapter", "It takes a while."), "no '**Time:** about N"),
])
def test_a_chapter_without_a_time_is_one_line_naming_the_file(tmp_path, make, expected):
    path = make(tmp_path)
    with pytest.raises(chapter_times.ChapterTimeError) as info:
        chapter_times.chapter_minutes(path)
    message = str(info.value)
    assert expected in message and str(path) in message and "\n" not in message


def test_the_introduction_takes_every_chapter_time_from_the_chapter():
    """Every chapter of the table of contents has a time line, and the introduction's table
    names each one through the role, with no time written by hand."""
    chapters = [path.stem for path in toc.notebooks(BOOK)]
    assert len(chapters) == 9
    intro = (BOOK / "intro.md").read_text()
    rows = [line for line in intro.splitlines() if line.startswith("| {doc}`")]
    assert len(rows) == len(chapters)
    for name in chapters:
        assert chapter_times.chapter_minutes(BOOK / f"{name}.ipynb") > 0
        row = next(line for line in rows if f"<{name}>`" in line)
        assert row.endswith(f"| {{chapter-time}}`{name}` |"), row
    assert not re.search(r"\|\s*\d+\s*min\s*\|", intro)
