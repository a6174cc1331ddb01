"""Open every page of the built book in headless Chromium, offline, from file://, as a reader does.

The README tells a reader to open ``book/_build/html/index.html`` (the student edition) from disk.
This test does the
same: every page listed in book/_toc.yml is opened from a ``file://`` URL in headless Chromium with
networking disabled (no host name resolves, and the DevTools network emulation is offline), and
for each page it checks that
* the page loads (no failed request for any of its resources, no request to the network at all,
  no JavaScript exception),
* every <img> has loaded (``naturalWidth > 0``),
* every internal link points to a file of the build, and its ``#fragment``, if any, to an id on
  that page,
* the maths is rendered: MathJax (shipped with the build in ``_static/mathjax/`` by
  sphinx-mathjax-offline, never a CDN) has run and every ``.math`` element holds an
  ``mjx-container`` and no MathJax error,
* no maths element is wider than its column, at 1280 px and at a phone's 420 px: a wide equation
  scrolls sideways (book/_static/maths.css), never cut off,
* no MyST is left raw in the prose (a role, ``**``, a backtick or a ``$`` outside code and maths:
  a translation that broke its markup shows here),
* the language switch links to the same page of the other edition,
and saves a screenshot of the page under ``<build>/screenshots/``.  All of it for both editions,
the English one and the Chinese one (``zh_CN/``), whose CJK text must render with real glyphs
(Debian's ``fonts-noto-cjk``), not the empty boxes of a missing font.

The built HTML is taken from ``$NNLIB_BOOK_HTML`` (``book/_build/html`` after
``.venv/bin/python -m coursetools.build_book student`` and ``… student --language zh_CN``); without it
the test builds both into a temporary folder with ``--strict``.  Chromium is ``$CHROMIUM`` or the first of chromium / chromium-browser /
google-chrome on PATH; where it is missing the test is skipped with the command that installs it
(``.ci/run`` installs it).  The browser is driven over the DevTools protocol by
``coursetools/chromium.py`` (no Python dependency).
"""
import base64
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
from coursetools import toc
from coursetools.chromium import Browser, find_chromium

MATHJAX_LOCAL = "_static/mathjax/tex-chtml.js"   # where sphinx-mathjax-offline puts it
# sphinx-thebe 0.3 adds its `const THEBE_JS_URL = ...` script twice to every page of a
# jupyter-book 1.0 build; the second copy throws and is ignored (thebe is off in this book).
KNOWN_UPSTREAM_EXCEPTION = "Identifier 'THEBE_JS_URL' has already been declared"


# ----------------------------------------------------------------------------- prerequisites
def skip_or_fail(message):
    """Skip, or fail where $NNLIB_REQUIRE_BROWSER is set (CI must not pass by skipping)."""
    if os.environ.get("NNLIB_REQUIRE_BROWSER"):
        pytest.fail(message + " ($NNLIB_REQUIRE_BROWSER is set)", pytrace=False)
    pytest.skip(message)


def toc_pages():
    """The book's pages in the order of book/_toc.yml (root first), as html file names."""
    return [f"{name}.html" for name in toc.pages(BOOK)]


@pytest.fixture(scope="module")
def chromium():
    exe = find_chromium()
    if exe is None:
        skip_or_fail("headless Chromium not found: install it (Debian: apt-get install -y chromium) "
                    "or set $CHROMIUM to its path")
    return exe


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The built site: $NNLIB_BOOK_HTML, or a fresh strict build of both editions."""
    given = os.environ.get("NNLIB_BOOK_HTML")
    if given:
        html = Path(given).resolve()
        for edition in ("", "zh_CN"):
            assert (html / edition / "index.html").is_file(), \
                f"$NNLIB_BOOK_HTML={given} holds no {edition or '.'}/index.html"
        return html
    out = tmp_path_factory.mktemp("book-build") / "html"
    for language in ("en", "zh_CN"):
        cmd = [sys.executable, "-m", "coursetools.build_book", "student", "--strict",
               "--language", language, "--out", str(out if language == "en" else out / language)]
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
        assert proc.returncode == 0, "the book build failed:\n" + (proc.stdout + proc.stderr)[-6000:]
    return out


@pytest.fixture(scope="module")
def book_html(site):
    """The English edition."""
    return site


@pytest.fixture(scope="module")
def browser(chromium, tmp_path_factory):
    b = Browser(chromium, tmp_path_factory.mktemp("chromium-profile"))
    # networking disabled, on top of the host-resolver rule that makes every host unknown
    b.send("Network.emulateNetworkConditions", session=True, offline=True, latency=0,
           downloadThroughput=-1, uploadThroughput=-1)
    yield b
    b.close()


# Maths wider than its column: every maths element in the page's article (mjx-container, display
# or inline) must lie within the column, and if its content is wider than its box, the box must
# scroll (overflow-x auto or scroll) and the content must start inside it (content that spills
# out on the left cannot be scrolled to: it is cut off).
WIDE_MATHS = r"""
function WIDE_MATHS() {
  const wide = [];
  for (const m of document.querySelectorAll('article mjx-container')) {
    const r = m.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;             // hidden (a closed drop-down)
    const article = m.closest('article') || document.body;
    const col = article.getBoundingClientRect();
    const inner = m.querySelector('mjx-math') || m;
    const c = inner.getBoundingClientRect();
    const scrolls = el => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
    const what = (m.parentElement.textContent || '').trim().slice(0, 60);
    // inside something that scrolls sideways (a wide table's container): reachable by scrolling
    let scroller = m.parentElement;
    while (scroller && scroller !== article && !(scrolls(scroller)
           && scroller.scrollWidth > scroller.clientWidth + 1))
      scroller = scroller.parentElement;
    if (scroller && scroller !== article) {
      const s = scroller.getBoundingClientRect();
      if (s.left < col.left - 1 || s.right > col.right + 1)
        wide.push(`${what} (in a ${Math.round(s.width)} px scrolling box, column ${Math.round(col.width)} px)`);
      else if (r.left < s.left - 1)
        wide.push(`${what} (cut off on the left of its scrolling box)`);
      continue;
    }
    if (r.left < col.left - 1 || r.right > col.right + 1)
      wide.push(`${what} (${Math.round(r.width)} px box, column ${Math.round(col.width)} px)`);
    else if (c.left < r.left - 1)
      wide.push(`${what} (cut off on the left by ${Math.round(r.left - c.left)} px)`);
    else if (m.scrollWidth > m.clientWidth + 1 && !scrolls(m) && m.getAttribute('display') === 'true')
      wide.push(`${what} (${m.scrollWidth} px wide in a ${m.clientWidth} px box that cannot scroll)`);
  }
  return wide;
}
"""
NARROW = 420     # a phone's width, in CSS pixels

# MyST left raw in the prose: the article's text outside code, maths and output, with a role,
# bold markers, a backtick or a dollar sign in it.
RAW_MYST = r"""
function RAW_MYST() {
  const article = document.querySelector('article');
  if (!article) return [];
  const copy = article.cloneNode(true);
  copy.querySelectorAll('pre, code, .math, mjx-container, script, style, .cell_output, '
                        + '.output, .highlight, .MathJax').forEach(e => e.remove());
  const text = copy.textContent;
  const found = [];
  for (const re of [/\{[a-z][\w:-]*\}`/g, /\*\*/g, /`/g, /\$/g]) {
    for (const m of text.matchAll(re))
      found.push(text.slice(Math.max(0, m.index - 30), m.index + 30).replace(/\s+/g, ' '));
  }
  return found.slice(0, 5);
}
"""

# Does CJK text render with real glyphs?  Two different characters drawn in the page's font are
# two different pictures; with no CJK font both are the same empty box (or nothing).
CJK_GLYPHS = r"""
function CJK_GLYPHS() {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 48;
  const g = canvas.getContext('2d');
  g.font = '40px ' + getComputedStyle(document.body).fontFamily;
  const draw = ch => { g.clearRect(0, 0, 48, 48); g.fillText(ch, 2, 40);
                       return Array.from(g.getImageData(0, 0, 48, 48).data).join(','); };
  const blank = draw(' '), a = draw('反'), b = draw('向');
  return a !== b && a !== blank && b !== blank;
}
"""

# What the page looks like once it has loaded and MathJax has typeset it.
INSPECT = WIDE_MATHS + RAW_MYST + CJK_GLYPHS + r"""
(async () => {
  if (document.readyState !== 'complete')
    await new Promise(r => window.addEventListener('load', r, {once: true}));
  const images = Array.from(document.images);
  await Promise.all(images.map(img => {
    img.loading = 'eager';
    return img.complete ? null : new Promise(r => {
      img.addEventListener('load', r, {once: true});
      img.addEventListener('error', r, {once: true});
      setTimeout(r, 20000);
    });
  }));
  let mathjax = null;
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
    mathjax = MathJax.version || 'unknown';
  }
  const math = Array.from(document.querySelectorAll('.math'));
  return {
    title: document.title,
    mathjax: mathjax,
    math: math.length,
    untypeset: math.filter(m => !m.querySelector('mjx-container')).map(m => m.textContent.slice(0, 80)),
    mjx: document.querySelectorAll('mjx-container').length,
    mathErrors: Array.from(document.querySelectorAll('mjx-merror')).map(e =>
        e.getAttribute('data-mjx-error') || e.textContent.slice(0, 80)),
    wideMaths: WIDE_MATHS(),
    images: images.map(img => ({src: img.currentSrc || img.src, width: img.naturalWidth})),
    links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
    bodyText: document.body ? document.body.innerText.length : 0,
    lang: document.documentElement.lang,
    switch: Array.from(document.querySelectorAll('a.nnlib-language-switch')).map(a => a.href),
    rawMyst: RAW_MYST(),
    cjkGlyphs: CJK_GLYPHS(),
  };
})()
"""


def ids_of(html_file, _cache={}):
    if html_file not in _cache:
        text = html_file.read_text(errors="replace")
        _cache[html_file] = set(re.findall(r'\bid="([^"]+)"', text))
    return _cache[html_file]


def check_link(href, html_dir):
    """None if ``href`` is fine (or external), else what is wrong with it."""
    parts = urlsplit(href)
    if parts.scheme != "file":
        return None
    target = Path(unquote(parts.path))
    if html_dir not in target.parents and target != html_dir:
        return f"{href}: points outside the build"
    if target.is_dir():
        target = target / "index.html"
    if not target.is_file():
        return f"{href}: no such file {target.relative_to(html_dir)}"
    fragment = unquote(parts.fragment)
    if fragment and target.suffix == ".html" and fragment not in ids_of(target):
        return f"{href}: no element with id {fragment!r} on {target.name}"
    return None


EDITIONS = {"en": ("", "zh_CN"), "zh_CN": ("zh_CN", "")}   # language: (folder, the other's folder)


@pytest.mark.slow
@pytest.mark.parametrize("language", EDITIONS)
def test_every_page_in_chromium(chromium, site, browser, language):
    folder, other = EDITIONS[language]
    book_html = site / folder
    shots = site.parent / "screenshots" / language
    shots.mkdir(parents=True, exist_ok=True)
    pages = toc_pages()
    problems, summary = [], []
    start = time.perf_counter()
    for page in pages:
        assert (book_html / page).is_file(), f"{page} (listed in _toc.yml) was not built"
        for src in re.findall(r'src="([^"]*mathjax[^"]*)"', (book_html / page).read_text(), re.I):
            if src != MATHJAX_LOCAL:
                problems.append(f"{page}: loads MathJax from {src}, not the copy shipped with the "
                                f"build ({MATHJAX_LOCAL})")
        browser.events.clear()
        url = (book_html / page).as_uri()
        nav = browser.send("Page.navigate", session=True, url=url)
        if nav.get("errorText"):
            problems.append(f"{page}: navigation failed: {nav['errorText']}")
            continue
        info = browser.evaluate(INSPECT)
        shot = browser.send("Page.captureScreenshot", session=True, format="png")
        (shots / page.replace(".html", ".png")).write_bytes(base64.b64decode(shot["data"]))

        # the page and its resources loaded
        for event in list(browser.events):
            method, params = event.get("method"), event.get("params", {})
            if method == "Network.requestWillBeSent":
                requested = params["request"]["url"]
                if urlsplit(requested).scheme not in ("file", "data", "blob", "about"):
                    problems.append(f"{page}: asks the network for {requested}")
            elif method == "Network.loadingFailed" and not params.get("canceled"):
                problems.append(f"{page}: a request failed ({params.get('errorText')}, "
                                f"type {params.get('type')})")
            elif method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                text = details.get("exception", {}).get("description") or details.get("text")
                if KNOWN_UPSTREAM_EXCEPTION in str(text):
                    continue
                problems.append(f"{page}: JavaScript exception: {str(text)[:300]}")
        if info["bodyText"] < 100:
            problems.append(f"{page}: the page is (almost) empty")
        # images
        for img in info["images"]:
            if img["width"] <= 0:
                problems.append(f"{page}: image did not load: {img['src']}")
        # internal links
        for href in sorted(set(info["links"])):
            error = check_link(href, site)
            if error:
                problems.append(f"{page}: broken link {error}")
        # the language switch: the same page of the other edition
        expected = (site / other / page).as_uri()
        if info["switch"] != [expected]:
            problems.append(f"{page}: language switch {info['switch']}, expected [{expected}]")
        for raw in info["rawMyst"]:
            problems.append(f"{page}: raw MyST in the text: {raw!r}")
        if language == "zh_CN":
            if info["lang"] != "zh-CN":
                problems.append(f"{page}: <html lang={info['lang']!r}>, expected 'zh-CN'")
            if not info["cjkGlyphs"]:
                problems.append(f"{page}: Chinese characters do not render (no CJK font: "
                                "apt-get install -y fonts-noto-cjk)")
        # maths
        if info["math"]:
            if info["mathjax"] is None:
                problems.append(f"{page}: has {info['math']} maths elements but MathJax did not start")
            for source in info["untypeset"]:
                problems.append(f"{page}: maths not rendered by MathJax: {source!r}")
            for error in info["mathErrors"]:
                problems.append(f"{page}: MathJax error: {error}")
        for what in info["wideMaths"]:
            problems.append(f"{page}: maths wider than its column: {what}")
        summary.append(f"{page}: {len(info['images'])} images, {len(set(info['links']))} links, "
                       f"{info['math']} maths elements, {info['mjx']} rendered")
    # the same pages on a phone's width: wide equations scroll, never cut off
    browser.send("Emulation.setDeviceMetricsOverride", session=True, width=NARROW, height=900,
                 deviceScaleFactor=1, mobile=True)
    try:
        for page in pages:
            browser.open_page((book_html / page).as_uri())
            for what in browser.evaluate(WIDE_MATHS + "\nWIDE_MATHS()"):
                problems.append(f"{page} at {NARROW} px: maths wider than its column: {what}")
    finally:
        browser.send("Emulation.clearDeviceMetricsOverride", session=True)
    elapsed = time.perf_counter() - start
    print(f"\nchecked {len(pages)} pages in {elapsed:.1f} s; screenshots in {shots}")
    print("\n".join(summary))
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_api_page_documents_every_public_function(book_html):
    """Every public function and class of every nnlib module is in the built API reference."""
    import importlib
    import inspect
    import pkgutil

    import nnlib
    from sphinx.util.inventory import InventoryFile

    with open(book_html / "objects.inv", "rb") as f:
        inventory = InventoryFile.load(f, "", lambda base, uri: uri)
    documented = {name: uri for kind in ("py:function", "py:class", "py:exception", "py:method")
                  for name, (_, _, uri, _) in inventory.get(kind, {}).items()}
    missing = []
    for module_info in pkgutil.iter_modules(nnlib.__path__):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"nnlib.{module_info.name}")
        for name, obj in vars(module).items():
            if name.startswith("_") or not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            if getattr(obj, "__module__", None) != module.__name__:
                continue
            full = f"{module.__name__}.{name}"
            if full not in documented:
                missing.append(full)
            elif not documented[full].startswith("api.html"):
                missing.append(f"{full} (documented on {documented[full]}, not api.html)")
    assert not missing, "not in the API reference (book/api.md): " + ", ".join(missing)


def test_api_page_has_a_section_for_every_module():
    """Fast check without a build: book/api.md runs automodule on every module of nnlib."""
    import pkgutil

    import nnlib

    api = (BOOK / "api.md").read_text()
    documented = set(re.findall(r"^\.\. automodule:: (\S+)", api, re.M))
    modules = {f"nnlib.{m.name}" for m in pkgutil.iter_modules(nnlib.__path__)
               if not m.name.startswith("_")}
    assert not modules - documented, f"add to book/api.md: {sorted(modules - documented)}"


def test_api_page_lists_every_top_level_name():
    """Every public name of ``import nnlib`` appears in the table at the end of book/api.md."""
    import inspect

    import nnlib

    api = (BOOK / "api.md").read_text()
    names = [n for n in dir(nnlib) if not n.startswith("_") and not inspect.ismodule(getattr(nnlib, n))]
    missing = [n for n in names
               if not re.search(rf"^\.\. py:(function|class|exception):: nnlib\.{n}$", api, re.M)]
    assert not missing, f"add to 'Names available as nnlib.<name>' in book/api.md: {missing}"
