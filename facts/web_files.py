"""The web app's files and the type each kind is served with, locally and from S3 (no Pulumi
here: the local server imports this too)."""

from pathlib import Path

WEB_ROOT = Path(__file__).resolve().parent.parent / "web"
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
