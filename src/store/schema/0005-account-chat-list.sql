-- Version 5: one account's chat list is an index walk too.
-- chats_order starts with archived, so tern_store_list_chat_ids() for one
-- account walked every chat of every account and filtered (~25 ms for
-- 10,000 chats); this index starts with the account.
CREATE INDEX chats_account_order ON chats (account_id, archived, pinned DESC, last_activity DESC, id DESC);
