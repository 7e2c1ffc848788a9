-- Sends whose gateway answer was lost are resolved by proof instead of being given up (issue 9 item 6):
--   unconfirmed      the answer was lost (or its sender died mid-call): waiting for the echo, then Evolution's record
--   needs_attention  nothing could prove it either way: listed by GET /api/sessions?state=needs_attention
-- The default name of the inline CHECK of V0001 is reply_jobs_status_check.
ALTER TABLE reply_jobs DROP CONSTRAINT IF EXISTS reply_jobs_status_check;
ALTER TABLE reply_jobs ADD CONSTRAINT reply_jobs_status_check CHECK (status IN (
    'pending', 'retrying', 'processing', 'sending', 'unconfirmed', 'needs_attention', 'sent', 'dead', 'cancelled', 'discarded'));

-- A send is proved absent only when two read-backs of Evolution's record, an echo window apart, agree (a slow
-- Evolution may still be sending it); a reply proved absent is sent once more, never twice more.
ALTER TABLE reply_jobs ADD COLUMN IF NOT EXISTS absence_seen_at timestamptz;
ALTER TABLE reply_jobs ADD COLUMN IF NOT EXISTS resent_at timestamptz;
-- A read-back that could not be made (Evolution unreachable) is tried again; after a few, a person is asked to look.
ALTER TABLE reply_jobs ADD COLUMN IF NOT EXISTS read_back_failures integer NOT NULL DEFAULT 0;

-- The resolver looks every few seconds for sends whose lease or echo window ran out, or that an echo has proved.
CREATE INDEX IF NOT EXISTS reply_jobs_unresolved_idx ON reply_jobs (locked_until)
    WHERE status IN ('sending', 'unconfirmed', 'needs_attention');
