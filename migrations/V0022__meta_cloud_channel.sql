-- Issue 21: Meta's WhatsApp Cloud API as a second channel (ADR-015).
-- An instance speaks through Evolution (the default) or the Cloud API. A meta_cloud instance has no Evolution URL; it
-- has its phone number id (the key Meta's webhooks are routed by, so one instance per number), its WhatsApp Business
-- Account id, and three secrets encrypted and bound to the row like evo_api_key: the access token, and the app secret and
-- verify token of an instance that brings its own Meta app (null: the platform app's).
ALTER TABLE instances ADD COLUMN IF NOT EXISTS meta_phone_number_id text;
ALTER TABLE instances ADD COLUMN IF NOT EXISTS meta_waba_id text;
ALTER TABLE instances ADD COLUMN IF NOT EXISTS meta_access_token text;
ALTER TABLE instances ADD COLUMN IF NOT EXISTS meta_app_secret text;
ALTER TABLE instances ADD COLUMN IF NOT EXISTS meta_verify_token text;
ALTER TABLE instances ALTER COLUMN evo_server_url DROP NOT NULL;
ALTER TABLE instances ADD CONSTRAINT instances_provider_check CHECK (provider IN ('evolution', 'meta_cloud'));
ALTER TABLE instances ADD CONSTRAINT instances_evo_server_url_check CHECK (provider = 'meta_cloud' OR evo_server_url IS NOT NULL);
ALTER TABLE instances ADD CONSTRAINT instances_meta_phone_number_id_check CHECK (provider <> 'meta_cloud' OR meta_phone_number_id IS NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS instances_meta_phone_number_id_key ON instances (meta_phone_number_id) WHERE meta_phone_number_id IS NOT NULL;

-- The Cloud API cannot be read back: a send whose answer was lost is proved by a status (sent or later) that carries our
-- biz_opaque_callback_data. The webhook records each such status here; the resolver looks the send up by its callback
-- data (a reply's "<job id>:<part>", an inbox or API send's ledger id).
CREATE TABLE IF NOT EXISTS meta_send_proofs (
    instance_id          bigint      NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    callback_data        text        NOT NULL,
    provider_message_id  text        NOT NULL,
    status               text        NOT NULL,
    received_at          timestamptz NOT NULL,
    PRIMARY KEY (instance_id, callback_data)
);

-- A Cloud API message's media id (image.id, audio.id): the media API fetches the file by it. Null for Evolution.
ALTER TABLE messages ADD COLUMN IF NOT EXISTS provider_media_id text;
