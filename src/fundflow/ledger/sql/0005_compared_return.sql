-- 0005_compared_return: a collected return's compared figures (what a receiving department's
-- views show: funding, shares, cliff edges, exposure, breaches, hours), as the return states
-- them, one row per collected submission, written with its figures. Ledgers collected before
-- this migration have no rows: their views fall back to reading every figure (collect.views).
-- Frozen: never edit, add a migration instead.

CREATE TABLE compared_return (
    submission_id VARCHAR NOT NULL,
    partnership_id VARCHAR NOT NULL,
    year VARCHAR NOT NULL,
    as_at DATE NOT NULL,
    streams INTEGER NOT NULL,
    funding DECIMAL(18,2) NOT NULL,
    ring_fenced DECIMAL(18,2) NOT NULL,
    ring_fenced_share DECIMAL(9,4),
    short_term DECIMAL(18,2) NOT NULL,
    short_term_share DECIMAL(9,4),
    cliff_3 DECIMAL(18,2) NOT NULL,
    cliff_6 DECIMAL(18,2) NOT NULL,
    cliff_12 DECIMAL(18,2) NOT NULL,
    unspent_ring_fenced DECIMAL(18,2) NOT NULL,
    clawback_exposure DECIMAL(18,2) NOT NULL,
    breaches INTEGER NOT NULL,
    returns_per_year INTEGER NOT NULL,
    hours DECIMAL(12,2) NOT NULL,
    PRIMARY KEY (submission_id)
);
