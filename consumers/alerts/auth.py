"""Who may speak to the notifier: Alertmanager with its secret, operators with their own
keys. Nobody raises or silences an alert without one; an acknowledgement carries the
operator's name from their key, never a name typed in."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from pantau.contract.settings import Settings

bearer = HTTPBearer(auto_error=False)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def _refused(detail: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": "Bearer"}
    )


def check_alertmanager(
    settings: Settings, credentials: HTTPAuthorizationCredentials | None
) -> None:
    secret = settings.alertmanager_webhook_secret
    if secret is None:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            detail="PANTAU_ALERTMANAGER_WEBHOOK_SECRET is not set: no caller can be trusted",
        )
    if credentials is None or not hmac.compare_digest(
        credentials.credentials.encode(), secret.get_secret_value().encode()
    ):
        raise _refused("Alertmanager's bearer secret is missing or wrong")


def operator_of(settings: Settings, credentials: Credentials) -> str:
    """The operator whose key was presented."""
    if credentials is None:
        raise _refused("an operator's key is required (Authorization: Bearer KEY)")
    presented = credentials.credentials.encode()
    for key, name in settings.operators().items():
        if hmac.compare_digest(presented, key.encode()):
            return name
    raise _refused("no operator has this key")
