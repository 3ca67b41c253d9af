"""Where adapter specs come from: the bundled folders plus any folders the user adds.

A spec in a user's folder with the same id replaces the bundled one, so a partnership can
adjust a funder's adapter without touching fundflow; an override that does not load leaves
that id with no adapter at all (never the bundled one, which would read files the way the
user meant to stop). Two specs with one id in the same place are an error naming both files.
A spec that does not load is reported with its file and the key that is wrong, never skipped
silently: a spec is input, read as bounded data (see `specload`).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from fundflow.ingest.specs.spec import AdapterSpec
from fundflow.ingest.specs.specload import SpecLoadError, describe_errors, read_spec_data
from fundflow.issues import Issue, make_issue


@dataclass(frozen=True)
class Loaded:
    """A spec and the file it came from."""

    spec: AdapterSpec
    path: Path


def bundled_dir() -> Path:
    """The adapters shipped with fundflow: the repository's `adapters/` in a checkout, or the
    copy inside the installed package."""
    repo = Path(__file__).resolve().parents[4] / "adapters"
    if repo.is_dir():
        return repo
    return Path(str(resources.files("fundflow") / "_data" / "adapters"))


def load_spec(path: Path) -> AdapterSpec | Issue:
    """One spec file, or an `adapter-invalid` issue naming the file and what is wrong in it."""
    try:
        data = read_spec_data(path)
        return AdapterSpec.model_validate(data)
    except SpecLoadError as exc:
        reason = str(exc)
    except ValidationError as exc:
        reason = describe_errors(exc, data)
    return make_issue("adapter-invalid", file=str(path), reason=reason)


def spec_files(folder: Path) -> list[Path]:
    """The `.yaml`/`.yml` entries of a folder, sorted (anything so named, so that a folder
    or a broken link called `x.yaml` is reported rather than passed over)."""
    return sorted(p for p in folder.glob("*.y*ml") if p.suffix.lower() in (".yaml", ".yml"))


def _load_folder(folder: Path) -> tuple[dict[str, Loaded], set[str], list[Issue]]:
    """One folder's specs by id, the ids whose spec failed to load there, and the issues."""
    found: dict[str, Loaded] = {}
    broken: set[str] = set()
    issues: list[Issue] = []
    for path in spec_files(folder):
        result = load_spec(path)
        if isinstance(result, Issue):
            issues.append(result)
            broken.add(_declared_id(path))
        elif result.id in found:
            issues.append(make_issue(
                "adapter-duplicate", file=str(path), adapter=result.id,
                other=str(found[result.id].path)))
            broken.add(result.id)
        else:
            found[result.id] = Loaded(result, path)
    for adapter_id in broken:
        found.pop(adapter_id, None)
    return found, broken, issues


def _declared_id(path: Path) -> str:
    """The `id:` a spec that failed to load claims, so that it can still block its id; when
    the file cannot be read at all, its name stands for it (`icp-discharge.yaml`)."""
    try:
        data = read_spec_data(path)
    except SpecLoadError:
        return path.stem
    value = data.get("id") if isinstance(data, dict) else None
    return value if isinstance(value, str) else path.stem


def load_adapters(
    extra: tuple[Path, ...] = (), *, include_examples: bool = True
) -> tuple[list[Loaded], list[Issue]]:
    """Every spec from the bundled folders and the `extra` folders.

    `adapters/examples/` (specs for real published files) is read unless
    `include_examples=False`, the same in every command. A spec in an `extra` folder
    replaces a bundled one with the same id; one that does not load removes that id.
    """
    bundled = [bundled_dir()] + ([bundled_dir() / "examples"] if include_examples else [])
    found: dict[str, Loaded] = {}
    issues: list[Issue] = []
    for folders in ([*bundled], *[[f] for f in extra]):
        layer: dict[str, Loaded] = {}
        broken: set[str] = set()
        for folder in folders:
            got, bad, said = _load_folder(folder)
            issues += said
            for adapter_id, loaded in got.items():
                if adapter_id in layer:
                    issues.append(make_issue(
                        "adapter-duplicate", file=str(loaded.path), adapter=adapter_id,
                        other=str(layer[adapter_id].path)))
                    bad.add(adapter_id)
                layer[adapter_id] = loaded
            broken |= bad
        for adapter_id in broken:
            layer.pop(adapter_id, None)
            found.pop(adapter_id, None)
        found.update(layer)
    return list(found.values()), issues
