"""The web app per stack, as the Pulumi program declares it under the mocks: a private bucket
behind CloudFront, the files and config.json, Cognito managed login with the code flow + PKCE."""

import json
from pathlib import Path
from typing import Any

import pytest

import infra.web
from infra.web import domain_prefix, reference_files, web_files, with_origin
from tests.test_infra import of_type, one
from tests.test_infra import stack as stack  # the fixture: both stacks

WEB = Path(__file__).resolve().parent.parent / "web"


def named(stack: dict[str, Any], typ: str, name: str) -> dict[str, Any]:
    [resource] = [r for r in of_type(stack, typ) if r["name"] == name]
    return resource


def test_the_bucket_is_private_and_only_cloudfront_reads_it(stack: dict[str, Any]) -> None:
    bucket = one(stack, "aws:s3/bucket:Bucket")
    block = one(stack, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")["inputs"]
    assert block["bucket"] == bucket["id"]
    assert all(block[k] is True for k in ("blockPublicAcls", "blockPublicPolicy",
                                          "ignorePublicAcls", "restrictPublicBuckets"))
    ownership = one(stack, "aws:s3/bucketOwnershipControls:BucketOwnershipControls")["inputs"]
    assert ownership["rule"] == {"objectOwnership": "BucketOwnerEnforced"}  # no ACLs at all
    distribution = one(stack, "aws:cloudfront/distribution:Distribution")
    policy = json.loads(one(stack, "aws:s3/bucketPolicy:BucketPolicy")["inputs"]["policy"])
    [statement] = policy["Statement"]
    assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert statement["Action"] == "s3:GetObject"
    assert statement["Resource"] == f"{bucket['state']['arn']}/*"
    assert statement["Condition"] == {
        "StringEquals": {"AWS:SourceArn": distribution["state"]["arn"]}}


def test_cloudfront_serves_it_over_https_only_through_origin_access_control(
        stack: dict[str, Any]) -> None:
    bucket = one(stack, "aws:s3/bucket:Bucket")
    access = one(stack, "aws:cloudfront/originAccessControl:OriginAccessControl")
    assert access["inputs"]["originAccessControlOriginType"] == "s3"
    assert access["inputs"]["signingBehavior"] == "always"
    distribution = one(stack, "aws:cloudfront/distribution:Distribution")["inputs"]
    [origin] = distribution["origins"]
    assert origin["domainName"] == bucket["state"]["bucketRegionalDomainName"]
    assert origin["originAccessControlId"] == access["id"]
    assert "s3OriginConfig" not in origin  # no legacy origin access identity
    behavior = distribution["defaultCacheBehavior"]
    assert behavior["viewerProtocolPolicy"] == "https-only"
    assert behavior["allowedMethods"] == ["GET", "HEAD", "OPTIONS"]
    assert distribution["defaultRootObject"] == "index.html"
    headers = one(stack, "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy")
    assert behavior["responseHeadersPolicyId"] == headers["id"]
    security = headers["inputs"]["securityHeadersConfig"]
    assert security["strictTransportSecurity"]["accessControlMaxAgeSec"] >= 31536000
    csp = security["contentSecurityPolicy"]["contentSecurityPolicy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert stack["outputs"]["webUrl"] == "https://d111111abcdef8.cloudfront.net"


def test_every_file_is_uploaded_with_its_type_and_cache_policy(stack: dict[str, Any]) -> None:
    objects = {r["inputs"]["key"]: r["inputs"]
               for r in of_type(stack, "aws:s3/bucketObjectv2:BucketObjectv2")}
    served = {p.relative_to(WEB).as_posix() for p in WEB.rglob("*")
              if p.is_file() and p.name != "README.md"}
    reference = reference_files()
    assert set(objects) == served | {"config.json"} | set(reference)
    assert objects["index.html"]["contentType"] == "text/html; charset=utf-8"
    assert objects["js/main.js"]["contentType"] == "text/javascript; charset=utf-8"
    assert objects["app.css"]["contentType"] == "text/css; charset=utf-8"
    for key, inputs in objects.items():
        assert inputs["bucket"] == one(stack, "aws:s3/bucket:Bucket")["id"]
        # No fingerprinted names without a build step: code and config revalidate each load.
        assert inputs["cacheControl"] == "no-cache", key
        if key in reference:
            assert Path(inputs["source"]["fileAsset"]) == reference[key][0]
            assert inputs["contentType"] == reference[key][1]
        elif key != "config.json":
            assert Path(inputs["source"]["fileAsset"]) == WEB / key


def test_the_api_reference_is_served_at_docs_with_its_renderer_and_licence(
        stack: dict[str, Any]) -> None:
    """CloudFront maps /docs to the S3 key `docs` (no index documents below the root), so the
    page is uploaded under that key; it finds the API through config.json at run time."""
    objects = {r["inputs"]["key"]: r["inputs"]
               for r in of_type(stack, "aws:s3/bucketObjectv2:BucketObjectv2")}
    assert objects["docs"]["contentType"] == "text/html; charset=utf-8"
    assert Path(objects["docs"]["source"]["fileAsset"]) == WEB / "docs" / "index.html"
    page = (WEB / "docs" / "index.html").read_text()
    for key in ("docs/swagger-ui/swagger-ui-bundle.js", "docs/swagger-ui/swagger-ui.css"):
        assert f'"/{key}"' in page and Path(objects[key]["source"]["fileAsset"]).is_file()
    assert objects["docs/swagger-ui/LICENSE"]["contentType"] == "text/plain; charset=utf-8"
    assert "Apache License" in Path(
        objects["docs/swagger-ui/LICENSE"]["source"]["fileAsset"]).read_text()


def test_config_json_names_this_stacks_api_and_sign_in(stack: dict[str, Any]) -> None:
    [config] = [r["inputs"] for r in of_type(stack, "aws:s3/bucketObjectv2:BucketObjectv2")
                if r["inputs"]["key"] == "config.json"]
    assert config["contentType"] == "application/json"
    outputs = stack["outputs"]
    client = named(stack, "aws:cognito/userPoolClient:UserPoolClient", "web")
    assert json.loads(config["content"]) == {
        "apiUrl": outputs["apiUrl"],
        "signIn": {"mode": "cognito", "domain": outputs["signInUrl"],
                   "clientId": client["id"], "scopes": "openid email"},
    }
    assert outputs["webClientId"] == client["id"]


def test_managed_login_with_the_code_flow_for_the_app_and_localhost_on_dev_only(
        stack: dict[str, Any]) -> None:
    pool = one(stack, "aws:cognito/userPool:UserPool")
    domain = one(stack, "aws:cognito/userPoolDomain:UserPoolDomain")["inputs"]
    assert domain["userPoolId"] == pool["id"] and domain["managedLoginVersion"] == 2
    assert stack["outputs"]["signInUrl"] == (
        f"https://{domain['domain']}.auth.us-east-1.amazoncognito.com")
    client = named(stack, "aws:cognito/userPoolClient:UserPoolClient", "web")["inputs"]
    assert client["userPoolId"] == pool["id"]
    assert client["generateSecret"] is False  # a public client: PKCE, not a secret
    assert client["allowedOauthFlows"] == ["code"] and client["allowedOauthFlowsUserPoolClient"]
    assert client["allowedOauthScopes"] == ["openid", "email"]
    app = stack["outputs"]["webUrl"] + "/"
    # `make run` may try dev's sign-in (todo-api:localAppSignIn); prod sends users nowhere else.
    urls = {"dev": [app, "http://localhost:3000/"], "prod": [app]}[stack["name"]]
    assert client["callbackUrls"] == urls and client["logoutUrls"] == urls
    assert "ALLOW_USER_PASSWORD_AUTH" not in client["explicitAuthFlows"]
    branding = one(stack, "aws:cognito/managedLoginBranding:ManagedLoginBranding")["inputs"]
    assert branding["clientId"] == named(
        stack, "aws:cognito/userPoolClient:UserPoolClient", "web")["id"]


def test_the_web_apps_origin_is_one_of_the_apis_cors_origins(stack: dict[str, Any]) -> None:
    origin = stack["outputs"]["webUrl"]
    configured = stack["config"]["todo-api:corsOrigins"].split(",")
    expected = [*configured, origin]
    for fn in of_type(stack, "aws:lambda/function:Function"):
        env = fn["inputs"]["environment"]["variables"]
        assert env["CORS_ALLOWED_ORIGINS"].split(",") == expected
    body = json.loads(one(stack, "aws:apigateway/restApi:RestApi")["inputs"]["body"])
    preflight = body["paths"]["/todos"]["options"]["x-amazon-apigateway-integration"]
    template = preflight["responses"]["default"]["responseTemplates"]["application/json"]
    assert origin in template


def test_helpers() -> None:
    assert with_origin(["*"], "https://x.net") == ["*"]
    assert with_origin(["https://a"], "https://x.net/") == ["https://a", "https://x.net"]
    assert domain_prefix("todo-api-dev", "us-east-1_AbC9xY") == "todo-api-dev-abc9xy"
    assert set(web_files()) == {p.relative_to(WEB).as_posix() for p in WEB.rglob("*")
                                if p.is_file() and p.name != "README.md"}


def test_the_page_loads_nothing_from_other_origins() -> None:
    # The CSP allows 'self' only for scripts and styles: a page naming another host would break.
    for path in WEB.rglob("*.html"):
        assert "http://" not in path.read_text() and "https://" not in path.read_text()


def test_a_deploy_without_the_reference_renderer_stops_saying_how_to_get_it(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(infra.web, "api_reference_files", lambda: {
        "docs/swagger-ui/swagger-ui-bundle.js": (tmp_path / "missing.js", "text/javascript")})
    with pytest.raises(FileNotFoundError, match="make deploy-deps"):
        reference_files()
