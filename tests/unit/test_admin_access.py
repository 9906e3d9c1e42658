"""API keys and the access rule, without HTTP."""

from __future__ import annotations

import pytest

from domain.access import AccessDecision, AccessLevel, ApiKeyRing, authorize

RING = ApiKeyRing(service_keys=("service-key-0123456789",), admin_keys=("admin-key-0123456789abc",))


def test_a_key_grants_its_list_s_level_and_admin_wins_when_listed_twice() -> None:
    assert RING.level_of("service-key-0123456789") is AccessLevel.SERVICE
    assert RING.level_of("admin-key-0123456789abc") is AccessLevel.ADMIN
    assert RING.level_of("admin-key-0123456789ab") is AccessLevel.NONE
    assert RING.level_of("") is AccessLevel.NONE
    both = ApiKeyRing(("same-key-0123456789",), ("same-key-0123456789",))
    assert both.level_of("same-key-0123456789") is AccessLevel.ADMIN


@pytest.mark.parametrize(
    ("required", "key", "session", "decision"),
    [
        (AccessLevel.SERVICE, None, False, AccessDecision.MISSING_CREDENTIALS),
        (AccessLevel.ADMIN, "", False, AccessDecision.MISSING_CREDENTIALS),
        (AccessLevel.SERVICE, "guess-0123456789abcdef", False, AccessDecision.INVALID_CREDENTIALS),
        (AccessLevel.SERVICE, "service-key-0123456789", False, AccessDecision.ALLOWED),
        (AccessLevel.ADMIN, "service-key-0123456789", False, AccessDecision.INSUFFICIENT_LEVEL),
        (AccessLevel.ADMIN, "admin-key-0123456789abc", False, AccessDecision.ALLOWED),
        (AccessLevel.SERVICE, "admin-key-0123456789abc", False, AccessDecision.ALLOWED),
        (AccessLevel.ADMIN, None, True, AccessDecision.ALLOWED),
        (AccessLevel.ADMIN, "guess-0123456789abcdef", True, AccessDecision.ALLOWED),
    ],
)
def test_authorize(required: AccessLevel, key: str | None, session: bool, decision: AccessDecision) -> None:
    assert authorize(required, RING, key, session) is decision


def test_without_configured_keys_everything_is_open() -> None:
    assert not ApiKeyRing().enabled
    assert authorize(AccessLevel.ADMIN, ApiKeyRing(), None, False) is AccessDecision.ALLOWED
