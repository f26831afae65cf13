-- Second Opinion library: pages that can be seen and fixed (issue #14).
--
-- A page is turned or left out as a setting of the document; the file's
-- bytes are never rewritten, so the original stays exactly as it came.
--
-- A link from a document to a file may name one page of the file: a page
-- moved from one PDF into another document is a reference to (file, page),
-- and the packet draws just that page there. 0 means every page.
ALTER TABLE document_file ADD COLUMN page INTEGER NOT NULL DEFAULT 0;

-- The user's settings for one page of one of a document's files: its turn
-- (clockwise, in degrees: 0, 90, 180, 270) on top of the page's own
-- rotation or the photo's EXIF orientation, and whether the document
-- leaves the page out (hidden). Rows exist only for files the document
-- links.
CREATE TABLE page_setting (
    document_id TEXT NOT NULL REFERENCES document(id) ON DELETE CASCADE,
    file_id     TEXT NOT NULL REFERENCES file(id) ON DELETE CASCADE,
    page        INTEGER NOT NULL,
    turn        INTEGER NOT NULL DEFAULT 0 CHECK (turn IN (0, 90, 180, 270)),
    hidden      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (document_id, file_id, page)
);

-- A file kept as it came when the library holds a readable copy of it: a
-- PDF locked with a password (the copy is unlocked) or an iPhone HEIC
-- photo (the copy is a JPEG). Documents link the copy; the original is
-- kept with it and goes when the copy goes.
CREATE TABLE file_original (
    file_id     TEXT PRIMARY KEY REFERENCES file(id) ON DELETE CASCADE,
    original_id TEXT NOT NULL REFERENCES file(id),
    why         TEXT NOT NULL
);
CREATE INDEX file_original_original ON file_original(original_id);

-- The page counts on the document row (see 0003) count one page for a
-- link to one page, and leave out hidden pages.
DROP TRIGGER document_file_added;
DROP TRIGGER document_file_removed;

CREATE TRIGGER document_file_added AFTER INSERT ON document_file BEGIN
    UPDATE document SET
        file_count = file_count + 1,
        pages = pages + CASE WHEN NEW.page > 0 THEN 1 ELSE (SELECT pages FROM file WHERE id = NEW.file_id) END,
        bytes = bytes + (SELECT size FROM file WHERE id = NEW.file_id)
    WHERE id = NEW.document_id;
END;

CREATE TRIGGER document_file_removed AFTER DELETE ON document_file BEGIN
    UPDATE document SET
        file_count = file_count - 1,
        pages = pages - CASE WHEN OLD.page > 0 THEN 1 ELSE coalesce((SELECT pages FROM file WHERE id = OLD.file_id), 0) END,
        bytes = bytes - coalesce((SELECT size FROM file WHERE id = OLD.file_id), 0)
    WHERE id = OLD.document_id;
END;

CREATE TRIGGER page_setting_added AFTER INSERT ON page_setting WHEN NEW.hidden != 0 BEGIN
    UPDATE document SET pages = pages - 1 WHERE id = NEW.document_id;
END;

CREATE TRIGGER page_setting_changed AFTER UPDATE OF hidden ON page_setting WHEN NEW.hidden != OLD.hidden BEGIN
    UPDATE document SET pages = pages + OLD.hidden - NEW.hidden WHERE id = NEW.document_id;
END;

CREATE TRIGGER page_setting_removed AFTER DELETE ON page_setting WHEN OLD.hidden != 0 BEGIN
    UPDATE document SET pages = pages + 1 WHERE id = OLD.document_id;
END;
