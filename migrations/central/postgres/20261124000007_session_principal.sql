-- Who a session belongs to, beside its data, so a signed-in request reads
-- session, user and bridge device family in one query.
ALTER TABLE sessions ADD COLUMN user_id BIGINT;
ALTER TABLE sessions ADD COLUMN family_id TEXT;
