-- The X-Correlation-Id of the webhook that queued a reply: the worker restores it in its log scope and sends it
-- on the model and Evolution calls, so one id follows a message from the webhook to the reply.
ALTER TABLE reply_jobs ADD COLUMN correlation_id text;
