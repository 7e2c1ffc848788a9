-- Issue 10 items 7 and 8: what the model cost, and the stats endpoint's queries.

-- A reply job's model use, summed over its attempts (a failed attempt that got an answer still cost tokens), and the
-- provider and model of its last call. input_tokens includes cached_input_tokens.
ALTER TABLE reply_jobs ADD COLUMN IF NOT EXISTS llm_provider text;
ALTER TABLE reply_jobs ADD COLUMN IF NOT EXISTS llm_model text;
ALTER TABLE reply_jobs ADD COLUMN IF NOT EXISTS llm_calls integer NOT NULL DEFAULT 0;
ALTER TABLE reply_jobs ADD COLUMN IF NOT EXISTS input_tokens bigint NOT NULL DEFAULT 0;
ALTER TABLE reply_jobs ADD COLUMN IF NOT EXISTS output_tokens bigint NOT NULL DEFAULT 0;
ALTER TABLE reply_jobs ADD COLUMN IF NOT EXISTS cached_input_tokens bigint NOT NULL DEFAULT 0;

-- One row per model call, for billing by tenant and period: finished reply jobs are purged after a week
-- (FinishedJobRetention), these rows are not. reply_job_id has no foreign key for that reason. purpose leaves room
-- for transcription and vision calls, which have no reply job of their own.
CREATE TABLE IF NOT EXISTS llm_usage (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id            bigint      NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    reply_job_id         bigint,
    purpose              text        NOT NULL CHECK (purpose IN ('reply', 'transcription', 'vision')),
    provider             text        NOT NULL,
    model                text,
    input_tokens         bigint      NOT NULL,
    output_tokens        bigint      NOT NULL,
    cached_input_tokens  bigint      NOT NULL,
    created_at           timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS llm_usage_tenant_time_idx ON llm_usage (tenant_id, created_at);

-- The stats read one tenant's messages and timeline by time. Covering, so the counts are index-only scans.
CREATE INDEX IF NOT EXISTS messages_tenant_sent_idx ON messages (tenant_id, sent_at) INCLUDE (session_id, direction);
-- Only the actions the stats count: a fraction of the timeline.
CREATE INDEX IF NOT EXISTS session_events_stats_idx ON session_events (tenant_id, created_at) INCLUDE (session_id, action)
    WHERE action IN ('ai_replied', 'ai_resent', 'ai_send_confirmed', 'paused', 'handoff_requested', 'auto_resumed', 'resumed');
-- The state event before a 'paused' one (was the chat active: a takeover; or already paused: not one).
CREATE INDEX IF NOT EXISTS session_events_state_idx ON session_events (session_id, id) INCLUDE (action)
    WHERE action IN ('paused', 'manual_pause', 'handoff_requested', 'resumed', 'auto_resumed');
