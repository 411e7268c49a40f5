"""The whole stack, wired: image, table, functions, users, API. Returns the stack outputs."""

from functools import partial
from typing import Any

import pulumi
import pulumi_aws as aws

from infra import settings as stack_settings
from infra.api import RestApi, UserPool
from infra.boundary import contain_every_role
from infra.events import DISPATCHER, Events
from infra.function import ApiFunction, table_arns
from infra.gateway_logging import GatewayLogging
from infra.image import FunctionImage
from infra.monitoring import Monitoring
from infra.permissions import FUNCTION_ACTIONS, api_statements
from infra.table import table
from infra.tagging import tag_everything
from infra.token_keys import generation as token_key_generation
from infra.token_keys import token_keys
from infra.waf import protect_stage
from infra.web import WebApp, WebSite
from services.edge.routes import FUNCTIONS, ROUTES


def _api_statements(function: str, table_arn: str) -> list[dict[str, Any]]:
    return api_statements(function, table_arns(table_arn))


def build() -> dict[str, pulumi.Output[str]]:
    settings = stack_settings.load()
    tag_everything(settings.stack)  # first: every resource below is tagged
    # and every role below lives under the stack's path with its boundary
    contain_every_role(settings)
    image = FunctionImage(settings.prefix, force_delete=not settings.deletion_protection)
    todos = table(settings)
    site = WebSite("web", settings=settings)  # first: its URL is one of the API's CORS origins
    cors_origins = site.cors_origins
    keys = token_keys(token_key_generation())
    functions = {
        name: ApiFunction(
            name,
            settings=settings,
            command=command,
            image_uri=image.uri,
            table_name=todos.name,
            table_arn=todos.arn,
            actions=FUNCTION_ACTIONS[name],
            cors_origins=cors_origins,
            token_keys=keys,
            statements=todos.arn.apply(partial(_api_statements, name)),
        )
        for name, command in FUNCTIONS.items()
    }
    users = UserPool("users", settings=settings)
    if settings.manage_gateway_logging:
        GatewayLogging("apigateway-logging")
    api = RestApi(
        "api",
        settings=settings,
        invoke_arns={name: f.function.invoke_arn for name, f in functions.items()},
        user_pool_arn=users.pool.arn,
        cors_origins=cors_origins,
    )
    web = WebApp("web", settings=settings, site=site, api_url=api.stage.invoke_url,
                 user_pool_id=users.pool.id)
    protect_stage(settings, api.stage)
    events = Events("events", settings=settings, image_uri=image.uri, table=todos,
                    api_url=api.stage.invoke_url, cors_origins=cors_origins)
    for name, function in functions.items():
        function.allow_routes([r for r in ROUTES if r.function == name], api.api.execution_arn)
    Monitoring(
        "monitoring",
        settings=settings,
        api_name=api.api.name,
        stage_name=api.stage.stage_name,
        functions={**{name: f.function.name for name, f in functions.items()},
                   DISPATCHER: events.dispatcher.function.name},
        table_name=todos.name,
        dead_letter_queue=events.dead_letters.name,
    )
    return {
        "apiUrl": api.stage.invoke_url,
        "tableName": todos.name,
        "userPoolId": users.pool.id,
        "userPoolClientId": users.client.id,
        "imageUri": image.uri,
        "region": aws.get_region_output().region,
        "webUrl": site.url,
        "webClientId": web.client.id,
        "signInUrl": web.sign_in_url,
    }
