"""A headless Chromium driven over the DevTools protocol with a small websocket client, so
nothing is downloaded: the browser is the system's `chromium` (None when it is absent)."""

import base64
import itertools
import json
import shutil
import time
from pathlib import Path
from typing import Any

import websocket

CHROMIUM = shutil.which("chromium")

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-port=0",
    "--window-size=1280,1000",
]


class DevTools:
    """Just enough of the Chrome DevTools Protocol to drive one page: call, evaluate, click."""

    def __init__(self, websocket_url: str) -> None:
        # Without an Origin header: Chromium refuses DevTools sockets from origins it was not
        # told to allow, and a local client has no origin to claim.
        self.connection = websocket.create_connection(
            websocket_url, timeout=30, suppress_origin=True
        )
        self.ids = itertools.count(1)

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        message_id = next(self.ids)
        self.connection.send(json.dumps({"id": message_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.connection.recv())
            if message.get("id") != message_id:
                continue  # an event we did not subscribe to on purpose
            if "error" in message:
                raise RuntimeError(f"{method}: {message['error']}")
            return message["result"]

    def evaluate(self, expression: str) -> Any:
        result = self.call(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 20) -> Any:
        """Poll a JavaScript expression until it is truthy; its value, or a clear failure."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"still false after {timeout} s: {expression}")
            # Polling: a page sends no event when any JavaScript expression turns true.
            time.sleep(0.1)

    def navigate(self, url: str) -> None:
        self.call("Page.navigate", url=url)
        self.wait_for(f"location.href === {json.dumps(url)} && document.readyState === 'complete'")

    def click(self, selector: str) -> None:
        """A real mouse click in the middle of the element, as a person would make it."""
        box = self.wait_for(
            f"""(() => {{
              const element = document.querySelector({json.dumps(selector)});
              if (!element) return null;
              element.scrollIntoView({{block: "center"}});
              // The first box of the element: a link that wraps has no text at its centre.
              const rect = element.getClientRects()[0];
              return {{x: rect.left + rect.width / 2, y: rect.top + rect.height / 2}};
            }})()"""
        )
        for event in ("mousePressed", "mouseReleased"):
            self.call(
                "Input.dispatchMouseEvent",
                type=event,
                x=box["x"],
                y=box["y"],
                button="left",
                clickCount=1,
            )

    def screenshot(self, path: Path) -> None:
        path.write_bytes(base64.b64decode(self.call("Page.captureScreenshot")["data"]))

    def close(self) -> None:
        self.connection.close()
