"""The two editions built from one source, and the launch buttons (issue 13, items 2 and 7).

* The student edition (``jupyter-book build book``, the README's command, and
  ``python scripts/build_book.py student``) holds no solution: no text of any cell tagged
  ``solution`` in the notebooks appears in its HTML, and no sphinx-exercise solution block.
* The instructors' edition (``python scripts/build_book.py instructors``) holds every one of them.
* Built with a placeholder repository URL (``--repository-url``), every chapter page has Binder
  and Colab launch buttons; the default build has none and ``book/_config.yml`` is unchanged.

The builds take ~15-60 s each.  CI passes the folders it has already built through
``$NNLIB_STUDENT_HTML`` / ``$NNLIB_INSTRUCTORS_HTML``; otherwise the test builds into a temporary
folder.
"""
import html as html_lib
import os
import re
from pathlib import Path

import nbformat
import pytest

from conftest import load_script

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"

build_book = load_script("build_book")

DIRECTIVE = re.compile(r"^\s*(`{3,}|:{3,})\s*\{solution(-start|-end)?\}.*$", re.M)
WORD_RUN = re.compile(r"[A-Za-z][A-Za-z'-]*(?:[ ,;]+[A-Za-z][A-Za-z'-]*){5,}")


def chapters():
    """The notebooks listed in _toc.yml, as (name, path)."""
    toc = (BOOK / "_toc.yml").read_text()
    names = re.findall(r"^\s*-\s*file:\s*(\S+)", toc, re.M)
    return [(n, BOOK / f"{n}.ipynb") for n in names if (BOOK / f"{n}.ipynb").is_file()]


def normalise(text):
    """White space collapsed; Sphinx's smart quotes and dashes made plain again."""
    for fancy, plain in (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"'),
                         ("\u2013", "--"), ("\u2014", "---")):
        text = text.replace(fancy, plain)
    return " ".join(text.split())


def page_text(path):
    """The text of an HTML page: tags stripped, entities decoded, white space collapsed."""
    raw = path.read_text(encoding="utf-8")
    raw = re.sub(r"<(script|style)\b.*?</\1>", " ", raw, flags=re.S)
    return normalise(html_lib.unescape(re.sub(r"<[^>]+>", "", raw)))


def solution_snippets(path):
    """Distinctive pieces of every ``solution``-tagged cell of a notebook, as they would appear
    in the page's text: each code line of 20+ characters, and runs of 6+ plain words of prose,
    leaving out those that also occur in a cell that is not a solution."""
    nb = nbformat.read(path, as_version=4)
    elsewhere = normalise(" ".join(c.source for c in nb.cells
                                   if "solution" not in c.metadata.get("tags", [])))
    snippets = []
    for index, cell in enumerate(nb.cells):
        if "solution" not in cell.metadata.get("tags", []):
            continue
        if cell.cell_type == "code":
            lines = [line.strip() for line in cell.source.splitlines()]
            lines = [line for line in lines if len(line) >= 20 and not line.startswith("#")]
        else:
            prose = DIRECTIVE.sub("", cell.source)
            prose = re.sub(r"^\s*:\w[\w-]*:.*$", "", prose, flags=re.M)        # options
            prose = re.sub(r"\$[^$]*\$|`[^`]*`|\{[^}]*\}|\[[^\]]*\]\([^)]*\)", "|", prose)
            lines = [m.group(0) for m in WORD_RUN.finditer(prose)]
        snippets += [(index, normalise(line)) for line in lines]
    return [(i, s) for i, s in snippets if s not in elsewhere]


def build_or_reuse(variable, tmp_path_factory, edition, **options):
    given = os.environ.get(variable)
    if given:
        folder = Path(given).resolve()
        assert (folder / "index.html").is_file(), f"${variable}={given} holds no index.html"
        return folder
    out = tmp_path_factory.mktemp(f"{edition}-build")
    return build_book.build(edition, out=out, **options)


@pytest.fixture(scope="module")
def student_html(tmp_path_factory):
    return build_or_reuse("NNLIB_STUDENT_HTML", tmp_path_factory, "student")


@pytest.fixture(scope="module")
def instructors_html(tmp_path_factory):
    return build_or_reuse("NNLIB_INSTRUCTORS_HTML", tmp_path_factory, "instructors")


CHAPTERS = chapters()


def test_the_chapters_have_solutions_to_check():
    total = sum(len(solution_snippets(path)) for _, path in CHAPTERS)
    assert total >= 20, f"only {total} solution snippets found in the chapters"


@pytest.mark.parametrize("name,path", CHAPTERS, ids=[n for n, _ in CHAPTERS])
def test_student_edition_has_no_solution(student_html, name, path):
    page = student_html / f"{name}.html"
    text = page_text(page)
    leaked = [(i, s) for i, s in solution_snippets(path) if s in text]
    assert not leaked, f"{name}: solution text in the student edition: {leaked[:5]}"
    assert 'class="solution' not in page.read_text(encoding="utf-8")
    nb = nbformat.read(path, as_version=4)
    exercises = sum(bool(re.search(r"\{exercise(-start)?\}", c.source))
                    for c in nb.cells if c.cell_type == "markdown")
    rendered = len(re.findall(r'<div class="exercise[ "]', page.read_text(encoding="utf-8")))
    assert rendered == exercises, f"{name}: {exercises} exercises, {rendered} rendered"


@pytest.mark.parametrize("name,path", CHAPTERS, ids=[n for n, _ in CHAPTERS])
def test_instructors_edition_has_every_solution(instructors_html, name, path):
    page = instructors_html / f"{name}.html"
    text = page_text(page)
    missing = [(i, s) for i, s in solution_snippets(path) if s not in text]
    assert not missing, f"{name}: solution text missing from the instructors' edition: {missing[:5]}"
    nb = nbformat.read(path, as_version=4)
    starts = sum(bool(re.search(r"\{solution(-start)?\}", c.source))
                 for c in nb.cells if c.cell_type == "markdown")
    assert len(re.findall(r'<div class="solution[ "]', page.read_text(encoding="utf-8"))) == starts


def test_edition_config_changes_only_what_it_says():
    import yaml

    original = yaml.safe_load((BOOK / "_config.yml").read_text())
    assert original["sphinx"]["config"]["hide_solutions"] is True, \
        "the default build (the README's command) must be the student edition"
    config = build_book.edition_config("instructors")
    assert config["sphinx"]["config"]["hide_solutions"] is False
    config["sphinx"]["config"]["hide_solutions"] = True
    for name, path in config["sphinx"].get("local_extensions", {}).items():
        assert Path(path).is_absolute()
        config["sphinx"]["local_extensions"][name] = original["sphinx"]["local_extensions"][name]
    assert config == original


PLACEHOLDER = "https://github.com/example-org/nn-from-scratch"


def test_launch_buttons_appear_with_a_repository_url(tmp_path, student_html):
    before = (BOOK / "_config.yml").read_bytes()
    html = build_book.build("student", out=tmp_path, repository_url=PLACEHOLDER)
    assert (BOOK / "_config.yml").read_bytes() == before, "book/_config.yml was modified"
    notebooks = [name for name, _ in CHAPTERS]
    assert notebooks
    for name in notebooks:
        page = (html / f"{name}.html").read_text(encoding="utf-8")
        binder = f"https://mybinder.org/v2/gh/example-org/nn-from-scratch/main?urlpath=lab/tree/book/{name}.ipynb"
        colab = f"https://colab.research.google.com/github/example-org/nn-from-scratch/blob/main/book/{name}.ipynb"
        assert html_lib.unescape(page).count(binder) >= 1, f"{name}: no Binder button"
        assert html_lib.unescape(page).count(colab) >= 1, f"{name}: no Colab button"
    # the default build (no repository URL) has none
    for name in notebooks:
        page = (student_html / f"{name}.html").read_text(encoding="utf-8")
        assert "mybinder.org" not in page and "colab.research.google.com" not in page
