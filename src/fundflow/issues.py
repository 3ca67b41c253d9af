"""Problems found in input, as values.

Every stage returns `Issue` values instead of raising for data problems, so one bad cell never
hides the rest of a file and the CLI alone decides the exit code. Each issue's code comes from
`CATALOGUE` (see `catalogue.py`): a stable kebab-case id with a severity, a plain-English message
template and the action a finance officer should take. `docs/issues.md` is generated from it.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from fundflow.catalogue import CATALOGUE


class Severity(StrEnum):
    """How much an issue matters: errors block an import, warnings and info do not."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Issue(BaseModel):
    """One problem, located as precisely as the stage that found it can."""

    model_config = ConfigDict(frozen=True)

    code: str
    severity: Severity
    message: str
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    value: str | None = None
    expected: str | None = None
    hint: str | None = None

    def location(self) -> str:
        """`file › sheet › cell`, leaving out the parts that are unknown."""
        parts = [p for p in (self.file, self.sheet, self.cell) if p]
        return " › ".join(parts) if parts else "(no location)"


class UnknownIssueCode(KeyError):
    """A stage used a code that is not in the catalogue: a programming error, not a data one."""


def make_issue(
    code: str,
    *,
    file: str | None = None,
    sheet: str | None = None,
    cell: str | None = None,
    value: object = None,
    expected: str | None = None,
    severity: Severity | None = None,
    **params: Any,
) -> Issue:
    """Build an issue from its catalogue entry.

    `params` fill the entry's message template (together with `value` and `expected`). The
    severity defaults to the catalogue's; an adapter's contract may lower or raise it.
    """
    try:
        entry = CATALOGUE[code]
    except KeyError as exc:
        raise UnknownIssueCode(code) from exc
    shown = None if value is None else _short(str(value))
    fields = {"file": file, "sheet": sheet, "cell": cell, "value": shown,
              "expected": expected, **params}
    return Issue(
        code=code,
        severity=severity or Severity(entry.severity),
        message=entry.message.format_map(_Default(fields)),
        file=file,
        sheet=sheet,
        cell=cell,
        value=shown,
        expected=expected,
        hint=entry.hint.format_map(_Default(fields)),
    )


def has_errors(issues: Iterable[Issue]) -> bool:
    """True when any issue blocks the work it was found in."""
    return any(i.severity is Severity.ERROR for i in issues)


def _short(text: str, limit: int = 120) -> str:
    """Keep messages readable when a cell holds a whole essay."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Default(dict[str, object]):
    """Leaves `{unknown}` placeholders visible instead of raising on a missing parameter."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
