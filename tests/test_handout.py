"""The student handout as a student receives it (issues 13, 20, 21, 27).

``coursetools/make_handout.py`` writes a folder and its .zip; the session fixture
``handout_floors_venv`` (tests/conftest.py) unpacks the .zip elsewhere, makes a CLEAN venv there
(``python -m venv``: no --system-site-packages, no .pth, no PYTHONPATH leading back to this
repository) and installs the handout's own requirements.txt from the package registry, with the
floors pinned (``-c constraints-floors.txt``): the same venv serves tests/test_floors.py, which runs
nnlib's unit tests and every notebook of the handout top to bottom in it.  Here:

* the folder holds what a student needs, and its requirements.txt is the wheel and its extras;
* JupyterLab, as installed by the handout, renders the notebooks' MyST prose: every notebook is
  opened in a real JupyterLab (the handout's own) in headless Chromium, and no raw
  ``{glue:text}``, ``{exercise}`` or ``{cite}`` (nor any other role or directive syntax) is left in
  the rendered page, no glue key is shown where its number belongs, and every exercise is an
  exercise box.  What jupyterlab-myst renders and what it does not is in MYST-IN-JUPYTERLAB.md;
  make_handout writes out what it cannot (coursetools/plain_myst.py).
"""
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
from coursetools.chromium import Browser, find_chromium

INSTALL = "python3 -m venv .venv && .venv/bin/pip install -r requirements.txt"
RAW_MYST = re.compile(r"\{(glue|glue:text|exercise|cite|cite:p|cite:t|solution|solution-start|"
                      r"solution-end|ref|doc|numref|note|admonition|math)\}")


def skip_or_fail(message):
    """Skip, or fail where CI=true or $NNLIB_REQUIRE_BROWSER is set (CI must not pass by
    skipping)."""
    if os.environ.get("NNLIB_REQUIRE_BROWSER") or os.environ.get("CI") == "true":
        pytest.fail(message + " (CI=true or $NNLIB_REQUIRE_BROWSER is set)", pytrace=False)
    pytest.skip(message)


@pytest.mark.slow
def test_the_handout_holds_what_a_student_needs(handout_floors_venv):
    folder = handout_floors_venv.folder
    names = {p.name for p in folder.iterdir()}
    assert {"requirements.txt", "README.md", "LICENSE", "LICENSE-text.md"} <= names
    [wheel] = [n for n in names if n.startswith("nnlib-") and n.endswith("-py3-none-any.whl")]
    with zipfile.ZipFile(folder / wheel) as z:           # nnlib only: no coursetools, no tests
        packages = {name.split("/")[0] for name in z.namelist()
                    if not name.split("/")[0].endswith(".dist-info")}
    assert packages == {"nnlib"}, sorted(packages)
    assert INSTALL in (folder / "README.md").read_text()
    lines = [line for line in (folder / "requirements.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert lines == [f"./{wheel}[notebooks,lab]"]
    notebooks = sorted(folder.glob("*.ipynb"))
    assert len(notebooks) == len(list((ROOT / "book").glob("*.ipynb")))
    for path in notebooks:
        for cell in nbformat.read(path, as_version=4).cells:
            tags = cell.metadata.get("tags", [])
            assert "solution" not in tags or "answer" in tags, f"{path.name}: a solution cell"
            assert not cell.get("outputs"), f"{path.name}: outputs were not cleared"
            if cell.cell_type == "markdown":      # written out by coursetools/plain_myst.py
                assert not re.search(r"\{(glue|cite|doc)[:a-z]*\}`", cell.source), \
                    f"{path.name}: a role JupyterLab cannot render: {cell.source[:200]!r}"
    mnist = handout_floors_venv.run(["-c", "import nnlib; "
                                     "print(nnlib.load_mnist().train_images.shape)"], timeout=300)
    assert mnist.stdout.strip() == "(60000, 28, 28)", mnist.stdout + mnist.stderr


def glue_keys(book_notebook):
    """The glue keys the book's notebook uses in its prose (``{glue:text}`key:fmt```)."""
    if not book_notebook.exists():
        return set()
    text = "\n".join(c.source for c in nbformat.read(book_notebook, as_version=4).cells
                     if c.cell_type == "markdown")
    return {m.split("::")[-1].split(":")[0]
            for m in re.findall(r"\{glue(?::\w+)?\}`([^`]+)`", text)}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def jupyterlab(handout_floors_venv, tmp_path):
    """The handout's own JupyterLab, serving the handout folder on 127.0.0.1, no token."""
    venv = handout_floors_venv
    settings = Path(venv.env["JUPYTERLAB_SETTINGS_DIR"]) / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True, exist_ok=True)
    # render every cell now, not when scrolled into view
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    port = free_port()
    log = open(tmp_path / "jupyterlab.log", "w")
    server = subprocess.Popen(
        [str(venv.folder / ".venv" / "bin" / "jupyter-lab"), "--no-browser", "--allow-root",
         "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.token=",
         "--ServerApp.password=", "--ServerApp.port_retries=0",
         f"--ServerApp.root_dir={venv.folder}"],
        cwd=venv.folder, env=venv.env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(url + "/api", timeout=5):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail("JupyterLab did not start:\n"
                                + (tmp_path / "jupyterlab.log").read_text()[-3000:],
                                pytrace=False)
                time.sleep(1)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


RENDERED = r"""
(() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  if (!panel) return null;
  const cells = [...panel.querySelectorAll('.jp-MarkdownCell')];
  const rendered = cells.map(c => c.querySelector('.myst')
                                  || c.querySelector('.jp-RenderedMarkdown')).filter(r => r);
  return {
    cells: cells.length,
    rendered: rendered.map(r => ({myst: r.classList.contains('myst'), text: r.innerText})),
    exercises: [...panel.querySelectorAll('.jp-MarkdownCell .myst aside.myst-exercise')]
               .map(a => a.innerText.trim().split('\\n')[0]),
  };
})()
"""


@pytest.mark.slow
def test_jupyterlab_renders_the_notebooks_prose(handout_floors_venv, jupyterlab, tmp_path):
    exe = find_chromium()
    if exe is None:
        skip_or_fail("headless Chromium not found: install it (Debian: apt-get install -y "
                     "chromium) or set $CHROMIUM to its path")
    notebooks = sorted(handout_floors_venv.folder.glob("*.ipynb"))
    browser = Browser(exe, tempfile.mkdtemp(dir=tmp_path), allow_loopback=True)
    problems, checked = [], 0
    try:
        for i, path in enumerate(notebooks):
            nb = nbformat.read(path, as_version=4)
            markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
            exercises = sum(len(re.findall(r"^(?:`{3,}|:{3,})\{exercise\}", s, re.M))
                            for s in markdown)
            browser.send("Page.navigate", session=True,
                         url=f"{jupyterlab}/lab/workspaces/w{i}/tree/{path.name}?reset")
            deadline = time.monotonic() + 120
            while True:
                page = browser.evaluate(RENDERED)
                if page and page["cells"] == len(page["rendered"]) == len(markdown):
                    break
                if time.monotonic() > deadline:
                    pytest.fail(f"{path.name}: JupyterLab rendered {page and len(page['rendered'])}"
                                f" of {len(markdown)} markdown cells in 120 s", pytrace=False)
                time.sleep(1)
            plain = sum(not r["myst"] for r in page["rendered"])
            if plain:
                problems.append(f"{path.name}: {plain} markdown cells not rendered by "
                                "jupyterlab-myst")
            # a glue key of the book's prose that the handout's own prose does not use as a word
            words = set(re.findall(r"\w+", "\n".join(markdown)))
            keys = glue_keys(ROOT / "book" / path.name) - words
            for text in (r["text"] for r in page["rendered"]):
                shown = sorted(k for k in keys
                               if re.search(rf"(?<![\w.]){re.escape(k)}(?!\w)", text))
                if shown:
                    problems.append(f"{path.name}: glue keys shown instead of numbers: {shown}")
                for raw in RAW_MYST.findall(text):
                    problems.append(f"{path.name}: raw {{{raw}}} in: {text[:120]!r}")
                if "```" in text or re.search(r"^:::", text, re.M):
                    problems.append(f"{path.name}: a raw fence in: {text[:120]!r}")
            if len(page["exercises"]) != exercises or not all(
                    e.startswith("Exercise") for e in page["exercises"]):
                problems.append(f"{path.name}: {exercises} exercises in the notebook, "
                                f"exercise boxes rendered: {page['exercises']}")
            checked += 1
    finally:
        browser.close()
    assert checked == len(notebooks)
    assert not problems, "\n".join(problems[:30])
