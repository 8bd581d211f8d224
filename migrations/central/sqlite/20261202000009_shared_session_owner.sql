-- The shared session table (tenants with isolation off): one user's
-- sessions by index. User ids repeat across tenants; rows are filtered by
-- the tenant their record names.
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_id, expiry_date);
