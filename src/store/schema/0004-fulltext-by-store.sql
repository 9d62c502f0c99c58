-- Version 4: new messages are added to the full-text index by the store at
-- the end of each batch, no longer by a per-row trigger.
--
-- Why: FTS5 writes its pending terms out as a new segment at every
-- statement savepoint, and a trigger runs inside one. Indexed row by row,
-- a 500-message sync batch made 500 tiny segments and merged them again
-- (measured 3x slower per message). The update and delete triggers stay:
-- edits and deletes are rare and must keep the index exact.

DROP TRIGGER messages_fts_ai;
