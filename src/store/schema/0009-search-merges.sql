-- Version 9: cheaper sync batches. The message index is merged when the
-- store is idle, not after every batch; one chat-order index instead of two.
--
-- FTS5 writes each batch's terms as a new segment. With its defaults
-- ('automerge' = 4, 'crisismerge' = 16) it merges segments four at a time,
-- a little after every batch, so a sync spends a third of the cost of
-- storing a message rewriting the index: at 100,000 messages ~23,000 of
-- ~100,000 instructions per message (callgrind, bench-store). Now a batch
-- only adds its segment; merging happens on the store thread after a
-- second without work (tern-store.c, merge_index(): FTS5's 'merge' command
-- in steps of 256 pages, which merges levels of four or more segments, as
-- automerge would have). 'crisismerge' = 64 bounds the segments a search
-- reads while a long sync never pauses; the merge after such a sync takes
-- ~1 s per 100,000 messages.
INSERT INTO messages_fts (messages_fts, rank) VALUES ('automerge', 0);
INSERT INTO messages_fts (messages_fts, rank) VALUES ('crisismerge', 64);

-- A chat's pinned message (the banner above the conversation) is one seek,
-- not a walk over the chat; only pinned messages are in this index.
CREATE INDEX messages_pinned ON messages (chat_id, sort_key, id) WHERE pinned_until != 0;

-- Every chat a batch touches has its counters and last activity updated,
-- and with them each index on last_activity: the per-account order index
-- of version 5 cost ~2,500 instructions per stored message. One account's
-- list walks chats_order and skips other accounts' chats instead: 2.8 ms
-- instead of 1.0 ms for 10,000 chats (store.chatlist10k.ids_one_account);
-- the window lists all accounts' chats, which chats_order serves.
DROP INDEX chats_account_order;

-- New chats and contacts are added to their full-text indexes once at the
-- end of a batch (tern_store_apply_flush_names()), not by an INSERT
-- trigger: a trigger runs in its statement's savepoint, at whose end FTS5
-- writes out what it holds, so every new chat and contact of an initial
-- sync wrote a one-row segment (~45,000 instructions each, ~20,000 per
-- synced message in bench-core-sync). The UPDATE and DELETE triggers stay;
-- the store indexes its pending rows before any operation that may fire
-- them. Rows inserted by anything but the store must be indexed by it too.
DROP TRIGGER chats_fts_ai;
DROP TRIGGER contacts_fts_ai;
