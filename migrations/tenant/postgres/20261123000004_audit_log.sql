-- Who changed what in the admin panel, when: kept per tenant.
CREATE TABLE audit_log (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          BIGINT  NOT NULL,
    actor_id    BIGINT ,
    actor_email TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    detail      TEXT    NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
