"""Every command on book/instructors.md is one that a test of the suite runs (issue 13)."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# command on the page -> the test that exercises it
COVERED = {
    "python scripts/build_book.py student": "tests/test_editions.py (build_book.build('student'))",
    "python scripts/build_book.py instructors": "tests/test_editions.py",
    "python scripts/make_handout.py": "tests/test_handout.py",
    "python scripts/student_version.py --out handout --clear-outputs":
        "tests/test_student_version.py (main with --out)",
    "python3 -m venv .venv && .venv/bin/pip install -r requirements-instructors.txt":
        ".ci/run (installs requirements-instructors.txt into a fresh venv)",
    "python scripts/make_assignments.py --course course": "tests/test_make_assignments.py",
    "cd course": "tests/test_make_assignments.py (nbgrader runs in the course folder)",
    "nbgrader generate_assignment 04_backpropagation": "tests/test_make_assignments.py",
    "python scripts/make_handout.py --notebooks course/release/04_backpropagation":
        "tests/test_make_assignments.py (make_handout with an nbgrader release)",
    "nbgrader autograde 04_backpropagation": "tests/test_make_assignments.py",
    "nbgrader export": "tests/test_make_assignments.py",
    "nbgrader generate_feedback 04_backpropagation": "tests/test_make_assignments.py",
    "python -m pytest tests": ".ci/run",
    "python -m pytest book --nbval --nbval-current-env": ".ci/run",
}


def test_every_command_on_the_page_is_exercised():
    page = (ROOT / "book" / "instructors.md").read_text()
    blocks = re.findall(r"```bash\n(.*?)```", page, re.S)
    commands = [line.split("#")[0].strip() for block in blocks for line in block.splitlines()]
    commands = [c for c in commands if c]
    assert commands
    missing = [c for c in commands if c not in COVERED]
    assert not missing, f"commands on book/instructors.md that no test runs: {missing}"
