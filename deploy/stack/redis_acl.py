"""The Redis users of the local stack, rendered from the settings' Redis URL.

The default user is disabled, so nothing reaches Redis without a password. Pantau's
user may touch only keys and channels whose names start with `pantau` (every
PANTAU_REDIS_PREFIX does) and none of the commands Redis files as dangerous (FLUSHALL,
FLUSHDB, CONFIG, KEYS, DEBUG, SHUTDOWN, ACL, MONITOR, ...), except INFO, which `pantau
stack check` reads the persistence policy from. The file holds the password's SHA-256,
never the password.

The disabled default user keeps Pantau's rights (and no password). Redis before 8 replays
its append-only file as the default user and checks each MULTI/EXEC block (every Lua
script's writes are one) against that user's rights: with none, a restart silently drops
every batch the worker ever committed (redis/redis#14541). Being off, no connection can
use those rights.
"""

from __future__ import annotations

import hashlib
from urllib.parse import unquote, urlsplit

from deploy.stack.errors import StackError
from pantau.contract.settings import Settings

# Every key and pub/sub channel Pantau uses starts so (see pantau/contract/keys.py).
NAME_PATTERN = "pantau*"
COMMANDS = "+@all -@dangerous +info"
RIGHTS = f"resetkeys ~{NAME_PATTERN} resetchannels &{NAME_PATTERN} {COMMANDS}"


def redis_user(settings: Settings) -> tuple[str, str]:
    """The user and password the settings connect with; a clear error if there are none."""
    parts = urlsplit(settings.redis_url.get_secret_value())
    if not parts.username or not parts.password:
        raise StackError(
            "redis",
            "PANTAU_REDIS_URL carries no user and password (redis://USER:PASSWORD@HOST:PORT/0);"
            " the local Redis admits no one without them. deploy/start.sh writes one into .env",
        )
    return unquote(parts.username), unquote(parts.password)


# The operator may rewrite the append-only file and read INFO, nothing else: no key at all.
OPERATOR = "pantau-operator"
OPERATOR_RIGHTS = "resetkeys resetchannels -@all +bgrewriteaof +info +ping"


def acl_file(settings: Settings) -> str:
    user, password = redis_user(settings)
    digest = hashlib.sha256(password.encode()).hexdigest()
    users = f"user default off resetpass {RIGHTS}\nuser {user} on #{digest} {RIGHTS}\n"
    if settings.redis_operator_password is not None:
        secret = settings.redis_operator_password.get_secret_value()
        operator = hashlib.sha256(secret.encode()).hexdigest()
        users += f"user {OPERATOR} on #{operator} {OPERATOR_RIGHTS}\n"
    return users
