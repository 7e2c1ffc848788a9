-- Issue 22 item 3: a tenant's saved replies, for any channel. An agent types "/" in the composer, picks one by its
-- shortcut, and its text fills the composer with {{contact_name}} and {{agent_name}} filled in (by the browser).
-- The shortcut is unique per tenant, compared as stored (the API keeps it lower case).
CREATE TABLE IF NOT EXISTS saved_replies (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id   bigint      NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    shortcut    text        NOT NULL,
    text        text        NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    CONSTRAINT saved_replies_tenant_shortcut_key UNIQUE (tenant_id, shortcut)
);
