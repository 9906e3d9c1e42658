"""Admin accounts, login and its throttling, and session checks: the use cases over fakes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.inbound.http.security.sessions import STAMP_KEY, USER_KEY, session_identity
from application.use_cases.admin_accounts import ChangeAdminPassword, CountAdminUsers, CreateAdminUser
from application.use_cases.admin_login import AuthenticateAdmin, ResolveAdminSession
from domain.admin_users import AdminRole
from domain.errors import Conflict, InvalidCredentials, InvalidInput, LoginThrottled, NotFound
from domain.login_throttle import RecentFailures, address_key, user_key
from tests.settings_defaults import login_policy
from tests.unit.fakes import FakePasswordHasher, FakeUnitOfWorkFactory, FixedClock

PASSWORD = "correct horse battery"
POLICY = login_policy(max_failures_per_user=3, max_failures_per_address=5, first_lockout=timedelta(seconds=30))


class Accounts:
    def __init__(self) -> None:
        self.uow = FakeUnitOfWorkFactory()
        self.hasher = FakePasswordHasher()
        self.clock = FixedClock()
        self.create = CreateAdminUser(self.uow, self.hasher, self.clock)
        self.change = ChangeAdminPassword(self.uow, self.hasher)
        self.login = AuthenticateAdmin(self.uow, self.hasher, self.clock, POLICY)
        self.resolve = ResolveAdminSession(self.uow)

    async def fail(self, times: int, username: str = "alice", address: str = "10.0.0.1") -> None:
        for _ in range(times):
            with pytest.raises(InvalidCredentials):
                await self.login.execute(username, "wrong password", address)


@pytest.fixture
def accounts() -> Accounts:
    return Accounts()


async def test_created_admin_stores_only_a_hash_and_a_normalised_name(accounts: Accounts) -> None:
    user = await accounts.create.execute("  Alice ", PASSWORD)
    assert user.id is not None and user.username == "alice" and user.role is AdminRole.ADMIN and user.is_active
    stored = accounts.uow.store.admin_users[user.id]
    assert stored.password_hash == f"hashed:{PASSWORD}" and accounts.hasher.hashed == 1
    assert await CountAdminUsers(accounts.uow).execute() == 1


@pytest.mark.parametrize(
    ("username", "password", "field"),
    [
        ("", PASSWORD, "username"),
        ("has space", PASSWORD, "username"),
        ("x" * 151, PASSWORD, "username"),
        ("alice", "short", "password"),
        ("alice", "1234567890123", "password"),
        ("alice", "alice-is-my-password", "password"),
        ("alice", "p" * 1025, "password"),
        ("alice", None, "password"),
    ],
)
async def test_bad_usernames_and_weak_passwords_are_refused_naming_the_field(
    accounts: Accounts, username: str, password: object, field: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        await accounts.create.execute(username, password)
    assert raised.value.field == field
    assert accounts.uow.store.admin_users == {} and accounts.uow.store.commits == 0


async def test_a_username_is_taken_once_whatever_its_case(accounts: Accounts) -> None:
    await accounts.create.execute("alice", PASSWORD)
    with pytest.raises(Conflict):
        await accounts.create.execute("ALICE", PASSWORD)


async def test_login_with_the_right_password_records_the_time_and_clears_user_failures(accounts: Accounts) -> None:
    await accounts.create.execute("alice", PASSWORD)
    await accounts.fail(2)
    user = await accounts.login.execute("Alice", PASSWORD, "10.0.0.1")
    assert user.username == "alice" and user.last_login_at == accounts.clock.now()
    keys = [key for key, _ in accounts.uow.store.login_failures.values()]
    assert user_key("alice") not in keys, "a success forgets the username's failures"
    assert keys.count(address_key("10.0.0.1")) == 2, "but not the address's: one account must not reset it"


@pytest.mark.parametrize("username", ["alice", "nobody", ""])
async def test_wrong_password_missing_and_empty_accounts_fail_alike_with_a_real_hash_check(
    accounts: Accounts, username: str
) -> None:
    await accounts.create.execute("alice", PASSWORD)
    with pytest.raises(InvalidCredentials) as raised:
        await accounts.login.execute(username, "not the password", "10.0.0.1")
    assert str(raised.value) == "Wrong username or password."
    assert len(accounts.hasher.verified) == 1, "every attempt costs one verification, so timing tells nothing"


async def test_an_inactive_account_cannot_log_in(accounts: Accounts) -> None:
    user = await accounts.create.execute("alice", PASSWORD)
    from dataclasses import replace

    accounts.uow.store.admin_users[user.id] = replace(user, is_active=False)
    with pytest.raises(InvalidCredentials):
        await accounts.login.execute("alice", PASSWORD, "10.0.0.1")


async def test_repeated_failures_lock_the_username_even_against_the_right_password(accounts: Accounts) -> None:
    await accounts.create.execute("alice", PASSWORD)
    await accounts.fail(3)
    verified = len(accounts.hasher.verified)
    with pytest.raises(LoginThrottled) as raised:
        await accounts.login.execute("alice", PASSWORD, "10.9.9.9")
    assert raised.value.retry_after_s == 30 and "try again in 30 seconds" in str(raised.value)
    assert len(accounts.hasher.verified) == verified, "a locked login checks no password at all"

    accounts.clock.advance(seconds=31)
    assert (await accounts.login.execute("alice", PASSWORD, "10.9.9.9")).username == "alice"


async def test_attempts_refused_by_the_lockout_do_not_lengthen_it(accounts: Accounts) -> None:
    await accounts.create.execute("alice", PASSWORD)
    await accounts.fail(3)
    for _ in range(5):
        with pytest.raises(LoginThrottled):
            await accounts.login.execute("alice", PASSWORD, "10.0.0.1")
    assert len(accounts.uow.store.login_failures) == 6, "only the three checked failures, for two keys each"
    accounts.clock.advance(seconds=31)
    assert (await accounts.login.execute("alice", PASSWORD, "10.0.0.1")).username == "alice"


async def test_the_lockout_doubles_while_failures_go_on(accounts: Accounts) -> None:
    await accounts.create.execute("alice", PASSWORD)
    await accounts.fail(3)
    accounts.clock.advance(seconds=31)
    await accounts.fail(1)
    with pytest.raises(LoginThrottled) as raised:
        await accounts.login.execute("alice", PASSWORD, "10.0.0.2")
    assert raised.value.retry_after_s == 60


async def test_an_address_guessing_at_many_usernames_is_locked_too(accounts: Accounts) -> None:
    for name in ("u1", "u2", "u3", "u4", "u5"):
        await accounts.fail(1, username=name, address="203.0.113.7")
    with pytest.raises(LoginThrottled):
        await accounts.login.execute("u6", "anything at all", "203.0.113.7")
    with pytest.raises(InvalidCredentials):
        await accounts.login.execute("u6", "anything at all", "198.51.100.1")


async def test_failures_older_than_the_window_are_forgotten_and_pruned(accounts: Accounts) -> None:
    await accounts.create.execute("alice", PASSWORD)
    await accounts.fail(2)
    accounts.clock.advance(minutes=16)
    await accounts.fail(1, address="10.0.0.9")
    assert len(accounts.uow.store.login_failures) == 2, "only the newest failure's two keys remain"
    assert (await accounts.login.execute("alice", PASSWORD, "10.0.0.1")).username == "alice"


async def test_a_session_is_valid_until_the_password_changes(accounts: Accounts) -> None:
    user = await accounts.create.execute("alice", PASSWORD)
    stamp = user.session_stamp()
    assert await accounts.resolve.execute(user.id, stamp) == user
    for bad_id, bad_stamp in ((user.id, "other"), (9999, stamp)):
        assert await accounts.resolve.execute(bad_id, bad_stamp) is None
    await accounts.change.execute("alice", "a brand new password")
    assert await accounts.resolve.execute(user.id, stamp) is None


@pytest.mark.parametrize(
    "session",
    [None, [7, "stamp"], {}, {USER_KEY: "7", STAMP_KEY: "stamp"}, {USER_KEY: True, STAMP_KEY: "s"}, {USER_KEY: 7}],
)
def test_a_session_names_a_user_only_with_an_integer_id_and_a_text_stamp(session: object) -> None:
    assert session_identity(session) is None
    assert session_identity({USER_KEY: 7, STAMP_KEY: "stamp"}) == (7, "stamp")


async def test_logout_ends_every_session_of_the_admin_and_a_login_after_it_works(accounts: Accounts) -> None:
    from application.use_cases.admin_login import LogoutAdmin

    await accounts.create.execute("alice", PASSWORD)
    first = await accounts.login.execute("alice", PASSWORD, "10.0.0.1")
    second = await accounts.login.execute("alice", PASSWORD, "10.0.0.2")
    assert first.session_stamp() == second.session_stamp()
    await LogoutAdmin(accounts.uow).execute(first)
    assert await accounts.resolve.execute(first.id, first.session_stamp()) is None
    assert await accounts.resolve.execute(second.id, second.session_stamp()) is None
    again = await accounts.login.execute("alice", PASSWORD, "10.0.0.1")
    assert again.session_generation == first.session_generation + 1
    assert await accounts.resolve.execute(again.id, again.session_stamp()) == again


async def test_a_password_change_raises_the_session_generation(accounts: Accounts) -> None:
    user = await accounts.create.execute("alice", PASSWORD)
    changed = await accounts.change.execute("alice", "a brand new password")
    assert changed.session_generation == user.session_generation + 1
    assert await accounts.resolve.execute(changed.id, changed.session_stamp()) is not None


async def test_changing_a_password_lifts_the_lockout(accounts: Accounts) -> None:
    await accounts.create.execute("alice", PASSWORD)
    await accounts.fail(3)
    await accounts.change.execute("alice", "a brand new password")
    assert (await accounts.login.execute("alice", "a brand new password", "10.0.0.1")).username == "alice"
    with pytest.raises(NotFound):
        await accounts.change.execute("nobody", "a brand new password")


async def test_a_hash_made_with_old_parameters_is_upgraded_at_login(accounts: Accounts) -> None:
    await accounts.create.execute("alice", PASSWORD)
    accounts.hasher.scheme = "stronger"
    user = await accounts.login.execute("alice", PASSWORD, "10.0.0.1")
    assert user.password_hash == f"stronger:{PASSWORD}"


def test_the_policy_caps_the_lockout() -> None:
    policy = login_policy(
        max_failures_per_user=3, first_lockout=timedelta(seconds=30), max_lockout=timedelta(minutes=2)
    )
    clock = FixedClock()
    locked = policy.locked_until(RecentFailures(50, clock.now()), 3)
    assert locked == clock.now() + timedelta(minutes=2)
    assert policy.locked_until(RecentFailures(2, clock.now()), 3) is None
    with pytest.raises(ValueError):
        login_policy(max_failures_per_user=0)
