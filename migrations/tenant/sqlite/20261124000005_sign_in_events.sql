-- Failed and throttled sign-ins, for the admin panel (never a password).
CREATE TABLE sign_in_events (
    id    INTEGER PRIMARY KEY AUTOINCREMENT,
    at    INTEGER NOT NULL,
    kind  TEXT    NOT NULL,
    email TEXT    NOT NULL,
    ip    TEXT
);
CREATE INDEX sign_in_events_at ON sign_in_events (at);
