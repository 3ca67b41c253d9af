"""Regular expressions from adapter specs, run by a linear-time engine.

A spec is input: a pattern such as `(a+)+$` makes Python's backtracking `re` run for
minutes on one cell. RE2 matches in time linear in the text whatever the pattern, so every
spec pattern (match rules, anchors, skips, ends, blocks, column patterns, extracts) is
compiled here, case-insensitively, and a pattern RE2 cannot compile (a typo, a look-ahead or
a back-reference, which no linear engine offers) is a spec error when the spec loads.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any, Protocol

import re2  # type: ignore[import-untyped]
from pydantic import AfterValidator

MAX_PATTERN_CHARS = 2_000
# RE2 refuses to build a program larger than this (bytes): `(x{1000}){1000}` is refused
# instead of filling memory.
_MAX_MEMORY = 8 << 20


class Match(Protocol):
    """The part of a match object the adapters use (same as `re.Match`)."""

    def group(self, index: int | str = 0, /) -> Any: ...
    def groups(self) -> tuple[Any, ...]: ...
    def groupdict(self) -> dict[str, Any]: ...
    def start(self, index: int = 0, /) -> int: ...


class PatternError(ValueError):
    """A spec pattern that cannot be used; the message says why in plain words."""


@lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> Any:
    """The compiled, case-insensitive pattern (cached: specs use few, often).

    Raises `PatternError` for a pattern that is too long or that RE2 cannot compile.
    """
    if len(pattern) > MAX_PATTERN_CHARS:
        raise PatternError(f"the pattern is {len(pattern):,} characters long; "
                           f"at most {MAX_PATTERN_CHARS:,} are allowed")
    options = re2.Options()
    options.log_errors = False  # RE2 would write its own lines to stderr
    options.case_sensitive = False
    options.max_mem = _MAX_MEMORY
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        text = reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
        raise PatternError(
            f"'{pattern}' is not a pattern fundflow can use ({text}); look-aheads, "
            "look-behinds and back-references are not supported") from None


def search(pattern: str, text: str) -> Match | None:
    """The first match of `pattern` in `text` (any case), or None."""
    found: Match | None = compile_pattern(pattern).search(text)
    return found


def _valid(pattern: str) -> str:
    compile_pattern(pattern)
    return pattern


SpecPattern = Annotated[str, AfterValidator(_valid)]
"""A spec key holding a regular expression: checked when the spec loads."""
