"""fundflow: funders' monitoring spreadsheets into one ledger, one return and the facts on funding.

The public API, in pipeline order (each name loads its module on first use, so `import
fundflow` and the CLI stay fast):

    from pathlib import Path
    import fundflow

    reference = fundflow.load_schemas()                      # reference data, loaded once
    adapters, _ = fundflow.load_adapters()
    files = fundflow.expand_paths([Path("register/"), Path("returns/")])
    fundflow.import_files(files, Path("ledger.duckdb"), adapters)
    with fundflow.open_ledger(Path("ledger.duckdb"), read_only=True) as con:
        book = fundflow.book_for(con, "2025-26", reference=reference)
    ret = fundflow.return_of(book)                           # a pure function of the Book
    if not fundflow.unreconciled(ret):                       # never write one that is not
        fundflow.write_return(ret, Path("return.xlsx"))
"""

from __future__ import annotations

from importlib import import_module, metadata
from typing import Any

try:
    __version__ = metadata.version("fundflow")
except metadata.PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

_API = {
    "load_schemas": ("fundflow.mapping.reference", "bundled_reference"),
    "load_adapters": ("fundflow.ingest.specs.registry", "load_adapters"),
    "expand_paths": ("fundflow.ingest.importer", "expand_paths"),
    "import_files": ("fundflow.ingest.importer", "import_files"),
    "open_ledger": ("fundflow.ledger.store", "open_ledger"),
    "Book": ("fundflow.mapping.book", "Book"),
    "build_book": ("fundflow.mapping.book", "build_book"),
    "book_for": ("fundflow.returns.build", "book_for"),
    "build_return": ("fundflow.returns.build", "build_return"),
    "return_of": ("fundflow.returns.build", "return_of"),
    "unreconciled": ("fundflow.returns.build", "unreconciled"),
    "write_return": ("fundflow.returns.write", "write_return"),
}
__all__ = ["Book", "__version__", "book_for", "build_book", "build_return", "expand_paths",
           "import_files", "load_adapters", "load_schemas", "open_ledger", "return_of",
           "unreconciled", "write_return"]


def __getattr__(name: str) -> Any:
    """Load a public name's module when it is first used (PEP 562)."""
    if name not in _API:
        raise AttributeError(f"module 'fundflow' has no attribute {name!r}")
    module, attr = _API[name]
    value = getattr(import_module(module), attr)
    globals()[name] = value
    return value
