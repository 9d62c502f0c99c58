-- Version 3: per-recipient read/delivery receipts.

CREATE TABLE receipts (
  message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  address    TEXT NOT NULL COLLATE NOCASE,
  kind       INTEGER NOT NULL,
  time       INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (message_id, address)
) WITHOUT ROWID;

-- Version 1 only knew the message's own state: a READ or DELIVERED
-- outgoing message keeps it; nothing to carry over per recipient.
