-- Bridge token verifiers are hashed with a key of the key ring, recorded
-- per token so a rotated key keeps verifying the tokens it hashed. Tokens
-- from before (plain SHA-256, key 0) no longer verify; their devices sign
-- in once more. Session ids are stored as keyed hashes, so the raw ids held
-- in the sessions table go too.
ALTER TABLE bridge_tokens ADD COLUMN key_id BIGINT NOT NULL DEFAULT 0;
DELETE FROM sessions;
