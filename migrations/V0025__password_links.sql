-- Issue 22: one-time links to choose a password (there is no e-mail). An admin creates a user without a password, or
-- resets one, and is shown a link once; the person opens it and chooses their password. Only the token's SHA-256 is
-- stored (token_hash); the token itself is never stored or logged. A link works once (used_at), until expires_at, and
-- only while it is the user's newest: a new link for the same user ends the earlier ones (superseded_at).
CREATE TABLE IF NOT EXISTS password_links (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id             bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash          text        NOT NULL UNIQUE,
    purpose             text        NOT NULL CHECK (purpose IN ('welcome', 'reset')),
    created_by_user_id  bigint,
    created_at          timestamptz NOT NULL,
    expires_at          timestamptz NOT NULL,
    used_at             timestamptz,
    superseded_at       timestamptz
);
CREATE INDEX IF NOT EXISTS password_links_user_idx ON password_links (user_id);
CREATE INDEX IF NOT EXISTS password_links_expires_idx ON password_links (expires_at);
