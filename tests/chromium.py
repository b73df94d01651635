"""Headless Chromium over the DevTools protocol, with nothing but the standard library.

A test tool, not part of the package: used by the report's browser test, the report benchmark
and to take the screenshots kept in ``reports/screenshots/``::

    python tests/chromium.py reports/index.html --screenshot summary.png
    python tests/chromium.py reports/index.html --at 003-2 --screenshot loop.png

Chromium is started with ``--remote-debugging-pipe``: it reads protocol messages
(JSON, each ending with a NUL byte) from file descriptor 3 and writes to 4, so no port,
no websocket library and no driver binary whose version must match the browser's
(Playwright talks to Chromium the same way). Every console error, uncaught exception,
log error and JavaScript dialog of the page is recorded in :attr:`Browser.problems`
(warnings in :attr:`Browser.warnings`).
"""

from __future__ import annotations

import argparse
import base64
import fcntl
import json
import os
import select
import shutil
import signal
import tempfile
import time
from pathlib import Path
from typing import Any

__all__ = ["Browser", "find_chromium"]

FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio",
)  # fmt: skip


def find_chromium() -> str | None:
    """``$EQUIVALENCE_CHROMIUM``, else chromium or chrome on the PATH, else None."""
    explicit = os.environ.get("EQUIVALENCE_CHROMIUM")
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


class Browser:
    """One headless Chromium with one page; use as a context manager."""

    def __init__(self, executable: str | None = None, width: int = 1400, height: int = 1000, timeout: float = 30) -> None:
        executable = executable or find_chromium()
        if executable is None:
            raise FileNotFoundError("no Chromium found (install chromium, or set EQUIVALENCE_CHROMIUM)")
        self.timeout = timeout
        #: Console errors, uncaught exceptions, error log entries (a CSP violation, a failed
        #: load), dialogs: what a page that "loads without console errors" has none of.
        self.problems: list[str] = []
        self.warnings: list[str] = []
        self.events: list[dict[str, Any]] = []
        self._profile = tempfile.mkdtemp(prefix="equivalence-chromium-")
        to_browser, self._write = os.pipe()
        self._read, from_browser = os.pipe()
        # posix_spawn, not fork + preexec_fn: this process may run framework threads, and
        # a forked child of a threaded process can deadlock before it execs. Its dup2
        # actions put the pipe ends on fds 3 and 4 (moved above 9 first, so that dup2 never
        # finds its source already in place with close-on-exec still set).
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in (to_browser, from_browser)]
        os.close(to_browser)
        os.close(from_browser)
        argv = [executable, *FLAGS, "--remote-debugging-pipe", f"--user-data-dir={self._profile}",
                f"--window-size={width},{height}", "about:blank"]
        try:
            self._pid = os.posix_spawn(executable, argv, dict(os.environ), file_actions=[
                (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
                (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
                (os.POSIX_SPAWN_DUP2, high[0], 3),
                (os.POSIX_SPAWN_DUP2, high[1], 4),
            ])
        finally:
            for fd in high:
                os.close(fd)
        self._exited = False
        self._buffer = b""
        self._next_id = 0
        try:
            targets = self.call("Target.getTargets")["targetInfos"]
            page = next(t["targetId"] for t in targets if t["type"] == "page")
            self.session = self.call("Target.attachToTarget", targetId=page, flatten=True)["sessionId"]
            for domain in ("Page", "Runtime", "Log"):
                self.call(f"{domain}.enable", session=self.session)
            self.call("Emulation.setDeviceMetricsOverride", session=self.session,
                      width=width, height=height, deviceScaleFactor=1, mobile=False)
        except BaseException:
            self.close()
            raise

    # -- protocol -------------------------------------------------------------------------
    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._read], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise TimeoutError("Chromium did not answer in time")
            chunk = os.read(self._read, 1 << 20)
            if not chunk:
                raise EOFError("Chromium closed the pipe (it exited)")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        parsed: dict[str, Any] = json.loads(message)
        if "method" in parsed:
            self._event(parsed)
        return parsed

    def _event(self, event: dict[str, Any]) -> None:
        self.events.append(event)
        method, params = event["method"], event.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            self.problems.append(f"exception: {details.get('exception', {}).get('description') or details.get('text')}")
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert", "warning"):
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
            found = self.warnings if params["type"] == "warning" else self.problems
            found.append(f"console.{params['type']}: {text}")
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") in ("error", "warning"):
            entry = params["entry"]
            found = self.warnings if entry["level"] == "warning" else self.problems
            found.append(f"log {entry.get('source')} {entry['level']}: {entry.get('text')} {entry.get('url', '')}".strip())
        elif method == "Page.javascriptDialogOpening":
            self.problems.append(f"dialog: {params.get('type')} {params.get('message')!r}")
            self.call("Page.handleJavaScriptDialog", session=event.get("sessionId"), accept=True, wait=False)

    def call(self, method: str, session: str | None = None, wait: bool = True, **params: Any) -> dict[str, Any]:
        """Send a command and return its result (raise on a protocol error)."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._write, json.dumps(message).encode("utf-8") + b"\0")
        if not wait:
            return {}
        wanted, deadline = self._next_id, time.monotonic() + self.timeout
        while True:
            answer = self._receive(deadline)
            if answer.get("id") == wanted:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                result: dict[str, Any] = answer.get("result", {})
                return result

    def wait_for(self, method: str, since: int = 0) -> dict[str, Any]:
        """The first event ``method`` after the ``since``-th event, waiting for it if needed."""
        deadline = time.monotonic() + self.timeout
        while True:
            for event in self.events[since:]:
                if event["method"] == method:
                    return event
            self._receive(deadline)

    # -- page -----------------------------------------------------------------------------
    def open(self, url: str) -> None:
        """Navigate and wait for the load event."""
        since = len(self.events)
        answer = self.call("Page.navigate", session=self.session, url=url)
        if answer.get("errorText"):
            raise RuntimeError(f"cannot open {url}: {answer['errorText']}")
        self.wait_for("Page.loadEventFired", since)

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (JSON-serialisable values)."""
        answer = self.call("Runtime.evaluate", session=self.session, expression=expression,
                           returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in answer:
            raise RuntimeError(f"evaluating {expression[:60]!r}: {answer['exceptionDetails'].get('text')}")
        return answer["result"].get("value")

    def settle(self, seconds: float = 0.2) -> None:
        """Let the page lay out (and collect what it logs meanwhile)."""
        self.evaluate(f"new Promise(r => requestAnimationFrame(() => setTimeout(r, {int(seconds * 1000)})))")

    def screenshot(self, path: str | Path) -> Path:
        data = self.call("Page.captureScreenshot", session=self.session, format="png")["data"]
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def pdf(self) -> bytes:
        """The page as printed (``@media print``), as PDF bytes."""
        return base64.b64decode(self.call("Page.printToPDF", session=self.session, printBackground=True)["data"])

    def _wait(self, timeout: float) -> bool:
        """Reap Chromium if it exits within ``timeout`` seconds; True once it has."""
        deadline = time.monotonic() + timeout
        while not self._exited:
            pid, _ = os.waitpid(self._pid, os.WNOHANG)
            if pid:
                self._exited = True
            elif time.monotonic() > deadline:
                return False
            else:
                time.sleep(0.05)
        return True

    def close(self) -> None:
        try:
            if not self._exited:
                try:
                    self.call("Browser.close", wait=False)
                except OSError:
                    pass
                if not self._wait(5):
                    os.kill(self._pid, signal.SIGKILL)
                    self._wait(5)
        finally:
            for fd in (self._read, self._write):
                try:
                    os.close(fd)
                except OSError:
                    pass
            shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python tests/chromium.py",
                                     description="Open a report in headless Chromium; screenshot it.")
    parser.add_argument("page", help="an HTML file or URL")
    parser.add_argument("--screenshot", required=True, metavar="PNG")
    parser.add_argument("--at", metavar="CASE", help="scroll to the section of this case id first")
    parser.add_argument("--size", default="1400x1000", metavar="WxH")
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.split("x"))
    url = args.page if "://" in args.page else Path(args.page).resolve().as_uri()
    with Browser(width=width, height=height) as browser:
        browser.open(url)
        if args.at:
            from equivalence.report._markup import anchor

            found = browser.evaluate(f"(e => e ? (e.scrollIntoView(), true) : false)(document.getElementById({json.dumps(anchor(args.at))}))")
            if not found:
                parser.error(f"no section for case {args.at!r}")
        browser.settle()
        browser.screenshot(args.screenshot)
        for problem in browser.problems:
            print(f"page problem: {problem}")
    print(args.screenshot)
    return 1 if browser.problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
