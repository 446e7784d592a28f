-- 三员分立 for other systems' credentials (round-2 probe): the security administrator issued a
-- service account with members.read for the whole country and read 1,045 members' names with its
-- token. A service account now works only once a business account of its node (or above)
-- confirms it, and the token is issued to that confirmer, never to the security administrator.
-- Registering a certificate or changing the permissions or the address allowlist asks for a new
-- confirmation. Accounts issued before this keep working (their holders are already known).
ALTER TABLE service_account ADD COLUMN confirmed_at timestamptz, ADD COLUMN confirmed_by bigint REFERENCES app_user(id);
UPDATE service_account SET confirmed_at = created_at;
