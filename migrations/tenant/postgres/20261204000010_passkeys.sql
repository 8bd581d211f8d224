-- Passkeys (WebAuthn). A credential is webauthn-rs's own record of it (the
-- public key, its counter and flags: public data, not a secret), bound to
-- the relying party ID it was made for, the workspace's host. A person's
-- user handle is random, one for all their passkeys: a discoverable
-- sign-in names it, and it leads back to them.
CREATE TABLE passkey_handles (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    handle  TEXT NOT NULL UNIQUE
);

CREATE TABLE passkeys (
    id           TEXT    PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    rp_id        TEXT    NOT NULL,
    credential   TEXT    NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT
);

CREATE INDEX passkeys_user ON passkeys (user_id);
