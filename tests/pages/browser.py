"""A headless Chromium driven over the DevTools protocol on a pipe, for the page tests.

No driver binary and no websocket library: Chromium's ``--remote-debugging-pipe`` reads
protocol messages (JSON, each ended by a NUL byte) on file descriptor 3 and writes on 4. Name
resolution is mapped to nowhere (``--host-resolver-rules``) and the page is put offline, and
every request the page makes is recorded, so a test can say that nothing left the page.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

#: where Debian's chromium package puts it (``.ci/run`` installs it when missing)
CANDIDATES = ("chromium", "chromium-browser", "google-chrome")


def find_chromium() -> str | None:
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


class ProtocolError(RuntimeError):
    pass


class Browser:
    """One headless Chromium; :meth:`open` loads a page in a fresh tab."""

    def __init__(self, executable: str, profile: Path, *, timeout: float = 60.0) -> None:
        self.timeout = timeout
        to_chrome_read, to_chrome_write = os.pipe()
        from_chrome_read, from_chrome_write = os.pipe()
        # put the child's ends out of the way of 3 and 4 before they are moved there
        high_read = fcntl.fcntl(to_chrome_read, fcntl.F_DUPFD, 100)
        high_write = fcntl.fcntl(from_chrome_write, fcntl.F_DUPFD, 100)
        os.close(to_chrome_read)
        os.close(from_chrome_write)

        def place_fds() -> None:  # runs in the child, before exec
            os.dup2(high_read, 3)
            os.dup2(high_write, 4)

        self._process = subprocess.Popen(
            [
                executable,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--remote-debugging-pipe",
                f"--user-data-dir={profile}",
                # nothing resolves: a request for any host fails at once, and is still logged
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--disable-default-apps",
                "--disable-features=MediaRouter,OptimizationHints,Translate",
                "--hide-scrollbars",
                "--force-color-profile=srgb",
                "about:blank",
            ],
            pass_fds=(3, 4, high_read, high_write),
            preexec_fn=place_fds,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(high_read)
        os.close(high_write)
        self._write = to_chrome_write
        self._read = from_chrome_read
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    # -- the protocol ----------------------------------------------------------------------

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> Any:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        wanted = self._next_id
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == wanted:
                if "error" in reply:
                    raise ProtocolError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from chromium")
            ready, _, _ = select.select([self._read], [], [], left)
            if ready:
                chunk = os.read(self._read, 1 << 20)
                if not chunk:
                    raise ProtocolError("chromium closed the pipe")
                self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        parsed: dict[str, Any] = json.loads(message)
        return parsed

    def wait_for(self, method: str, session: str) -> dict[str, Any]:
        for event in self.events:
            if event.get("method") == method and event.get("sessionId") == session:
                return event
        deadline = time.monotonic() + self.timeout
        while True:
            event = self._receive(deadline)
            self.events.append(event)
            if event.get("method") == method and event.get("sessionId") == session:
                return event

    # -- pages -----------------------------------------------------------------------------

    def open(self, path: Path, *, width: int = 1280, height: int = 900) -> Page:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session)
        self.send("Network.enable", {}, session)
        self.send(
            "Network.emulateNetworkConditions",
            {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
            session,
        )
        self.send("Page.enable", {}, session)
        # a headless tab never has the window's focus: emulate it, so the Tab key moves the focus
        self.send("Emulation.setFocusEmulationEnabled", {"enabled": True}, session)
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session,
        )
        started = time.perf_counter()
        self.send("Page.navigate", {"url": path.resolve().as_uri()}, session)
        self.wait_for("Page.loadEventFired", session)
        page.load_seconds = time.perf_counter() - started
        return page

    def close(self) -> None:
        with contextlib.suppress(ProtocolError, TimeoutError, OSError):
            self.send("Browser.close")
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=10)
        os.close(self._write)
        os.close(self._read)


class Page:
    """A loaded tab: evaluate script in it, read what it requested, take a screenshot."""

    def __init__(self, browser: Browser, session: str) -> None:
        self.browser = browser
        self.session = session
        self.load_seconds = 0.0

    def evaluate(self, expression: str) -> Any:
        result = self.browser.send(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True}, self.session
        )
        if "exceptionDetails" in result:
            raise ProtocolError(str(result["exceptionDetails"]))
        return result["result"].get("value")

    def requests(self) -> list[str]:
        """Every URL the page asked for, the page itself included."""
        return [
            event["params"]["request"]["url"]
            for event in self.browser.events
            if event.get("method") == "Network.requestWillBeSent" and event.get("sessionId") == self.session
        ]

    def failed_loads(self) -> list[dict[str, Any]]:
        return [
            event["params"]
            for event in self.browser.events
            if event.get("method") == "Network.loadingFailed" and event.get("sessionId") == self.session
        ]

    def press_tab(self) -> None:
        for kind in ("keyDown", "keyUp"):
            self.browser.send(
                "Input.dispatchKeyEvent",
                {"type": kind, "key": "Tab", "code": "Tab", "windowsVirtualKeyCode": 9},
                self.session,
            )

    def print_media(self) -> None:
        self.browser.send("Emulation.setEmulatedMedia", {"media": "print"}, self.session)

    def screenshot(self, path: Path, *, full_page: bool = True) -> Path:
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            metrics = self.browser.send("Page.getLayoutMetrics", {}, self.session)
            size = metrics["cssContentSize"]
            params["captureBeyondViewport"] = True
            params["clip"] = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
        data = self.browser.send("Page.captureScreenshot", params, self.session)["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def pdf(self, path: Path) -> Path:
        data = self.browser.send(
            "Page.printToPDF",
            {"landscape": True, "printBackground": True, "preferCSSPageSize": True},
            self.session,
        )["data"]
        path.write_bytes(base64.b64decode(data))
        return path
