-- What the business knows of a customer, beside WhatsApp's own name on the session (issue 23's contact panel): a name a
-- person gave them, which the inbox shows instead of WhatsApp's, and notes. One row per tenant and chat, whichever of
-- the tenant's numbers the chat is on; none until a person edits something.
CREATE TABLE IF NOT EXISTS contacts (
    tenant_id           bigint      NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    chat_id             text        NOT NULL,
    display_name        text,
    notes               text,
    updated_at          timestamptz NOT NULL,
    updated_by_user_id  bigint      REFERENCES users (id) ON DELETE SET NULL,
    PRIMARY KEY (tenant_id, chat_id)
);
