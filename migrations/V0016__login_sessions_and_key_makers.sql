-- Issue 17 (F4, F7): logins that end on the server, and API keys bound to the person who made them.

-- One row per login (the cookie auth's ticket store). The cookie carries only a random key, whose SHA-256 is key_hash;
-- the ticket itself is protected with Data Protection. Logging out, ending the session, or deleting the user removes
-- the row, and the cookie is dead at once. security_stamp is the user's stamp at login: a new role, password or an
-- admin's lock changes the user's stamp, and the row no longer matches. source_address is personal data: it is
-- stored for the owner and admins, never logged, and goes with the row when the session expires.
CREATE TABLE IF NOT EXISTS login_sessions (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id         bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key_hash        text        NOT NULL UNIQUE,
    ticket          bytea       NOT NULL,
    security_stamp  text        NOT NULL,
    created_at      timestamptz NOT NULL,
    last_seen_at    timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,
    user_agent      text,
    source_address  inet
);
CREATE INDEX IF NOT EXISTS login_sessions_user_idx ON login_sessions (user_id, id);
CREATE INDEX IF NOT EXISTS login_sessions_expires_idx ON login_sessions (expires_at);

-- Who made a key: a person (created_by_user_id), another key (created_by_key_id), or neither (ADMIN_API_KEY, and every
-- key made before this migration). acts_for_user_id is the person the key's power comes from: its maker, or the person
-- the making key acts for. The key works only while that person exists, is not locked by an admin and still has at
-- least the key's role. No foreign keys: a deleted user's id must stay, so that the key stays dead (ids are never
-- reused) and the listing still shows who made it.
ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS created_by_user_id bigint;
ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS created_by_key_id bigint;
ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS acts_for_user_id bigint;
