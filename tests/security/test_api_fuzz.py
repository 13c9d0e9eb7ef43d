"""schemathesis against /api/v1/openapi.json, in-process: every documented operation gets
generated requests (valid and invalid), without credentials or with the bearer token of a
participant or of a cohort moderator, with made-up ids or the ids of real objects, and no
answer may be a server error.

Marked `fuzz`: `make test-fuzz` and .ci/run run it; `make test` leaves it out to stay fast.
FIRESIDE_FUZZ_EXAMPLES sets the examples per operation (default 25)."""

import os

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from fireside.accounts.actions import issue_api_token
from tests.security.routes import openapi_schema
from tests.security.world import build_world

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

EXAMPLES = int(os.environ.get("FIRESIDE_FUZZ_EXAMPLES", "25"))
APP = get_wsgi_application()
schema = schemathesis.openapi.from_dict(openapi_schema())


@pytest.fixture
def fuzz_world(db):
    """The security suite's world, and tokens for alice, who takes part in most of it,
    and for mod, who works hearth's cases."""
    world = build_world()
    tokens = {
        "participant": issue_api_token(world.alice, name="fuzz")[1],
        "moderator": issue_api_token(world.moderator, name="fuzz")[1],
    }
    return world, tokens


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Requests go through the WSGI handler, whose request_finished signal would close
    the database connection and with it the test's transaction; Django's own test client
    disconnects it the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _real_ids(world):
    return {
        "slug": world.community.slug,
        "post_id": world.post.pk,
        "conversation_id": world.conversation.pk,
        "seq": 1,
        "token_id": world.token.pk,
        "handle": world.dave.handle,
        "case_id": world.case.pk,
        "action_id": world.action.pk,
        "appeal_id": world.appeal.pk,
        "blocklist_id": world.blocklist.pk,
        "subscription_id": world.subscription.pk,
    }


@schema.parametrize()
@schema.given(
    who=st.sampled_from(["anonymous", "participant", "moderator"]),
    real_ids=st.booleans(),
)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors(case, who, real_ids, fuzz_world):
    world, tokens = fuzz_world
    # Rate limits would soon answer 429 to everything and hide what lies behind them.
    cache.clear()
    if real_ids and case.path_parameters:
        known = _real_ids(world)
        for name in case.path_parameters:
            if name in known:
                case.path_parameters[name] = known[name]
    headers = {"Authorization": f"Bearer {tokens[who]}"} if who in tokens else {}
    case.call_and_validate(app=APP, headers=headers, checks=[not_a_server_error])
