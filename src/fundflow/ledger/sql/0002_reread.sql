-- 0002_reread: a file may be read again by a changed adapter, so submission.file_sha256 stops
-- being unique. DuckDB cannot drop a constraint: the table is rebuilt (views bind by name).
-- Frozen: never edit, add a migration instead.

CREATE TABLE submission_0002  (
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
    UNIQUE (supersedes)
);

INSERT INTO submission_0002 SELECT * FROM submission;

DROP TABLE submission;

ALTER TABLE submission_0002 RENAME TO submission;
