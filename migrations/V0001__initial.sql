-- HybridFlow initial schema (ARCHITECTURE.md section 4). Times are timestamptz in UTC.

CREATE TABLE tenants (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                  text        NOT NULL,
    system_prompt         text,
    llm_provider          text,
    llm_model             text,
    reply_mode            text        NOT NULL DEFAULT 'ai' CHECK (reply_mode IN ('ai', 'workflow', 'off')),
    workflow_url          text,
    resume_after_minutes  integer     NOT NULL DEFAULT 120 CHECK (resume_after_minutes > 0),
    debounce_seconds      integer     NOT NULL DEFAULT 0 CHECK (debounce_seconds >= 0),
    history_messages      integer     NOT NULL DEFAULT 20 CHECK (history_messages >= 0),
    external_sends_pause  boolean     NOT NULL DEFAULT true,
    created_at            timestamptz NOT NULL,
    updated_at            timestamptz NOT NULL
);

CREATE TABLE instances (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id       bigint      NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    instance_name   text        NOT NULL,
    provider        text        NOT NULL DEFAULT 'evolution',
    evo_server_url  text        NOT NULL,
    evo_api_key     text,
    webhook_secret  text,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    CONSTRAINT instances_instance_name_key UNIQUE (instance_name)
);
CREATE INDEX instances_tenant_id_idx ON instances (tenant_id);

CREATE TABLE sessions (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id        bigint      NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    instance_id      bigint      NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    chat_id          text        NOT NULL,
    is_paused        boolean     NOT NULL DEFAULT false,
    pause_reason     text        CHECK (pause_reason IN ('human_takeover', 'manual', 'handoff_requested')),
    paused_until     timestamptz,
    last_message_at  timestamptz,
    last_human_at    timestamptz,
    resumed_at       timestamptz,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    CONSTRAINT sessions_instance_chat_key UNIQUE (instance_id, chat_id)
);
CREATE INDEX sessions_tenant_id_idx ON sessions (tenant_id, id);
-- The auto-resume sweep scans only paused sessions.
CREATE INDEX sessions_paused_idx ON sessions (paused_until) WHERE is_paused;

CREATE TABLE messages (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id            bigint      NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    instance_id          bigint      NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    session_id           bigint      NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    provider_message_id  text        NOT NULL,
    direction            text        NOT NULL CHECK (direction IN ('inbound', 'bot', 'human')),
    message_type         text        NOT NULL,
    text                 text,
    raw                  jsonb,
    sent_at              timestamptz NOT NULL,
    created_at           timestamptz NOT NULL,
    CONSTRAINT messages_instance_provider_message_key UNIQUE (instance_id, provider_message_id)
);
-- History for the LLM: the newest messages of a session.
CREATE INDEX messages_session_sent_idx ON messages (session_id, sent_at DESC, id DESC);

CREATE TABLE session_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id   bigint      NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    session_id  bigint      NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    message_id  bigint      REFERENCES messages (id) ON DELETE SET NULL,
    action      text        NOT NULL,
    detail      text,
    created_at  timestamptz NOT NULL
);
CREATE INDEX session_events_session_idx ON session_events (session_id, id);

CREATE TABLE reply_jobs (
    id                        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id                 bigint      NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    session_id                bigint      NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    trigger_message_ids       bigint[]    NOT NULL,
    status                    text        NOT NULL CHECK (status IN ('pending', 'retrying', 'processing', 'sending', 'sent', 'dead', 'cancelled', 'discarded')),
    due_at                    timestamptz NOT NULL,
    attempts                  integer     NOT NULL DEFAULT 0,
    locked_until              timestamptz,
    reply_text                text,
    sent_provider_message_id  text,
    sent_message_id           bigint      REFERENCES messages (id) ON DELETE SET NULL,
    last_error                text,
    created_at                timestamptz NOT NULL,
    updated_at                timestamptz NOT NULL
);
-- One pending job per session: a burst of messages is absorbed by it (debounce).
CREATE UNIQUE INDEX reply_jobs_one_pending_per_session ON reply_jobs (session_id) WHERE status = 'pending';
-- Workers look for due pending jobs and for jobs whose worker vanished.
CREATE INDEX reply_jobs_due_idx ON reply_jobs (due_at) WHERE status IN ('pending', 'retrying');
CREATE INDEX reply_jobs_in_flight_idx ON reply_jobs (locked_until) WHERE status IN ('processing', 'sending');
CREATE INDEX reply_jobs_session_idx ON reply_jobs (session_id, status);

CREATE TABLE api_keys (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id   bigint      REFERENCES tenants (id) ON DELETE CASCADE,
    role        text        NOT NULL CHECK (role IN ('platform_admin', 'tenant_admin', 'agent')),
    name        text        NOT NULL,
    key_hash    text        NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);
