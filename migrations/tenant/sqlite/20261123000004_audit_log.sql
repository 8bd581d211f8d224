-- Who changed what in the admin panel, when: kept per tenant.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,
    actor_id    INTEGER,
    actor_email TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    detail      TEXT    NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
