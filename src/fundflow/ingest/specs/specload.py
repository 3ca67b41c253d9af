"""Reading a spec file as bounded data, and saying what is wrong in it in plain words.

A spec is input like any spreadsheet: it may be huge, nested 20,000 deep (PyYAML's composer
recurses and would crash), an alias bomb whose few lines expand to billions of values, not
UTF-8, a folder or a broken link. Each is refused here with a reason, before pydantic sees
it; aliases are allowed (the bundled specs reuse a field with `&name`/`*name`) as long as
the document they expand to stays small.
"""

from __future__ import annotations

import stat
from difflib import get_close_matches
from pathlib import Path
from typing import Any, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

MAX_SPEC_BYTES = 1 << 20
MAX_DEPTH = 40
MAX_NODES = 100_000
"""Values in the spec once every alias is expanded: the longest bundled spec has ~1,500."""
_SHOWN_ERRORS = 5


class SpecLoadError(ValueError):
    """The file could not be read as a spec; the message says why, for a finance officer."""


def read_spec_data(path: Path) -> Any:
    """The YAML document of a spec file, or `SpecLoadError` (never another exception)."""
    try:
        info = path.stat()
    except OSError as exc:
        raise SpecLoadError(f"the file cannot be opened ({_os_reason(exc)})") from None
    if not stat.S_ISREG(info.st_mode):
        raise SpecLoadError("it is not a file (a folder or a device has this name)")
    if info.st_size > MAX_SPEC_BYTES:
        raise SpecLoadError(f"it is {info.st_size:,} bytes; a spec may be at most "
                            f"{MAX_SPEC_BYTES:,}")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SpecLoadError(f"the file cannot be read ({_os_reason(exc)})") from None
    try:
        text = raw[:MAX_SPEC_BYTES + 1].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecLoadError(
            f"it is not UTF-8 text (byte {exc.start + 1:,}); save it as UTF-8") from None
    return parse_spec_text(text)


_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when present: the pure-Python one took 0.3 s of every import."""


def parse_spec_text(text: str) -> Any:
    """YAML text to data, refusing deep nesting and aliases that expand too far.

    The nesting is bounded on the parser's event stream first (a flat loop, in C with
    libyaml), so the composer, which recurses, never meets a document deeper than
    `MAX_DEPTH`."""
    try:
        _check_depth(text)
        loader = _LOADER(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            _check_size(node)
            return loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise SpecLoadError(f"it is not valid YAML ({_yaml_reason(exc)})") from None


def _check_depth(text: str) -> None:
    depth = 0
    for event in yaml.parse(text, Loader=_LOADER):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                where = f" at line {mark.line + 1}" if mark is not None else ""
                raise SpecLoadError(f"it is nested more than {MAX_DEPTH} levels deep{where}")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _check_size(root: yaml.Node) -> None:
    """Count the values the document expands to, each aliased node once per use, and how
    deep aliases inside aliases nest it (children before parents, without recursion)."""
    done: dict[int, tuple[int, int]] = {}  # node -> (values, depth)
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in done:
            continue
        children = _children(node)
        if not children_done:
            if id(node) in open_nodes:
                raise SpecLoadError("an alias (`*name`) refers to the value that holds it")
            open_nodes.add(id(node))
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in done)
            continue
        if any(id(c) not in done for c in children):
            raise SpecLoadError("an alias (`*name`) refers to the value that holds it")
        open_nodes.discard(id(node))
        size = 1 + sum(done[id(c)][0] for c in children)
        depth = 1 + max((done[id(c)][1] for c in children), default=0)
        if size > MAX_NODES:
            raise SpecLoadError(
                f"its aliases (`*name`) expand to more than {MAX_NODES:,} values")
        if depth > MAX_DEPTH:
            raise SpecLoadError(
                f"its aliases (`*name`) nest it more than {MAX_DEPTH} levels deep")
        done[id(node)] = (size, depth)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _yaml_reason(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    mark = getattr(exc, "problem_mark", None)
    return f"{problem} at line {mark.line + 1}" if mark is not None else str(problem)


def _os_reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def describe_errors(exc: ValidationError, data: Any) -> str:
    """Pydantic's errors as `key path: what is wrong; what is allowed`, the first few."""
    # Imported here: reference data is read through this module too, and the adapter models
    # cost 0.04 s of every command's start (`ledger summary` reads no adapter).
    from fundflow.ingest.specs.spec import AdapterSpec  # noqa: PLC0415

    said = []
    for error in exc.errors()[:_SHOWN_ERRORS]:
        loc = tuple(error["loc"])
        where = key_path(loc, data)
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "extra_forbidden" and loc:
            allowed = sorted(_model_at(AdapterSpec, loc[:-1]).model_fields)
            near = get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6)
            message = "unknown key" + (f" (did you mean `{near[0]}`?)" if near else "")
            message += f"; the keys here are {', '.join(allowed)}"
        said.append(f"{where}: {message}" if where else message)
    more = len(exc.errors()) - _SHOWN_ERRORS
    if more > 0:
        said.append(f"and {more} more")
    return "; ".join(said)


def key_path(loc: tuple[Any, ...], data: Any) -> str:
    """`tables.spend.fields.amount.parser`: a list item is named by its `name` where it has
    one (no brackets: a terminal may take `[...]` for markup)."""
    parts: list[str] = []
    node = data
    for part in loc:
        item = node[part] if isinstance(part, int) and _indexable(node, part) else None
        name = item.get("name") if isinstance(item, dict) else None
        parts.append(str(name) if isinstance(name, str) and name else str(part))
        node = _step(node, part)
    return ".".join(parts)


def _indexable(node: Any, part: int) -> bool:
    return isinstance(node, list) and 0 <= part < len(node)


def _step(node: Any, part: Any) -> Any:
    if isinstance(node, dict):
        return node.get(part)
    return node[part] if isinstance(part, int) and _indexable(node, part) else None


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel]:
    """The spec model a key path leads to (for the keys allowed where an unknown one is)."""
    kind: Any = model
    for part in loc:
        if get_origin(kind) in (list, dict):  # an index or a key: into the element type
            kind = _unwrap(get_args(kind)[-1])
        elif isinstance(kind, type) and issubclass(kind, BaseModel):
            info = kind.model_fields.get(str(part))
            if info is None:
                break
            kind = _unwrap(info.annotation)
        else:
            break
    return kind if isinstance(kind, type) and issubclass(kind, BaseModel) else model


def _unwrap(annotation: Any) -> Any:
    """`Annotated[X, ...]`, `X | None`: X (the first model or container among the args)."""
    args = get_args(annotation)
    if get_origin(annotation) in (list, dict) or not args:
        return annotation
    for arg in args:
        inner = _unwrap(arg)
        if get_origin(inner) in (list, dict) or (
                isinstance(inner, type) and issubclass(inner, BaseModel)):
            return inner
    return annotation
