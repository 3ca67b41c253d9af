"""Where adapter specs come from: the bundled folder plus any folders the user adds.

A spec in a later folder with the same id replaces the bundled one, so a partnership can
adjust a funder's adapter without touching fundflow. A spec that does not load is reported
with its file and the exact key that is wrong, never skipped silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml
from pydantic import ValidationError

from fundflow.adapters.spec import AdapterSpec
from fundflow.issues import Issue, make_issue


@dataclass(frozen=True)
class Loaded:
    """A spec and the file it came from."""

    spec: AdapterSpec
    path: Path


def bundled_dir() -> Path:
    """The adapters shipped with fundflow: the repository's `adapters/` in a checkout, or the
    copy inside the installed package."""
    repo = Path(__file__).resolve().parents[3] / "adapters"
    if repo.is_dir():
        return repo
    return Path(str(resources.files("fundflow") / "_data" / "adapters"))


def load_spec(path: Path) -> AdapterSpec | Issue:
    """One spec file, or an issue naming the file and what is wrong in it."""
    try:
        # libyaml's safe loader when present: the pure-Python one took 0.3 s of every import
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        data = yaml.load(path.read_text(encoding="utf-8"), loader)
        return AdapterSpec.model_validate(data)
    except yaml.YAMLError as exc:
        return make_issue("adapter-invalid", file=str(path), reason=str(exc).splitlines()[0])
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return make_issue("adapter-invalid", file=str(path), reason=f"{where}: {first['msg']}")


def load_adapters(
    extra: tuple[Path, ...] = (), *, include_examples: bool = False
) -> tuple[list[Loaded], list[Issue]]:
    """Every spec from the bundled folder and `extra` folders (later folders win by id).

    `adapters/examples/` (specs for real published files) is left out unless asked for.
    """
    found: dict[str, Loaded] = {}
    issues: list[Issue] = []
    folders = [bundled_dir()]
    if include_examples:
        folders.append(bundled_dir() / "examples")
    for folder in [*folders, *extra]:
        for path in sorted(folder.glob("*.y*ml")):
            result = load_spec(path)
            if isinstance(result, Issue):
                issues.append(result)
            else:
                found[result.id] = Loaded(result, path)
    return list(found.values()), issues
