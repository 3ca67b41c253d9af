"""The ledger: one DuckDB file, its schema and migrations, the write side and the one read side."""
