"""The broker's credentials for terminals, generated from the registry.

Mosquitto reads a password file and an ACL file (reloaded on SIGHUP). The service users
(the platform, gateways) are in ``passwd.base`` / ``acl.base`` in IOT_BROKER_DIR; this
module writes ``passwd`` and ``acl`` as those plus one line per active terminal with a
password, and ACL patterns that let a terminal publish only its own uplink topics. With
an external broker, point IOT_BROKER_DIR at a directory it reads, or leave it empty.
"""
from __future__ import annotations

import base64
import hashlib
import os
import secrets
import signal
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

# A terminal's username is its device id; these are the only topics it may publish to.
TERMINAL_PATTERNS = ("eldercare/%u/up", "watch/%u/up", "owntracks/+/%u", "owntracks/+/%u/+")
_ITERATIONS = 101  # what mosquitto_passwd writes for its "$7$" (PBKDF2-SHA512) hashes


def password_hash(password: str) -> str:
    """A Mosquitto password-file hash (``$7$`` PBKDF2-SHA512, as mosquitto_passwd writes)."""
    salt = secrets.token_bytes(12)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, _ITERATIONS, 64)
    return f"$7${_ITERATIONS}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


@dataclass(frozen=True)
class Written:
    directory: Path
    terminals: int
    reloaded: bool


def broker_credentials_write() -> Written | None:
    """Regenerate passwd and acl, then ask the broker to reload them. None when no
    IOT_BROKER_DIR is configured."""
    from iot.models import Terminal, TerminalStatus

    if not settings.IOT_BROKER_DIR:
        return None
    home = Path(settings.IOT_BROKER_DIR)
    terminals = list(Terminal.objects.filter(status=TerminalStatus.ACTIVE).exclude(mqtt_password_hash="")
                     .order_by("device_id").values_list("device_id", "mqtt_password_hash"))
    passwd = (home / "passwd.base").read_text() + "".join(f"{d}:{h}\n" for d, h in terminals)
    acl = (home / "acl.base").read_text() + "".join(f"pattern write {p}\n" for p in TERMINAL_PATTERNS)
    for name, text in (("passwd", passwd), ("acl", acl)):
        _replace(home / name, text)
    return Written(home, len(terminals), _reload(home / "mosquitto.pid"))


def _replace(path: Path, text: str) -> None:
    """Write atomically, owned like its directory (the broker's user reads it)."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    stat = path.parent.stat()
    if os.geteuid() == 0:
        os.chown(tmp, stat.st_uid, stat.st_gid)
    os.chmod(tmp, 0o640)
    os.replace(tmp, path)


def _reload(pid_file: Path) -> bool:
    try:
        os.kill(int(pid_file.read_text().strip()), signal.SIGHUP)
    except (FileNotFoundError, ValueError, ProcessLookupError, PermissionError):
        return False
    return True
