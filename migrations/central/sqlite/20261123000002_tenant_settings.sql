-- A tenant's overrides of the session defaults, as a JSON object of
-- setting name → value text. Absent row or key: the environment default.
CREATE TABLE tenant_settings (
    tenant_id INTEGER PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    overrides TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
);
