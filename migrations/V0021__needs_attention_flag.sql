-- Issue 19 items 3 and 4: "needs a person" as a flag on the chat, not a pause.
-- Set when the bot leaves something for a person: a customer message older than the tenant's stale_message_minutes
-- (a redelivery after an outage), or a reply that failed because the model account is out of credit. The bot still
-- answers fresh messages; a person writing, pausing or resuming the chat clears it. The inbox's needs_person queue and
-- GET /api/sessions?state=needs_attention list these chats beside those with a send of unknown outcome.
-- Not indexed: the session update on the webhook path stays HOT (ADR-011); the queue's filter reads it with the rest.
ALTER TABLE sessions ADD COLUMN IF NOT EXISTS needs_attention boolean NOT NULL DEFAULT false;
