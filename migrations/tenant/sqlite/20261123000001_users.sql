-- Tenant database: one per tenant. User ids are small per-tenant integers on
-- purpose: the same id exists at every tenant, which is exactly the situation
-- the session scope guard must survive.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'member')),
    created_at    INTEGER NOT NULL
);
