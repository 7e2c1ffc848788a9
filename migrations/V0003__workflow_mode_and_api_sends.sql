-- Workflow reply mode (n8n and the like) and sends made through POST /api/evolution/send-message.

-- The HMAC secret that signs what is POSTed to the tenant's workflow (write-only in the API).
ALTER TABLE tenants ADD COLUMN workflow_secret text;

-- reply_jobs also registers sends made through the API before Evolution is called, so that their
-- send.message echo is recognised as ours by the same mechanism as the worker's replies:
--   reply      a reply the worker produces (the model's, or a POST to the tenant's workflow)
--   api_bot    send-message "as": "bot"    (recorded as direction bot; never pauses)
--   api_agent  send-message "as": "agent"  (recorded as direction human; a human takeover)
ALTER TABLE reply_jobs ADD COLUMN kind text NOT NULL DEFAULT 'reply' CHECK (kind IN ('reply', 'api_bot', 'api_agent'));

-- Sent to the workflow as X-HybridFlow-Delivery and event_id: one per job, the same on every retry.
ALTER TABLE reply_jobs ADD COLUMN delivery_id uuid NOT NULL DEFAULT gen_random_uuid();
