-- Second Opinion library: text read from photographed and scanned pages
-- (issue #14). One row per page of a stored file that has no text layer
-- of its own: files are stored once whatever number of documents use
-- them, so the text belongs to the file, and every document using the
-- file finds it through the search index.
--
-- status: 'pending' (waiting for OCR), 'done' (text and words read),
-- 'failed' (error says why; tried again only on request), 'none' (the
-- page needs no OCR: a PDF page with its own text layer, or a file type
-- OCR does not read).
-- words: the words with their boxes, as JSON [[x,y,w,h,conf,line,"text"],...]
-- in the pixels of an image width × height, upright: the packet lays an
-- invisible text layer over them.
--
-- One table with its primary key: with 64 KiB pages every table and index
-- costs an empty library 64 KiB. Small columns first, so finding the
-- pending pages reads no text.
CREATE TABLE page_text (
    file_id TEXT NOT NULL REFERENCES file(id) ON DELETE CASCADE,
    page    INTEGER NOT NULL,
    status  TEXT NOT NULL DEFAULT 'pending',
    lang    TEXT NOT NULL DEFAULT '',
    width   INTEGER NOT NULL DEFAULT 0,
    height  INTEGER NOT NULL DEFAULT 0,
    error   TEXT NOT NULL DEFAULT '',
    text    TEXT NOT NULL DEFAULT '',
    words   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (file_id, page)
);

-- Files already in the library wait for OCR: photos and scans, that is
-- images and PDFs without a text layer. The pages of a PDF are queued
-- one row each (recursive count up to its page count).
INSERT INTO page_text (file_id, page)
    SELECT f.id, 1 FROM file f
    WHERE f.staged = '' AND f.media_type IN ('image/jpeg', 'image/png', 'image/tiff', 'image/webp', 'image/bmp', 'image/gif');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
INSERT INTO page_text (file_id, page)
    SELECT f.id, n.i FROM file f JOIN n ON n.i <= f.pages
    WHERE f.staged = '' AND f.media_type = 'application/pdf'
      AND f.id NOT IN (SELECT file_id FROM file_text WHERE length(trim(text)) >= 20 * f.pages);
