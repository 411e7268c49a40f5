"""The webhook routes, served by the four API functions by verb (each function's OPERATIONS
takes its own): POST /webhooks and POST /webhooks/{id}/test by createTodo, the GETs by
getTodos, PATCH by updateTodo, DELETE by deleteTodo."""

from services.domain import webhooks
from services.edge.http import Request, Response, json_response


def _id(request: Request) -> str:
    return request.path_params["webhookId"]


def create(request: Request) -> Response:
    created = webhooks.create(request.caller(), request.json_object())
    location = request.url_for(f"/webhooks/{created['webhookId']}")
    return json_response(201, created, {"Location": location})


def list_all(request: Request) -> Response:
    return json_response(200, webhooks.list_all(request.caller()))


def get(request: Request) -> Response:
    return json_response(200, webhooks.get(request.caller(), _id(request)))


def update(request: Request) -> Response:
    return json_response(200, webhooks.update(request.caller(), _id(request),
                                              request.json_object()))


def delete(request: Request) -> Response:
    webhook_id = _id(request)
    webhooks.delete(request.caller(), webhook_id)
    return json_response(200, {"message": f"Webhook '{webhook_id}' deleted"})


def test(request: Request) -> Response:
    event_id = webhooks.request_test(request.caller(), _id(request))
    return json_response(202, {"eventId": event_id, "type": webhooks.TEST_EVENT})


def deliveries(request: Request) -> Response:
    return json_response(200, webhooks.deliveries(request.caller(), _id(request)))


# operationId -> operation, by the function that serves it.
CREATE = {"createWebhook": create, "testWebhook": test}
READ = {"listWebhooks": list_all, "getWebhook": get, "listDeliveries": deliveries}
UPDATE = {"updateWebhook": update}
DELETE = {"deleteWebhook": delete}
