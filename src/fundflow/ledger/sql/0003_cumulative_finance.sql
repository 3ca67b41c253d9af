-- 0003_cumulative_finance: a finance figure may be cumulative to date (a return that reports
-- "spent to date"); the Book turns it into the figure for its period. Older entries are not.
-- Frozen: never edit, add a migration instead.

ALTER TABLE finance_entry ADD COLUMN cumulative BOOLEAN;
