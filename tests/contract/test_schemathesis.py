"""The OpenAPI document is true: schemathesis, with every check it has, finds nothing
for three principals (the owner's lead, a reviewer whose window is open, a member of
a third partnership), nor over GraphQL. Bounded here (the coverage phase, which
probes every input's boundaries and wrong types, for the owner's lead only); `make
fuzz` runs the long campaign with every phase for everyone."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from accounts import services as account_services
from tests.contract import fuzz
from tests.security.principals import OTHER_MEMBER, OWNER_LEAD, REVIEWER_OPEN, build_matrix_world


@pytest.fixture
def quiet_request_log() -> Iterator[None]:
    """Thousands of refused requests are the point here, not news for the log."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


@pytest.fixture
def tokens(transactional_db: Any, quiet_request_log: None) -> dict[str, str]:
    """The matrix world, committed (the engine's threads read it), and a token each.

    The reference handbook comes from a data migration that an earlier transactional
    test may have flushed, so it is loaded again."""
    from tests.reference_data import reload_reference_data

    reload_reference_data()
    world = build_matrix_world()
    return {
        principal: account_services.api_token_create(
            user=world.users[principal], name="schemathesis"
        ).raw
        for principal in (OWNER_LEAD, REVIEWER_OPEN, OTHER_MEMBER)
    }


@pytest.mark.parametrize("principal", [OWNER_LEAD, REVIEWER_OPEN, OTHER_MEMBER])
def test_schemathesis_finds_no_failure_in_the_openapi_document(
    live_server, tokens, principal, capsys
):
    outcome = fuzz.run_openapi(live_server.url, tokens[principal], coverage=principal == OWNER_LEAD)

    with capsys.disabled():
        print(f"\nschemathesis OpenAPI as {principal}: {outcome.summary()}")
    assert outcome.failures == [], "\n\n".join(outcome.failures)
    assert outcome.errors == []
    assert outcome.cases > 0


def test_schemathesis_finds_no_failure_over_graphql(live_server, tokens, capsys):
    outcome = fuzz.run_graphql(live_server.url, tokens[OWNER_LEAD])

    with capsys.disabled():
        print(f"\nschemathesis GraphQL as {OWNER_LEAD}: {outcome.summary()}")
    assert outcome.failures == [], "\n\n".join(outcome.failures)
    assert outcome.errors == []
    assert outcome.cases > 0
