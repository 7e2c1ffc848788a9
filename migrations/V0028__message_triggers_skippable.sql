-- ADR-011 ("The group's own side effects"): the webhook path's grouped message INSERT applies kept receipts and writes
-- its message.created events itself, in the same statement, once per group instead of a PL/pgSQL call per row. It
-- sets hybridflow.message_row_triggers = 'skipped' (SET LOCAL) around that statement only; every other insert of a
-- message leaves the setting unset, and the triggers run for it as before.
DROP TRIGGER IF EXISTS messages_apply_pending_receipt ON messages;
CREATE TRIGGER messages_apply_pending_receipt
    BEFORE INSERT ON messages
    FOR EACH ROW
    WHEN (current_setting('hybridflow.message_row_triggers', true) IS DISTINCT FROM 'skipped')
    EXECUTE FUNCTION apply_pending_receipt();

DROP TRIGGER IF EXISTS inbox_events_message_created ON messages;
CREATE TRIGGER inbox_events_message_created
    AFTER INSERT ON messages
    FOR EACH ROW
    WHEN (current_setting('hybridflow.message_row_triggers', true) IS DISTINCT FROM 'skipped')
    EXECUTE FUNCTION inbox_events_on_message();
