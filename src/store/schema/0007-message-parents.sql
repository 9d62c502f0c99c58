-- Version 7: messages and message_locations check their parents in the
-- store, not with FOREIGN KEY clauses; triggers do what the clauses' ON
-- DELETE actions did.
--
-- Why: with foreign_keys on, SQLite looks up every parent of every row a
-- sync inserts (account, chat and sender of a message; folder and message
-- of its location): five index seeks, about 12 % of the cost of storing a
-- message. The store resolves those ids itself and checks each chat and
-- folder once per batch (tern-store-apply-messages.c), so the per-row
-- lookups bought nothing. The tables that hang below messages
-- (attachments, message_edits, receipts, outbox) keep their clauses: they
-- are rare, and inserting a parent row costs no lookup.
--
-- Rebuilt the documented way (https://sqlite.org/lang_altertable.html,
-- "other kinds of table schema changes"), with foreign keys off for the
-- step; the migration runner checks PRAGMA foreign_key_check before it
-- commits. Ids are kept, so messages_fts (content = 'messages') stays valid.

CREATE TABLE messages_new (
  id                INTEGER PRIMARY KEY,
  account_id        INTEGER NOT NULL,   -- accounts (id)
  chat_id           INTEGER NOT NULL,   -- chats (id)
  message_id        TEXT NOT NULL,
  sender_contact_id INTEGER,            -- contacts (id) or NULL
  sender_address    TEXT,
  outgoing          INTEGER NOT NULL DEFAULT 0,
  sent_time         INTEGER NOT NULL DEFAULT 0,
  received_time     INTEGER NOT NULL DEFAULT 0,
  sort_key          INTEGER NOT NULL,
  kind              INTEGER NOT NULL DEFAULT 0,
  state             INTEGER NOT NULL DEFAULT 0,
  seen              INTEGER NOT NULL DEFAULT 0,
  edited            INTEGER NOT NULL DEFAULT 0,
  deleted           INTEGER NOT NULL DEFAULT 0,
  subject           TEXT,
  text              TEXT,
  quote             TEXT,
  reply_to          TEXT,
  pinned_until      INTEGER NOT NULL DEFAULT 0,
  latitude          REAL,
  longitude         REAL,
  n_attachments     INTEGER NOT NULL DEFAULT 0,
  mentions_me       INTEGER NOT NULL DEFAULT 0,
  receipt_to        TEXT,
  mdn_sent          INTEGER NOT NULL DEFAULT 0,
  failure_reason    TEXT,
  UNIQUE (account_id, message_id)
);
INSERT INTO messages_new
  SELECT id, account_id, chat_id, message_id, sender_contact_id, sender_address, outgoing,
         sent_time, received_time, sort_key, kind, state, seen, edited, deleted, subject, text,
         quote, reply_to, pinned_until, latitude, longitude, n_attachments, mentions_me,
         receipt_to, mdn_sent, failure_reason
  FROM messages;

CREATE TABLE message_locations_new (
  folder_id  INTEGER NOT NULL,          -- folders (id)
  uid        INTEGER NOT NULL,
  message_id INTEGER NOT NULL,          -- messages (id)
  PRIMARY KEY (folder_id, uid)
) WITHOUT ROWID;
INSERT INTO message_locations_new SELECT folder_id, uid, message_id FROM message_locations;

DROP TABLE message_locations;
DROP TABLE messages;
ALTER TABLE messages_new RENAME TO messages;
ALTER TABLE message_locations_new RENAME TO message_locations;

CREATE INDEX messages_chat ON messages (chat_id, sort_key, id);
CREATE INDEX messages_sender ON messages (sender_contact_id) WHERE sender_contact_id IS NOT NULL;
CREATE INDEX messages_unread ON messages (chat_id) WHERE seen = 0 AND outgoing = 0;
CREATE INDEX message_locations_message ON message_locations (message_id);
-- An account's messages (removing an account) are found through the
-- UNIQUE (account_id, message_id) index; a folder's locations through the
-- primary key.

-- What the ON DELETE clauses did.
CREATE TRIGGER accounts_messages_ad AFTER DELETE ON accounts BEGIN
  DELETE FROM messages WHERE account_id = OLD.id;
END;
CREATE TRIGGER chats_messages_ad AFTER DELETE ON chats BEGIN
  DELETE FROM messages WHERE chat_id = OLD.id;
END;
CREATE TRIGGER contacts_messages_ad AFTER DELETE ON contacts BEGIN
  UPDATE messages SET sender_contact_id = NULL WHERE sender_contact_id = OLD.id;
END;
CREATE TRIGGER folders_locations_ad AFTER DELETE ON folders BEGIN
  DELETE FROM message_locations WHERE folder_id = OLD.id;
END;
CREATE TRIGGER messages_locations_ad AFTER DELETE ON messages BEGIN
  DELETE FROM message_locations WHERE message_id = OLD.id;
END;

-- The triggers of version 1, 2 and 4 on messages went with the old table.
CREATE TRIGGER messages_count_ad AFTER DELETE ON messages BEGIN
  UPDATE chats SET
    message_count = message_count - 1,
    unread_count = unread_count - (OLD.seen = 0 AND OLD.outgoing = 0),
    last_message_id = CASE WHEN last_message_id = OLD.id
      THEN (SELECT m.id FROM messages m WHERE m.chat_id = OLD.chat_id
            ORDER BY m.sort_key DESC, m.id DESC LIMIT 1)
      ELSE last_message_id END
  WHERE id = OLD.chat_id;
END;
CREATE TRIGGER messages_count_au AFTER UPDATE OF seen, outgoing ON messages
WHEN (OLD.seen = 0 AND OLD.outgoing = 0) IS NOT (NEW.seen = 0 AND NEW.outgoing = 0) BEGIN
  UPDATE chats SET
    unread_count = unread_count - (OLD.seen = 0 AND OLD.outgoing = 0)
                                + (NEW.seen = 0 AND NEW.outgoing = 0)
  WHERE id = NEW.chat_id;
END;
CREATE TRIGGER messages_fts_ad AFTER DELETE ON messages BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, subject, text)
    VALUES ('delete', OLD.id, OLD.subject, OLD.text);
END;
CREATE TRIGGER messages_fts_au AFTER UPDATE OF subject, text ON messages BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, subject, text)
    VALUES ('delete', OLD.id, OLD.subject, OLD.text);
  INSERT INTO messages_fts (rowid, subject, text) VALUES (NEW.id, NEW.subject, NEW.text);
END;
