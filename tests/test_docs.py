"""The README and the pages under docs/ stay a map that works: the README short, every relative
link and anchor between them alive, every path they name present, the picture current."""

import re
from pathlib import Path

import pytest

from tools import diagram

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]
README_MAX_LINES = 250

FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.M | re.S)
LINK = re.compile(r"\[(?:[^\]]|\\\])*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
HTML_LINK = re.compile(r"""<(?:a|img)\b[^>]*?\b(?:href|src)=["']([^"']+)["']""")
HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.M)
CODE_SPAN = re.compile(r"`([^`\n]+)`")
# A backticked path worth checking: a top-level folder, then more ("services/edge/routes.py").
PATH_SPAN = re.compile(r"^\.?[\w-]+/[\w./<>-]*$")
# What a fresh clone has not made yet: installed packages, the venv, caches.
NOT_IN_A_CLONE = {"node_modules", ".venv"}


def prose(text: str) -> str:
    """The Markdown outside fenced code blocks (a `# comment` in a shell block is no heading)."""
    return FENCE.sub("", text)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: its rendered text, lower case, punctuation dropped
    (letters, digits, `_` and `-` stay), each space a hyphen."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link shows its text
    text = text.replace("`", "").replace("*", "")
    return re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    seen: dict[str, int] = {}
    found = set()
    for heading in HEADING.findall(prose(page.read_text())):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")  # GitHub numbers repeats
    return found


def relative_links(page: Path) -> list[str]:
    text = prose(page.read_text())
    targets = LINK.findall(text) + HTML_LINK.findall(text)
    return [t for t in targets if not re.match(r"^[a-z][a-z0-9+.-]*:", t)]  # http:, mailto:


def broken_links(page: Path) -> list[str]:
    broken = []
    for target in relative_links(page):
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            broken.append(f"{target}: no such file")
        elif anchor and file.suffix == ".md" and anchor not in anchors(file):
            broken.append(f"{target}: no heading with that anchor in {file.name}")
    return broken


def test_the_readme_is_short() -> None:
    lines = len(README.read_text().splitlines())
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines: move detail into docs/"


def test_the_readme_links_every_page_of_docs() -> None:
    linked = {(README.parent / target.partition("#")[0]).resolve()
              for target in relative_links(README)}
    assert set(PAGES[1:]) <= linked, sorted(p.name for p in set(PAGES[1:]) - linked)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_and_anchor_resolves(page: Path) -> None:
    assert broken_links(page) == []


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_path_named_in_the_text_exists(page: Path) -> None:
    """Paths in `code spans` name the repository's files: a move must take the docs along."""
    folders = {p.name for p in ROOT.iterdir() if p.is_dir()} - NOT_IN_A_CLONE
    missing = []
    for span in CODE_SPAN.findall(prose(page.read_text())):
        if not PATH_SPAN.match(span) or span.split("/")[0] not in folders or "<" in span:
            continue
        if NOT_IN_A_CLONE & set(span.split("/")):
            continue
        if not (ROOT / span).exists():
            missing.append(span)
    assert missing == []


def test_the_checker_catches_what_it_should(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    page = tmp_path / "docs" / "A.md"
    (tmp_path / "docs" / "B.md").write_text("# B\n\n## Lists: views, `filters` (sync)\n")
    page.write_text("# A\n\n## Same\n\n## Same\n\n```sh\n# not a heading\n```\n"
                    "[ok](B.md#lists-views-filters-sync) [ok](#same-1) [ok](https://x.test/#no)\n"
                    "[bad](B.md#lists) [bad](C.md) [bad](#not-a-heading) "
                    '<img src="missing.png">\n')
    assert broken_links(page) == [
        "B.md#lists: no heading with that anchor in B.md", "C.md: no such file",
        "#not-a-heading: no heading with that anchor in A.md", "missing.png: no such file"]


def test_the_architecture_picture_is_current() -> None:
    """docs/ARCHITECTURE.md and the README's picture are what `make diagram` makes now."""
    for path, text in diagram.outputs().items():
        assert path.read_text() == text, f"{path.name} is stale: run `make diagram`"


def test_the_picture_shows_every_function_route_and_index() -> None:
    from models import TodoModel, table_definition
    from services.edge.routes import FUNCTIONS, ROUTES

    picture = diagram.mermaid()
    for name in FUNCTIONS:
        assert f"<b>{name}</b>" in picture
    for route in ROUTES:
        assert f"{route.method} {route.path}" in picture
    for index in table_definition(TodoModel)["GlobalSecondaryIndexes"]:
        assert f"index {index['IndexName']}" in picture
