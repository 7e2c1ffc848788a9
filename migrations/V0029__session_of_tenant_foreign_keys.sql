-- ADR-011 ("One foreign key for the chat and its tenant"): a message and a timeline event belong to a session of their
-- own tenant. One composite foreign key says that, where two (tenant_id, session_id) only said that each exists. It
-- is also one check per row instead of two, and it no longer locks the tenants row (FOR KEY SHARE) from every webhook
-- transaction: all of a tenant's transactions took that one row's lock together, so each one made a new MultiXact.
-- Deleting a tenant still deletes its messages and events, through its sessions.

-- Unique, so that it can be referenced; it replaces the plain index on the same columns.
ALTER TABLE sessions ADD CONSTRAINT sessions_tenant_id_id_key UNIQUE (tenant_id, id);
DROP INDEX IF EXISTS sessions_tenant_id_idx;

ALTER TABLE messages
    ADD CONSTRAINT messages_session_of_tenant_fkey FOREIGN KEY (tenant_id, session_id)
        REFERENCES sessions (tenant_id, id) ON DELETE CASCADE NOT VALID;
ALTER TABLE messages VALIDATE CONSTRAINT messages_session_of_tenant_fkey;
ALTER TABLE messages DROP CONSTRAINT IF EXISTS messages_tenant_id_fkey, DROP CONSTRAINT IF EXISTS messages_session_id_fkey;

ALTER TABLE session_events
    ADD CONSTRAINT session_events_session_of_tenant_fkey FOREIGN KEY (tenant_id, session_id)
        REFERENCES sessions (tenant_id, id) ON DELETE CASCADE NOT VALID;
ALTER TABLE session_events VALIDATE CONSTRAINT session_events_session_of_tenant_fkey;
ALTER TABLE session_events DROP CONSTRAINT IF EXISTS session_events_tenant_id_fkey, DROP CONSTRAINT IF EXISTS session_events_session_id_fkey;
