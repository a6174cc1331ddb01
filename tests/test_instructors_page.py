"""The instructors' pages: book/instructors.md, book/syllabus.md, book/jupyterhub.md.

Every command on book/instructors.md is one that a test of the suite runs (issue 13); the times
on the instructors' page and the syllabus are the ones the chapters state in their headers, and
the syllabus's hours add up (issue 21, item 6).
"""
import functools
import math
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
MA = "tests/test_make_assignments.py"

# command on the page -> the test that exercises it
COVERED = {
    ".venv/bin/python scripts/build_book.py student":
        "tests/test_editions.py (build_book.build('student'))",
    ".venv/bin/python scripts/build_book.py instructors": "tests/test_editions.py",
    ".venv/bin/python scripts/build_book.py instructors --pdf": "tests/test_pdf.py",
    ".venv/bin/python scripts/make_handout.py": "tests/test_handout.py",
    ".venv/bin/python scripts/student_version.py --out handout --clear-outputs":
        "tests/test_student_version.py (main with --out)",
    "python3 -m venv .venv && .venv/bin/pip install -r requirements-instructors.txt":
        ".ci/run (installs requirements-instructors.txt into a fresh venv)",
    ".venv/bin/python scripts/make_assignments.py --course course": MA,
    "cd course": f"{MA} (nbgrader runs in the course folder)",
    "../.venv/bin/nbgrader generate_assignment 04_backpropagation": MA,
    ".venv/bin/python scripts/make_handout.py --notebooks course/release/04_backpropagation":
        f"{MA} (make_handout with an nbgrader release)",
    "../.venv/bin/nbgrader db student import roster.csv": f"{MA} (a 3-student roster)",
    "../.venv/bin/nbgrader autograde 04_backpropagation": MA,
    "../.venv/bin/nbgrader export": f"{MA} (the CSV's rows and scores)",
    "../.venv/bin/nbgrader generate_feedback 04_backpropagation": MA,
    ".venv/bin/python scripts/make_assignments.py --course course --variant "
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


TIME = re.compile(r"\*\*Time:?\*\*:?\s+about\s+(\d+)\s+(minutes|hours?)")


@functools.cache
def chapter_minutes():
    """``{chapter: minutes}`` from the '**Time:** about N minutes/hours' of each header."""
    minutes = {}
    for path in sorted(BOOK.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        match = TIME.search(nb.cells[0].source)
        assert match, f"{path.name}: no '**Time:** about N minutes' in its first cell"
        n, unit = int(match.group(1)), match.group(2)
        minutes[path.stem] = n * 60 if unit.startswith("hour") else n
    return dict(minutes)


def as_minutes(text):
    """'75 min' / '2 h' -> 75 / 120."""
    n, unit = re.fullmatch(r"(\d+) (min|h)", text.strip()).groups()
    return int(n) * (60 if unit == "h" else 1)


def test_chapter_map_times_are_the_chapters_own():
    page = (BOOK / "instructors.md").read_text()
    rows = re.findall(r"^\| \{doc\}`[^`]*<(\w+)>` \(`\w+\.ipynb`\) \| [^|]* \| ([^|]*) \|",
                      page, re.M)
    assert {chapter: as_minutes(t) for chapter, t in rows} == chapter_minutes()


def syllabus_rows():
    """``[(week, [chapters], reading_minutes, hours, has_assignment, long_assignment)]``."""
    page = (BOOK / "syllabus.md").read_text()
    rows = []
    for line in page.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 6 or not re.match(r"\d", cells[0]):
            continue
        week, chapter, reading, _, graded, hours = cells
        chapters = re.findall(r"<(\w+)>`", chapter)
        minutes = sum(int(m) for m in re.findall(r"\d+", reading))
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
    for week, chapters, reading, _, _ in rows:
        assert reading == sum(minutes[c] for c in chapters), f"week {week}: reading time"
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
    toc = (BOOK / "_toc.yml").read_text()
    assert f"- file: {page}\n" in toc
