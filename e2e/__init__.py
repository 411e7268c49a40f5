"""The e2e suite: black-box HTTP tests of a running todo-api at any URL (API_URL, TOKEN, TOKEN2),
and the clients of a deployed stack that drive it (login.py: a Cognito ID token; stack.py: the
suite as two throwaway users).

It imports nothing from the rest of the project, so it runs the same against `todo-api serve`
and a deployed stage: `make e2e API_URL=... TOKEN=... TOKEN2=...` (or `make e2e STACK=dev`)."""
