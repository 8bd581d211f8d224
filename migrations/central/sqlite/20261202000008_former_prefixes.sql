-- The cookie prefixes a tenant used before its current one, as a JSON array
-- of text (NULL: none). A session cookie under one of those names (and only
-- those) is carried over to the current name after a prefix change.
ALTER TABLE tenant_settings ADD COLUMN former_prefixes TEXT;
