-- Version 4: what a new message changes elsewhere is done by the store once
-- per batch, no longer by per-row INSERT triggers on messages:
-- - its full-text index entry (messages_fts), added at the end of the batch;
-- - its chat's message_count, unread_count, last_activity, last_message_id,
--   added up per chat and written once per batch.
--
-- Why: a trigger runs inside a statement savepoint, and FTS5 writes its
-- pending terms out as a new segment at every savepoint: indexed row by row,
-- a 500-message sync batch made 500 tiny segments and merged them again
-- (3x slower per message). The counter trigger cost another ~20 % per
-- message (a statement journal and a chat row update for each one).
-- The UPDATE and DELETE triggers stay: they are rare and keep everything
-- exact when a message changes or goes. Insert messages only through the
-- store (tern_store_batch_add_message).

DROP TRIGGER messages_fts_ai;
DROP TRIGGER messages_count_ai;
