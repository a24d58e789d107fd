"""The OpenAPI description validates, and a schema-driven run finds no server errors."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from apps.api.models import ApiToken
from apps.api.openapi import description

from ..factories import make_decision, make_team
from ..reviews.helpers import accepted


def test_its_description_is_valid_openapi(client, db):
    served = client.get("/api/openapi.json").json()
    validate(served)
    assert served == description("http://testserver/api/")
    assert set(served["paths"]) == {
        "/decisions/",
        "/decisions/{slug}/{number}/",
        "/decisions/{slug}/{number}/versions/",
        "/decisions/{slug}/{number}/versions/{version}.md",
        "/workspaces/{slug}/health/",
    }


@pytest.fixture
def api_schema(workspace):
    people = make_team(workspace, ada="author", rita="reviewer")
    ada = people["ada"]
    accepted(workspace, ada, people["rita"])
    make_decision(workspace, "Kafka <b>for</b> events", context="We stream with Kafka.")
    _, token = ApiToken.issue(ada, "schemathesis")
    # As Django's test client does: the test's open transaction must outlive each request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    schema.token = token
    yield schema
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_it_answers_every_generated_request_without_a_server_error(api_schema):
    # schemathesis's pytest plugin does not run under pytest 9; hypothesis drives each operation.
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 5
    headers = {"Authorization": f"Bearer {api_schema.token}"}
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=40,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            # Real paths too, not only random ones: generated slugs and numbers rarely exist.
            params = case.path_parameters or {}
            if "slug" in params and params.get("number", len(params["slug"])) % 3 == 0:
                params.update(slug="team", **({"number": 1} if "number" in params else {}))
            case.call_and_validate(headers=headers, checks=checks)

        run()
