"""Runs one operation for a proxy event: route, identity, errors, CORS, the request's log line."""

import time
from collections.abc import Callable, Mapping
from typing import Any

from services.edge import metrics, routes
from services.edge.http import Request, Response, cors_headers
from services.edge.logs import logger
from services.edge.problems import internal_error, problem, problem_for
from services.errors import TaskError

Operation = Callable[[Request], Response]

_cold = True


def serve(event: dict[str, Any], context: Any, operations: Mapping[str, Operation]) -> Response:
    global _cold
    cold, _cold = _cold, False
    started = time.perf_counter()
    request_context = event.get("requestContext") or {}
    function_request_id = getattr(context, "aws_request_id", None)
    request_id = str(request_context.get("requestId") or function_request_id or "-")
    metrics.start()
    request = Request.from_event(event, request_id)
    route = routes.find(request.method, request.resource)
    operation = operations.get(route.operation_id) if route else None
    failure: BaseException | None = None
    try:
        if route is None or operation is None:
            response = problem(request_id, 404, "Not Found", "No such route in this function")
        else:
            request.parse_params(route)
            response = operation(request)
    except TaskError as error:
        response = problem_for(error, request_id)
    except Exception as error:  # anything unexpected: logged in full, never shown
        failure = error
        response = internal_error(request_id)
    response["headers"].update(cors_headers(request.headers))
    response["headers"]["X-Request-Id"] = request_id
    latency_ms = round((time.perf_counter() - started) * 1000, 2)
    operation_id = route.operation_id if route else "unknown"
    fields = {
        # Lambda's JSON log format fills `requestId` with the invocation's own id.
        "apiRequestId": request_id,
        "functionRequestId": function_request_id,
        "route": f"{request.method} {request.resource}",
        "operation": operation_id,
        "status": response["statusCode"],
        "latencyMs": latency_ms,
        "coldStart": cold,
    }
    if failure is not None:
        logger.error("request failed", extra=fields, exc_info=failure)
    else:
        logger.info("request", extra=fields)
    metrics.emit(operation_id, response["statusCode"], latency_ms, cold)
    return response
