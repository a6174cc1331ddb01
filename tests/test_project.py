"""The README's promises and the CI script agree with the project."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTALL = "python3 -m venv .venv && .venv/bin/pip install -r requirements.txt"
TEST = ".venv/bin/python -m pytest tests book --nbval --nbval-current-env"


def test_readme_gives_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert f"{INSTALL} && .venv/bin/jupyter-book build book" in readme
    assert f"{INSTALL} && {TEST}" in readme


def test_ci_runs_the_readme_commands():
    ci = (ROOT / ".ci" / "run").read_text()
    assert 'pip" install -r requirements.txt' in ci
    assert TEST.replace(".venv/bin/python", '"$VENV/bin/python"') in ci
    assert "jupyter-book\" build -W -n --keep-going book" in ci


def test_jupyter_book_is_pinned_below_2():
    lines = [line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    books = [line for line in lines if line.split(">")[0].split("<")[0].strip() == "jupyter-book"]
    assert len(books) == 1
    specifiers = {part.replace(" ", "") for part in books[0][len("jupyter-book"):].split(",")}
    assert "<2" in specifiers and any(s.startswith(">=1") for s in specifiers)
    assert "-e ." in lines  # nnlib itself, editable


def test_every_notebook_is_in_the_toc_and_every_toc_entry_exists():
    toc = (ROOT / "book" / "_toc.yml").read_text()
    entries = re.findall(r"^\s*- file: (\S+)", toc, re.M)
    for entry in entries:
        assert list((ROOT / "book").glob(entry + ".*")), f"_toc.yml lists {entry}, which does not exist"
    for nb in (ROOT / "book").glob("*.ipynb"):
        assert nb.stem in entries, f"{nb.name} is not listed in book/_toc.yml"
