-- Version 8: an attachment may come with a preview (a small rendering of
-- an image the sender attached, COI "preview" part), stored as its own
-- content-addressed file and shown instead of decoding the full image.

ALTER TABLE attachments ADD COLUMN preview_hash TEXT;
-- For "is this file still used?" when a message or chat goes.
CREATE INDEX attachments_preview_hash ON attachments (preview_hash) WHERE preview_hash IS NOT NULL;
