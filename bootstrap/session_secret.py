"""The key that encrypts admin session cookies and signs CSRF tokens: from SESSION_SECRET, or kept in a file."""

from __future__ import annotations

import logging
import os
import secrets
import stat
from pathlib import Path

from bootstrap.settings import MIN_SESSION_SECRET_LENGTH, ConfigError, Settings

logger = logging.getLogger(__name__)


def session_secret(settings: Settings) -> str:
    """SESSION_SECRET when set; otherwise the secret in SESSION_SECRET_FILE, created (mode 0600) on first use.

    The file keeps a fresh machine working with no configuration, and keeps sessions valid across restarts.
    Several processes on one host share it; several hosts must share SESSION_SECRET instead.
    """
    if settings.session_secret is not None:
        return settings.session_secret
    path = settings.session_secret_file
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written whole beside the target, then linked into place: link fails if the name exists, so of several
    # processes starting at once exactly one creates the file, and no reader ever sees it half-written.
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(48) + "\n")
        os.link(draft, path)
    except FileExistsError:
        pass
    else:
        if not settings.embedded:
            logger.warning("created a session secret in %s; set SESSION_SECRET so that every host shares one", path)
    finally:
        draft.unlink(missing_ok=True)
    return _read(path)


def _read(path: Path) -> str:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        logger.warning("%s is readable by other users; it should be mode 0600", path)
    secret = path.read_text(encoding="utf-8").strip()
    if len(secret) < MIN_SESSION_SECRET_LENGTH:
        raise ConfigError(f"SESSION_SECRET_FILE {path} must hold at least {MIN_SESSION_SECRET_LENGTH} characters")
    return secret
