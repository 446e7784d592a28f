-- Sign-in throttling keyed by account and client address (issue 16, finding 8): wrong passwords
-- from one address lock that address out of that account, progressively longer each time, and
-- never lock the owner out from elsewhere. Second-factor failures (which prove the password is
-- known) still lock the account itself (app_user.locked_until).
CREATE TABLE login_throttle (
  user_id       bigint NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
  ip            text NOT NULL,
  scope_key     text COLLATE "C" NOT NULL,
  failures      integer NOT NULL DEFAULT 0,
  locks         integer NOT NULL DEFAULT 0,
  locked_until  timestamptz,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, ip)
);
CREATE INDEX login_throttle_locked_idx ON login_throttle (user_id) WHERE locked_until IS NOT NULL;

GRANT SELECT, DELETE ON login_throttle TO xgz_app;
ALTER TABLE login_throttle ENABLE ROW LEVEL SECURITY;
CREATE POLICY login_throttle_scope ON login_throttle USING (xgz_in_scope(scope_key));
