-- One user's sessions and devices, and the newest page of them all, are
-- read by index: a user's Security page costs that user's rows, the admin's
-- lists one page, however many sessions the workspace holds.
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_id, expiry_date);
CREATE INDEX IF NOT EXISTS bridge_families_last_used ON bridge_families (last_used_at);
