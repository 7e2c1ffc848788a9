-- Issue 10: how each tenant's bot talks, and the tenant's own model account.
-- conversation holds only the settings a tenant changed (snake_case keys, as the API names them); a missing key
-- takes the current default, so a default can improve without rewriting rows.
ALTER TABLE tenants
    ADD COLUMN conversation         jsonb   NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(conversation) = 'object'),
    -- Encrypted like workflow_secret (SECRETS_KEY); write-only through the API.
    ADD COLUMN llm_api_key          text,
    ADD COLUMN llm_base_url         text,
    ADD COLUMN llm_base_url_trusted boolean NOT NULL DEFAULT false,
    ADD COLUMN notify_url           text,
    ADD COLUMN notify_url_trusted   boolean NOT NULL DEFAULT false;
