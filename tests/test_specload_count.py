"""A spec without aliases is sized from its event stream, as the node walk sizes it.

`parse_spec_text` walks the composed nodes (`_check_size`) only when the document uses
aliases; otherwise the values counted while checking the nesting stand in for it. These
tests hold the two counts equal on generated documents, and the limit to the same refusal.
"""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from fundflow.ingest.specs import specload
from fundflow.ingest.specs.specload import SpecLoadError, parse_spec_text

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8))
DOCS = st.recursive(SCALARS, lambda kids: st.one_of(
    st.lists(kids, max_size=4), st.dictionaries(st.text(max_size=5), kids, max_size=4)),
    max_leaves=40)


def _walked(node: yaml.Node) -> int:
    return 1 + sum(_walked(c) for c in specload._children(node))


@settings(max_examples=60, deadline=None)
@given(DOCS)
def test_values_counted_from_events_are_the_nodes(doc: object) -> None:
    text = yaml.safe_dump(doc)
    aliased, nodes = specload._check_depth(text)
    assert not aliased
    assert nodes == _walked(yaml.compose(text, Loader=specload._LOADER))
    assert parse_spec_text(text) == doc


def test_a_large_document_without_aliases_is_refused_as_before(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(specload, "MAX_NODES", 10)
    text = yaml.safe_dump({"a": list(range(9))})  # 1 + 1 + 1 + 9 values
    with pytest.raises(SpecLoadError, match="expand to more than"):
        parse_spec_text(text)
    assert parse_spec_text(yaml.safe_dump({"a": list(range(7))})) == {"a": list(range(7))}


def test_aliases_are_still_walked() -> None:
    assert specload._check_depth("a: &x [1, 2]\nb: *x\n")[0]
    assert parse_spec_text("a: &x [1, 2]\nb: *x\n") == {"a": [1, 2], "b": [1, 2]}
