-- Version 9: the messages' full-text index records in which column a word
-- occurs, not at which position (FTS5 detail=column).
--
-- Why: positions are only needed for phrase and NEAR queries, and Tern
-- never makes one (tern_store_fts_query() cuts the user's text into single
-- tokens). Without them every message indexed costs about 15 % less to
-- store (bench/store, store.insert.msgs_per_s) and the index is smaller;
-- ranking (bm25) and snippets work as before.
-- The index is rebuilt from the messages table (its external content).

DROP TRIGGER messages_fts_ad;
DROP TRIGGER messages_fts_au;
DROP TABLE messages_fts;

CREATE VIRTUAL TABLE messages_fts USING fts5 (
  subject, text,
  content = 'messages', content_rowid = 'id',
  detail = column,
  tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');

CREATE TRIGGER messages_fts_ad AFTER DELETE ON messages BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, subject, text)
    VALUES ('delete', OLD.id, OLD.subject, OLD.text);
END;
CREATE TRIGGER messages_fts_au AFTER UPDATE OF subject, text ON messages BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, subject, text)
    VALUES ('delete', OLD.id, OLD.subject, OLD.text);
  INSERT INTO messages_fts (rowid, subject, text) VALUES (NEW.id, NEW.subject, NEW.text);
END;
