"""Open every page of the built book in headless Chromium and check what a reader would see.

For each page listed in book/_toc.yml the test checks that
* the page loads (HTTP 200, no failed request for any of its resources, no JavaScript exception),
* every <img> has loaded (``naturalWidth > 0``),
* every internal link (``<a href>`` to this site) points to a file of the build, and its
  ``#fragment``, if any, to an id on that page,
* the maths is rendered: MathJax has run and every ``.math`` element holds an ``mjx-container``
  and no MathJax error,
and saves a screenshot of the page under ``<build>/screenshots/``.

Nothing needs the network: the HTML is served from 127.0.0.1, every other host is unreachable
for the browser, and MathJax comes from a local copy of the ``mathjax`` npm package, which the
server substitutes for the CDN address that the pages name.

The built HTML is taken from ``$NNLIB_BOOK_HTML`` (e.g. ``book/_build/html`` after
``jupyter-book build book``); without it the test builds the book into a temporary folder with
``-W -n --keep-going``.  Chromium is ``$CHROMIUM`` or the first of chromium / chromium-browser /
google-chrome on PATH; MathJax is ``$NNLIB_MATHJAX_DIR`` or ``.ci/node_modules/mathjax``
(``npm install --prefix .ci --no-save mathjax@3``).  Where either is missing the test is skipped
with the command that installs it.  ``.ci/run`` installs both.

The browser is driven through the Chrome DevTools Protocol over a pipe
(``--remote-debugging-pipe``): no Python dependency (no selenium, no chromedriver whose version
must match the browser, no websocket library), one browser process for all pages, and direct
access to what we check (the DOM after MathJax has finished, image sizes, failed requests,
screenshots).
"""
import base64
import fcntl
import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
MATHJAX_CDN = "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"
MATHJAX_LOCAL = "/_mathjax/es5/tex-mml-chtml.js"
PAGE_TIMEOUT = 60  # seconds for one page to load and typeset
# sphinx-thebe 0.3 adds its `const THEBE_JS_URL = ...` script twice to every page of a
# jupyter-book 1.0 build; the second copy throws and is ignored (thebe is off in this book).
KNOWN_UPSTREAM_EXCEPTION = "Identifier 'THEBE_JS_URL' has already been declared"


# ----------------------------------------------------------------------------- prerequisites
def skip_or_fail(message):
    """Skip, or fail where $NNLIB_REQUIRE_BROWSER is set (CI must not pass by skipping)."""
    if os.environ.get("NNLIB_REQUIRE_BROWSER"):
        pytest.fail(message + " ($NNLIB_REQUIRE_BROWSER is set)", pytrace=False)
    pytest.skip(message)


def find_chromium():
    exe = os.environ.get("CHROMIUM")
    if exe:
        return shutil.which(exe) or (exe if os.access(exe, os.X_OK) else None)
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def find_mathjax():
    folder = Path(os.environ.get("NNLIB_MATHJAX_DIR", ROOT / ".ci" / "node_modules" / "mathjax"))
    return folder if (folder / "es5" / "tex-mml-chtml.js").is_file() else None


def toc_pages():
    """The book's pages in the order of book/_toc.yml (root first), as html file names."""
    toc = (BOOK / "_toc.yml").read_text()
    root = re.search(r"^root:\s*(\S+)", toc, re.M).group(1)
    files = re.findall(r"^\s*-\s*file:\s*(\S+)", toc, re.M)
    return [f"{name}.html" for name in [root] + files]


@pytest.fixture(scope="module")
def chromium():
    exe = find_chromium()
    if exe is None:
        skip_or_fail("headless Chromium not found: install it (Debian: apt-get install -y chromium) "
                    "or set $CHROMIUM to its path")
    return exe


@pytest.fixture(scope="module")
def mathjax_dir():
    folder = find_mathjax()
    if folder is None:
        skip_or_fail("local MathJax 3 not found: run `npm install --prefix .ci --no-save mathjax@3` "
                    "in the repository root, or set $NNLIB_MATHJAX_DIR to a mathjax package folder")
    return folder


@pytest.fixture(scope="module")
def book_html(tmp_path_factory):
    """The folder of the built HTML: $NNLIB_BOOK_HTML, or a fresh strict build."""
    given = os.environ.get("NNLIB_BOOK_HTML")
    if given:
        html = Path(given).resolve()
        assert (html / "index.html").is_file(), f"$NNLIB_BOOK_HTML={given} holds no index.html"
        return html
    out = tmp_path_factory.mktemp("book-build")
    exe = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(exe) if exe.exists() else "jupyter-book", "build", "-W", "-n", "--keep-going",
           str(BOOK), "--path-output", str(out)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, "the book build failed:\n" + (proc.stdout + proc.stderr)[-6000:]
    return out / "_build" / "html"


# ----------------------------------------------------------------------------- the web server
class BookHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the book; /_mathjax/ from the local MathJax; the CDN address rewritten in HTML."""

    mathjax_dir = None
    failures = None     # list shared with the test: (path, status) of every error response

    def do_GET(self):
        path = urlsplit(self.path).path
        if path.startswith("/_mathjax/"):
            self.directory = str(self.mathjax_dir)
            self.path = self.path[len("/_mathjax"):]
            return super().do_GET()
        file = Path(self.translate_path(self.path))
        if file.is_dir():
            file = file / "index.html"
        if file.suffix == ".html" and file.is_file():
            body = file.read_bytes().replace(MATHJAX_CDN.encode(), MATHJAX_LOCAL.encode())
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return None
        return super().do_GET()

    def send_error(self, code, message=None, explain=None):
        if self.path != "/favicon.ico":     # asked for by the browser itself; the book has none
            self.failures.append((self.path, code))
        super().send_error(code, message, explain)

    def log_message(self, format, *args):   # keep the test output quiet
        pass


@pytest.fixture(scope="module")
def server(book_html, mathjax_dir):
    failures = []
    handler = type("Handler", (BookHandler,), {"mathjax_dir": mathjax_dir, "failures": failures})
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(book_html)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", failures
    httpd.shutdown()
    httpd.server_close()


# ----------------------------------------------------------------------------- a tiny CDP client
class Browser:
    """Headless Chromium driven through the DevTools protocol on a pipe (fds 3 and 4)."""

    def __init__(self, exe, profile, width=1280, height=900):
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()
        # Give the child's ends numbers >= 10 so the shell can move them to 3 and 4 safely.
        child_r = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD_CLOEXEC, 10)
        child_w = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD_CLOEXEC, 10)
        for fd in (to_chrome_r, from_chrome_w):
            os.close(fd)
        args = [exe, "--headless=new", "--remote-debugging-pipe", f"--user-data-dir={profile}",
                "--disable-gpu", "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--disable-background-networking", "--disable-sync",
                "--disable-component-update", "--disable-dev-shm-usage", "--mute-audio",
                "--hide-scrollbars", f"--window-size={width},{height}",
                # every host but the local server is unreachable: the test must not need the network
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                "about:blank"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.insert(1, "--no-sandbox")   # Chromium refuses to run as root with its sandbox
        self.log = open(Path(profile) / "chromium.log", "wb")
        self.proc = subprocess.Popen(
            ["bash", "-c", f'exec "$@" 3<&{child_r} 4>&{child_w} {child_r}<&- {child_w}>&-',
             "chromium"] + args,
            pass_fds=(child_r, child_w), stdin=subprocess.DEVNULL, stdout=self.log,
            stderr=subprocess.STDOUT)
        os.close(child_r)
        os.close(child_w)
        self._id = 0
        self._responses = {}
        self.events = []
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Network"):
            self.send(f"{domain}.enable", session=True)

    def _read(self):
        buffer = b""
        while True:
            try:
                chunk = os.read(self._from_chrome, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                with self._cond:
                    self._responses[None] = "closed"
                    self._cond.notify_all()
                return
            buffer += chunk
            *messages, buffer = buffer.split(b"\0")
            with self._cond:
                for raw in messages:
                    msg = json.loads(raw)
                    if "id" in msg:
                        self._responses[msg["id"]] = msg
                    else:
                        self.events.append(msg)
                self._cond.notify_all()

    def send(self, method, session=False, timeout=PAGE_TIMEOUT, **params):
        with self._cond:
            self._id += 1
            msg_id = self._id
        msg = {"id": msg_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = self.session
        os.write(self._to_chrome, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        with self._cond:
            while msg_id not in self._responses:
                if None in self._responses:
                    raise RuntimeError(f"Chromium exited while waiting for {method}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no answer from Chromium to {method} within {timeout} s")
                self._cond.wait(left)
            msg = self._responses.pop(msg_id)
        if "error" in msg:
            raise RuntimeError(f"{method}: {msg['error']}")
        return msg["result"]

    def evaluate(self, expression, timeout=PAGE_TIMEOUT):
        result = self.send("Runtime.evaluate", session=True, timeout=timeout, expression=expression,
                           awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"JavaScript failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def close(self):
        try:
            self.send("Browser.close", timeout=10)
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._to_chrome, self._from_chrome):
            try:
                os.close(fd)
            except OSError:
                pass
        self.log.close()


@pytest.fixture(scope="module")
def browser(chromium, tmp_path_factory):
    b = Browser(chromium, tmp_path_factory.mktemp("chromium-profile"))
    yield b
    b.close()


# What the page looks like once it has loaded and MathJax has typeset it.
INSPECT = r"""
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
    images: images.map(img => ({src: img.currentSrc || img.src, width: img.naturalWidth})),
    links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
    bodyText: document.body ? document.body.innerText.length : 0,
  };
})()
"""


def ids_of(html_file, _cache={}):
    if html_file not in _cache:
        text = html_file.read_text(errors="replace")
        _cache[html_file] = set(re.findall(r'\bid="([^"]+)"', text))
    return _cache[html_file]


def check_link(href, origin, html_dir):
    """None if ``href`` is fine (or external), else what is wrong with it."""
    parts = urlsplit(href)
    if f"{parts.scheme}://{parts.netloc}" != origin:
        return None
    path = unquote(parts.path)
    if path.startswith("/_mathjax/"):
        return None
    target = html_dir / path.lstrip("/")
    if target.is_dir():
        target = target / "index.html"
    if not target.is_file():
        return f"{href}: no such file {target.relative_to(html_dir)}"
    fragment = unquote(parts.fragment)
    if fragment and target.suffix == ".html" and fragment not in ids_of(target):
        return f"{href}: no element with id {fragment!r} on {target.name}"
    return None


def test_every_page_in_chromium(chromium, mathjax_dir, book_html, server, browser):
    origin, server_failures = server
    shots = book_html.parent / "screenshots"
    shots.mkdir(exist_ok=True)
    pages = toc_pages()
    problems, summary = [], []
    start = time.perf_counter()
    for page in pages:
        assert (book_html / page).is_file(), f"{page} (listed in _toc.yml) was not built"
        for src in re.findall(r'src="([^"]*mathjax[^"]*)"', (book_html / page).read_text(), re.I):
            if src != MATHJAX_CDN:
                problems.append(f"{page}: loads MathJax from {src}, not {MATHJAX_CDN}: the test serves "
                                "only the latter from the local copy; update MATHJAX_CDN")
        browser.events.clear()
        server_failures.clear()
        url = f"{origin}/{page}"
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
            if method == "Network.responseReceived":
                response = params["response"]
                if response["status"] >= 400 and urlsplit(response["url"]).path != "/favicon.ico":
                    problems.append(f"{page}: HTTP {response['status']} for {response['url']}")
            elif method == "Network.loadingFailed" and not params.get("canceled"):
                problems.append(f"{page}: a request failed ({params.get('errorText')}, "
                                f"type {params.get('type')})")
            elif method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                text = details.get("exception", {}).get("description") or details.get("text")
                if KNOWN_UPSTREAM_EXCEPTION in str(text):
                    continue
                problems.append(f"{page}: JavaScript exception: {str(text)[:300]}")
        problems += [f"{page}: server answered {code} for {path}" for path, code in server_failures]
        if info["bodyText"] < 100:
            problems.append(f"{page}: the page is (almost) empty")
        # images
        for img in info["images"]:
            if img["width"] <= 0:
                problems.append(f"{page}: image did not load: {img['src']}")
        # internal links
        for href in sorted(set(info["links"])):
            error = check_link(href, origin, book_html)
            if error:
                problems.append(f"{page}: broken link {error}")
        # maths
        if info["math"]:
            if info["mathjax"] is None:
                problems.append(f"{page}: has {info['math']} maths elements but MathJax did not start")
            for source in info["untypeset"]:
                problems.append(f"{page}: maths not rendered by MathJax: {source!r}")
            for error in info["mathErrors"]:
                problems.append(f"{page}: MathJax error: {error}")
        summary.append(f"{page}: {len(info['images'])} images, {len(set(info['links']))} links, "
                       f"{info['math']} maths elements, {info['mjx']} rendered")
    elapsed = time.perf_counter() - start
    print(f"\nchecked {len(pages)} pages in {elapsed:.1f} s; screenshots in {shots}")
    print("\n".join(summary))
    assert not problems, "\n".join(problems)


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
