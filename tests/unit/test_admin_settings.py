"""The access-control settings and the session secret file."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from bootstrap.session_secret import session_secret
from bootstrap.settings import ConfigError, load_settings


def settings(**env: str):
    return load_settings(environ=env, env_file=None)


def test_api_keys_are_comma_separated_and_never_shown() -> None:
    loaded = settings(
        SERVICE_API_KEYS=" svc-key-0123456789abc , other-key-0123456789 ", ADMIN_API_KEYS="adm-key-0123456789abcd"
    )
    assert loaded.service_api_keys == ("svc-key-0123456789abc", "other-key-0123456789")
    assert loaded.admin_api_keys == ("adm-key-0123456789abcd",)
    shown = f"{loaded!r} {loaded.describe()}"
    assert "svc-key" not in shown and "adm-key" not in shown and "2 service, 1 admin" in shown
    assert settings().service_api_keys == () and "open" in str(settings().describe()["api_keys"])


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"SERVICE_API_KEYS": "short-key"}, "SERVICE_API_KEYS"),
        ({"ADMIN_API_KEYS": "has a space in it somewhere"}, "ADMIN_API_KEYS"),
        ({"ADMIN_API_KEYS": " , "}, "ADMIN_API_KEYS"),
        ({"SESSION_SECRET": "too-short"}, "SESSION_SECRET"),
        ({"COOKIE_SECURE": "maybe"}, "COOKIE_SECURE"),
        ({"SESSION_MAX_AGE": "0"}, "SESSION_MAX_AGE"),
        ({"LOGIN_MAX_FAILURES": "-1"}, "LOGIN_MAX_FAILURES"),
        ({"LOGIN_LOCKOUT_SECONDS": "x"}, "LOGIN_LOCKOUT_SECONDS"),
        ({"MAX_UPLOAD_BYTES": "0"}, "MAX_UPLOAD_BYTES"),
    ],
)
def test_bad_values_stop_start_up_naming_the_variable_without_echoing_secrets(
    env: dict[str, str], variable: str
) -> None:
    with pytest.raises(ConfigError, match=variable) as raised:
        settings(**env)
    if any(marker in variable for marker in ("KEY", "SECRET")):
        assert next(iter(env.values())) not in str(raised.value)


def test_the_session_secret_file_is_created_once_with_owner_only_permissions(tmp_path: Path) -> None:
    path = tmp_path / "data" / "session_secret"
    loaded = settings(SESSION_SECRET_FILE=str(path))
    first = session_secret(loaded)
    assert len(first) >= 32 and path.read_text().strip() == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert session_secret(loaded) == first, "kept across restarts"
    assert list(path.parent.iterdir()) == [path], "no draft file is left behind"


def test_session_secret_wins_over_the_file(tmp_path: Path) -> None:
    loaded = settings(SESSION_SECRET="s" * 40, SESSION_SECRET_FILE=str(tmp_path / "unused"))
    assert session_secret(loaded) == "s" * 40 and not (tmp_path / "unused").exists()


def test_a_truncated_secret_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "session_secret"
    path.write_text("short\n")
    path.chmod(0o600)
    with pytest.raises(ConfigError, match="SESSION_SECRET_FILE"):
        session_secret(settings(SESSION_SECRET_FILE=str(path)))
