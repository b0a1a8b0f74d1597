"""Reading the repository's Markdown pages as GitHub renders them: links and images outside code, heading anchors,
and the relative links that do not resolve. One link checker, for the README, docs/ and the instructor kit."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

REPO = Path(__file__).resolve().parents[1]

LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
INLINE_CODE = re.compile(r"`[^`\n]*`")
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def prose_lines(text: str) -> Iterator[str]:
    """The lines outside fenced code blocks (also in a blockquote, "> ```"), where links and tables live."""
    fenced = False
    for line in text.splitlines():
        if line.lstrip("> \t").startswith("```"):
            fenced = not fenced
            continue
        if not fenced:
            yield line


def links(text: str) -> list[str]:
    """Every link and image target in the prose, outside code."""
    return [target for line in prose_lines(text) for target in LINK.findall(INLINE_CODE.sub("", line))]


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, each space a hyphen."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "").strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """The anchors GitHub makes for a Markdown page's headings (a repeated heading gets -1, -2, ...)."""
    seen: dict[str, int] = {}
    found = set()
    for line in prose_lines(page.read_text(encoding="utf-8")):
        match = re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
        if match:
            base = slug(match[1])
            found.add(f"{base}-{seen[base]}" if base in seen else base)
            seen[base] = seen.get(base, 0) + 1
    return found


def broken_links(page: Path, root: Path = REPO) -> list[str]:
    """The page's relative links (and images) that name no file under root (the repository), or no heading of
    the page they name."""
    broken = []
    for target in links(page.read_text(encoding="utf-8")):
        if SCHEME.match(target):
            continue  # a web address: not this check's business
        path, _, anchor = unquote(target).partition("#")
        if path.startswith("/"):
            broken.append(f"{target}: root-relative links do not resolve outside GitHub; use a relative path")
            continue
        resolved = (page.parent / path).resolve() if path else page
        if not resolved.is_relative_to(root) or not resolved.is_file():
            broken.append(f"{target}: no such file in the repository")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            broken.append(f"{target}: {resolved.name} has no heading with the anchor #{anchor}")
    return broken
