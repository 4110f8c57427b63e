"""`pantau dashboards push` speaks Grafana's HTTP API through grafana-client. Here a small
recording server stands in for Grafana (a unit test: the real proof is provisioning)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from grafana_client.api import GrafanaApi

from dashboards.catalog import render
from dashboards.push import push
from pantau.contract.city import load_city_profile


class RecordingGrafana(BaseHTTPRequestHandler):
    calls: ClassVar[list[tuple[str, str, Any]]] = []
    folders: ClassVar[set[str]] = set()

    def _reply(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self.calls.append(("GET", self.path, None))
        uid = self.path.rsplit("/", 1)[-1]
        if uid in self.folders:
            self._reply(200, {"uid": uid, "title": "Pantau"})
        else:
            self._reply(404, {"message": "folder not found"})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.calls.append(("POST", self.path, body))
        if self.path == "/api/folders":
            self.folders.add(body["uid"])
        self._reply(200, {"status": "success", "uid": body.get("uid", "")})

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture
def grafana() -> Iterator[str]:
    RecordingGrafana.calls = []
    RecordingGrafana.folders = set()
    server = ThreadingHTTPServer(("127.0.0.1", 0), RecordingGrafana)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_push_creates_the_folder_once_and_overwrites_dashboards_by_uid(grafana: str) -> None:
    rendered = render(load_city_profile("mojokerto"))
    api = GrafanaApi.from_url(grafana, credential="a-token")
    first = push(api, rendered)
    second = push(api, rendered)
    assert first == second == ["pantau-command-center", "pantau-command-center-en",
                               "pantau-pipeline"]  # fmt: skip
    created = [c for c in RecordingGrafana.calls if c[:2] == ("POST", "/api/folders")]
    assert len(created) == 1 and created[0][2]["uid"] == "pantau"
    uploads = [c[2] for c in RecordingGrafana.calls if c[:2] == ("POST", "/api/dashboards/db")]
    assert len(uploads) == 6
    assert all(u["overwrite"] and u["folderUid"] == "pantau" for u in uploads)
    assert all("id" not in u["dashboard"] for u in uploads)
