-- 0001_initial: the ledger's first schema, frozen. Never edit: add a migration instead.

CREATE TABLE funder (
    funder_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    funder_type VARCHAR,
    PRIMARY KEY (funder_id)
);

CREATE TABLE partnership (
    partnership_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    PRIMARY KEY (partnership_id)
);

CREATE TABLE submission (
    submission_id VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    file_path VARCHAR,
    adapter_id VARCHAR NOT NULL,
    adapter_version VARCHAR NOT NULL,
    return_type VARCHAR NOT NULL,
    funder_id VARCHAR,
    stream_key VARCHAR NOT NULL,
    funder_period VARCHAR NOT NULL,
    imported_at TIMESTAMP NOT NULL,
    supersedes VARCHAR,
    entry_count BIGINT NOT NULL,
    indicator_count BIGINT NOT NULL,
    amount_total DECIMAL(18,2) NOT NULL,
    PRIMARY KEY (submission_id),
    UNIQUE (file_sha256),
    UNIQUE (supersedes)
);

CREATE TABLE stream (
    submission_id VARCHAR NOT NULL,
    row_no INTEGER NOT NULL,
    source_sheet VARCHAR,
    source_cell VARCHAR,
    stream_id VARCHAR NOT NULL,
    funder_id VARCHAR NOT NULL,
    partnership_id VARCHAR,
    name VARCHAR NOT NULL,
    funder_ref VARCHAR,
    lead_partner VARCHAR,
    award DECIMAL(18,2) NOT NULL,
    capital_award DECIMAL(18,2),
    revenue_award DECIMAL(18,2),
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    allocation_method VARCHAR CHECK (allocation_method IN ('formula', 'competitive', 'invited_bid', 'direct_award', 'pbr', 'pooled')),
    ring_fence_type VARCHAR NOT NULL CHECK (ring_fence_type IN ('ringfenced_statutory', 'ringfenced_conditions', 'specific_purpose', 'unringfenced', 'restricted_charitable')),
    eligible_categories VARCHAR,
    virement_limit_pct DECIMAL(9,4),
    carry_forward_rule VARCHAR,
    clawback_rule VARCHAR,
    match_required_pct DECIMAL(9,4),
    spend_deadline DATE,
    reporting_frequency VARCHAR CHECK (reporting_frequency IN ('fortnightly', 'monthly', 'quarterly', 'termly', 'half_yearly', 'annual', 'end_of_grant')),
    year_convention VARCHAR,
    accounting_basis VARCHAR CHECK (accounting_basis IN ('defrayed', 'accrued', 'committed', 'claimed', 'received', 'budgeted')),
    risk_rating VARCHAR,
    reporting_tier SMALLINT,
    predecessor_stream_id VARCHAR,
    successor_stream_id VARCHAR,
    PRIMARY KEY (submission_id, stream_id)
);

CREATE TABLE finance_entry (
    submission_id VARCHAR NOT NULL,
    row_no INTEGER NOT NULL,
    source_sheet VARCHAR,
    source_cell VARCHAR,
    stream_id VARCHAR NOT NULL,
    funder_id VARCHAR NOT NULL,
    period_label VARCHAR NOT NULL,
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    measure VARCHAR NOT NULL CHECK (measure IN ('award', 'allocation', 'budget', 'forecast', 'committed', 'spend', 'claim', 'receipt', 'match', 'clawback', 'virement', 'carry_forward', 'income')),
    state VARCHAR NOT NULL CHECK (state IN ('actual', 'forecast')),
    basis VARCHAR CHECK (basis IN ('defrayed', 'accrued', 'committed', 'claimed', 'received', 'budgeted')),
    cap_rev VARCHAR NOT NULL CHECK (cap_rev IN ('capital', 'revenue', 'unspecified')),
    funder_category VARCHAR,
    subjective VARCHAR,
    objective VARCHAR,
    funding_source VARCHAR,
    project VARCHAR,
    description VARCHAR,
    txn_date DATE,
    amount_raw VARCHAR,
    unit VARCHAR,
    amount_gbp DECIMAL(18,2) NOT NULL
);

CREATE TABLE indicator_value (
    submission_id VARCHAR NOT NULL,
    row_no INTEGER NOT NULL,
    source_sheet VARCHAR,
    source_cell VARCHAR,
    stream_id VARCHAR NOT NULL,
    funder_id VARCHAR NOT NULL,
    funder_indicator VARCHAR NOT NULL,
    period_label VARCHAR NOT NULL,
    period_start DATE,
    period_end DATE,
    value_type VARCHAR NOT NULL CHECK (value_type IN ('baseline', 'target', 'forecast', 'actual')),
    value DECIMAL(38,6) NOT NULL,
    unit VARCHAR,
    cumulative BOOLEAN NOT NULL
);

CREATE TABLE issue (
    submission_id VARCHAR NOT NULL,
    issue_no INTEGER NOT NULL,
    code VARCHAR NOT NULL,
    severity VARCHAR NOT NULL CHECK (severity IN ('error', 'warning', 'info')),
    message VARCHAR NOT NULL,
    sheet VARCHAR,
    cell VARCHAR,
    value VARCHAR,
    expected VARCHAR,
    hint VARCHAR,
    PRIMARY KEY (submission_id, issue_no)
);

CREATE TABLE category_map (
    funder_id VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    effective_from DATE NOT NULL,
    effective_to DATE,
    label VARCHAR NOT NULL,
    target_no INTEGER NOT NULL,
    subjective VARCHAR NOT NULL,
    objective VARCHAR,
    cap_rev VARCHAR,
    share_pct DECIMAL(9,4) NOT NULL,
    PRIMARY KEY (funder_id, version, label, target_no)
);

CREATE TABLE indicator_map (
    funder_id VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    label VARCHAR NOT NULL,
    indicator_id VARCHAR NOT NULL,
    PRIMARY KEY (funder_id, version, label)
);

CREATE VIEW current_submission AS SELECT s.* FROM submission s WHERE NOT EXISTS (SELECT 1 FROM submission n WHERE n.supersedes = s.submission_id);

CREATE VIEW current_finance AS SELECT f.* FROM finance_entry f JOIN current_submission USING (submission_id);

CREATE VIEW current_indicator AS SELECT i.* FROM indicator_value i JOIN current_submission USING (submission_id);

CREATE VIEW current_stream AS SELECT t.* FROM stream t JOIN current_submission USING (submission_id);
