-- ASP.NET Core Data Protection's key ring, which signs and encrypts the login cookie and the CSRF tokens: shared by
-- every replica (a cookie from one is read by the others) and kept across restarts (nobody is logged out by a deploy).
-- Each key's XML is encrypted with SECRETS_ENCRYPTION_KEY before it is stored here.
CREATE TABLE IF NOT EXISTS data_protection_keys (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    friendly_name  text        NOT NULL UNIQUE,
    xml            text        NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);
