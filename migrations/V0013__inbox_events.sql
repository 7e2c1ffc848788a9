-- Issue 11 item 3: the operator inbox's realtime feed (GET /api/inbox/events).
--
-- Triggers write what happened to a conversation into inbox_events and pg_notify its id on channel inbox_events, so
-- every code path (webhooks, reply worker, auto-resume sweep, API, inbox) produces events without knowing about them,
-- and the notification goes out only when the transaction commits. Every replica LISTENs and reads the rows by id.
-- assignee_user_id is the conversation's assignee when it happened (an agent user sees only theirs and the unassigned);
-- previous_assignee_user_id is set on the conversation.updated that reassigned it (the agent who lost it hears of it);
-- assignment_changed marks every change of assignee, so agents also hear when one leaves the unassigned queue.
--
-- No foreign keys: each would be one more lookup and row lock per message on the webhook path, and the rows only live
-- for an hour (the auto-resume sweep purges them); an event of a deleted conversation is read by id and answers 404.
-- created_at is the database's clock, which the replay window and the purge also use. occurred_at (the stream's "at") is
-- the source row's own time: the message's sent_at, the timeline event's or note's created_at, the session's updated_at
-- when the statement stamped it (else the database's clock).
CREATE TABLE IF NOT EXISTS inbox_events (
    id                         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id                  bigint      NOT NULL,
    session_id                 bigint      NOT NULL,
    type                       text        NOT NULL,
    message_id                 bigint,
    note_id                    bigint,
    assignee_user_id           bigint,
    previous_assignee_user_id  bigint,
    assignment_changed         boolean     NOT NULL DEFAULT false,
    occurred_at                timestamptz NOT NULL,
    created_at                 timestamptz NOT NULL DEFAULT now()
);
-- Append-only in time order: a BRIN index serves the purge and the catch-up by time for almost nothing per insert.
CREATE INDEX IF NOT EXISTS inbox_events_created_brin ON inbox_events USING brin (created_at);

-- messages INSERT: message.created (every direction: the customer's, the bot's and a person's).
CREATE OR REPLACE FUNCTION inbox_events_on_message() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    event_id bigint;
BEGIN
    INSERT INTO inbox_events (tenant_id, session_id, type, message_id, assignee_user_id, occurred_at)
    VALUES (NEW.tenant_id, NEW.session_id, 'message.created', NEW.id,
            (SELECT s.assignee_user_id FROM sessions s WHERE s.id = NEW.session_id), NEW.sent_at)
    RETURNING id INTO event_id;
    PERFORM pg_notify('inbox_events', event_id::text);
    RETURN NULL;
END $$;

-- session_events INSERT: the timeline actions the inbox shows live. A bot's send (a reply part, a resent or confirmed
-- one, an API "as bot" send, a handoff or away notice, the unsupported-media reply) is reply.sent; a send nobody can
-- prove moves the chat into the "needs a person" queue, a conversation.updated.
CREATE OR REPLACE FUNCTION inbox_events_on_timeline() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    event_id bigint;
BEGIN
    INSERT INTO inbox_events (tenant_id, session_id, type, message_id, assignee_user_id, occurred_at)
    VALUES (NEW.tenant_id, NEW.session_id,
            CASE NEW.action WHEN 'handoff_requested' THEN 'handoff.requested'
                            WHEN 'ai_outcome_unknown' THEN 'conversation.updated'
                            ELSE 'reply.sent' END,
            NEW.message_id, (SELECT s.assignee_user_id FROM sessions s WHERE s.id = NEW.session_id), NEW.created_at)
    RETURNING id INTO event_id;
    PERFORM pg_notify('inbox_events', event_id::text);
    RETURN NULL;
END $$;

-- sessions UPDATE of is_paused: session.paused / session.resumed.
CREATE OR REPLACE FUNCTION inbox_events_on_pause() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    event_id bigint;
BEGIN
    INSERT INTO inbox_events (tenant_id, session_id, type, assignee_user_id, occurred_at)
    VALUES (NEW.tenant_id, NEW.id, CASE WHEN NEW.is_paused THEN 'session.paused' ELSE 'session.resumed' END,
            NEW.assignee_user_id, CASE WHEN NEW.updated_at IS DISTINCT FROM OLD.updated_at THEN NEW.updated_at ELSE now() END)
    RETURNING id INTO event_id;
    PERFORM pg_notify('inbox_events', event_id::text);
    RETURN NULL;
END $$;

-- sessions UPDATE of what the conversation list shows besides the pause: conversation.updated.
CREATE OR REPLACE FUNCTION inbox_events_on_conversation() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    event_id bigint;
BEGIN
    INSERT INTO inbox_events (tenant_id, session_id, type, assignee_user_id, previous_assignee_user_id, assignment_changed, occurred_at)
    VALUES (NEW.tenant_id, NEW.id, 'conversation.updated', NEW.assignee_user_id,
            CASE WHEN OLD.assignee_user_id IS DISTINCT FROM NEW.assignee_user_id THEN OLD.assignee_user_id END,
            OLD.assignee_user_id IS DISTINCT FROM NEW.assignee_user_id,
            CASE WHEN NEW.updated_at IS DISTINCT FROM OLD.updated_at THEN NEW.updated_at ELSE now() END)
    RETURNING id INTO event_id;
    PERFORM pg_notify('inbox_events', event_id::text);
    RETURN NULL;
END $$;

-- inbox_notes INSERT: note.created.
CREATE OR REPLACE FUNCTION inbox_events_on_note() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    event_id bigint;
BEGIN
    INSERT INTO inbox_events (tenant_id, session_id, type, note_id, assignee_user_id, occurred_at)
    VALUES (NEW.tenant_id, NEW.session_id, 'note.created', NEW.id,
            (SELECT s.assignee_user_id FROM sessions s WHERE s.id = NEW.session_id), NEW.created_at)
    RETURNING id INTO event_id;
    PERFORM pg_notify('inbox_events', event_id::text);
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS inbox_events_message_created ON messages;
CREATE TRIGGER inbox_events_message_created AFTER INSERT ON messages
    FOR EACH ROW EXECUTE FUNCTION inbox_events_on_message();

-- The WHEN clauses keep the common case free: most timeline actions (ai_queued, status_updated, ...) and every
-- session update that only moves last_message_at or last_human_at never call a function.
DROP TRIGGER IF EXISTS inbox_events_timeline ON session_events;
CREATE TRIGGER inbox_events_timeline AFTER INSERT ON session_events
    FOR EACH ROW
    WHEN (NEW.action IN ('ai_replied', 'ai_resent', 'ai_send_confirmed', 'bot_sent', 'notice_sent', 'unsupported_media_replied',
                         'handoff_requested', 'ai_outcome_unknown'))
    EXECUTE FUNCTION inbox_events_on_timeline();

DROP TRIGGER IF EXISTS inbox_events_session_pause ON sessions;
CREATE TRIGGER inbox_events_session_pause AFTER UPDATE ON sessions
    FOR EACH ROW
    WHEN (OLD.is_paused IS DISTINCT FROM NEW.is_paused)
    EXECUTE FUNCTION inbox_events_on_pause();

-- A pause that changes its reason or end while staying paused (a manual pause over a handoff) changes the list's
-- status too.
DROP TRIGGER IF EXISTS inbox_events_conversation_updated ON sessions;
CREATE TRIGGER inbox_events_conversation_updated AFTER UPDATE ON sessions
    FOR EACH ROW
    WHEN (OLD.assignee_user_id IS DISTINCT FROM NEW.assignee_user_id
          OR OLD.tags IS DISTINCT FROM NEW.tags
          OR OLD.resolved_at IS DISTINCT FROM NEW.resolved_at
          OR OLD.contact_name IS DISTINCT FROM NEW.contact_name
          OR (OLD.is_paused AND NEW.is_paused
              AND (OLD.pause_reason IS DISTINCT FROM NEW.pause_reason OR OLD.paused_until IS DISTINCT FROM NEW.paused_until)))
    EXECUTE FUNCTION inbox_events_on_conversation();

DROP TRIGGER IF EXISTS inbox_events_note_created ON inbox_notes;
CREATE TRIGGER inbox_events_note_created AFTER INSERT ON inbox_notes
    FOR EACH ROW EXECUTE FUNCTION inbox_events_on_note();
