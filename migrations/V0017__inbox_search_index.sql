-- Inbox search (GET /api/inbox/conversations?q=) is ILIKE '%q%' on the message texts and the contact name. Trigram GIN
-- indexes serve it for a q of 3 or more characters; a shorter q cannot use them (it scans, bounded by
-- INBOX_QUERY_TIMEOUT_MS). pg_trgm ships with PostgreSQL (contrib: Debian's postgresql-15, the official images).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX IF NOT EXISTS messages_text_trgm_idx ON messages USING gin (text gin_trgm_ops);
CREATE INDEX IF NOT EXISTS sessions_contact_name_trgm_idx ON sessions USING gin (contact_name gin_trgm_ops);
