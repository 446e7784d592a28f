-- Issue 15, finishing: an entity's exit effects move with it; client certificates for service
-- accounts; the change feed read by index.

-- exit_effect rows carry the entity's scope like its credit listings and exit reviews: moving the
-- entity to another station (db/entity-scope.ts) moves them too, so the new station sees the
-- effects of the reviews it now holds. The application may change only their scope.
CREATE INDEX exit_effect_entity_idx ON exit_effect (entity_id);
GRANT UPDATE (scope_key) ON exit_effect TO xgz_app;

-- A service account may also authenticate by a client certificate (mutual TLS on the server's own
-- listener, the client CA configured by the deployer): the SHA-256 fingerprint of the certificate
-- registered for it (lowercase hex), with the subject and expiry read from the PEM when one was
-- given. One certificate an account; a fingerprint belongs to one account.
ALTER TABLE service_account ADD COLUMN cert_fingerprint text UNIQUE CHECK (cert_fingerprint ~ '^[0-9a-f]{64}$');
ALTER TABLE service_account ADD COLUMN cert_subject text;
ALTER TABLE service_account ADD COLUMN cert_not_after timestamptz;

-- The change feed reads a page in cursor order and keeps the rows of the reader's subtree (row-level
-- security on scope_key): a county's page passes over the other counties' changes. With the
-- columns a page returns in the primary key's index, that pass is an index-only scan, never
-- touching the table for rows it leaves out (EXPLAIN ANALYZE at 1M entities: bench/README.md).
ALTER TABLE change_log DROP CONSTRAINT change_log_pkey;
ALTER TABLE change_log ADD CONSTRAINT change_log_pkey PRIMARY KEY (xid, seq) INCLUDE (scope_key, kind, object_id, op, at);
