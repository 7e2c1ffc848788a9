-- Failed-login throttles, shared by every replica: one row per email from an address ('email_from_address'), per
-- address ('address', email_key '') and per email ('email', source ''). email_key is a SHA-256 of the normalised email,
-- so the table keeps no one's address, typos and unknown emails included. Rows untouched for hours are pruned.
CREATE TABLE IF NOT EXISTS login_throttles (
    scope              text        NOT NULL,
    email_key          text        NOT NULL,
    source             text        NOT NULL,
    failures           integer     NOT NULL DEFAULT 0,
    window_started_at  timestamptz,
    strikes            integer     NOT NULL DEFAULT 0,
    blocked_until      timestamptz,
    updated_at         timestamptz NOT NULL,
    PRIMARY KEY (scope, email_key, source)
);
CREATE INDEX IF NOT EXISTS login_throttles_email_key ON login_throttles (email_key);
CREATE INDEX IF NOT EXISTS login_throttles_updated_at ON login_throttles (updated_at);

-- ADMIN_PASSWORD_RESET=true applies ADMIN_PASSWORD once: a salted hash of the value it applied, so a restart with the
-- flag still set does not undo a password changed since; a new ADMIN_PASSWORD is applied again.
CREATE TABLE IF NOT EXISTS admin_password_resets (
    user_id        bigint      PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    password_hash  text        NOT NULL,
    applied_at     timestamptz NOT NULL
);
