-- Issue 18 (ADR-011): the inbox event triggers no longer NOTIFY. A NOTIFY takes PostgreSQL's one notify lock at commit
-- and holds it through the commit's WAL flush, so every webhook's commit waited for the one before it (measured: the
-- webhook path's largest single cost). Each process now reads inbox_events every INBOX_POLL_MS instead
-- (InboxEventPoller), by id, looking again for ids that commit out of order. The rows and their meaning are unchanged.

-- messages INSERT: message.created (every direction: the customer's, the bot's and a person's).
CREATE OR REPLACE FUNCTION inbox_events_on_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO inbox_events (tenant_id, session_id, type, message_id, assignee_user_id, occurred_at)
    VALUES (NEW.tenant_id, NEW.session_id, 'message.created', NEW.id,
            (SELECT s.assignee_user_id FROM sessions s WHERE s.id = NEW.session_id), NEW.sent_at);
    RETURN NULL;
END $$;

-- session_events INSERT: the timeline actions the inbox shows live. A bot's send (a reply part, a resent or confirmed
-- one, an API "as bot" send, a handoff or away notice, the unsupported-media reply) is reply.sent; a send nobody can
-- prove moves the chat into the "needs a person" queue, a conversation.updated.
CREATE OR REPLACE FUNCTION inbox_events_on_timeline() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO inbox_events (tenant_id, session_id, type, message_id, assignee_user_id, occurred_at)
    VALUES (NEW.tenant_id, NEW.session_id,
            CASE NEW.action WHEN 'handoff_requested' THEN 'handoff.requested'
                            WHEN 'ai_outcome_unknown' THEN 'conversation.updated'
                            ELSE 'reply.sent' END,
            NEW.message_id, (SELECT s.assignee_user_id FROM sessions s WHERE s.id = NEW.session_id), NEW.created_at);
    RETURN NULL;
END $$;

-- sessions UPDATE of is_paused: session.paused / session.resumed.
CREATE OR REPLACE FUNCTION inbox_events_on_pause() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO inbox_events (tenant_id, session_id, type, assignee_user_id, occurred_at)
    VALUES (NEW.tenant_id, NEW.id, CASE WHEN NEW.is_paused THEN 'session.paused' ELSE 'session.resumed' END,
            NEW.assignee_user_id, CASE WHEN NEW.updated_at IS DISTINCT FROM OLD.updated_at THEN NEW.updated_at ELSE now() END);
    RETURN NULL;
END $$;

-- sessions UPDATE of what the conversation list shows besides the pause: conversation.updated.
CREATE OR REPLACE FUNCTION inbox_events_on_conversation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO inbox_events (tenant_id, session_id, type, assignee_user_id, previous_assignee_user_id, assignment_changed, occurred_at)
    VALUES (NEW.tenant_id, NEW.id, 'conversation.updated', NEW.assignee_user_id,
            CASE WHEN OLD.assignee_user_id IS DISTINCT FROM NEW.assignee_user_id THEN OLD.assignee_user_id END,
            OLD.assignee_user_id IS DISTINCT FROM NEW.assignee_user_id,
            CASE WHEN NEW.updated_at IS DISTINCT FROM OLD.updated_at THEN NEW.updated_at ELSE now() END);
    RETURN NULL;
END $$;

-- inbox_notes INSERT: note.created.
CREATE OR REPLACE FUNCTION inbox_events_on_note() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO inbox_events (tenant_id, session_id, type, note_id, assignee_user_id, occurred_at)
    VALUES (NEW.tenant_id, NEW.session_id, 'note.created', NEW.id,
            (SELECT s.assignee_user_id FROM sessions s WHERE s.id = NEW.session_id), NEW.created_at);
    RETURN NULL;
END $$;
