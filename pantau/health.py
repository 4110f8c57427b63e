"""/metrics and /health for a role that is a loop rather than a web server (the spike
detector, the checkpointer).

The loop beats a `Heartbeat` once per round; a small HTTP server in a thread of its own
answers Prometheus from the role's registry and a probe from the heartbeat's age. The
server keeps answering while the loop hangs, so /health (503) and the role's own
timestamps, not a refused connection, tell a stuck loop from a dead process.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Protocol

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

Answer = tuple[int, str, bytes]  # status, content type, body
MAX_POST_BYTES = 1 << 20


class Routes(Protocol):
    """More of a role's own routes on the same endpoint (the checkpointer's log); None:
    not one of them."""

    def get(self, path: str) -> Answer | None: ...

    def post(self, path: str, body: bytes) -> Answer | None: ...


class Heartbeat:
    """When the loop last finished a round; a fresh one counts from its creation, so a
    role is given one `stale_after` to finish its first round."""

    def __init__(self, stale_after: float) -> None:
        self.stale_after = stale_after
        self._last = time.monotonic()

    def beat(self) -> None:
        self._last = time.monotonic()

    def age(self) -> float:
        return time.monotonic() - self._last

    def healthy(self) -> bool:
        return self.age() <= self.stale_after


class HealthServer:
    """Serves /metrics and /health on host:port from a daemon thread; `close()` stops it."""

    def __init__(
        self,
        registry: CollectorRegistry,
        heartbeat: Heartbeat,
        host: str,
        port: int,
        routes: Routes | None = None,
    ) -> None:
        handler = _handler(registry, heartbeat, routes)
        self.server = ThreadingHTTPServer((host, port), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def start(self) -> HealthServer:
        self.thread.start()
        return self

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _handler(
    registry: CollectorRegistry, heartbeat: Heartbeat, routes: Routes | None
) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            path = self.path.split("?", 1)[0]
            length = int(self.headers.get("Content-Length") or 0)
            if not 0 <= length <= MAX_POST_BYTES:
                self._answer(413, "text/plain", b"a body of at most 1 MiB\n")
                return
            answer = routes.post(path, self.rfile.read(length)) if routes is not None else None
            self._answer(*(answer or (404, "text/plain", b"not found\n")))

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            answer = routes.get(path) if routes is not None else None
            if answer is not None:
                self._answer(*answer)
            elif path == "/metrics":
                self._answer(200, CONTENT_TYPE_LATEST, generate_latest(registry))
            elif path == "/health":
                healthy = heartbeat.healthy()
                body = {
                    "status": "ok" if healthy else "stuck",
                    "seconds_since_last_round": round(heartbeat.age(), 1),
                }
                self._answer(200 if healthy else 503, "application/json", json.dumps(body).encode())
            else:
                self._answer(404, "text/plain", b"not found: try /metrics or /health\n")

        def _answer(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Silent: a scrape every 5 s would bury the role's own log."""

    return Handler
