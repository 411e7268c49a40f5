"""Property-based fuzz of every route of the OpenAPI document against the running local
server: no 5xx, and every answer conforms to the document (status, content type, schema).

`make fuzz` runs the same with many more examples (FUZZ_EXAMPLES)."""

import os
from collections import Counter
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from emulator.auth import issue_token
from services.edge.openapi import document
from services.edge.routes import ROUTES
from tests.support import LocalServer

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200"))
schema = schemathesis.openapi.from_dict(document("/"))
# A body past 16 KiB is a 413 whatever it holds; invalid bodies that large (a checklist of 50
# long non-ASCII titles, say) are rejected so, before any field is read.
schema.config.checks.negative_data_rejection.expected_statuses.append("413")
TOKEN = "Bearer " + issue_token("fuzzer", ttl=24 * 3600)
STATUSES: Counter[tuple[str, int]] = Counter()
# Lists and invitations that exist on the server (made by `lists_to_fuzz`): generated ids and
# tokens are all unknown (404), so the fuzz also draws these to reach what lies behind.
REAL: dict[str, list[str]] = {"listId": ["default"], "token": []}


@schema.auth()
class LocalToken:
    """The token `todo-api token` would print, sent as the security scheme says."""

    def get(self, case: schemathesis.Case[Any], context: schemathesis.AuthContext) -> str:
        return TOKEN

    def set(self, case: schemathesis.Case[Any], data: str,
            context: schemathesis.AuthContext) -> None:
        if case.headers is None:
            case.headers = {}  # type: ignore[assignment]
        case.headers["Authorization"] = data


@pytest.fixture(scope="module", autouse=True)
def lists_to_fuzz(local_server: LocalServer) -> None:
    """A list of the fuzzer's own, and an invitation to another user's list it may accept."""
    def post(path: str, user_token: str, body: dict[str, Any]) -> Any:
        reply = requests.post(local_server.url + path, json=body, timeout=30,
                              headers={"Authorization": user_token})
        assert reply.status_code == 201, reply.text
        return reply.json()

    REAL["listId"].append(post("/lists", TOKEN, {"name": "fuzzed"})["listId"])
    owner = "Bearer " + issue_token("fuzz-owner", ttl=24 * 3600)
    theirs = post("/lists", owner, {"name": "invites the fuzzer"})["listId"]
    REAL["token"].append(post(f"/lists/{theirs}/invitations", owner,
                              {"role": "editor", "maxUses": 50})["token"])


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
    if not isinstance(path_parameters, dict) or "listId" not in path_parameters:
        return st.just(path_parameters)
    return st.sampled_from([path_parameters] + [{**path_parameters, "listId": list_id}
                                                for list_id in REAL["listId"]])


@schema.hook
def flatmap_body(context: Any, body: Any) -> Any:
    # Only a body the document allows (a negative case must stay invalid).
    valid = isinstance(body, dict) and set(body) == {"token"} and isinstance(
        body["token"], str) and 0 < len(body["token"]) <= 200
    if not valid or not REAL["token"]:
        return st.just(body)
    return st.sampled_from([body, {**body, "token": REAL["token"][0]}])


EXCLUDED_CHECKS = [
    # API Gateway answers a method a resource lacks as an unknown route (our gateway
    # responses make that a problem+json 404); it cannot send 405 with Allow.
    schemathesis.checks.unsupported_method,
    # Rules beyond what a schema says: a title is trimmed before its length counts,
    # `completed` must agree with `status`, a userId must be the caller's, text must
    # be valid Unicode (no lone surrogates). Such bodies get a 400 naming the field.
    schemathesis.checks.positive_data_acceptance,
]


# The routes of lists and sharing get a quarter of the examples: 19 routes more would
# otherwise triple the run (`make fuzz` gives them FUZZ_EXAMPLES / 4 too).
LISTS = r"^/(lists|invitations)"


def _call(case: schemathesis.Case[Any], local_server: LocalServer) -> None:
    # A generated Host names another server: the local server refuses it with a 421 (its guard
    # against DNS rebinding, tests/test_local_neighbour.py), as API Gateway answers a Host of no
    # API of its own outside the document; neither is the API's contract under fuzz here.
    for name in [h for h in (case.headers or {}) if h.lower() == "host"]:
        del case.headers[name]
    response = case.call_and_validate(
        base_url=local_server.url,
        excluded_checks=EXCLUDED_CHECKS,
    )
    STATUSES[(case.operation.label, response.status_code)] += 1


@schema.exclude(path_regex=LISTS).parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_server_error_and_every_answer_matches_the_document(
    case: schemathesis.Case[Any], local_server: LocalServer,
) -> None:
    _call(case, local_server)


@schema.include(path_regex=LISTS).parametrize()
@settings(max_examples=max(20, EXAMPLES // 4), deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_lists_no_server_error_and_every_answer_matches_the_document(
    case: schemathesis.Case[Any], local_server: LocalServer,
) -> None:
    _call(case, local_server)


def test_the_fuzz_reached_every_handler_signed_in() -> None:
    """Had the token been refused, every case above would have passed as a tidy 401."""
    for route in ROUTES:
        label = f"{route.method} {route.document_path}"
        answers = {status for (op, status), _ in STATUSES.items() if op == label}
        assert answers - {401}, (label, answers)
        if route.method in ("POST", "GET") and "{" not in route.path:
            assert answers & {200, 201}, (label, answers)
        if route.method == "GET" and route.path_params == ["listId"] and not route.params:
            assert 200 in answers, (label, answers)  # a list that exists, not only 404s


CONDITIONS = ("if-match", "if-none-match")


def test_sequences_of_calls_on_the_tasks_they_create(local_server: LocalServer) -> None:
    """Stateful: create, then read, change and delete what was created, in random orders
    (the task routes: the webhook routes' sequences would crowd them out of the examples)."""
    STATEFUL: Counter[int] = Counter()
    tasks = schema.include(path_regex="^/todo")

    class Workflow(tasks.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: schemathesis.Case[Any]) -> dict[str, Any]:
            return {"base_url": local_server.url}

        def before_call(self, case: schemathesis.Case[Any]) -> None:
            # A random seed userId is a 403, and a random entity tag a 400 or 412, whatever the
            # sequence: leave them to the test above, so that sequences reach the tasks they
            # made.
            for name in ("userId", "userID"):
                for part in (case.query, case.body):
                    if isinstance(part, dict):
                        part.pop(name, None)
            for name in [h for h in (case.headers or {}) if h.lower() in CONDITIONS]:
                del case.headers[name]
            LocalToken().set(case, TOKEN, None)  # type: ignore[arg-type]

        def validate_response(self, response: Any, case: schemathesis.Case[Any],
                              additional_checks: Any = None, **kwargs: Any) -> None:
            STATEFUL[response.status_code] += 1
            # before_call puts the valid token over whatever Authorization the case was
            # generated with, so ignored_auth would take a generated header for the one sent.
            # The test above checks that a missing or invalid token is refused.
            case.validate_response(
                response, excluded_checks=[*EXCLUDED_CHECKS, schemathesis.checks.ignored_auth])

    Workflow.run(settings=settings(max_examples=max(10, EXAMPLES // 10), deadline=None,
                                   stateful_step_count=6, derandomize=True,
                                   suppress_health_check=list(HealthCheck)))
    assert STATEFUL[200] > 0 and STATEFUL[201] > 0, STATEFUL
