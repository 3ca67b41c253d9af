"""Write a draft spec as YAML a finance officer can read, with comments where they matter.

PyYAML cannot write comments, so the layout is done here: block style for the structure,
one flow mapping per field (`amount: {column: "Spend £", parser: gbp_amount}`), and each
comment on its own line above the key it explains. Scalars are still dumped by PyYAML, so
quoting is always right and the text loads back to the same spec.
"""

from __future__ import annotations

import textwrap
from typing import Any

import yaml

Path_ = tuple[str | int, ...]
FLOW_WIDTH = 130
COMMENT_WIDTH = 96
BLOCK_KEYS = frozenset({"match", "tables", "fields", "context"})


def scalar(value: Any) -> str:
    """One scalar or small collection in YAML flow style, quoted where YAML needs it."""
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True,
                          width=10**6, sort_keys=False)
    return text.removesuffix("\n").removesuffix("\n...").strip()


def render(spec: dict[str, Any], comments: dict[Path_, list[str]], header: list[str]) -> str:
    """The spec as YAML text, with `header` lines first and comments above their keys."""
    lines: list[str] = []
    _comments(header, "", lines)
    _mapping(spec, (), 0, comments, lines)
    return "\n".join(lines) + "\n"


def _fits(value: Any, indent: int) -> bool:
    if not isinstance(value, dict | list) or not value:
        return True
    if isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
        return True
    return indent + len(scalar(value)) <= FLOW_WIDTH and _shallow(value)


def _shallow(value: Any, depth: int = 0) -> bool:
    """Flow style only for mappings nested at most three deep (field sources)."""
    if isinstance(value, dict):
        return depth < 3 and all(_shallow(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return all(_shallow(v, depth + 1) for v in value)
    return True


def _mapping(node: dict[str, Any], path: Path_, indent: int,
             comments: dict[Path_, list[str]], lines: list[str], first_prefix: str = "") -> None:
    pad = " " * indent
    for i, (key, value) in enumerate(node.items()):
        lead = first_prefix if i == 0 and first_prefix else pad
        _comments(comments.get((*path, key), []), pad, lines)
        block = key in BLOCK_KEYS and isinstance(value, dict | list) and bool(value)
        if not block and _fits(value, indent + len(key) + 2):
            lines.append(f"{lead}{scalar(key)}: {scalar(value)}")
        elif isinstance(value, dict):
            lines.append(f"{lead}{scalar(key)}:")
            _mapping(value, (*path, key), indent + 2, comments, lines)
        else:
            lines.append(f"{lead}{scalar(key)}:")
            _sequence(value, (*path, key), indent + 2, comments, lines)


def _sequence(items: list[Any], path: Path_, indent: int,
              comments: dict[Path_, list[str]], lines: list[str]) -> None:
    pad = " " * indent
    for i, item in enumerate(items):
        _comments(comments.get((*path, i), []), pad, lines)
        if isinstance(item, dict) and not _fits(item, indent + 2):
            _mapping(item, (*path, i), indent + 2, comments, lines, first_prefix=f"{pad}- ")
        else:
            lines.append(f"{pad}- {scalar(item)}")


def _comments(texts: list[str], pad: str, lines: list[str]) -> None:
    for text in texts:
        wrapped = textwrap.wrap(text, COMMENT_WIDTH, break_on_hyphens=False)
        lines += [f"{pad}# {w}" if i == 0 else f"{pad}#   {w}" for i, w in enumerate(wrapped)]
