-- 0004_collect14_reporting: a stream collected from a partnership's return carries how many
-- returns and data items the partnership reported for it (what its reporting burden is
-- measured from); streams read from a funding register leave both empty.
-- Frozen: never edit, add a migration instead.

ALTER TABLE stream ADD COLUMN returns_reported INTEGER;

ALTER TABLE stream ADD COLUMN items_reported BIGINT;
