"""Build the book's editions from one source: the student edition, the instructors' edition, a PDF.

    python scripts/build_book.py student            # -> book/_build/html/  (= jupyter-book build book)
    python scripts/build_book.py instructors        # -> book/_build/instructors/_build/html/
    python scripts/build_book.py student --pdf      # -> book/_build/pdf/student.pdf
    python scripts/build_book.py instructors --pdf  # -> book/_build/pdf/instructors.pdf
    python scripts/build_book.py student --repository-url https://github.com/you/repo
                                                    # with Binder and Colab launch buttons

The student (public) edition is what ``book/_config.yml`` builds: sphinx-exercise's
``hide_solutions: true`` leaves every solution out of the HTML, exercises stay.  The instructors'
edition is the same book with ``hide_solutions: false``: the script writes a copy of
``book/_config.yml`` with that one setting changed (and any ``--set`` you add) into the output
folder and passes it to ``jupyter-book build --config``; ``book/_config.yml`` itself is never
modified.

``--pdf`` builds the single-page HTML of the edition (``--builder singlehtml``), opens it in
headless Chromium with no network (MathJax is shipped with the build by sphinx-mathjax-offline),
waits until the maths is typeset and the figures are loaded, opens every collapsed block, and
prints it to an A4 PDF through the DevTools protocol (``scripts/cdp.py``).  It needs Debian's
``chromium`` (or ``$CHROMIUM``).

``--strict`` builds with warnings as errors (``-W -n --keep-going``), as CI does.
``--set KEY=VALUE`` changes any setting of ``_config.yml`` for this build only, e.g.
``--set sphinx.config.hide_solutions=false`` (VALUE is read as YAML).
Exit status: 0 on success, else the build's status (or 1).
"""
import argparse
import copy
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
BUILD = BOOK / "_build"
EDITIONS = {
    # edition: (output folder for jupyter-book's --path-output, hide_solutions)
    "student": (BOOK, True),
    "instructors": (BUILD / "instructors", False),
}
# The public addresses of the launch services (only used with --repository-url).
BINDERHUB_URL = "https://mybinder.org"
COLAB_URL = "https://colab.research.google.com"


def set_path(config, dotted, value):
    """``config["a"]["b"]["c"] = value`` for ``dotted == "a.b.c"``, creating dicts on the way."""
    *parents, last = dotted.split(".")
    node = config
    for key in parents:
        node = node.setdefault(key, {})
        if not isinstance(node, dict):
            raise ValueError(f"{dotted}: {key} is not a mapping in _config.yml")
    node[last] = value


def edition_config(edition, settings=(), repository_url=None):
    """The configuration (a dict) of ``edition``: book/_config.yml plus the edition's changes."""
    config = yaml.safe_load((BOOK / "_config.yml").read_text(encoding="utf-8"))
    config = copy.deepcopy(config)
    # The copy is read from another folder: make local extensions' paths absolute.
    local = config.get("sphinx", {}).get("local_extensions") or {}
    for name, path in local.items():
        local[name] = str((BOOK / path).resolve())
    set_path(config, "sphinx.config.hide_solutions", EDITIONS[edition][1])
    if repository_url:
        set_path(config, "repository.url", repository_url)
        set_path(config, "launch_buttons.binderhub_url", BINDERHUB_URL)
        set_path(config, "launch_buttons.colab_url", COLAB_URL)
    for item in settings:
        key, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"--set {item!r}: expected KEY=VALUE")
        set_path(config, key, yaml.safe_load(value))
    return config


def jupyter_book():
    exe = Path(sys.executable).with_name("jupyter-book")
    return str(exe) if exe.exists() else "jupyter-book"


def build(edition, builder="html", strict=False, settings=(), repository_url=None, out=None):
    """Build ``edition`` with ``builder``; return the folder of the output (…/html, …/singlehtml).

    ``out`` is jupyter-book's ``--path-output`` (default: the edition's folder); the output lands
    in ``out/_build/<builder>``.  Raises ``subprocess.CalledProcessError`` if the build fails.
    """
    out = Path(out) if out else EDITIONS[edition][0]
    cmd = [jupyter_book(), "build", str(BOOK), "--path-output", str(out), "--builder", builder]
    if strict:
        cmd += ["-W", "-n", "--keep-going"]
    default = edition == "student" and not settings and not repository_url
    with tempfile.TemporaryDirectory(prefix="book-config-") as tmp:
        if not default:
            # jupyter-book reads one config file: write the edition's into a temporary folder.
            path = Path(tmp) / "_config.yml"
            config = edition_config(edition, settings, repository_url)
            path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True),
                            encoding="utf-8")
            cmd += ["--config", str(path)]
        print("$ " + " ".join(cmd), flush=True)
        subprocess.run(cmd, cwd=ROOT, check=True)
    return out / "_build" / builder


def single_page(html_dir):
    """The page of a single-page build: the root document (index.html only redirects to it)."""
    html_dir = Path(html_dir)
    pages = [p for p in html_dir.glob("*.html") if p.name not in ("index.html", "genindex.html",
                                                                  "search.html")]
    if len(pages) != 1:
        raise RuntimeError(f"expected one page in the single-page build {html_dir}, "
                           f"found {[p.name for p in pages]}")
    return pages[0]


def print_pdf(html_dir, pdf_path):
    """Print the single-page build in ``html_dir`` to ``pdf_path`` with headless Chromium."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import cdp

    exe = cdp.find_chromium()
    if exe is None:
        raise RuntimeError("--pdf needs headless Chromium: install it (Debian: apt-get install -y "
                           "chromium) or set $CHROMIUM to its path")
    pdf_path = Path(pdf_path)
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        browser = cdp.Browser(exe, profile)
        try:
            page = single_page(html_dir)
            error = browser.open_page(page.resolve().as_uri(), timeout=300)
            if error:
                raise RuntimeError(f"Chromium could not open {page}: {error}")
            browser.print_pdf(pdf_path)
        finally:
            browser.close()
    return pdf_path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("edition", choices=sorted(EDITIONS),
                        help="student: solutions hidden (the public book); instructors: shown")
    parser.add_argument("--pdf", action="store_true",
                        help="build the single-page HTML and print it to book/_build/pdf/EDITION.pdf")
    parser.add_argument("--strict", action="store_true",
                        help="warnings are errors (-W -n --keep-going), as in CI")
    parser.add_argument("--repository-url", metavar="URL",
                        help="set repository.url and turn on the Binder and Colab launch buttons")
    parser.add_argument("--set", dest="settings", action="append", default=[],
                        metavar="KEY=VALUE", help="change a _config.yml setting for this build")
    parser.add_argument("--out", type=Path,
                        help="jupyter-book's --path-output (default: book/ for the student "
                             "edition, book/_build/instructors/ for the other)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        built = build(args.edition, builder="singlehtml" if args.pdf else "html",
                      strict=args.strict, settings=args.settings,
                      repository_url=args.repository_url, out=args.out)
        if args.pdf:
            pdf = print_pdf(built, BUILD / "pdf" / f"{args.edition}.pdf")
            print(f"{args.edition} edition: {pdf} ({pdf.stat().st_size // 1024} KiB, "
                  f"{time.perf_counter() - start:.0f} s)")
        else:
            print(f"{args.edition} edition: {built / 'index.html'} "
                  f"({time.perf_counter() - start:.0f} s)")
    except subprocess.CalledProcessError as e:
        print(f"error: the build failed (exit status {e.returncode})", file=sys.stderr)
        return e.returncode or 1
    except (RuntimeError, ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
