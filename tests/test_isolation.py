"""Two users on every route: nobody reads, changes or deletes another user's tasks."""

import pytest

from tests.support import Api


@pytest.fixture
def victim_task(api: Api, user: str) -> dict[str, object]:
    return api.create(user, title="private", description="secret")


def test_other_user_cannot_see_a_task(api: Api, user: str, other_user: str,
                                      victim_task: dict[str, object]) -> None:
    path = f"/todos/{victim_task['taskId']}"
    assert api.request("GET", path, user=other_user).status == 404
    listed = api.request("GET", "/todos", user=other_user)
    assert listed.status == 200 and listed.json() == []
    assert api.request("GET", "/todos?status=pending", user=other_user).json() == []


def test_other_user_cannot_change_or_delete(api: Api, user: str, other_user: str,
                                            victim_task: dict[str, object]) -> None:
    path = f"/todos/{victim_task['taskId']}"
    for method in ("PUT", "PATCH"):
        reply = api.request(method, path, user=other_user, json_body={"title": "pwned"})
        assert reply.status == 404
    assert api.request("DELETE", path, user=other_user).status == 404
    assert api.request("DELETE", f"/todos/{other_user}/{victim_task['taskId']}",
                       user=other_user).status == 404
    cleared = api.request("DELETE", "/todos?status=all", user=other_user)
    assert cleared.status == 200 and cleared.json()["deleted"] == 0
    assert api.tasks_of(user) == [victim_task]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/todos?userId={victim}", None),
        ("GET", "/todos?userID={victim}", None),
        ("GET", "/todos/{task}?userId={victim}", None),
        ("POST", "/todo", {"userId": "{victim}", "title": "x"}),
        ("POST", "/todos", {"userID": "{victim}", "title": "x"}),
        ("POST", "/todos?userId={victim}", {"title": "x"}),
        ("PUT", "/todos/{task}?userId={victim}", {"status": "completed"}),
        ("PATCH", "/todos/{task}?userID={victim}", {"status": "completed"}),
        ("DELETE", "/todos/{task}?userId={victim}", None),
        ("DELETE", "/todos/{victim}/{task}", None),
        ("DELETE", "/todos?status=all&userId={victim}", None),
    ],
)
def test_naming_another_user_is_403_and_changes_nothing(
    api: Api, user: str, other_user: str, victim_task: dict[str, object],
    method: str, path: str, body: dict[str, str] | None,
) -> None:
    def fill(text: str) -> str:
        return text.format(victim=user, task=victim_task["taskId"])

    json_body = {k: fill(v) for k, v in body.items()} if body else None
    reply = api.request(method, fill(path), user=other_user, json_body=json_body)
    assert reply.status == 403
    assert reply.content_type == "application/problem+json"
    assert "secret" not in reply.body.decode()
    assert api.tasks_of(user) == [victim_task]
    assert api.tasks_of(other_user) == []


def test_matching_user_id_is_accepted_everywhere(api: Api, user: str) -> None:
    task = api.create(user, userId=user)
    assert api.request("GET", f"/todos/{task['taskId']}?userId={user}", user=user).status == 200
    assert api.request("DELETE", f"/todos/{user}/{task['taskId']}", user=user).status == 200
