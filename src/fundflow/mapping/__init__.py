"""Mapping: ledger entries onto the canonical schema, and the Book every output is drawn from."""
