-- The key ring (when the keys are kept in the database): one 32-byte secret
-- per key number; the highest number is the primary. Replaces the two fixed
-- instance secrets, which could not be rotated.
CREATE TABLE keys (
    id         BIGINT PRIMARY KEY,
    secret     BYTEA  NOT NULL,
    created_at BIGINT NOT NULL
);
DROP TABLE instance_secrets;
-- Session ids are now stored as keyed hashes: the raw ids held here are of no further use.
DELETE FROM sessions;
