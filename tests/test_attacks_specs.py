"""Hostile and unlucky adapter specs (issue 11 item 2): each ends in one clear
`adapter-invalid` (or `adapter-duplicate`) issue naming the file, quickly, and never in a
traceback, a hang or the bundled adapter reading the file instead."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from fundflow.ingest.importer import prepare_file
from fundflow.ingest.specs.patterns import compile_pattern, search
from fundflow.ingest.specs.registry import bundled_dir, load_adapters, load_spec
from fundflow.issues import Issue

BASE = (bundled_dir() / "synthetic-long.yaml").read_text(encoding="utf-8")


def _spec(tmp_path: Path, text: str, name: str = "x.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _invalid(path: Path) -> Issue:
    result = load_spec(path)
    assert isinstance(result, Issue), "the spec loaded"
    assert result.code == "adapter-invalid"
    assert str(path) in result.message
    assert "{" not in result.message.replace(str(path), "")
    return result


def test_latin1_spec_is_named(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(BASE.replace("fundflow synthetic", "caf\xe9").encode("latin-1"))
    assert "UTF-8" in _invalid(path).message


def test_directory_named_like_a_spec(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").mkdir()
    assert "not a file" in _invalid(tmp_path / "x.yaml").message
    _, issues = load_adapters((tmp_path,))
    assert [i.code for i in issues] == ["adapter-invalid"]


def test_broken_symlink(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").symlink_to(tmp_path / "gone.yaml")
    assert "cannot be opened" in _invalid(tmp_path / "x.yaml").message


def test_yaml_nested_20000_deep(tmp_path: Path) -> None:
    path = _spec(tmp_path, "a: " + "[" * 20_000 + "]" * 20_000 + "\n")
    message = _invalid(path).message  # fundflow's bound, or libyaml's own (1,000 levels)
    assert "nested more than" in message or "maximum nesting depth" in message


def test_yaml_nested_past_the_spec_limit(tmp_path: Path) -> None:
    path = _spec(tmp_path, "a: " + "[" * 60 + "]" * 60 + "\n")
    assert "nested more than" in _invalid(path).message


def test_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 12)]
    path = _spec(tmp_path, BASE + "\n".join(lines).replace("a0:", "junk:", 1) + "\n")
    started = time.monotonic()
    assert "expand to more than" in _invalid(path).message
    assert time.monotonic() - started < 5


def test_small_aliases_are_still_allowed(tmp_path: Path) -> None:
    text = BASE.replace('stream_id: {column: "Stream ID"}', 'stream_id: &s {column: "Stream ID"}')
    text = text.replace('measure: {column: "Measure"}', 'measure: {column: "Measure"}\n'
                        '      project: *s')
    assert not isinstance(load_spec(_spec(tmp_path, text)), Issue)


def test_oversized_spec(tmp_path: Path) -> None:
    path = _spec(tmp_path, BASE + "#" * (2 << 20) + "\n")
    assert "at most" in _invalid(path).message


@pytest.mark.parametrize("pattern", ["(a+", "(?=x)a", r"(a)\1"])
def test_invalid_or_backtracking_only_pattern(tmp_path: Path, pattern: str) -> None:
    text = BASE.replace('file_name: "^synthetic_long_"', f"file_name: '{pattern}'")
    message = _invalid(_spec(tmp_path, text)).message
    assert "match.file_name" in message and "not a pattern" in message


def test_catastrophic_pattern_runs_in_linear_time() -> None:
    """`(a+)+$` takes minutes on Python's re for 30 a's and a b; RE2 is linear."""
    started = time.monotonic()
    assert search("(a+)+$", "a" * 100_000 + "b") is None
    assert search("^(a|aa)+$", "a" * 50_000 + "!") is None
    assert time.monotonic() - started < 2


def test_catastrophic_pattern_in_an_anchor_imports_quickly(tmp_path: Path) -> None:
    from fundflow.sample import write_synthetic

    data = write_synthetic(tmp_path, rows=20, shape="long", fmt="xlsx", seed=1)
    spec = yaml.safe_load(BASE)
    spec["tables"][0]["header"] = {"anchor": "(a+)+$|^Stream ID$"}
    folder = tmp_path / "specs"
    folder.mkdir()
    _spec(folder, yaml.safe_dump(spec))
    adapters, issues = load_adapters((folder,))
    assert issues == []
    started = time.monotonic()
    batch, result = prepare_file(data, adapters)
    assert time.monotonic() - started < 30
    assert batch is not None, [i.message for i in result.issues]
    batch.close()


@pytest.mark.parametrize(("key", "value", "words"), [
    ("ref", "A0", "not a cell reference"),
    ("ref", "ZZZZ1", "not a cell reference"),
    ("column_offset", -2, "greater than or equal to 0"),
    ("row_offset", 10**9, "less than or equal to"),
])
def test_cell_refs_and_offsets_checked_at_load(
    tmp_path: Path, key: str, value: object, words: str
) -> None:
    spec = yaml.safe_load(BASE)
    cell: dict[str, object] = {"anchor": "^Stream ID$"} if "offset" in key else {}
    cell[key] = value
    spec["context"] = {"note": {"cell": cell}}
    message = _invalid(_spec(tmp_path, yaml.safe_dump(spec))).message
    assert f"context.note.cell.{key}" in message and words in message


def test_column_letters_checked_at_load(tmp_path: Path) -> None:
    spec = yaml.safe_load(BASE)
    spec["tables"][0]["header"] = {"row": 1, "first_column": "Stream ID"}
    message = _invalid(_spec(tmp_path, yaml.safe_dump(spec))).message
    assert "tables.entries.header.first_column" in message


def test_duplicate_ids_name_both_files_and_neither_is_used(tmp_path: Path) -> None:
    _spec(tmp_path, BASE.replace("id: synthetic-long", "id: twin"), "a.yaml")
    _spec(tmp_path, BASE.replace("id: synthetic-long", "id: twin")
          .replace('"^synthetic_long_"', '"^other"'), "b.yaml")
    adapters, issues = load_adapters((tmp_path,))
    assert [i.code for i in issues] == ["adapter-duplicate"]
    assert str(tmp_path / "a.yaml") in issues[0].message
    assert str(tmp_path / "b.yaml") in issues[0].message
    assert "twin" not in {a.spec.id for a in adapters}


def test_invalid_override_never_falls_back_to_the_bundled_spec(tmp_path: Path) -> None:
    from fundflow.sample import write_synthetic

    data = write_synthetic(tmp_path, rows=5, shape="long", fmt="xlsx", seed=2)
    folder = tmp_path / "specs"
    folder.mkdir()
    _spec(folder, BASE.replace('parser: gbp_amount}', 'parser: gbp_amount, options: {unit: "£m"'
                               ', bogus: 1}}'))
    adapters, issues = load_adapters((folder,))
    assert [i.code for i in issues] == ["adapter-invalid"]
    assert "synthetic-long" not in {a.spec.id for a in adapters}
    batch, result = prepare_file(data, adapters)
    assert batch is None
    assert [i.code for i in result.issues] == ["adapter-none"]


def test_valid_override_replaces_the_bundled_spec(tmp_path: Path) -> None:
    folder = tmp_path / "specs"
    folder.mkdir()
    path = _spec(folder, BASE.replace('version: "1"', 'version: "99"'))
    adapters, issues = load_adapters((folder,))
    assert issues == []
    mine = [a for a in adapters if a.spec.id == "synthetic-long"]
    assert [(a.spec.version, a.path) for a in mine] == [("99", path)]


def test_every_bundled_pattern_compiles_on_re2() -> None:
    adapters, issues = load_adapters()
    assert issues == []
    assert compile_pattern("^Q[1-4]$").search("q3") is not None
    assert len(adapters) > 10


def test_unreadable_override_blocks_the_bundled_id_by_its_file_name(tmp_path: Path) -> None:
    (tmp_path / "synthetic-long.yaml").write_bytes(b"id: synthetic-long\nname: caf\xe9\n")
    adapters, issues = load_adapters((tmp_path,))
    assert [i.code for i in issues] == ["adapter-invalid"]
    assert "synthetic-long" not in {a.spec.id for a in adapters}


def test_aliases_nesting_deep_are_refused(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x]"] + [f"a{i}: &a{i} [*a{i - 1}]" for i in range(1, 3000)]
    path = _spec(tmp_path, "\n".join(lines) + "\n")
    assert "levels deep" in _invalid(path).message


def test_an_alias_inside_itself_is_refused(tmp_path: Path) -> None:
    path = _spec(tmp_path, "a: &a [1, *a]\n")
    assert "refers to the value that holds it" in _invalid(path).message
