-- Issue 10 items 4 and 5: what a voice note or photo says, receipts and deletions.
-- status_rank orders receipts (MessageStatus in the Domain): an update only ever raises it, so receipts that arrive out of
-- order or twice never move a message back.
ALTER TABLE messages
    ADD COLUMN status       text,
    ADD COLUMN status_rank  smallint    NOT NULL DEFAULT 0,
    ADD COLUMN delivered_at timestamptz,
    ADD COLUMN read_at      timestamptz,
    ADD COLUMN deleted_at   timestamptz,
    -- The transcript of a voice note ("[voice note] ..."), or what was sent for a photo ("[photo] caption").
    ADD COLUMN media_text   text;

-- Receipts and deletions for messages not recorded yet: a bot reply's receipt often beats sendText's answer.
-- Applied (and removed) when the message is inserted; old rows are purged.
CREATE TABLE pending_receipts (
    instance_id          bigint      NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    provider_message_id  text        NOT NULL,
    status               text,
    status_rank          smallint    NOT NULL DEFAULT 0,
    delivered_at         timestamptz,
    read_at              timestamptz,
    deleted_at           timestamptz,
    received_at          timestamptz NOT NULL,
    PRIMARY KEY (instance_id, provider_message_id)
);
CREATE INDEX pending_receipts_received_idx ON pending_receipts (received_at);

-- Every path that records a message (webhook, send ledger, shared transactions) gets its early receipts this way.
CREATE FUNCTION apply_pending_receipt() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    p pending_receipts%ROWTYPE;
BEGIN
    DELETE FROM pending_receipts
    WHERE instance_id = NEW.instance_id AND provider_message_id = NEW.provider_message_id
    RETURNING * INTO p;
    IF FOUND THEN
        IF p.status_rank > NEW.status_rank THEN
            NEW.status := p.status;
            NEW.status_rank := p.status_rank;
        END IF;
        NEW.delivered_at := COALESCE(NEW.delivered_at, p.delivered_at);
        NEW.read_at := COALESCE(NEW.read_at, p.read_at);
        NEW.deleted_at := COALESCE(NEW.deleted_at, p.deleted_at);
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER messages_apply_pending_receipt
    BEFORE INSERT ON messages
    FOR EACH ROW EXECUTE FUNCTION apply_pending_receipt();
