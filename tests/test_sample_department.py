"""`fundflow sample --partnerships N --returns`: each derived return is a whole, distinct,
collectable partnership return (its hashes are those `collect` recomputes) whose figures are
the template's scaled in exact pence."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from fundflow.collect.interchange import receive
from fundflow.sample.department import write_returns
from tests.test_collect import make_reference, own_return


def test_derived_returns_are_distinct_and_pass_collects_checks(tmp_path: Path) -> None:
    _, template = own_return(tmp_path, make_reference(), "Template Partnership")
    paths = write_returns(tmp_path / "out", 3, template=template)
    received = []
    for path in paths:
        got, issues = receive(path)
        assert got is not None, [i.message for i in issues]
        received.append(got)
    assert len({r.partnership_id for r in received}) == 3
    base = template.data.frame
    for got in received:
        frame = got.rows.frame
        assert frame.height == base.height
        assert set(frame["partnership"]) == {got.partnership}
        # Every figure is the template's scaled by one whole-percent factor, in pence.
        pence, given = frame["amount_pence"].to_list(), base["amount_pence"].to_list()
        factors = [f for f in range(60, 161)
                   if pence == [b * f // 100 for b in given]]
        assert len(factors) == 1
        assert all(a == Decimal(p).scaleb(-2)
                   for a, p in zip(frame["amount"], frame["amount_pence"], strict=True))
    assert write_returns(tmp_path / "again", 3, template=template)[0].read_bytes() == \
        paths[0].read_bytes()
