-- Central database: the tenant directory and instance-wide secrets.
CREATE TABLE tenants (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    slug       TEXT    NOT NULL UNIQUE,
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);

-- Keys generated once per installation (e.g. the session cookie MAC key), so
-- every process sharing this database signs and verifies alike.
CREATE TABLE instance_secrets (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
);

-- The shared session store, used only when a tenant turns isolation off.
CREATE TABLE sessions (
    id          TEXT    PRIMARY KEY,
    data        TEXT    NOT NULL,
    expiry_date INTEGER NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expiry_date);
