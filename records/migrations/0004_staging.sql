-- Second Opinion library, schema version 4.
-- Adding a large file no longer holds one long write transaction, which made
-- every other writer (the app, a second command) wait and then fail. The
-- bytes are written first, in short transactions, into a file row marked as
-- staged by the process writing it; the document is then created in one
-- short transaction that links the file and clears the mark. A staged file
-- whose process has died (a crash, a kill) is removed at the next open or
-- check, so a document is still added whole or not at all.
--
-- A person being built in several steps (the sample person) is marked the
-- same way and is not listed until the last step clears the mark.

ALTER TABLE file ADD COLUMN staged TEXT NOT NULL DEFAULT '';
ALTER TABLE person ADD COLUMN draft TEXT NOT NULL DEFAULT '';
CREATE INDEX file_staged ON file(staged) WHERE staged != '';

-- People and cases go to the Trash like documents (a person added by
-- mistake, a test case), and can be restored until the Trash is emptied.
ALTER TABLE person ADD COLUMN trashed TEXT NOT NULL DEFAULT '';
ALTER TABLE "case" ADD COLUMN trashed TEXT NOT NULL DEFAULT '';

-- A document added with only the readable pages of a damaged PDF says what
-- is missing, in the catalogue, the readiness check and the packet.
ALTER TABLE document ADD COLUMN missing TEXT NOT NULL DEFAULT '';

-- Deleting means gone: a document's words leave the search index when it
-- is deleted, not at some later merge of the index.
INSERT INTO search(search, rank) VALUES('secure-delete', 1);

-- Rows of the comparison of opinions that the patient marked "these agree"
-- (a second opinion that words the same diagnosis differently).
CREATE TABLE case_agree (
    case_id TEXT NOT NULL REFERENCES "case"(id) ON DELETE CASCADE,
    row_key TEXT NOT NULL,
    PRIMARY KEY (case_id, row_key)
);

-- When the patient last chose the packet's documents: a document added
-- after that joins the packet in date order instead of being left out.
ALTER TABLE "case" ADD COLUMN packet_chosen_at TEXT NOT NULL DEFAULT '';
