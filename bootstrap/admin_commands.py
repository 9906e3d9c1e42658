"""`createsuperuser` and `changepassword`: admin accounts from the command line, passwords never echoed."""

from __future__ import annotations

import asyncio
import getpass
import sys
from typing import TextIO

from bootstrap.container import build_container
from bootstrap.settings import Settings
from domain.errors import Conflict, InvalidInput, NotFound, StorageUnavailable


class PasswordUnavailable(Exception):
    """No password was given and there is no terminal to ask for one."""


def read_password(from_stdin: bool, stdin: TextIO | None = None) -> str:
    """From the first line of standard input (scripts, CI), or asked twice at the terminal without echo."""
    stdin = stdin or sys.stdin
    if from_stdin:
        return stdin.readline().rstrip("\r\n")
    if not stdin.isatty():
        raise PasswordUnavailable("no terminal to ask for the password; pass --password-stdin and pipe it in")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password (again): ") != first:
        raise PasswordUnavailable("the two passwords differ")
    return first


def create_superuser(settings: Settings, username: str, password_from_stdin: bool) -> int:
    return _account_command(settings, username, password_from_stdin, create=True)


def change_password(settings: Settings, username: str, password_from_stdin: bool) -> int:
    return _account_command(settings, username, password_from_stdin, create=False)


def _account_command(settings: Settings, username: str, password_from_stdin: bool, create: bool) -> int:
    try:
        password = read_password(password_from_stdin)
    except PasswordUnavailable as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    async def run() -> int:
        container = build_container(settings)
        try:
            if create:
                user = await container.create_admin_user().execute(username, password)
                print(f"created admin user {user.username!r}; log in at /admin/")
            else:
                user = await container.change_admin_password().execute(username, password)
                print(f"changed the password of {user.username!r}; their existing sessions have ended")
            return 0
        except (InvalidInput, Conflict, NotFound) as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        except StorageUnavailable as error:
            print(f"error: {error}", file=sys.stderr)
            return 3
        except Exception as error:  # noqa: BLE001 - the driver's message would quote the SQL, hash included
            print(
                f"error: {type(error).__name__}; is the database migrated? Run `ticket-utils migrate` first.",
                file=sys.stderr,
            )
            return 3
        finally:
            await container.engine().dispose()

    return asyncio.run(run())
