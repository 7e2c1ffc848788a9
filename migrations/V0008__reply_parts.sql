-- A reply can go out as several messages (split on blank lines): the job keeps them and the part in flight, so a crash
-- or a lost answer in the middle neither repeats a part that went out nor skips the next one.
-- reply_parts is NULL for a one-part job (reply_text is its part); part_index is zero-based.
ALTER TABLE reply_jobs
    ADD COLUMN reply_parts text[],
    ADD COLUMN part_index integer NOT NULL DEFAULT 0;
