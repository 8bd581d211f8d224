-- The tenant's own session store (PostgreSQL: in the tenant's schema). The session layer also creates it on first
-- use when auto_create_session_table is on (kept identical to this file).
CREATE TABLE IF NOT EXISTS sessions (
    id          TEXT    PRIMARY KEY,
    data        TEXT    NOT NULL,
    expiry_date BIGINT  NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_expiry ON sessions (expiry_date);
