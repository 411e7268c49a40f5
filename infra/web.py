"""The web app per stack: web/ in a private S3 bucket behind CloudFront (origin access control,
HTTPS only), its config.json, and sign-in with Cognito managed login (authorization code + PKCE).

Two parts, because the API's CORS origins need the CloudFront URL and config.json needs the API's
URL: `WebSite` (bucket + distribution) comes before the API, `WebApp` (files, sign-in) after."""

import json
import re
from pathlib import Path

import pulumi
import pulumi_aws as aws

from facts.web_files import CONTENT_TYPES, WEB_ROOT, api_reference_files
from infra.settings import Settings

# No build step means no content-hashed file names: code and config revalidate on every load
# (a cheap 304 from the edge), so a deploy never mixes old and new modules. Images may age.
REVALIDATE = "no-cache"
IMAGES = "public, max-age=86400"
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"  # CloudFront's managed cache policy
SCOPES = ["openid", "email"]
# `make run`, for trying a stack's sign-in locally (todo-api:localAppSignIn, dev only)
LOCAL_APP_URL = "http://localhost:3000/"


def cache_control(path: Path) -> str:
    return IMAGES if path.suffix in (".png", ".svg", ".ico") else REVALIDATE


def web_files(root: Path = WEB_ROOT) -> dict[str, Path]:
    """S3 key -> file, for every file the app serves."""
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*"))
            if p.is_file() and p.suffix in CONTENT_TYPES}


def reference_files() -> dict[str, tuple[Path, str]]:
    """S3 key -> (file, content type) for the API reference at /docs; its renderer comes from
    npm, so a deploy without it stops here, saying how to get it."""
    files = api_reference_files()
    missing = sorted(str(path) for path, _ in files.values() if not path.is_file())
    if missing:
        raise FileNotFoundError(f"the API reference's renderer is not installed ({missing[0]}): "
                                "run `make deploy-deps`")
    return files


def content_security_policy(region: str) -> str:
    # The API's and Cognito's hosts are not known before the distribution exists (the API's
    # CORS needs the distribution's URL first), so their regional wildcards stand in.
    return "; ".join([
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
        f"connect-src 'self' https://*.execute-api.{region}.amazonaws.com "
        f"https://*.auth.{region}.amazoncognito.com",
        "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
    ])


def domain_prefix(stack_prefix: str, pool_id: str) -> str:
    """A managed login domain prefix unique per pool: lower-case letters, digits, hyphens."""
    suffix = re.sub(r"[^a-z0-9]+", "-", pool_id.rsplit("_", 1)[-1].lower()).strip("-")
    return f"{stack_prefix}-{suffix}"[:63].strip("-")


def with_origin(origins: list[str], url: str) -> list[str]:
    """The stack's CORS origins plus the web app's (an origin has no trailing slash)."""
    origin = url.rstrip("/")
    return origins if "*" in origins or origin in origins else [*origins, origin]


class WebSite(pulumi.ComponentResource):
    def __init__(self, name: str, *, settings: Settings,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("todo-api:index:WebSite", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.bucket = aws.s3.Bucket(
            name,
            bucket_prefix=f"{settings.prefix}-web-",
            force_destroy=True,  # only the app's files live here; `pulumi up` puts them back
            opts=child,
        )
        self.public_access_block = aws.s3.BucketPublicAccessBlock(
            name, bucket=self.bucket.id, block_public_acls=True, block_public_policy=True,
            ignore_public_acls=True, restrict_public_buckets=True, opts=child,
        )
        aws.s3.BucketOwnershipControls(
            name, bucket=self.bucket.id, rule={"object_ownership": "BucketOwnerEnforced"},
            opts=child,
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            name, bucket=self.bucket.id,
            rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
            opts=child,
        )
        access = aws.cloudfront.OriginAccessControl(
            name, name=f"{settings.prefix}-web", origin_access_control_origin_type="s3",
            signing_behavior="always", signing_protocol="sigv4", opts=child,
        )
        headers = aws.cloudfront.ResponseHeadersPolicy(
            name,
            name=f"{settings.prefix}-web",
            security_headers_config={
                "content_security_policy": {
                    "content_security_policy": content_security_policy(settings.region),
                    "override": True,
                },
                "content_type_options": {"override": True},
                "frame_options": {"frame_option": "DENY", "override": True},
                "referrer_policy": {"referrer_policy": "no-referrer", "override": True},
                "strict_transport_security": {"access_control_max_age_sec": 31536000,
                                              "include_subdomains": True, "override": True},
            },
            opts=child,
        )
        origin_id = "web-bucket"
        self.distribution = aws.cloudfront.Distribution(
            name,
            enabled=True,
            comment=f"{settings.prefix} web app",
            default_root_object="index.html",
            is_ipv6_enabled=True,
            http_version="http2and3",
            price_class="PriceClass_100",
            origins=[{
                "domain_name": self.bucket.bucket_regional_domain_name,
                "origin_id": origin_id,
                "origin_access_control_id": access.id,
            }],
            default_cache_behavior={
                "target_origin_id": origin_id,
                "viewer_protocol_policy": "https-only",
                "allowed_methods": ["GET", "HEAD", "OPTIONS"],
                "cached_methods": ["GET", "HEAD"],
                "cache_policy_id": CACHING_OPTIMIZED,
                "response_headers_policy_id": headers.id,
                "compress": True,
            },
            restrictions={"geo_restriction": {"restriction_type": "none"}},
            viewer_certificate={"cloudfront_default_certificate": True},
            opts=child,
        )
        # Only this distribution may read the bucket (origin access control signs its requests).
        aws.s3.BucketPolicy(
            name,
            bucket=self.bucket.id,
            policy=pulumi.Output.all(self.bucket.arn, self.distribution.arn).apply(
                lambda arns: json.dumps({"Version": "2012-10-17", "Statement": [{
                    "Sid": "CloudFrontReadsTheApp", "Effect": "Allow",
                    "Principal": {"Service": "cloudfront.amazonaws.com"},
                    "Action": "s3:GetObject", "Resource": f"{arns[0]}/*",
                    "Condition": {"StringEquals": {"AWS:SourceArn": arns[1]}},
                }]})),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.public_access_block]),
        )
        self.url = pulumi.Output.concat("https://", self.distribution.domain_name)
        # The API's CORS origins: the stack's, and this site's.
        self.cors_origins = self.url.apply(lambda url: with_origin(settings.cors_origins, url))
        self.register_outputs({"url": self.url})


class WebApp(pulumi.ComponentResource):
    def __init__(self, name: str, *, settings: Settings, site: WebSite,
                 api_url: pulumi.Input[str], user_pool_id: pulumi.Input[str],
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("todo-api:index:WebApp", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        app_urls: list[pulumi.Input[str]] = [
            site.url.apply(lambda url: url + "/"),
            *([LOCAL_APP_URL] if settings.local_app_sign_in else [])]
        self.domain = aws.cognito.UserPoolDomain(
            name,
            domain=pulumi.Output.from_input(user_pool_id).apply(
                lambda pool: domain_prefix(settings.prefix, pool)),
            user_pool_id=user_pool_id,
            managed_login_version=2,  # managed login (not the classic hosted UI)
            opts=child,
        )
        self.client = aws.cognito.UserPoolClient(
            name,
            name=f"{settings.prefix}-web",
            user_pool_id=user_pool_id,
            generate_secret=False,  # a browser keeps no secret: PKCE protects the code instead
            allowed_oauth_flows_user_pool_client=True,
            allowed_oauth_flows=["code"],
            allowed_oauth_scopes=SCOPES,
            supported_identity_providers=["COGNITO"],
            callback_urls=app_urls,
            logout_urls=app_urls,
            explicit_auth_flows=["ALLOW_REFRESH_TOKEN_AUTH"],  # passwords go to managed login only
            prevent_user_existence_errors="ENABLED",
            enable_token_revocation=True,
            id_token_validity=60,
            access_token_validity=60,
            refresh_token_validity=1,
            token_validity_units={"id_token": "minutes", "access_token": "minutes",
                                  "refresh_token": "days"},
            opts=child,
        )
        aws.cognito.ManagedLoginBranding(
            name, user_pool_id=user_pool_id, client_id=self.client.id,
            use_cognito_provided_values=True, opts=child,
        )
        self.sign_in_url = pulumi.Output.concat(
            "https://", self.domain.domain, f".auth.{settings.region}.amazoncognito.com")
        # S3 key -> (file, content type, Cache-Control): the app's files and the reference's.
        uploads = {key: (path, CONTENT_TYPES[path.suffix], cache_control(path))
                   for key, path in web_files().items()}
        uploads.update({key: (path, kind, REVALIDATE)
                        for key, (path, kind) in reference_files().items()})
        self.files = [
            aws.s3.BucketObjectv2(
                f"{name}-{key}",
                bucket=site.bucket.id,
                key=key,
                source=pulumi.FileAsset(str(path)),
                content_type=kind,
                cache_control=cache,
                opts=child,
            )
            for key, (path, kind, cache) in uploads.items()
        ]
        self.config = aws.s3.BucketObjectv2(
            f"{name}-config.json",
            bucket=site.bucket.id,
            key="config.json",
            content=pulumi.Output.json_dumps({
                "apiUrl": api_url,
                "signIn": {"mode": "cognito", "domain": self.sign_in_url,
                           "clientId": self.client.id, "scopes": " ".join(SCOPES)},
            }),
            content_type="application/json",
            cache_control=REVALIDATE,
            opts=child,
        )
        self.register_outputs({"clientId": self.client.id, "signInUrl": self.sign_in_url})
