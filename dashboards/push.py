"""Publish the rendered dashboards to a running Grafana, for sites that do not provision
from files. Idempotent: the folder is created once, dashboards are overwritten by uid."""

from __future__ import annotations

import json

from grafana_client.api import GrafanaApi
from grafana_client.client import GrafanaClientError

FOLDER_UID = "pantau"
FOLDER_TITLE = "Pantau"


def ensure_folder(api: GrafanaApi, uid: str = FOLDER_UID, title: str = FOLDER_TITLE) -> None:
    try:
        api.folder.get_folder(uid)
    except GrafanaClientError as error:
        if error.status_code != 404:
            raise
        api.folder.create_folder(title, uid=uid)


def push(api: GrafanaApi, rendered: dict[str, str], folder_uid: str = FOLDER_UID) -> list[str]:
    """Upload every dashboard into the folder; returns the uids written."""
    ensure_folder(api, folder_uid)
    written = []
    for text in rendered.values():
        board = json.loads(text)
        board.pop("id", None)  # ids are per Grafana instance; the uid is the identity
        api.dashboard.update_dashboard(
            {
                "dashboard": board,
                "folderUid": folder_uid,
                "overwrite": True,
                "message": "pantau dashboards push",
            }
        )
        written.append(board["uid"])
    return written
