"""Ingest: a funder's file through the guard, its reader and its adapter spec into records."""
