-- Version 2: full-text search (FTS5, external content kept by triggers),
-- over message subjects and text, chat names, contact names and addresses.

CREATE VIRTUAL TABLE messages_fts USING fts5 (
  subject, text,
  content = 'messages', content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER messages_fts_ai AFTER INSERT ON messages BEGIN
  INSERT INTO messages_fts (rowid, subject, text) VALUES (NEW.id, NEW.subject, NEW.text);
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

CREATE VIRTUAL TABLE chats_fts USING fts5 (
  name, description,
  content = 'chats', content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2'
);
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

CREATE VIRTUAL TABLE contacts_fts USING fts5 (
  display_name, address,
  content = 'contacts', content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2'
);
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

-- Index what version 1 stored.
INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
INSERT INTO chats_fts (chats_fts) VALUES ('rebuild');
INSERT INTO contacts_fts (contacts_fts) VALUES ('rebuild');
