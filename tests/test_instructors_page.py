"""The instructors' pages: book/instructors.md, book/syllabus.md, book/jupyterhub.md.

Every command on book/instructors.md is one that a test of the suite runs (issue 13); the times
on the instructors' page and the syllabus are the chapters' own (the {chapter-time} role of
book/_ext/chapter_times.py), and the syllabus's hours add up (issue 21, item 6).
"""
import functools
import math
import re
from pathlib import Path

import pytest

from conftest import book_extension
from coursetools import toc

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
MA = "tests/test_make_assignments.py"

# command on the page -> the test that exercises it
COVERED = {
    ".venv/bin/python -m coursetools.build_book student":
        "tests/test_editions.py (build_book.build('student'))",
    ".venv/bin/python -m coursetools.build_book instructors": "tests/test_editions.py",
    ".venv/bin/python -m coursetools.build_book instructors --pdf": "tests/test_pdf.py",
    ".venv/bin/python -m coursetools.make_handout": "tests/test_handout.py",
    ".venv/bin/python -m coursetools.student_version --out handout --clear-outputs":
        "tests/test_student_version.py (main with --out)",
    "python3 -m venv .venv && .venv/bin/pip install -r requirements-instructors.txt":
        ".ci/run (installs requirements-instructors.txt into a fresh venv)",
    ".venv/bin/python -m coursetools.make_assignments --course course": MA,
    "cd course": f"{MA} (nbgrader runs in the course folder)",
    "../.venv/bin/nbgrader generate_assignment 04_backpropagation": MA,
    ".venv/bin/python -m coursetools.make_handout --notebooks course/release/04_backpropagation":
        f"{MA} (make_handout with an nbgrader release)",
    "../.venv/bin/nbgrader db student import roster.csv": f"{MA} (a 3-student roster)",
    "../.venv/bin/nbgrader autograde 04_backpropagation": MA,
    "../.venv/bin/nbgrader export": f"{MA} (the CSV's rows and scores)",
    "../.venv/bin/nbgrader generate_feedback 04_backpropagation": MA,
    ".venv/bin/python -m coursetools.make_assignments --course course --variant "
    "~/teaching/nn-2027-variant.yml": f"{MA} (a variant)",
    ".venv/bin/python -m pytest tests": ".ci/run",
    ".venv/bin/python -m pytest tests -m slow": ".ci/run",
}


def test_every_command_on_the_page_is_exercised():
    page = (BOOK / "instructors.md").read_text()
    blocks = re.findall(r"```bash\n(.*?)```", page, re.S)
    commands = [line.split("#")[0].strip() for block in blocks for line in block.splitlines()]
    commands = [c for c in commands if c]
    assert commands
    missing = [c for c in commands if c not in COVERED]
    assert not missing, f"commands on book/instructors.md that no test runs: {missing}"


def chapter_times():
    """book/_ext/chapter_times.py, the extension behind the {chapter-time} role."""
    return book_extension("chapter_times")


@functools.cache
def chapter_minutes():
    """``{chapter: minutes}`` as each chapter's header states them."""
    reader = chapter_times().chapter_minutes
    return {path.stem: reader(path) for path in sorted(BOOK.glob("*.ipynb"))}


ROLE = re.compile(r"\{chapter-time\}`(\w+)`")


def test_chapter_map_times_are_the_chapters_own():
    """The map's time column is the {chapter-time} role of the row's own chapter, every
    chapter once."""
    page = (BOOK / "instructors.md").read_text()
    rows = re.findall(r"^\| \{doc\}`[^`]*<(\w+)>` \(`\w+\.ipynb`\) \| [^|]* \| ([^|]*) \|",
                      page, re.M)
    assert sorted(chapter for chapter, _ in rows) == sorted(chapter_minutes())
    for chapter, time in rows:
        assert time.strip() == f"{{chapter-time}}`{chapter}`", chapter


def syllabus_rows():
    """``[(week, [chapters], reading_minutes, hours, assignment_or_None)]`` of the table."""
    page = (BOOK / "syllabus.md").read_text()
    rows = []
    for line in page.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 6 or not re.match(r"\d", cells[0]):
            continue
        week, chapter, reading, _, graded, hours = cells
        chapters = re.findall(r"<(\w+)>`", chapter)
        assert ROLE.findall(reading) == chapters, f"week {week}: the reading column's roles"
        minutes = sum(chapter_minutes()[c] for c in chapters)
        assignment = re.search(r"assignment: \*([^*]+)\*", graded)
        rows.append((int(week.split()[0]), chapters, minutes, float(hours),
                     assignment.group(1) if assignment else None))
    return rows


# The larger assignments of book/instructors.md and the hours the syllabus gives them.
ASSIGNMENT_HOURS = {"an IDX writer": 2, "rows instead of columns": 2, "a new activation": 2,
                    "the cost of numerical gradients": 2, "a budget of 60 seconds": 3,
                    "your own training recipe": 3, "fix a seed system": 3}


def test_syllabus_covers_every_chapter_with_its_own_time():
    rows = syllabus_rows()
    assert [week for week, *_ in rows] == list(range(1, 9))
    minutes = chapter_minutes()
    covered = [c for _, chapters, *_ in rows for c in chapters]
    assert sorted(covered) == sorted(minutes), "each chapter once, in some week"
    page = (BOOK / "instructors.md").read_text()
    for _, _, _, _, assignment in rows:
        assert assignment is None or assignment.lower() in page.lower(), assignment


def test_syllabus_hours_add_up():
    """Hours = the reading, as much again for the exercises, and the larger assignment, rounded
    up to half an hour; the totals in the prose are the sums."""
    rows = syllabus_rows()
    for week, _, reading, hours, assignment in rows:
        expected = 2 * reading / 60 + ASSIGNMENT_HOURS.get(assignment, 0)
        assert hours == math.ceil(expected * 2) / 2, f"week {week}"
    page = (BOOK / "syllabus.md").read_text()
    seven = sum(h for week, _, _, h, _ in rows if week <= 7)
    six = sum(h for week, _, _, h, _ in rows if week <= 6)
    total = sum(h for *_, h, _ in rows)
    assert f"In all, {seven:g} hours for weeks 1 to 7 and {total:g} with the appendix" in page
    assert f"about {six:g} hours over six weeks" in page


@pytest.mark.parametrize("page", ["syllabus", "jupyterhub"])
def test_pages_are_in_the_table_of_contents(page):
    assert page in toc.pages(BOOK)


def test_instructors_page_totals_are_the_chapters():
    """'about 11 hours' (Getting started to chapter 4), 'about 21 hours' (every chapter), 'about
    38' (with the larger assignments): the reading doubled for the exercises."""
    minutes = chapter_minutes()
    block = [c for c in minutes if c == "getting_started" or c[:2] in ("01", "02", "03", "04")]
    page = " ".join((BOOK / "instructors.md").read_text().split())
    week = round(2 * sum(minutes[c] for c in block) / 60)
    whole = round(2 * sum(minutes.values()) / 60)
    assignments = sum(ASSIGNMENT_HOURS.values())
    assert f"A one-week block (about {week} hours of student time" in page
    assert f"takes about {whole} hours, and with the seven larger assignments below about " \
           f"{whole + assignments}." in page
