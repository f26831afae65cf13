-- Second Opinion library: text read from photographed and scanned pages
-- (issue #14). One row per page of a stored file that has no text layer
-- of its own, made when the OCR queue reaches the file: a photo, or a PDF
-- whose text layer is too thin for anything but a scan, that has no rows
-- yet. So files added before this version are queued too, and adding a
-- file writes nothing here. Files are stored once whatever number of
-- documents use them, so what OCR reads belongs to the file; the search
-- entry of every document using the file holds the text of its words.
--
-- status: 'pending' (waiting for OCR), 'done', 'failed' (error says why),
-- 'none' (needs no OCR: a PDF page with its own text layer).
-- words: the words with their boxes in the pixels of the upright page
-- image width × height (see records/ocrqueue.go, packWords): the packet
-- lays an invisible text layer over them.
--
-- WITHOUT ROWID, so the table is its primary key: with 64 KiB pages every
-- b-tree costs an empty library 64 KiB, and a rowid table with a primary
-- key is two. The rows stay small (the words packed in binary, about 10 KB
-- for a dense letter), well within what a 64 KiB page keeps in its cell.
CREATE TABLE page_text (
    file_id TEXT NOT NULL REFERENCES file(id) ON DELETE CASCADE,
    page    INTEGER NOT NULL,
    status  TEXT NOT NULL DEFAULT 'pending',
    lang    TEXT NOT NULL DEFAULT '',
    width   INTEGER NOT NULL DEFAULT 0,
    height  INTEGER NOT NULL DEFAULT 0,
    error   TEXT NOT NULL DEFAULT '',
    words   BLOB,
    PRIMARY KEY (file_id, page)
) WITHOUT ROWID;
