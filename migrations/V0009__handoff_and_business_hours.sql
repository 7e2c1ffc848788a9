-- Issue 10 items 2 and 3: the customer asking for a person, and business hours.

-- Fixed-text messages go through the reply outbox and the send protocol like replies, with their text set when queued:
--   handoff_notice  the tenant's handoff message, sent once when a person is requested
--   away_notice     the away message, sent once per chat per closed period outside business hours
-- The default name of V0003's inline CHECK is reply_jobs_kind_check.
ALTER TABLE reply_jobs DROP CONSTRAINT IF EXISTS reply_jobs_kind_check;
ALTER TABLE reply_jobs ADD CONSTRAINT reply_jobs_kind_check CHECK (kind IN ('reply', 'api_bot', 'api_agent', 'handoff_notice', 'away_notice'));

-- Debounce merges customer messages into the chat's one pending reply; a pending notice stands beside it.
DROP INDEX IF EXISTS reply_jobs_one_pending_per_session;
CREATE UNIQUE INDEX reply_jobs_one_pending_per_session ON reply_jobs (session_id) WHERE status = 'pending' AND kind = 'reply';

-- The away message goes once per closed period: the time it last went to the chat.
ALTER TABLE sessions ADD COLUMN IF NOT EXISTS away_message_sent_at timestamptz;

-- The auto-resume sweep also looks at handoffs nobody took (paused_until = request time + resume_after_minutes),
-- and GET /api/sessions?state=paused&pause_reason=handoff_requested lists the queue.
CREATE INDEX IF NOT EXISTS sessions_pause_reason_idx ON sessions (tenant_id, pause_reason) WHERE is_paused;

-- The tenant's notify_url gets a signed POST per handoff request: an outbox drained in the background, retried
-- with backoff, at least once, with the same delivery id on every attempt. The target is copied when the request
-- is made (the secret encrypted like the other secrets), so a later change of notify_url does not redirect it.
CREATE TABLE IF NOT EXISTS notify_deliveries (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id        bigint      NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    session_id       bigint      REFERENCES sessions (id) ON DELETE SET NULL,
    delivery_id      uuid        NOT NULL DEFAULT gen_random_uuid() UNIQUE,
    event            text        NOT NULL,
    url              text        NOT NULL,
    url_trusted      boolean     NOT NULL DEFAULT false,
    signing_secret   text,       -- null: signed with N8N_API_KEY at delivery
    payload          jsonb       NOT NULL,
    status           text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts         integer     NOT NULL DEFAULT 0,
    due_at           timestamptz NOT NULL,
    locked_until     timestamptz,
    last_error       text,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS notify_deliveries_due_idx ON notify_deliveries (due_at) WHERE status = 'pending';
-- Finished deliveries are purged after a week.
CREATE INDEX IF NOT EXISTS notify_deliveries_finished_idx ON notify_deliveries (updated_at) WHERE status IN ('delivered', 'dead');
