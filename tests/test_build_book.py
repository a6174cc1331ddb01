"""coursetools/build_book.py: the editions, their output folders, and the publishing setting.

Fast tests check the configuration each edition is built with, the one publishing setting
(``repository.url``) and what follows from it, the output-folder rule (never delete what is not
ours) and bad input.  Slow tests (``-m slow``) build the editions:

* the student edition (``.venv/bin/python -m coursetools.build_book student``, the README's build)
  holds no line of any solution or hidden-test cell in ANY file of the build (pages, ``_sources``
  which the download button serves, the search index, ...) and no word that only a solution
  uses in its search index; it is built from the student notebooks (``_sources``);
* the instructors' edition holds every solution (and the same scan finds them there, which shows
  that the scan can fail);
* built with a repository address, the launch buttons open the student notebooks on the
  published branch, the edit button the source, and the sitemap, link previews and 404 page are
  there; without one, none of them.

CI passes the folders it has built through ``$NNLIB_STUDENT_HTML`` / ``$NNLIB_INSTRUCTORS_HTML``;
otherwise each is built here into a temporary folder (about 20-60 s each).
"""
import html as html_lib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from coursetools import build_book, student_version, toc


ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"

DIRECTIVE = re.compile(r"^\s*(`{3,}|:{3,}|~{3,})\s*\{solution(-start|-end)?\}.*$", re.M)
WORD_RUN = re.compile(r"[A-Za-z][A-Za-z'-]*(?:[ ,;]+[A-Za-z][A-Za-z'-]*){5,}")
MIN_LINE = 25          # a line this long is distinctive enough to count as a leak
PLACEHOLDER = "https://github.com/example-org/nn-from-scratch"


# ------------------------------------------------------------------------------------ helpers
def chapters():
    """The notebooks listed in _toc.yml, as (name, path)."""
    return [(path.stem, path) for path in toc.notebooks(BOOK)]


CHAPTERS = chapters()


def normalise(text):
    """White space collapsed; Sphinx's smart quotes and dashes made plain again."""
    for fancy, plain in (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"'),
                         ("\u2013", "--"), ("\u2014", "---")):
        text = text.replace(fancy, plain)
    return " ".join(text.split())


def page_text(raw):
    """The text of an HTML page: tags stripped, entities decoded, white space collapsed."""
    raw = re.sub(r"<(script|style)\b.*?</\1>", " ", raw, flags=re.S)
    return normalise(html_lib.unescape(re.sub(r"<[^>]+>", "", raw)))


def is_secret(cell):
    """A solution or hidden-test cell (``answer`` cells too: their code is the solution)."""
    return student_version.is_solution(cell) or student_version.has_tag(cell, "grader")


def public_text():
    """Everything a student may see, normalised: the cells that are not secret (sources and
    outputs), the markdown pages, nnlib's source (the API pages and _modules show it)."""
    parts = []
    for path in sorted(BOOK.glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if is_secret(cell):
                continue
            parts.append(cell.source)
            for output in cell.get("outputs", []):
                parts.append(str(output.get("text", "")))
                parts += [str(v) for v in output.get("data", {}).values()]
    parts += [p.read_text(encoding="utf-8") for p in sorted(BOOK.glob("*.md"))]
    parts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "nnlib").rglob("*.py"))]
    return normalise("\n".join(parts))


def secret_lines():
    """{line: (notebook, cell index)}: every line of 25+ characters of a solution or hidden-test
    cell that occurs nowhere a student may see it (so finding it in the build is a leak)."""
    public = public_text()
    secrets = {}
    for path in sorted(BOOK.glob("*.ipynb")):
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if not is_secret(cell):
                continue
            for line in cell.source.splitlines():
                line = normalise(line)
                if len(line) >= MIN_LINE and line not in public:
                    secrets.setdefault(line, (path.name, index))
    return secrets


def solution_snippets(path):
    """Distinctive pieces of every ``solution``-tagged cell of a notebook, as they would appear
    in the page's text: each code line of 20+ characters, and runs of 6+ plain words of prose,
    leaving out those that also occur in a cell that is not a solution."""
    nb = nbformat.read(path, as_version=4)
    elsewhere = normalise(" ".join(c.source for c in nb.cells if not is_secret(c)))
    snippets = []
    for index, cell in enumerate(nb.cells):
        if not student_version.is_solution(cell):
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


BINARY = {".png", ".jpg", ".jpeg", ".gif", ".ico", ".woff", ".woff2", ".ttf", ".eot", ".otf",
          ".inv", ".pdf", ".zip", ".gz"}


def texts_of(path):
    """The ways a file of the build can hold a line: its raw text; an HTML page's text; a
    notebook's cell sources and outputs; a JavaScript/JSON file with its escapes decoded."""
    raw = path.read_text(encoding="utf-8", errors="replace")
    yield normalise(raw)
    if path.suffix in (".html", ".htm", ".xml"):
        yield page_text(raw)
    if path.suffix == ".ipynb":
        try:
            nb = nbformat.reads(raw, as_version=4)
        except Exception:
            return
        yield normalise("\n".join(c.source for c in nb.cells))
        yield normalise(json.dumps([c.get("outputs", []) for c in nb.cells], ensure_ascii=False))
    if path.suffix in (".js", ".json"):
        yield normalise(re.sub(r"\\(.)", r"\1", raw))


def leaks(build, secrets):
    """{file relative to ``build``: [secret lines it holds]} over every text file of the build."""
    found = {}
    for path in sorted(build.rglob("*")):
        if not path.is_file() or path.suffix.lower() in BINARY:
            continue
        texts = list(texts_of(path))
        hits = [line for line in secrets if any(line in text for text in texts)]
        if hits:
            found[str(path.relative_to(build))] = hits
    return found


def words(text, shortest=1):
    return set(re.findall(rf"[A-Za-z]{{{shortest},}}", text))


def solution_only_stems():
    """Stems (as Sphinx's English search index stores them) of the words that only solutions
    use: none of them may be a term of the student edition's search index."""
    from sphinx.search.en import SearchEnglish

    stem = SearchEnglish(options={}).stem
    public = {stem(w.lower()) for w in words(public_text())}
    secret = set()
    for path in sorted(BOOK.glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if is_secret(cell):
                secret |= {stem(w.lower()) for w in words(DIRECTIVE.sub("", cell.source), 5)}
    return secret - public


def search_terms(build):
    text = (build / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(text[text.index("(") + 1:text.rindex(")")])
    return set(index["terms"]) | set(index.get("titleterms", {}))


def build_or_reuse(variable, tmp_path_factory, edition, **options):
    given = os.environ.get(variable)
    if given:
        folder = Path(given).resolve()
        assert (folder / "index.html").is_file(), f"${variable}={given} holds no index.html"
        return folder
    out = tmp_path_factory.mktemp(f"{edition}-build") / "html"
    return build_book.build(edition, out=out, **options)


@pytest.fixture(scope="module")
def student_html(tmp_path_factory):
    return build_or_reuse("NNLIB_STUDENT_HTML", tmp_path_factory, "student")


@pytest.fixture(scope="module")
def instructors_html(tmp_path_factory):
    return build_or_reuse("NNLIB_INSTRUCTORS_HTML", tmp_path_factory, "instructors")


@pytest.fixture(scope="module")
def secrets():
    return secret_lines()


# ---------------------------------------------------------------- configuration (fast tests)
def test_the_chapters_have_solutions_to_check(secrets):
    total = sum(len(solution_snippets(path)) for _, path in CHAPTERS)
    assert total >= 20, f"only {total} solution snippets found in the chapters"
    assert len(secrets) >= 100, f"only {len(secrets)} distinctive solution lines"


def test_edition_config_changes_only_what_it_says():
    original = yaml.safe_load((BOOK / "_config.yml").read_text())
    assert original["sphinx"]["config"]["hide_solutions"] is True, \
        "a plain jupyter-book build must hide the solutions too"
    assert not original["repository"]["url"], "book/_config.yml publishes with no address"
    for edition, hide in (("instructors", False), ("student", True)):
        config = build_book.edition_config(edition)
        assert config["sphinx"]["config"]["hide_solutions"] is hide
        config["sphinx"]["config"]["hide_solutions"] = True
        # the language (English) and, in the student edition, its switch to the Chinese one
        assert config["sphinx"]["config"].pop("language") == "en"
        switch = config["sphinx"]["config"].pop("language_switch_root", None)
        assert switch == ("zh_CN/" if edition == "student" else None)
        assert config == original, f"{edition}: changed more than hide_solutions and language"


def test_no_repository_address_means_no_buttons_and_no_publishing_extensions():
    config = build_book.edition_config("student")
    html = config.get("html", {})
    assert not any(html.get(b) for b in ("use_repository_button", "use_issues_button",
                                          "use_edit_page_button"))
    assert not config["launch_buttons"].get("binderhub_url")
    assert not config["launch_buttons"].get("colab_url")
    assert "baseurl" not in html
    assert not set(build_book.PUBLISHING_EXTENSIONS) & set(config["sphinx"]["extra_extensions"])


def test_one_address_turns_on_everything_that_follows_from_it():
    config = build_book.edition_config("student", repository_url=PLACEHOLDER + "/")
    assert config["repository"]["url"] == PLACEHOLDER
    assert all(config["html"][b] is True for b in ("use_repository_button", "use_issues_button",
                                                   "use_edit_page_button"))
    assert config["launch_buttons"]["binderhub_url"] == "https://mybinder.org"
    assert config["launch_buttons"]["colab_url"] == "https://colab.research.google.com"
    assert config["html"]["baseurl"] == "https://example-org.github.io/nn-from-scratch/"
    assert config["sphinx"]["config"]["ogp_site_url"] == config["html"]["baseurl"]
    assert config["sphinx"]["config"]["notfound_urls_prefix"] == "/nn-from-scratch/"
    assert set(build_book.PUBLISHING_EXTENSIONS) <= set(config["sphinx"]["extra_extensions"])
    # the original extensions stay, once each
    extensions = config["sphinx"]["extra_extensions"]
    assert len(extensions) == len(set(extensions)) and "sphinx_exercise" in extensions


@pytest.mark.parametrize("url,baseurl,prefix", [
    ("https://github.com/Some-Org/Some.Repo", "https://some-org.github.io/Some.Repo/",
     "/Some.Repo/"),
    ("https://github.com/someone/someone.github.io", "https://someone.github.io/", "/"),
])
def test_the_site_address_follows_github_pages(url, baseurl, prefix):
    config = build_book.edition_config("student", repository_url=url)
    assert config["html"]["baseurl"] == baseurl
    assert config["sphinx"]["config"]["notfound_urls_prefix"] == prefix


def test_a_custom_domain_is_kept():
    config = build_book.edition_config("student", repository_url=PLACEHOLDER,
                                       settings=["html.baseurl=https://nn.example.org/course"])
    assert config["html"]["baseurl"] == "https://nn.example.org/course/"
    assert config["sphinx"]["config"]["notfound_urls_prefix"] == "/course/"


@pytest.mark.parametrize("url", [
    "github.com/example-org/nn", "http://github.com/example-org/nn",
    "https://gitlab.com/example-org/nn", "https://github.com/example-org",
    "https://github.com/example-org/nn/tree/main", "https://github.com/example-org/nn.git",
    "https://github.com/-bad/nn", "https://github.com/example org/nn", "git@github.com:a/b.git",
])
def test_a_malformed_address_is_one_line_naming_the_setting(url, capsys):
    with pytest.raises(build_book.BuildError, match=r"^repository\.url in book/_config\.yml: "):
        build_book.edition_config("student", repository_url=url)
    assert build_book.main(["student", "--repository-url", url, "--out",
                            "/nonexistent-never-built"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error: repository.url") and url in err


def test_the_launch_branch_is_the_one_the_workflow_publishes():
    config = yaml.safe_load((BOOK / "_config.yml").read_text())
    branch = config["sphinx"]["config"]["launch_notebooks_branch"]
    assert branch and config["sphinx"]["config"]["launch_notebooks_path"] == ""
    workflow = (ROOT / ".github" / "workflows" / "publish.yml").read_text()
    assert re.search(rf"^\s*publish_branch:\s*{re.escape(branch)}\s*$", workflow, re.M), \
        f"the workflow does not publish the student notebooks to {branch!r}"


@pytest.mark.parametrize("item", ["novalue", "=x"])
def test_bad_set_is_one_line(item, capsys):
    assert build_book.main(["student", "--set", item, "--out", "/nonexistent-never-built"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "expected KEY=VALUE" in err


def test_an_unknown_edition_is_a_usage_error():
    result = subprocess.run([sys.executable, "-m", "coursetools.build_book", "teachers"],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "invalid choice: 'teachers'" in result.stderr
    with pytest.raises(build_book.BuildError, match="unknown edition 'teachers'"):
        build_book.build("teachers", out="/nonexistent-never-built")


# ------------------------------------------------------- output folders (issue 23 item 1)
def test_a_folder_that_is_not_ours_is_refused_and_left_alone(tmp_path, capsys):
    out = tmp_path / "site"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert build_book.main(["student", "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(out) in err and build_book.MARKER in err
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    assert (out / "notes.txt").read_text() == "mine"


def test_a_file_as_output_folder_is_refused(tmp_path, capsys):
    out = tmp_path / "file"
    out.write_text("mine")
    assert build_book.main(["instructors", "--out", str(out)]) == 1
    assert "is not a folder" in capsys.readouterr().err and out.read_text() == "mine"


@pytest.mark.parametrize("folder", [ROOT, BOOK, BOOK / "_build", BOOK / "_ext", ROOT.parent])
def test_the_repository_itself_is_never_an_output(folder, tmp_path):
    with pytest.raises(build_book.BuildError):
        build_book.check_out(folder)


def test_earlier_output_and_empty_folders_are_accepted(tmp_path):
    build_book.check_out(tmp_path / "new")
    (tmp_path / "empty").mkdir()
    build_book.check_out(tmp_path / "empty")
    earlier = tmp_path / "earlier"
    earlier.mkdir()
    (earlier / build_book.MARKER).write_text("written by coursetools/build_book.py\n")
    (earlier / "index.html").write_text("old")
    build_book.check_out(earlier)


def test_put_in_place_replaces_only_an_earlier_output(tmp_path):
    built = tmp_path / "built"
    built.mkdir()
    (built / "index.html").write_text("new")
    out = tmp_path / "out"
    out.mkdir()
    (out / build_book.MARKER).write_text("x")
    (out / "stale.html").write_text("old")
    build_book.put_in_place(built, out, "test")
    assert sorted(p.name for p in out.iterdir()) == [build_book.MARKER, "index.html"]
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "keep").write_text("mine")
    (tmp_path / "built2").mkdir()
    with pytest.raises(build_book.BuildError):
        build_book.put_in_place(tmp_path / "built2", theirs, "test")
    assert (theirs / "keep").read_text() == "mine"


# ------------------------------------------------------------------- staging (bad notebooks)
@pytest.fixture
def fake_book(tmp_path, monkeypatch):
    """A copy of book/ that the test may break, used by build_book as the book."""
    import shutil

    book = tmp_path / "book"
    shutil.copytree(BOOK, book, ignore=build_book.IGNORED)
    monkeypatch.setattr(build_book, "BOOK", book)
    return book


def test_the_student_stage_holds_the_student_notebooks(fake_book, tmp_path):
    config = build_book.edition_config("student")
    stage = build_book.stage("student", tmp_path / "stage", config)
    for name, path in CHAPTERS:
        staged = nbformat.read(stage / f"{name}.ipynb", as_version=4)
        expected, _ = student_version.strip_solutions(nbformat.read(path, as_version=4))
        assert staged.cells == expected.cells, f"{name}: the stage is not the student notebook"
    assert yaml.safe_load((stage / "_config.yml").read_text()) == config
    assert not (stage / "_build").exists()


def test_a_notebook_breaking_the_convention_stops_the_student_build(fake_book, tmp_path):
    name, _ = CHAPTERS[1]
    nb = nbformat.read(fake_book / f"{name}.ipynb", as_version=4)
    for cell in nb.cells:
        if student_version.has_tag(cell, "grader"):
            cell.metadata["tags"] = ["grader"]          # the hidden tests would be left in
            break
    else:
        pytest.skip(f"{name} has no grader cell")
    nbformat.write(nb, fake_book / f"{name}.ipynb")
    # inside the solution's gate it is caught as a leak; outside, by the grader rule
    with pytest.raises(build_book.BuildError, match=rf"^book/{name}\.ipynb: cells? \[?\d+\]? "
                                                    r"(lie between a solution-start|is tagged "
                                                    r"'grader' but not 'solution')"):
        build_book.stage("student", tmp_path / "stage", build_book.edition_config("student"))


def test_a_notebook_that_is_not_json_stops_the_student_build(fake_book, tmp_path):
    (fake_book / "broken.ipynb").write_text("{ not json")
    with pytest.raises(build_book.BuildError, match=r"^book/broken\.ipynb: not a Jupyter notebook"):
        build_book.stage("student", tmp_path / "stage", build_book.edition_config("student"))


def test_bad_yaml_in_the_config_is_one_line(fake_book):
    (fake_book / "_config.yml").write_text("title: [unclosed\n")
    with pytest.raises(build_book.BuildError, match=r"_config\.yml: not valid YAML"):
        build_book.edition_config("student")


# ------------------------------------------------------------------------- builds (slow tests)
@pytest.mark.slow
def test_no_solution_line_in_any_file_of_the_student_edition(student_html, secrets):
    files = [p for p in student_html.rglob("*") if p.is_file()]
    assert any(p.name == "searchindex.js" for p in files)
    assert len([p for p in files if p.suffix == ".ipynb"]) >= len(CHAPTERS)
    found = leaks(student_html, secrets)
    report = {f: [(line, secrets[line]) for line in hits[:3]] for f, hits in found.items()}
    assert not found, f"solution lines in the student edition: {report}"


@pytest.mark.slow
def test_no_solution_word_in_the_student_search_index(student_html):
    forbidden = solution_only_stems()
    assert len(forbidden) >= 10, f"only {len(forbidden)} words used by solutions alone"
    leaked = forbidden & search_terms(student_html)
    assert not leaked, f"the search index holds words only solutions use: {sorted(leaked)[:20]}"


@pytest.mark.slow
@pytest.mark.parametrize("name,path", CHAPTERS, ids=[n for n, _ in CHAPTERS])
def test_student_edition_serves_the_student_notebook(student_html, name, path):
    """The download button's .ipynb (``_sources``) is the student notebook; the page shows the
    exercises and, for autograded ones, the empty answer cell."""
    served = nbformat.read(student_html / "_sources" / f"{name}.ipynb", as_version=4)
    expected, _ = student_version.strip_solutions(nbformat.read(path, as_version=4))
    assert served.cells == expected.cells
    page = (student_html / f"{name}.html").read_text(encoding="utf-8")
    assert 'class="solution' not in page
    exercises = sum(bool(re.search(r"\{exercise(-start)?\}", c.source))
                    for c in expected.cells if c.cell_type == "markdown")
    rendered = len(re.findall(r'<div class="exercise[ "]', page))
    assert rendered == exercises, f"{name}: {exercises} exercises, {rendered} rendered"
    stubs = sum(student_version.has_tag(c, "answer") for c in expected.cells)
    assert page_text(page).count(student_version.STUB) >= stubs


@pytest.mark.slow
def test_exercises_are_numbered_as_their_labels(student_html):
    """ex-03-2 is "Exercise 3.2" in the book, as in the assignments (one numbering)."""
    checked = 0
    for name, _ in CHAPTERS:
        page = (student_html / f"{name}.html").read_text(encoding="utf-8")
        for label, number in re.findall(r'<div class="exercise admonition" id="(ex-[^"]+)">\s*'
                                        r'<p class="admonition-title">\s*<span class="caption-number">'
                                        r'Exercise ([^ <]+) </span>', page):
            chapter, n = label[3:].rsplit("-", 1)
            chapter = str(int(chapter)) if chapter.isdigit() else chapter
            assert number == f"{chapter}.{n}", f"{name}: {label} is shown as Exercise {number}"
            checked += 1
    assert checked >= 40, f"only {checked} numbered exercises found"


@pytest.mark.slow
@pytest.mark.parametrize("name,path", CHAPTERS, ids=[n for n, _ in CHAPTERS])
def test_instructors_edition_has_every_solution(instructors_html, name, path):
    page = (instructors_html / f"{name}.html").read_text(encoding="utf-8")
    text = page_text(page)
    missing = [(i, s) for i, s in solution_snippets(path) if s not in text]
    assert not missing, f"{name}: solution text missing from the instructors' edition: {missing[:5]}"
    nb = nbformat.read(path, as_version=4)
    starts = sum(bool(re.search(r"\{solution(-start)?\}", c.source))
                 for c in nb.cells if c.cell_type == "markdown")
    assert len(re.findall(r'<div class="solution[ "]', page)) == starts


@pytest.mark.slow
def test_the_leak_scan_finds_the_solutions_in_the_instructors_edition(instructors_html, secrets):
    """The same scan that passes the student edition finds the solutions where they are."""
    found = leaks(instructors_html, secrets)
    per_chapter = {name: sum(len(hits) for f, hits in found.items() if name in f)
                   for name, _ in CHAPTERS}
    assert all(n > 0 for n in per_chapter.values()), per_chapter
    assert len(set().union(*found.values())) >= 0.9 * len(secrets)
    assert solution_only_stems() & search_terms(instructors_html)


@pytest.mark.slow
def test_a_published_build_has_buttons_launch_sitemap_previews_and_404(tmp_path, student_html):
    before = (BOOK / "_config.yml").read_bytes()
    html = build_book.build("student", out=tmp_path / "html", repository_url=PLACEHOLDER)
    assert (BOOK / "_config.yml").read_bytes() == before, "book/_config.yml was modified"
    branch = yaml.safe_load(before)["sphinx"]["config"]["launch_notebooks_branch"]
    for name, _ in CHAPTERS:
        page = html_lib.unescape((html / f"{name}.html").read_text(encoding="utf-8"))
        binder = (f"https://mybinder.org/v2/gh/example-org/nn-from-scratch/{branch}"
                  f"?urlpath=lab/tree/{name}.ipynb")
        colab = (f"https://colab.research.google.com/github/example-org/nn-from-scratch/blob/"
                 f"{branch}/{name}.ipynb")
        edit = f"{PLACEHOLDER}/edit/main/book/{name}.ipynb"
        assert binder in page, f"{name}: no Binder button to the student notebook"
        assert colab in page, f"{name}: no Colab button to the student notebook"
        assert edit in page, f"{name}: the edit button does not open the source"
        assert f"{PLACEHOLDER}/issues" in page, f"{name}: no issues button"
        assert "/blob/main/book/" not in page.replace(edit, ""), \
            f"{name}: a launch button opens the notebook with the solutions"
        og = re.search(r'<meta property="og:url" content="([^"]+)"', page)
        assert og and og.group(1) == f"https://example-org.github.io/nn-from-scratch/{name}.html"
    sitemap = (html / "sitemap.xml").read_text(encoding="utf-8")
    assert "https://example-org.github.io/nn-from-scratch/04_backpropagation.html" in sitemap
    assert len(re.findall(r"<loc>", sitemap)) >= len(CHAPTERS)
    notfound = (html / "404.html").read_text(encoding="utf-8")
    assert 'href="/nn-from-scratch/_static/' in notfound, "the 404 page's links are not absolute"
    # the default build (no repository address) has none of these
    for name, _ in CHAPTERS:
        page = (student_html / f"{name}.html").read_text(encoding="utf-8")
        assert "mybinder.org" not in page and "colab.research.google.com" not in page
        assert "og:url" not in page
    assert not (student_html / "sitemap.xml").exists() and not (student_html / "404.html").exists()
