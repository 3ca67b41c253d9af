"""Heavy libraries imported when first used, so a command pays only for what it runs.

polars takes about 0.4 s to import and pyarrow 0.2 s, while `fundflow ledger summary` needs
neither; the modules on its path (grid, ledger, money, schema, spool) bind them through
`lazy_module` instead of a plain `import`:

    if TYPE_CHECKING:
        import polars as pl
    else:
        pl = lazy_module("polars")

The first attribute read (`pl.DataFrame`) imports the real module through the normal import
machinery, which holds the import lock, so two threads reaching for it at once are safe (the
standard library's `LazyLoader` is not, before Python 3.12). Each attribute is then kept on the
stand-in, so later reads cost what a module attribute costs.
"""

from __future__ import annotations

import importlib
import types
from typing import Any


class _LazyModule(types.ModuleType):
    """Stands in for a module until one of its attributes is read."""

    def __getattr__(self, attr: str) -> Any:
        """Import the real module, keep the attribute for next time, and return it."""
        value = getattr(importlib.import_module(self.__name__), attr)
        setattr(self, attr, value)
        return value


def lazy_module(name: str) -> Any:
    """A stand-in for module `name` that imports it on first use."""
    return _LazyModule(name)
