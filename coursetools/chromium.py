"""A tiny Chrome DevTools Protocol client: headless Chromium driven over a pipe.

Used by ``python -m coursetools.build_book --pdf`` (print the single-page book to PDF) and by
``tests/test_browser.py`` (open every page offline and check what a reader sees).

The browser is driven through the DevTools protocol over a pipe (``--remote-debugging-pipe``):
no Python dependency (no selenium, no chromedriver whose version must match the browser, no
websocket library), one browser process for all pages, and direct access to what we need (the DOM
after MathJax has finished, image sizes, failed requests, screenshots, ``Page.printToPDF``).

Every host name is unresolvable for the browser (``--host-resolver-rules``): a page that needs
the network fails visibly instead of quietly fetching from it.  Chromium is ``$CHROMIUM`` or the
first of chromium / chromium-browser / google-chrome on PATH (Debian: ``apt-get install chromium``).
"""
import fcntl
import json
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

PAGE_TIMEOUT = 60  # seconds for one page to load and typeset


def find_chromium():
    """The Chromium executable ($CHROMIUM or the first browser on PATH), or None."""
    exe = os.environ.get("CHROMIUM")
    if exe:
        return shutil.which(exe) or (exe if os.access(exe, os.X_OK) else None)
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if shutil.which(name):
            return shutil.which(name)
    return None


class Browser:
    """Headless Chromium driven through the DevTools protocol on a pipe (fds 3 and 4)."""

    def __init__(self, exe, profile, width=1280, height=900, allow_loopback=False):
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
                # no host resolves: nothing may come from the network (but 127.0.0.1 with
                # allow_loopback: a local server the caller started, e.g. JupyterLab)
                "--host-resolver-rules=MAP * ~NOTFOUND"
                + (", EXCLUDE 127.0.0.1" if allow_loopback else ""),
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

    # ------------------------------------------------------------------ page helpers
    def open_page(self, url, timeout=PAGE_TIMEOUT):
        """Navigate to ``url`` and wait until it has loaded, its images too, and MathJax has
        typeset it (if the page runs MathJax).  Returns None, or the navigation's error text."""
        nav = self.send("Page.navigate", session=True, url=url)
        if nav.get("errorText"):
            return nav["errorText"]
        self.evaluate(WAIT_FOR_PAGE, timeout=timeout)
        return None

    def print_pdf(self, path, timeout=300):
        """Print the open page to the PDF file ``path`` (A4, backgrounds, page numbers)."""
        import base64

        # Open every collapsed block (hidden inputs, dropdowns) so that the paper shows it.
        self.evaluate(EXPAND_ALL)
        result = self.send("Page.printToPDF", session=True, timeout=timeout,
                           printBackground=True, paperWidth=8.27, paperHeight=11.69,
                           marginTop=0.5, marginBottom=0.6, marginLeft=0.5, marginRight=0.5,
                           displayHeaderFooter=True, headerTemplate="<span></span>",
                           footerTemplate='<div style="font-size:8px;width:100%;text-align:center">'
                                          '<span class="pageNumber"></span> / '
                                          '<span class="totalPages"></span></div>')
        Path(path).write_bytes(base64.b64decode(result["data"]))
        return Path(path)


# Resolves once the page, its images and MathJax's first typesetting are done.
WAIT_FOR_PAGE = r"""
(async () => {
  if (document.readyState !== 'complete')
    await new Promise(r => window.addEventListener('load', r, {once: true}));
  await Promise.all(Array.from(document.images).map(img => {
    img.loading = 'eager';
    return img.complete ? null : new Promise(r => {
      img.addEventListener('load', r, {once: true});
      img.addEventListener('error', r, {once: true});
      setTimeout(r, 20000);
    });
  }));
  if (window.MathJax && MathJax.startup && MathJax.startup.promise)
    await MathJax.startup.promise;
  return true;
})()
"""

# Shows what a reader would have to click open: <details> (hidden inputs, dropdown
# solutions) and sphinx-togglebutton's hidden blocks.
EXPAND_ALL = r"""
(() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  document.querySelectorAll('.toggle-hidden').forEach(e => e.classList.remove('toggle-hidden'));
  document.querySelectorAll('.toggle-details__summary').forEach(e => e.remove());
  // on paper, wrap long code lines instead of cutting them off at the margin
  const style = document.createElement('style');
  style.textContent = '@media print { pre { white-space: pre-wrap !important; ' +
                      'overflow-wrap: anywhere; } }';
  document.head.appendChild(style);
  return true;
})()
"""
