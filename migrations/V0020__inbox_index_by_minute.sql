-- Issue 18 (ADR-011): session updates on the webhook path are HOT updates again.
--
-- sessions_inbox_idx (V0012) had last_message_at in its key, and every message moves last_message_at, so no session
-- update could be HOT: each one wrote a new entry into every index of sessions, the two GIN indexes included. The inbox
-- index now holds the minute of the last message instead. Updates within the same minute change no indexed column and
-- stay on their page (fillfactor leaves room for them); the inbox list orders by (minute, last_message_at, id), which is
-- the same order as (last_message_at, id) because the minute only grows with last_message_at, and sorts one minute's
-- sessions at a time (an Incremental Sort under the index scan).
-- date_bin on timestamptz is immutable (it is arithmetic on the instant, independent of the time zone).
ALTER TABLE sessions ADD COLUMN IF NOT EXISTS last_message_minute timestamptz
    GENERATED ALWAYS AS (date_bin('1 minute', last_message_at, timestamptz '2000-01-01 00:00:00+00')) STORED;

DROP INDEX IF EXISTS sessions_inbox_idx;
CREATE INDEX sessions_inbox_idx ON sessions (tenant_id, last_message_minute DESC NULLS LAST);

-- Room on each page for the new versions of its rows; applies to pages written from now on (and to all after a rewrite).
ALTER TABLE sessions SET (fillfactor = 85);
