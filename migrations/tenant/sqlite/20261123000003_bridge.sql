-- Session bridge: a family per login/device, its tokens (only hashes), and
-- an event log for analytics and forensics.
CREATE TABLE bridge_families (
    id             TEXT    PRIMARY KEY,
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    last_used_at   INTEGER NOT NULL,
    ip             TEXT,
    user_agent     TEXT,
    revoked_at     INTEGER,
    revoked_reason TEXT
);
CREATE INDEX bridge_families_user ON bridge_families (user_id);

CREATE TABLE bridge_tokens (
    selector      TEXT    PRIMARY KEY,
    family_id     TEXT    NOT NULL REFERENCES bridge_families (id) ON DELETE CASCADE,
    verifier_hash TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    rotated_at    INTEGER,
    successor     TEXT
);
CREATE INDEX bridge_tokens_family ON bridge_tokens (family_id);

CREATE TABLE bridge_events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        INTEGER NOT NULL,
    kind      TEXT    NOT NULL,
    family_id TEXT,
    user_id   INTEGER,
    ip        TEXT
);
CREATE INDEX bridge_events_at ON bridge_events (at);
