-- Session bridge: a family per login/device, its tokens (only hashes), and
-- an event log for analytics and forensics.
CREATE TABLE bridge_families (
    id             TEXT    PRIMARY KEY,
    user_id        BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at     BIGINT  NOT NULL,
    expires_at     BIGINT  NOT NULL,
    last_used_at   BIGINT  NOT NULL,
    ip             TEXT,
    user_agent     TEXT,
    revoked_at     BIGINT ,
    revoked_reason TEXT
);
CREATE INDEX bridge_families_user ON bridge_families (user_id);

CREATE TABLE bridge_tokens (
    selector      TEXT    PRIMARY KEY,
    family_id     TEXT    NOT NULL REFERENCES bridge_families (id) ON DELETE CASCADE,
    verifier_hash TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    rotated_at    BIGINT ,
    successor     TEXT
);
CREATE INDEX bridge_tokens_family ON bridge_tokens (family_id);

CREATE TABLE bridge_events (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        BIGINT  NOT NULL,
    kind      TEXT    NOT NULL,
    family_id TEXT,
    user_id   BIGINT ,
    ip        TEXT
);
CREATE INDEX bridge_events_at ON bridge_events (at);
