"""Build the book's editions from one source: the student edition, the instructors' edition, a PDF.

    .venv/bin/python -m coursetools.build_book student             # -> book/_build/html/
    .venv/bin/python -m coursetools.build_book student --language zh_CN  # -> book/_build/html/zh_CN/
    .venv/bin/python -m coursetools.build_book instructors         # -> book/_build/instructors/_build/html/
    .venv/bin/python -m coursetools.build_book student --pdf       # -> book/_build/pdf/student.pdf
    .venv/bin/python -m coursetools.build_book instructors --pdf   # -> book/_build/pdf/instructors.pdf

**The student edition** (the public book) is built from the *student notebooks*: the script
copies ``book/`` into a temporary folder, replaces every notebook there by its student version
(``coursetools/student_version.py``: solutions and hidden tests removed, each ``answer`` cell a
``# YOUR CODE HERE`` cell, the visible checks kept with their outputs cleared) and builds that.
So no solution is in any file of the build: not in the pages, not in ``_sources`` (what the
download button serves), not in the search index.  **The instructors' edition** is built from
``book/`` as it is, with ``hide_solutions: false``.  ``book/_config.yml`` is never modified: each
edition's settings are written into the temporary copy.

**The Chinese edition** (``--language zh_CN``) is the student edition with its prose translated
through the catalogues ``book/locales/zh_CN/LC_MESSAGES/PAGE.po`` (``coursetools/translations.py``):
the same notebooks, code, outputs, glued numbers and maths.  Its settings (the title, the
footer) are ``book/locales/zh_CN/_config.yml``, laid over ``book/_config.yml``.  It goes in
``zh_CN/`` inside the English edition's folder, so that the two are one site and each page links
to the same page of the other (``book/_ext/languages.py``); rebuilding the English edition keeps
it.  A catalogue with a broken placeholder (a role, maths or code of the English lost in its
translation) is refused with one line naming the file and message.

**Publishing** follows from one setting, ``repository.url`` in ``book/_config.yml``
(``https://github.com/OWNER/REPO``, or empty).  When it is set, the build turns on the repository,
issue and edit buttons, the Binder and Colab launch buttons (which open the student notebooks,
published by the workflow on the branch ``launch_notebooks_branch``, see
``book/_ext/launch_student_notebooks.py``), and derives ``html.baseurl`` (GitHub Pages:
``https://owner.github.io/REPO/``) for the sitemap (sphinx-sitemap), the link previews
(sphinxext-opengraph) and the 404 page (sphinx-notfound-page).  Empty: none of these, as a
local book needs none.  A malformed address is a one-line error naming the setting.
``--repository-url URL`` sets it for one build.

**Output folders.**  The script builds in a temporary folder and then puts the result in place.
An output folder is written only if it does not exist, is empty, or holds the marker
``.build_book`` (an earlier output of this script, which is then replaced); anything else is
refused with one line naming it, so nothing of yours is ever deleted.  ``--out DIR`` chooses the
folder of the HTML (or, with ``--pdf``, of the PDF).

``--pdf`` builds the single-page HTML of the edition (``--builder singlehtml``), opens it in
headless Chromium with no network (MathJax is shipped with the build by sphinx-mathjax-offline),
waits until the maths is typeset and the figures are loaded, opens every collapsed block, and
prints it to an A4 PDF through the DevTools protocol (``coursetools/chromium.py``).  It needs Debian's
``chromium`` (or ``$CHROMIUM``).

``--strict`` builds with warnings as errors (``-W -n --keep-going``), as CI does.
``--set KEY=VALUE`` changes any setting of ``_config.yml`` for this build only, e.g.
``--set sphinx.config.bibtex_reference_style=label`` (VALUE is read as YAML).
Exit status: 0 on success, else the build's status (or 1).
"""
import argparse
import copy
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import yaml

from coursetools import chromium, student_version, translations

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
BUILD = BOOK / "_build"
MARKER = ".build_book"
LANGUAGES = ("en", "zh_CN")                   # en: the source; the others: book/locales/LANGUAGE
EDITIONS = {
    # edition: (default folder of the HTML, hide_solutions, built from the student notebooks)
    "student": (BUILD / "html", True, True),
    "instructors": (BUILD / "instructors" / "_build" / "html", False, False),
}
PDF_DIR = BUILD / "pdf"
# The public addresses of the launch services (used once repository.url is set).
BINDERHUB_URL = "https://mybinder.org"
COLAB_URL = "https://colab.research.google.com"
# https://github.com/OWNER/REPO: GitHub's rules for user and repository names.
REPOSITORY_URL = re.compile(r"https://github\.com/([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))/"
                            r"([A-Za-z0-9._-]{1,100})/?")
# Publishing extensions, loaded only when repository.url is set (they need the site's address).
PUBLISHING_EXTENSIONS = ["sphinx_sitemap", "sphinxext.opengraph", "notfound.extension"]
# What the copy of book/ leaves out: build outputs and editors' debris.
IGNORED = shutil.ignore_patterns("_build", ".ipynb_checkpoints", "__pycache__", ".jupyter_cache",
                                 "jupyter_execute", ".DS_Store")



class BuildError(ValueError):
    """Bad input to the build: reported as one line naming the file, folder or setting."""


def set_path(config, dotted, value):
    """``config["a"]["b"]["c"] = value`` for ``dotted == "a.b.c"``, creating dicts on the way."""
    *parents, last = dotted.split(".")
    node = config
    for key in parents:
        node = node.setdefault(key, {})
        if not isinstance(node, dict):
            raise BuildError(f"--set {dotted}: {key} is not a mapping in _config.yml")
    node[last] = value


def get_path(config, dotted, default=None):
    node = config
    for key in dotted.split("."):
        if not isinstance(node, dict) or key not in node:
            return default
        node = node[key]
    return node


def site_address(repository_url, baseurl=None):
    """``(owner, repo, baseurl)`` of ``repository_url``; ``BuildError`` if it is malformed.

    ``baseurl`` is the given one (a custom domain) or GitHub Pages' address of the repository.
    """
    match = REPOSITORY_URL.fullmatch(repository_url)
    if not match or match.group(2).endswith(".git") or match.group(2) in (".", ".."):
        raise BuildError(f"repository.url in book/_config.yml: {repository_url!r} is not a "
                         "GitHub repository address https://github.com/OWNER/REPO (or empty)")
    owner, repo = match.groups()
    if not baseurl:
        host = f"https://{owner.lower()}.github.io/"
        baseurl = host if repo.lower() == f"{owner.lower()}.github.io" else f"{host}{repo}/"
    elif not re.fullmatch(r"https?://[^/\s]+(/\S*)?", baseurl):
        raise BuildError(f"html.baseurl in book/_config.yml: {baseurl!r} is not an http(s) address")
    return owner, repo, baseurl if baseurl.endswith("/") else baseurl + "/"


def publishing_settings(config):
    """Turn on what follows from ``repository.url`` (in place): buttons, launch, sitemap, 404."""
    url = (get_path(config, "repository.url") or "").strip()
    if not url:
        return config
    _, _, baseurl = site_address(url, get_path(config, "html.baseurl"))
    set_path(config, "repository.url", url.rstrip("/"))
    for button in ("use_repository_button", "use_issues_button", "use_edit_page_button"):
        set_path(config, f"html.{button}", True)
    if not get_path(config, "launch_buttons.binderhub_url"):
        set_path(config, "launch_buttons.binderhub_url", BINDERHUB_URL)
    if not get_path(config, "launch_buttons.colab_url"):
        set_path(config, "launch_buttons.colab_url", COLAB_URL)
    set_path(config, "html.baseurl", baseurl)
    extensions = get_path(config, "sphinx.extra_extensions") or []
    set_path(config, "sphinx.extra_extensions",
             extensions + [e for e in PUBLISHING_EXTENSIONS if e not in extensions])
    path = re.sub(r"^https?://[^/]+", "", baseurl)          # "/REPO/" (or "/")
    set_path(config, "sphinx.config.ogp_site_url", baseurl)
    set_path(config, "sphinx.config.sitemap_url_scheme", "{link}")
    set_path(config, "sphinx.config.notfound_urls_prefix", path)
    return config


def read_settings(path):
    """The mapping of settings in the YAML file ``path``; ``BuildError`` (one line) if it is not."""
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise BuildError(f"{path}: not valid YAML ({str(e).splitlines()[0]})") from None
    if not isinstance(config, dict):
        raise BuildError(f"{path}: expected a mapping of settings")
    return config


def lay_over(config, changes, prefix=""):
    """Set every leaf of the mapping ``changes`` in ``config`` (in place)."""
    for key, value in changes.items():
        if isinstance(value, dict):
            lay_over(config, value, f"{prefix}{key}.")
        else:
            set_path(config, f"{prefix}{key}", value)


def language_settings(config, edition, language):
    """The language of the build and its switch to the other edition (in place)."""
    if language not in LANGUAGES:
        raise BuildError(f"unknown language {language!r}: expected one of {', '.join(LANGUAGES)}")
    if language != "en" and edition != "student":
        raise BuildError(f"--language {language}: only the student edition is translated")
    set_path(config, "sphinx.config.language", language)
    if language != "en":
        lay_over(config, read_settings(BOOK / "locales" / language / "_config.yml"))
    if edition == "student":
        # The English edition at the site's root, the Chinese one in zh_CN/ (book/_ext/languages.py).
        set_path(config, "sphinx.config.language_switch_root",
                 "zh_CN/" if language == "en" else "../")


def edition_config(edition, settings=(), repository_url=None, language="en"):
    """The configuration (a dict) of ``edition``: book/_config.yml plus the edition's changes."""
    config = copy.deepcopy(read_settings(BOOK / "_config.yml"))
    set_path(config, "sphinx.config.hide_solutions", EDITIONS[edition][1])
    language_settings(config, edition, language)
    if repository_url is not None:
        set_path(config, "repository.url", repository_url)
    for item in settings:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise BuildError(f"--set {item!r}: expected KEY=VALUE")
        set_path(config, key, yaml.safe_load(value))
    return publishing_settings(config)


def check_out(folder):
    """Raise ``BuildError`` unless ``folder`` may be (re)placed by this script."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise BuildError(f"{folder}: exists and is not a folder")
    if folder.is_dir() and any(folder.iterdir()) and not (folder / MARKER).is_file():
        raise BuildError(f"{folder}: the folder exists, is not empty and was not written by "
                         f"coursetools/build_book.py (no {MARKER} in it); remove it yourself or "
                         f"choose another --out")
    resolved = folder.resolve()
    inside_book = resolved == BOOK or BOOK in resolved.parents
    if resolved in (ROOT, *ROOT.parents) or (inside_book and BUILD not in resolved.parents):
        raise BuildError(f"{folder}: a folder of the repository itself, not an output folder")


def put_in_place(built, folder, what):
    """Move the folder ``built`` to ``folder`` (checked by :func:`check_out`), with the marker.

    An earlier output's translated editions (``folder/LANGUAGE/`` with the marker) are kept.
    """
    folder = Path(folder)
    check_out(folder)                              # again: it may have changed during the build
    for language in LANGUAGES[1:]:
        inner = folder / language
        if (inner / MARKER).is_file() and not (Path(built) / language).exists():
            shutil.move(str(inner), str(Path(built) / language))
    if folder.exists():
        shutil.rmtree(folder)                      # empty, or an earlier output (the marker)
    folder.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(built), str(folder))
    (folder / MARKER).write_text(f"written by coursetools/build_book.py: {what}\n", encoding="utf-8")
    return folder


def stage(edition, dest, config):
    """Copy book/ to ``dest`` with the edition's ``_config.yml`` (and student notebooks)."""
    shutil.copytree(BOOK, dest, ignore=IGNORED)
    if EDITIONS[edition][2]:
        for notebook in sorted(dest.glob("**/*.ipynb")):
            try:
                nb = nbformat.read(notebook, as_version=4)
            except Exception as e:                   # not JSON, not a notebook
                raise BuildError(f"book/{notebook.relative_to(dest)}: not a Jupyter notebook "
                                 f"({str(e).strip().splitlines()[0] if str(e).strip() else e})") \
                    from None
            try:
                student, _ = student_version.strip_solutions(nb)
            except student_version.UntaggedSolutionError as e:
                raise BuildError(f"book/{notebook.relative_to(dest)}: {e}") from None
            nbformat.write(student, notebook)
    (dest / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True),
                                      encoding="utf-8")
    return dest


def jupyter_book():
    exe = Path(sys.executable).with_name("jupyter-book")
    return str(exe) if exe.exists() else "jupyter-book"


def run_quietly_after_success(cmd):
    """Run jupyter-book, echoing its output except the closing box, which names the temporary
    folder (gone by then); raise ``CalledProcessError`` if it fails."""
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, errors="replace")
    succeeded = False
    for line in proc.stdout:
        if not succeeded:
            sys.stdout.write(line)
            sys.stdout.flush()
        succeeded = succeeded or "build succeeded" in line
    if proc.wait() != 0:
        raise subprocess.CalledProcessError(proc.returncode, cmd)


def build(edition, builder="html", strict=False, settings=(), repository_url=None, out=None,
          language="en"):
    """Build ``edition`` (in ``language``) with ``builder`` into ``out``; return ``out``.

    ``out`` defaults to the edition's folder (``html``; a translation in its ``LANGUAGE/``) or a
    folder beside it (other builders); it must be new, empty or an earlier output
    (:func:`check_out`).  Raises ``BuildError`` on bad input and
    ``subprocess.CalledProcessError`` if the build fails.
    """
    if edition not in EDITIONS:
        raise BuildError(f"unknown edition {edition!r}: expected one of {', '.join(EDITIONS)}")
    default = EDITIONS[edition][0]
    if language != "en":
        default = default / language
    out = Path(out) if out else default.with_name(builder) if builder != "html" else default
    check_out(out)
    config = edition_config(edition, settings, repository_url, language)
    if language != "en":
        try:
            broken = translations.broken_placeholders(language)
        except translations.CatalogueError as e:
            raise BuildError(str(e)) from None
        if broken:
            raise BuildError(f"{broken[0]} ({len(broken)} such messages; "
                             f"python -m coursetools.translations check lists them)")
    with tempfile.TemporaryDirectory(prefix=f"nnlib-{edition}-edition-") as tmp:
        source = stage(edition, Path(tmp) / "book", config)
        cmd = [jupyter_book(), "build", str(source), "--builder", builder]
        if builder == "gettext":                   # the messages to translate (translations.py)
            cmd[-1:] = ["custom", "--custom-builder", "gettext"]
        if strict:
            cmd += ["-W", "-n", "--keep-going"]
        print("$ " + " ".join(cmd), flush=True)
        run_quietly_after_success(cmd)
        return put_in_place(source / "_build" / builder, out, f"the {edition} edition ({builder})")


def single_page(html_dir):
    """The page of a single-page build: the root document (index.html only redirects to it)."""
    html_dir = Path(html_dir)
    pages = [p for p in html_dir.glob("*.html") if p.name not in ("index.html", "genindex.html",
                                                                  "search.html", "404.html")]
    if len(pages) != 1:
        raise RuntimeError(f"expected one page in the single-page build {html_dir}, "
                           f"found {[p.name for p in pages]}")
    return pages[0]


# The printable width of the PDF (A4, 0.5 in margins left and right: chromium.Browser.print_pdf) in
# CSS pixels (96 per inch).
PAPER_WIDTH_PX = round((8.27 - 0.5 - 0.5) * 96)
FIT_MATHS = r"""
(async () => {
  await new Promise(r => setTimeout(r, 300));          // the print layout settles
  if (!window.nnlibFitMaths) return null;
  const shrunk = window.nnlibFitMaths();
  return {shrunk: shrunk, tooWide: window.nnlibMathsTooWide || []};
})()
"""


def fit_maths_to_paper(browser, page):
    """Lay the page out as on paper and shrink each display equation wider than the column
    (book/_static/maths.js); ``RuntimeError`` if one still does not fit.  Returns the number
    shrunk."""
    browser.evaluate(chromium.EXPAND_ALL)      # what the paper shows: every block open
    browser.send("Emulation.setDeviceMetricsOverride", session=True, width=PAPER_WIDTH_PX,
                 height=1100, deviceScaleFactor=1, mobile=False)
    browser.send("Emulation.setEmulatedMedia", session=True, media="print")
    report = browser.evaluate(FIT_MATHS)
    if report is None:
        raise RuntimeError(f"{page.name}: book/_static/maths.js is not loaded, so wide equations "
                           "cannot be fitted to the paper")
    if report["tooWide"]:
        raise RuntimeError(f"{len(report['tooWide'])} equations do not fit the paper even at "
                           f"half size, e.g. {report['tooWide'][0]!r}: split them in the source")
    print(f"{report['shrunk']} wide equations shrunk to fit the paper", flush=True)
    return report["shrunk"]


def print_pdf(html_dir, pdf_path):
    """Print the single-page build in ``html_dir`` to ``pdf_path`` with headless Chromium."""
    exe = chromium.find_chromium()
    if exe is None:
        raise RuntimeError("--pdf needs headless Chromium: install it (Debian: apt-get install -y "
                           "chromium) or set $CHROMIUM to its path")
    pdf_path = Path(pdf_path)
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        browser = chromium.Browser(exe, profile)
        try:
            page = single_page(html_dir)
            error = browser.open_page(page.resolve().as_uri(), timeout=300)
            if error:
                raise RuntimeError(f"Chromium could not open {page}: {error}")
            fit_maths_to_paper(browser, page)
            browser.print_pdf(pdf_path)
        finally:
            browser.close()
    return pdf_path


def build_pdf(edition, strict=False, settings=(), repository_url=None, out=None):
    """The edition as an A4 PDF: ``out/EDITION.pdf`` (default ``book/_build/pdf/``)."""
    out = Path(out) if out else PDF_DIR
    check_out(out)
    with tempfile.TemporaryDirectory(prefix=f"nnlib-{edition}-pdf-") as tmp:
        html = build(edition, builder="singlehtml", strict=strict, settings=settings,
                     repository_url=repository_url, out=Path(tmp) / "singlehtml")
        pdf = print_pdf(html, Path(tmp) / "pdf" / f"{edition}.pdf")
        check_out(out)
        out.mkdir(parents=True, exist_ok=True)
        (out / MARKER).write_text("written by coursetools/build_book.py: PDF editions\n",
                                  encoding="utf-8")
        return Path(shutil.move(str(pdf), str(out / pdf.name)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("edition", choices=sorted(EDITIONS),
                        help="student: built from the student notebooks (the public book); "
                             "instructors: with the solutions")
    parser.add_argument("--pdf", action="store_true",
                        help="build the single-page HTML and print it to book/_build/pdf/EDITION.pdf")
    parser.add_argument("--language", default="en", choices=LANGUAGES,
                        help="the student edition in this language (zh_CN: Chinese, into "
                             "book/_build/html/zh_CN/, from book/locales/zh_CN)")
    parser.add_argument("--strict", action="store_true",
                        help="warnings are errors (-W -n --keep-going), as in CI")
    parser.add_argument("--repository-url", metavar="URL",
                        help="set repository.url for this build (buttons, launch, sitemap)")
    parser.add_argument("--set", dest="settings", action="append", default=[],
                        metavar="KEY=VALUE", help="change a _config.yml setting for this build")
    parser.add_argument("--out", type=Path,
                        help="the folder of the HTML (default: book/_build/html for the student "
                             "edition, book/_build/instructors/_build/html for the other), or of "
                             "the PDF with --pdf (default: book/_build/pdf)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    options = dict(strict=args.strict, settings=args.settings,
                   repository_url=args.repository_url, out=args.out)
    if args.language != "en":
        if args.pdf:
            print("error: --pdf is made of the English editions only", file=sys.stderr)
            return 1
        options["language"] = args.language
    try:
        if args.pdf:
            pdf = build_pdf(args.edition, **options)
            print(f"{args.edition} edition: {pdf} ({pdf.stat().st_size // 1024} KiB, "
                  f"{time.perf_counter() - start:.0f} s)")
        else:
            built = build(args.edition, **options)
            print(f"{args.edition} edition: {built / 'index.html'} "
                  f"({time.perf_counter() - start:.0f} s)")
    except subprocess.CalledProcessError as e:
        print(f"error: the build failed (exit status {e.returncode})", file=sys.stderr)
        return e.returncode or 1
    except (BuildError, RuntimeError, OSError) as e:
        print(f"error: {str(e).strip().splitlines()[0]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
