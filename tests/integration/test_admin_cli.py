"""`createsuperuser` and `changepassword` on the embedded SQLite default, as an operator runs them."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bootstrap.admin_commands import PasswordUnavailable, read_password
from bootstrap.cli import main

pytestmark = pytest.mark.integration


def test_the_password_comes_from_the_first_line_of_stdin_or_a_terminal_only() -> None:
    assert read_password(True, io.StringIO("spaces kept  \nsecond line\n")) == "spaces kept  "
    with pytest.raises(PasswordUnavailable, match="--password-stdin"):
        read_password(False, io.StringIO(""))


def test_createsuperuser_then_changepassword(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_URL", "DB_HOST", "BROKER_URL", "CELERY_BROKER_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SQLITE_PATH", str(tmp_path / "data" / "db.sqlite3"))
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert main(["createsuperuser", "--username", "Root", "--password-stdin"]) == 0
    assert "created admin user 'root'" in capsys.readouterr().out

    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert main(["createsuperuser", "--username", "root", "--password-stdin"]) == 1
    assert "already exists" in capsys.readouterr().err

    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["changepassword", "--username", "root", "--password-stdin"]) == 1
    assert "password: must be at least 10 characters" in capsys.readouterr().err

    monkeypatch.setattr("sys.stdin", io.StringIO("another long password\n"))
    assert main(["changepassword", "--username", "root", "--password-stdin"]) == 0
    output = capsys.readouterr()
    assert "another long password" not in output.out + output.err
