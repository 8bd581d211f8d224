-- Central schema: the tenant directory and instance-wide secrets.
CREATE TABLE tenants (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug       TEXT   NOT NULL UNIQUE,
    name       TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);

-- Keys generated once per installation (e.g. the session cookie MAC key), so
-- every process sharing this database signs and verifies alike.
CREATE TABLE instance_secrets (
    name  TEXT  PRIMARY KEY,
    value BYTEA NOT NULL
);

-- The shared session store, used only when a tenant turns isolation off.
CREATE TABLE sessions (
    id          TEXT   PRIMARY KEY,
    data        TEXT   NOT NULL,
    expiry_date BIGINT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expiry_date);
