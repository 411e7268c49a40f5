"""The web app's files and the type each kind is served with, locally and from S3 (no Pulumi
here: the local server imports this too), and the API reference's files beside them."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEB_ROOT = ROOT / "web"
# What the browser gets for each kind of file; anything else in web/ (README.md) stays out.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}
TEXT = "text/plain; charset=utf-8"

# The API reference: the page at /docs (web/docs/index.html, also served under the bare name
# `docs`, since neither S3 nor CloudFront maps a folder to its index below the root) and
# Swagger UI's files, from the npm folder that locks it (installed by make, never committed:
# 2 MB of minified code), with the licence and notice its Apache-2.0 licence asks a
# redistributor to pass on.
API_REFERENCE_PATH = "docs"
RENDERER_ROOT = ROOT / "tools" / "api-reference" / "node_modules" / "swagger-ui-dist"
RENDERER_PATH = "docs/swagger-ui"
RENDERER_FILES = {
    "swagger-ui-bundle.js": CONTENT_TYPES[".js"],
    "swagger-ui-bundle.js.LICENSE.txt": TEXT,
    "swagger-ui.css": CONTENT_TYPES[".css"],
    "LICENSE": TEXT,
    "NOTICE": TEXT,
}


def api_reference_files() -> dict[str, tuple[Path, str]]:
    """Site path (no leading slash) -> (file, content type), for the reference beyond web/."""
    files = {API_REFERENCE_PATH: (WEB_ROOT / "docs" / "index.html", CONTENT_TYPES[".html"])}
    files.update({f"{RENDERER_PATH}/{name}": (RENDERER_ROOT / name, kind)
                  for name, kind in RENDERER_FILES.items()})
    return files
