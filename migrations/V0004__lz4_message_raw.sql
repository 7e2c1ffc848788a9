-- Every webhook's raw body is kept in messages.raw. Bodies above ~2 kB are compressed when stored, and with
-- PostgreSQL's default (pglz) that compression was the largest single cost in a profile of the webhook
-- transaction (11% of PostgreSQL's CPU). lz4 is several times faster. Only new values use it; a server built
-- without lz4 keeps pglz.
DO $$
BEGIN
    ALTER TABLE messages ALTER COLUMN raw SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'lz4 is not available on this server; messages.raw stays compressed with pglz';
END
$$;
