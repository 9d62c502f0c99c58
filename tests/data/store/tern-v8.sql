-- Tern store fixture: a database at schema version 8, with data.
-- Made with: tern-v7.sql, src/store/schema/0008-attachment-previews.sql, then an image attachment
-- with a preview on message 9 as the version-8 store writes it (the attachments_count trigger
-- counts it), PRAGMA user_version = 8, then sqlite3 db .dump
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE accounts (
  id               INTEGER PRIMARY KEY,
  address          TEXT NOT NULL,
  display_name     TEXT,
  login            TEXT,
  imap_host        TEXT,
  imap_port        INTEGER NOT NULL DEFAULT 0,
  imap_security    INTEGER NOT NULL DEFAULT 0,
  smtp_host        TEXT,
  smtp_port        INTEGER NOT NULL DEFAULT 0,
  smtp_security    INTEGER NOT NULL DEFAULT 0,
  filter_mode      INTEGER NOT NULL DEFAULT 0,
  coi_server       INTEGER NOT NULL DEFAULT 0,
  capabilities     TEXT,
  mailbox_root     TEXT,
  delimiter        TEXT,
  namespace_prefix TEXT,
  enabled          INTEGER NOT NULL DEFAULT 1
);
INSERT INTO accounts VALUES(1,'alice@example.test','Alice','alice','imap.example.test',993,0,'smtp.example.test',465,0,1,1,'IMAP4rev1 COI','COI','/','',1);
CREATE TABLE pinned_certificates (
  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  host       TEXT NOT NULL COLLATE NOCASE,
  sha256     TEXT NOT NULL,
  PRIMARY KEY (account_id, host)
) WITHOUT ROWID;
INSERT INTO pinned_certificates VALUES(1,'imap.example.test','0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef');
CREATE TABLE folders (
  id            INTEGER PRIMARY KEY,
  account_id    INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  name          TEXT NOT NULL,
  delimiter     TEXT,
  role          INTEGER NOT NULL DEFAULT 0,
  uidvalidity   INTEGER NOT NULL DEFAULT 0,
  uidnext       INTEGER NOT NULL DEFAULT 0,
  highestmodseq INTEGER NOT NULL DEFAULT 0,
  last_sync     INTEGER NOT NULL DEFAULT 0,
  UNIQUE (account_id, name)
);
INSERT INTO folders VALUES(1,1,'INBOX','/',1,1700000000,12,99,1700000500);
INSERT INTO folders VALUES(2,1,'COI/Chats','/',7,1700000001,5,40,1700000500);
CREATE TABLE contacts (
  id           INTEGER PRIMARY KEY,
  account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  address      TEXT NOT NULL,
  display_name TEXT,
  avatar       TEXT,
  status       TEXT,
  blocked      INTEGER NOT NULL DEFAULT 0,
  from_hash    TEXT,
  last_seen    INTEGER NOT NULL DEFAULT 0,
  profile_sent INTEGER NOT NULL DEFAULT 0
);
INSERT INTO contacts VALUES(1,1,'bob@example.test','Bob Müller',NULL,NULL,0,'18cfe3debfc85e80d4a66a8be182342e13d3d23b8b65573783f9094fb084770b',0,0);
INSERT INTO contacts VALUES(2,1,'carol@example.test','Carol',NULL,NULL,1,NULL,0,0);
CREATE TABLE contact_addresses (
  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  address    TEXT NOT NULL COLLATE NOCASE,
  contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
  PRIMARY KEY (account_id, address)
) WITHOUT ROWID;
INSERT INTO contact_addresses VALUES(1,'bob@example.test',1);
INSERT INTO contact_addresses VALUES(1,'bob@work.test',1);
INSERT INTO contact_addresses VALUES(1,'carol@example.test',2);
CREATE TABLE chats (
  id              INTEGER PRIMARY KEY,
  account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  kind            INTEGER NOT NULL,
  key             TEXT NOT NULL,
  contact_id      INTEGER REFERENCES contacts (id) ON DELETE SET NULL,
  name            TEXT,
  description     TEXT,
  avatar          TEXT,
  muted           INTEGER NOT NULL DEFAULT 0,
  archived        INTEGER NOT NULL DEFAULT 0,
  pinned          INTEGER NOT NULL DEFAULT 0,
  draft           TEXT,
  last_activity   INTEGER NOT NULL DEFAULT 0,
  last_message_id INTEGER,
  unread_count    INTEGER NOT NULL DEFAULT 0,
  message_count   INTEGER NOT NULL DEFAULT 0,
  UNIQUE (account_id, kind, key)
);
INSERT INTO chats VALUES(1,1,0,'bob@example.test',1,NULL,NULL,NULL,0,0,0,NULL,1700000900,9,1,4);
INSERT INTO chats VALUES(2,1,1,'Gr0upId_abc123',NULL,'Wandergruppe Köln','Sonntags',NULL,0,0,1,NULL,1700000800,8,3,5);
CREATE TABLE chat_members (
  chat_id    INTEGER NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
  contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
  PRIMARY KEY (chat_id, contact_id)
) WITHOUT ROWID;
INSERT INTO chat_members VALUES(2,1);
INSERT INTO chat_members VALUES(2,2);
CREATE TABLE attachments (
  id         INTEGER PRIMARY KEY,
  message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  hash       TEXT NOT NULL,
  mime_type  TEXT,
  name       TEXT,
  size       INTEGER NOT NULL DEFAULT 0
, preview_hash TEXT);
INSERT INTO attachments VALUES(1,4,'ab12000000000000000000000000000000000000000000000000000000000000','image/jpeg','map.jpg',2048,NULL);
INSERT INTO attachments VALUES(2,9,'cd34000000000000000000000000000000000000000000000000000000000000','image/jpeg','dom.jpg',204800,'ef56000000000000000000000000000000000000000000000000000000000000');
CREATE TABLE message_edits (
  id              INTEGER PRIMARY KEY,
  message_id      INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  edit_message_id TEXT,
  old_text        TEXT,
  new_text        TEXT,
  edited_at       INTEGER NOT NULL DEFAULT 0
);
INSERT INTO message_edits VALUES(1,3,'chat$group.Gr0upId_abc123.eee@example.test','Wer kommt Sonntag?','Wer kommt am Sonntag mit?',1700000350);
CREATE TABLE outbox (
  id                INTEGER PRIMARY KEY,
  account_id        INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  message_id        INTEGER REFERENCES messages (id) ON DELETE SET NULL,
  rfc822_message_id TEXT,
  raw               BLOB,
  recipients        TEXT NOT NULL,
  state             INTEGER NOT NULL DEFAULT 0,
  attempts          INTEGER NOT NULL DEFAULT 0,
  next_attempt      INTEGER NOT NULL DEFAULT 0,
  last_error        TEXT,
  created           INTEGER NOT NULL DEFAULT 0
);
INSERT INTO outbox VALUES(1,1,2,'chat$bbb@example.test',NULL,'bob@example.test',2,1,1700000200,NULL,1700000200);
INSERT INTO outbox VALUES(2,1,7,'chat$hhh@example.test',NULL,'bob@example.test',3,1,0,'552 5.2.2 Mailbox full',1700000700);
PRAGMA writable_schema=ON;
INSERT INTO sqlite_schema(type,name,tbl_name,rootpage,sql)VALUES('table','messages_fts','messages_fts',0,'CREATE VIRTUAL TABLE messages_fts USING fts5 (
  subject, text,
  content = ''messages'', content_rowid = ''id'',
  tokenize = ''unicode61 remove_diacritics 2''
)');
CREATE TABLE IF NOT EXISTS 'messages_fts_data'(id INTEGER PRIMARY KEY, block BLOB);
INSERT INTO messages_fts_data VALUES(1,X'090227');
INSERT INTO messages_fts_data VALUES(10,X'000000000109090009010101020101030101040101050101060101070101080101090101');
INSERT INTO messages_fts_data VALUES(137438953473,X'000000520630616c69636501060101030104636166650106010108010568616c6c6f01060101020102696d010601010701077472656666656e01060101040103756e73010601010601037769720106010105040c0b0c090e0a');
INSERT INTO messages_fts_data VALUES(274877906945,X'00000024053064726569020601010401056765726e6502060101020102756d0206010103040b0c');
INSERT INTO messages_fts_data VALUES(412316860417,X'000000520330616d030601010401046b6f6c6e03020303036d6d74030601010301036d697403060101060107736f6e6e7461670306010105010c77616e6465726772757070650302020202657203060101020409090a0a0e11');
INSERT INTO messages_fts_data VALUES(549755813889,X'000000150b30747265666670756e6b74040601010204');
INSERT INTO messages_fts_data VALUES(687194767361,X'0000004706306e696368740506010105010a726567656e6a61636b650506010104010976657267657373656e0506010106040473696f6e050601010201047a7765690506010103040c11100b');
INSERT INTO messages_fts_data VALUES(824633720833,X'0000003f0a3065696e7061636b656e0606010105010c736f6e6e656e6272696c6c650606010104010776657273696f6e0606010102020369657206060101030410130e');
INSERT INTO messages_fts_data VALUES(962072674305,X'0000003b093061626765736167740706010105010d6265726777616e646572756e6707060101030103646965070601010201036973740706010104040f140a');
INSERT INTO messages_fts_data VALUES(1099511627777,X'0000003f07306272696e677408060101030103646965080601010401096c616e646b61727465080601010501036d6974080601010601037765720806010102040d0a100a');
INSERT INTO messages_fts_data VALUES(1236950581249,X'0000003c0330616d09060101030103646f6d090601010401046e65756e0906010106010a747265666670756e6b7409060101020102756d090601010504090a0b11');
CREATE TABLE IF NOT EXISTS 'messages_fts_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID;
INSERT INTO messages_fts_idx VALUES(1,X'',2);
INSERT INTO messages_fts_idx VALUES(2,X'',2);
INSERT INTO messages_fts_idx VALUES(3,X'',2);
INSERT INTO messages_fts_idx VALUES(4,X'',2);
INSERT INTO messages_fts_idx VALUES(5,X'',2);
INSERT INTO messages_fts_idx VALUES(6,X'',2);
INSERT INTO messages_fts_idx VALUES(7,X'',2);
INSERT INTO messages_fts_idx VALUES(8,X'',2);
INSERT INTO messages_fts_idx VALUES(9,X'',2);
CREATE TABLE IF NOT EXISTS 'messages_fts_docsize'(id INTEGER PRIMARY KEY, sz BLOB);
INSERT INTO messages_fts_docsize VALUES(1,X'0007');
INSERT INTO messages_fts_docsize VALUES(2,X'0003');
INSERT INTO messages_fts_docsize VALUES(3,X'0205');
INSERT INTO messages_fts_docsize VALUES(4,X'0001');
INSERT INTO messages_fts_docsize VALUES(5,X'0005');
INSERT INTO messages_fts_docsize VALUES(6,X'0004');
INSERT INTO messages_fts_docsize VALUES(7,X'0004');
INSERT INTO messages_fts_docsize VALUES(8,X'0005');
INSERT INTO messages_fts_docsize VALUES(9,X'0005');
CREATE TABLE IF NOT EXISTS 'messages_fts_config'(k PRIMARY KEY, v) WITHOUT ROWID;
INSERT INTO messages_fts_config VALUES('version',4);
INSERT INTO sqlite_schema(type,name,tbl_name,rootpage,sql)VALUES('table','chats_fts','chats_fts',0,'CREATE VIRTUAL TABLE chats_fts USING fts5 (
  name, description,
  content = ''chats'', content_rowid = ''id'',
  tokenize = ''unicode61 remove_diacritics 2''
)');
CREATE TABLE IF NOT EXISTS 'chats_fts_data'(id INTEGER PRIMARY KEY, block BLOB);
INSERT INTO chats_fts_data VALUES(1,X'020201');
INSERT INTO chats_fts_data VALUES(10,X'000000000101010001010101');
INSERT INTO chats_fts_data VALUES(137438953473,X'0000002d05306b6f6c6e0202030108736f6e6e746167730206010102010c77616e64657267727570706502020204090f');
CREATE TABLE IF NOT EXISTS 'chats_fts_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID;
INSERT INTO chats_fts_idx VALUES(1,X'',2);
CREATE TABLE IF NOT EXISTS 'chats_fts_docsize'(id INTEGER PRIMARY KEY, sz BLOB);
INSERT INTO chats_fts_docsize VALUES(1,X'0000');
INSERT INTO chats_fts_docsize VALUES(2,X'0201');
CREATE TABLE IF NOT EXISTS 'chats_fts_config'(k PRIMARY KEY, v) WITHOUT ROWID;
INSERT INTO chats_fts_config VALUES('version',4);
INSERT INTO sqlite_schema(type,name,tbl_name,rootpage,sql)VALUES('table','contacts_fts','contacts_fts',0,'CREATE VIRTUAL TABLE contacts_fts USING fts5 (
  display_name, address,
  content = ''contacts'', content_rowid = ''id'',
  tokenize = ''unicode61 remove_diacritics 2''
)');
CREATE TABLE IF NOT EXISTS 'contacts_fts_data'(id INTEGER PRIMARY KEY, block BLOB);
INSERT INTO contacts_fts_data VALUES(1,X'020306');
INSERT INTO contacts_fts_data VALUES(10,X'000000000102020002010101020101');
INSERT INTO contacts_fts_data VALUES(137438953473,X'000000330430626f6201080201010201076578616d706c65010601010301066d756c6c65720102030104746573740106010104040b0e0b');
INSERT INTO contacts_fts_data VALUES(274877906945,X'0000002a06306361726f6c02080201010201076578616d706c6502060101030104746573740206010104040d0e');
CREATE TABLE IF NOT EXISTS 'contacts_fts_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID;
INSERT INTO contacts_fts_idx VALUES(1,X'',2);
INSERT INTO contacts_fts_idx VALUES(2,X'',2);
CREATE TABLE IF NOT EXISTS 'contacts_fts_docsize'(id INTEGER PRIMARY KEY, sz BLOB);
INSERT INTO contacts_fts_docsize VALUES(1,X'0203');
INSERT INTO contacts_fts_docsize VALUES(2,X'0103');
CREATE TABLE IF NOT EXISTS 'contacts_fts_config'(k PRIMARY KEY, v) WITHOUT ROWID;
INSERT INTO contacts_fts_config VALUES('version',4);
CREATE TABLE receipts (
  message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  address    TEXT NOT NULL COLLATE NOCASE,
  kind       INTEGER NOT NULL,
  time       INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (message_id, address)
) WITHOUT ROWID;
INSERT INTO receipts VALUES(2,'bob@example.test',2,1700000250);
CREATE TABLE IF NOT EXISTS "messages" (
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
INSERT INTO messages VALUES(1,1,1,'chat$aaa@example.test',1,'bob@example.test',0,1700000100,1700000101,1700000100,0,0,0,0,0,NULL,'Hallo Alice, treffen wir uns im Café?',NULL,NULL,0,NULL,NULL,0,0,NULL,0,NULL);
INSERT INTO messages VALUES(2,1,1,'chat$bbb@example.test',NULL,NULL,1,1700000200,1700000200,1700000200,0,4,1,0,0,NULL,'Gerne, um drei',NULL,NULL,0,NULL,NULL,0,0,NULL,0,NULL);
INSERT INTO messages VALUES(3,1,2,'chat$group.Gr0upId_abc123.ccc@example.test',2,'carol@example.test',0,1700000300,1700000301,1700000300,0,0,0,1,0,'Wandergruppe Köln','Wer kommt am Sonntag mit?',NULL,NULL,0,NULL,NULL,0,0,NULL,0,NULL);
INSERT INTO messages VALUES(4,1,2,'chat$group.Gr0upId_abc123.ddd@example.test',1,'bob@example.test',0,1700000400,1700000401,1700000400,3,0,1,0,0,NULL,'Treffpunkt',NULL,NULL,0,50.941299999999998249,6.9583000000000003737,1,0,NULL,0,NULL);
INSERT INTO messages VALUES(5,1,2,'chat$group.Gr0upId_abc123.fff@example.test',2,'carol@example.test',0,1700000500,1700000501,1700000500,0,0,0,0,0,NULL,'Version zwei: Regenjacke nicht vergessen',NULL,NULL,0,NULL,NULL,0,0,NULL,0,NULL);
INSERT INTO messages VALUES(6,1,2,'chat$group.Gr0upId_abc123.ggg@example.test',2,'carol@example.test',0,1700000600,1700000601,1700000600,0,0,1,0,0,NULL,'Version vier: Sonnenbrille einpacken',NULL,NULL,0,NULL,NULL,0,0,NULL,0,NULL);
INSERT INTO messages VALUES(7,1,1,'chat$hhh@example.test',NULL,NULL,1,1700000700,1700000700,1700000700,0,5,1,0,0,NULL,'Die Bergwanderung ist abgesagt',NULL,NULL,0,NULL,NULL,0,0,NULL,0,'552 5.2.2 Mailbox full');
INSERT INTO messages VALUES(8,1,2,'chat$group.Gr0upId_abc123.iii@example.test',NULL,'carol@example.test',0,1700000800,1700000801,1700000800,0,0,0,0,0,NULL,'Wer bringt die Landkarte mit?',NULL,NULL,0,NULL,NULL,0,1,'carol@example.test',0,NULL);
INSERT INTO messages VALUES(9,1,1,'chat$jjj@example.test',NULL,'bob@example.test',0,1700000900,1700000901,1700000900,0,0,1,0,0,NULL,'Treffpunkt am Dom um neun',NULL,NULL,0,NULL,NULL,1,0,NULL,0,NULL);
CREATE TABLE IF NOT EXISTS "message_locations" (
  folder_id  INTEGER NOT NULL,          -- folders (id)
  uid        INTEGER NOT NULL,
  message_id INTEGER NOT NULL,          -- messages (id)
  PRIMARY KEY (folder_id, uid)
) WITHOUT ROWID;
INSERT INTO message_locations VALUES(1,10,1);
INSERT INTO message_locations VALUES(2,3,1);
INSERT INTO message_locations VALUES(2,4,3);
INSERT INTO message_locations VALUES(2,5,4);
INSERT INTO message_locations VALUES(1,106,6);
INSERT INTO message_locations VALUES(1,808,8);
INSERT INTO message_locations VALUES(1,909,9);
CREATE INDEX contacts_account ON contacts (account_id);
CREATE INDEX contacts_from_hash ON contacts (account_id, from_hash) WHERE from_hash IS NOT NULL;
CREATE INDEX contacts_avatar ON contacts (avatar) WHERE avatar IS NOT NULL;
CREATE INDEX contact_addresses_contact ON contact_addresses (contact_id);
CREATE INDEX chats_order ON chats (archived, pinned DESC, last_activity DESC, id DESC);
CREATE INDEX chats_contact ON chats (contact_id) WHERE contact_id IS NOT NULL;
CREATE INDEX chats_avatar ON chats (avatar) WHERE avatar IS NOT NULL;
CREATE INDEX chat_members_contact ON chat_members (contact_id);
CREATE INDEX attachments_message ON attachments (message_id);
CREATE INDEX attachments_hash ON attachments (hash);
CREATE INDEX message_edits_message ON message_edits (message_id);
CREATE INDEX message_edits_edit ON message_edits (edit_message_id) WHERE edit_message_id IS NOT NULL;
CREATE INDEX outbox_due ON outbox (state, next_attempt);
CREATE INDEX outbox_message ON outbox (message_id) WHERE message_id IS NOT NULL;
CREATE TRIGGER attachments_count_ai AFTER INSERT ON attachments BEGIN
  UPDATE messages SET n_attachments = n_attachments + 1 WHERE id = NEW.message_id;
END;
CREATE TRIGGER attachments_count_ad AFTER DELETE ON attachments BEGIN
  UPDATE messages SET n_attachments = n_attachments - 1 WHERE id = OLD.message_id;
END;
CREATE TRIGGER chats_fts_ai AFTER INSERT ON chats BEGIN
  INSERT INTO chats_fts (rowid, name, description) VALUES (NEW.id, NEW.name, NEW.description);
END;
CREATE TRIGGER chats_fts_ad AFTER DELETE ON chats BEGIN
  INSERT INTO chats_fts (chats_fts, rowid, name, description)
    VALUES ('delete', OLD.id, OLD.name, OLD.description);
END;
CREATE TRIGGER chats_fts_au AFTER UPDATE OF name, description ON chats BEGIN
  INSERT INTO chats_fts (chats_fts, rowid, name, description)
    VALUES ('delete', OLD.id, OLD.name, OLD.description);
  INSERT INTO chats_fts (rowid, name, description) VALUES (NEW.id, NEW.name, NEW.description);
END;
CREATE TRIGGER contacts_fts_ai AFTER INSERT ON contacts BEGIN
  INSERT INTO contacts_fts (rowid, display_name, address)
    VALUES (NEW.id, NEW.display_name, NEW.address);
END;
CREATE TRIGGER contacts_fts_ad AFTER DELETE ON contacts BEGIN
  INSERT INTO contacts_fts (contacts_fts, rowid, display_name, address)
    VALUES ('delete', OLD.id, OLD.display_name, OLD.address);
END;
CREATE TRIGGER contacts_fts_au AFTER UPDATE OF display_name, address ON contacts BEGIN
  INSERT INTO contacts_fts (contacts_fts, rowid, display_name, address)
    VALUES ('delete', OLD.id, OLD.display_name, OLD.address);
  INSERT INTO contacts_fts (rowid, display_name, address)
    VALUES (NEW.id, NEW.display_name, NEW.address);
END;
CREATE INDEX chats_account_order ON chats (account_id, archived, pinned DESC, last_activity DESC, id DESC);
CREATE INDEX messages_chat ON messages (chat_id, sort_key, id);
CREATE INDEX messages_sender ON messages (sender_contact_id) WHERE sender_contact_id IS NOT NULL;
CREATE INDEX messages_unread ON messages (chat_id) WHERE seen = 0 AND outgoing = 0;
CREATE INDEX message_locations_message ON message_locations (message_id);
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
CREATE INDEX attachments_preview_hash ON attachments (preview_hash) WHERE preview_hash IS NOT NULL;
PRAGMA writable_schema=OFF;
COMMIT;
PRAGMA user_version = 8;
