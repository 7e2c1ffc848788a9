-- Issue 22: connect WhatsApp by QR code (ADR-018).
-- Evolution's global key, optional and write-only, lets HybridFlow create the instance on Evolution (POST /instance/create)
-- before connecting it. Encrypted and bound to the row like evo_api_key.
ALTER TABLE instances ADD COLUMN IF NOT EXISTS evo_global_api_key text;

-- The instance's WhatsApp connection as Evolution last reported it (GET /instance/connect, QRCODE_UPDATED,
-- CONNECTION_UPDATE): the set-up screen polls it, so every replica sees what any replica's webhook stored. The QR code
-- and the pairing code link a WhatsApp account: encrypted and bound to the row, cleared once the state is open or close,
-- and never written to inbox_events or the logs.
CREATE TABLE IF NOT EXISTS instance_connections (
    instance_id    bigint      PRIMARY KEY REFERENCES instances (id) ON DELETE CASCADE,
    state          text        CHECK (state IN ('open', 'connecting', 'close', 'refused')),
    qr_code        text,
    pairing_code   text,
    qr_updated_at  timestamptz,
    updated_at     timestamptz NOT NULL
);
