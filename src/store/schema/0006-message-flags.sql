-- Version 6: what a message needs beyond its text.
-- mentions_me:    the message mentions this account's user (@"Name":address or @all).
-- receipt_to:     the address a read receipt was requested to
--                 (Disposition-Notification-To), NULL when none was requested.
-- mdn_sent:       a read receipt for it was sent ($MDNSent on the server).
-- failure_reason: why sending it failed for good, in the server's words; NULL otherwise.

ALTER TABLE messages ADD COLUMN mentions_me INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN receipt_to TEXT;
ALTER TABLE messages ADD COLUMN mdn_sent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN failure_reason TEXT;

-- Failed messages of earlier versions: their reason was only in the outbox.
UPDATE messages SET failure_reason = (
  SELECT o.last_error FROM outbox o WHERE o.message_id = messages.id
  ORDER BY o.id DESC LIMIT 1)
WHERE state = 5;
